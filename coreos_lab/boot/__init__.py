"""What a machine gets at first boot: its config, as Ignition or as a #cloud-config (pure)."""
