"""Is the lab ready, and if not, why: `coreos-lab verify` and `up --wait`, over ssh/."""
