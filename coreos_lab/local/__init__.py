"""What this machine keeps for a lab: its state, keys, lock, run log and files."""
