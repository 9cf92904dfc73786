"""What a lab is: its settings, clouds, resource kinds, roles, plan and results (pure)."""
