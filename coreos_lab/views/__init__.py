"""Presentation: rich and plain renderings of plans, events and results. Views only render."""
