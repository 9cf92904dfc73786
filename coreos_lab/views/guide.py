"""Where the lab guide (docs/lab.md) is, for the line `up` ends with."""

from __future__ import annotations

from pathlib import Path

GUIDE = "docs/lab.md"


def guide_location() -> str:
    """The guide's path in this checkout when there is one (an editable install), else where
    to find it in coreos-lab's sources."""
    candidate = Path(__file__).resolve().parents[2] / GUIDE
    return str(candidate) if candidate.is_file() else f"{GUIDE} in coreos-lab's sources"
