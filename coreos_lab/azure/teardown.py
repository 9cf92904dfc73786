"""Delete a lab: its resource group, only if coreos-lab made it for this lab."""

from __future__ import annotations

import time

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.operations import get_group
from coreos_lab.errors import LabError
from coreos_lab.lab.events import EventSink, ResourceEvent, Step
from coreos_lab.lab.kinds import RESOURCE_GROUP
from coreos_lab.lab.tags import check_ours


def delete_lab(
    clients: Clients,
    resource_group: str,
    lab: str,
    sink: EventSink,
    *,
    wait: bool = True,
    again: str = "coreos-lab down",
) -> bool:
    """Delete the lab's group; False when there was nothing to delete.

    ``again`` is the command that reaches this lab, for the hint (hints.lab_command).
    """
    group = get_group(clients, resource_group)
    if group is None:
        return False
    check_ours(group, lab)
    key = f"{RESOURCE_GROUP}/{resource_group}"
    began = time.monotonic()
    sink(ResourceEvent(key, RESOURCE_GROUP, resource_group, Step.DELETING))
    poller = clients.resource.resource_groups.begin_delete(resource_group)
    if not wait:
        sink(
            ResourceEvent(
                key,
                RESOURCE_GROUP,
                resource_group,
                Step.DELETING,
                time.monotonic() - began,
                "Azure goes on deleting in the background",
            )
        )
        return True
    while not poller.done():
        poller.wait(1.0)
        sink(
            ResourceEvent(
                key, RESOURCE_GROUP, resource_group, Step.DELETING, time.monotonic() - began
            )
        )
    poller.result()
    if get_group(clients, resource_group) is not None:
        raise LabError(
            f"Azure reported resource group {resource_group} deleted but still lists it; "
            f"run `{again}` again in a minute."
        )
    sink(
        ResourceEvent(
            key, RESOURCE_GROUP, resource_group, Step.DONE, time.monotonic() - began, "deleted"
        )
    )
    return True
