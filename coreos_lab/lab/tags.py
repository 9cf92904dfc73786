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
# The lab's identity: a random id kept in the local state and on the resource group, so a
# group of the same name that another machine or user built is never taken for this one.
TAG_LAB_ID = "coreos-lab-id"
# ARM never returns a VM's custom data, so its hash travels in a tag for the next `up` to compare.
TAG_CUSTOM_DATA = "coreos-lab-custom-data"
# The roster's student a class lab was built for (`class up`); `coreos-lab list` shows it.
TAG_STUDENT = "coreos-lab-student"


def lab_tags(lab: str, role: str | None = None, lab_id: str | None = None) -> dict[str, str]:
    tags = {TAG_MANAGED_BY: TAG_MANAGED_BY_VALUE, TAG_LAB: lab}
    if role:
        tags[TAG_ROLE] = role
    if lab_id:
        tags[TAG_LAB_ID] = lab_id
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


def check_identity(
    group: dict[str, Any], lab: str, local_id: str | None, *, known: bool, adopt: bool
) -> str | None:
    """The lab id this machine keeps for ``group``; refuse (LabError) another lab's group.

    ``local_id`` is the id this machine's state records, ``known`` whether it has state for
    the lab at all. A group whose id differs, or a group this machine knows nothing of, was
    built by another machine or user: only ``adopt`` (the user saying so) takes it over, and
    adopting records the group's id and nothing else. A group without an id (built before
    ids existed) is this machine's when it has state for the lab; ``up`` then tags it.
    """
    group_id = (group.get("tags") or {}).get(TAG_LAB_ID) or None
    name = group.get("name", lab)
    if adopt:
        return group_id or local_id
    if group_id is not None and local_id is not None and group_id != local_id:
        raise LabError(
            f"Resource group {name} holds a lab '{lab}' with lab id {group_id}, not the "
            f"{local_id} this machine's state records, so it is another machine's or user's "
            "lab of the same name; to take it over deliberately, run the same command with "
            "--adopt, which records its id here and changes nothing in Azure by itself."
        )
    if local_id is None and (group_id is not None or not known):
        raise LabError(
            f"Resource group {name} holds a lab '{lab}' that this machine has no state for, "
            "so it is another machine's or user's (or this machine's state was lost); to "
            "take it over deliberately, run the same command with --adopt, which records "
            "its id here and changes nothing in Azure by itself."
        )
    return local_id
