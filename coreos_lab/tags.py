"""The tags that mark a resource as coreos-lab's, and the ownership rule built on them. Pure.

`up` refuses to build into, and `down` refuses to delete, a resource group without them.
"""

from __future__ import annotations

from typing import Any

from coreos_lab.errors import LabError

TAG_MANAGED_BY = "managed-by"
TAG_MANAGED_BY_VALUE = "coreos-lab"
TAG_LAB = "coreos-lab"
TAG_ROLE = "coreos-lab-role"
# ARM never returns a VM's custom data, so its hash travels in a tag for the next `up` to compare.
TAG_CUSTOM_DATA = "coreos-lab-custom-data"


def lab_tags(lab: str, role: str | None = None) -> dict[str, str]:
    tags = {TAG_MANAGED_BY: TAG_MANAGED_BY_VALUE, TAG_LAB: lab}
    if role:
        tags[TAG_ROLE] = role
    return tags


def check_ours(group: dict[str, Any], lab: str, *, building: bool = False) -> None:
    """Refuse (LabError) a resource group, as ARM returns it, without this lab's tags."""
    tags = group.get("tags") or {}
    name = group.get("name", lab)
    if tags.get(TAG_MANAGED_BY) != TAG_MANAGED_BY_VALUE or tags.get(TAG_LAB) != lab:
        what = (
            "build a lab in it; choose another --name"
            if building
            else "delete it; delete it yourself if you mean to"
        )
        raise LabError(
            f"Resource group {name} is not tagged as coreos-lab's lab '{lab}' "
            f"({TAG_MANAGED_BY}={TAG_MANAGED_BY_VALUE}, {TAG_LAB}={lab}), so coreos-lab will "
            f"not {what}."
        )
