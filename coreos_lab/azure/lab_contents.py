"""What `down` would delete: the lab's group, its machines, and anything else in the group.

One generic list of the group (the Resources API lists every top-level resource, whatever
its kind) plus the three calls of lab_machines. A resource without this lab's tag was not
made by coreos-lab; the OS disks Azure creates for the lab's VMs carry no tags (a managed
disk does not inherit its VM's) and are recognised by their planned names instead.
"""

from __future__ import annotations

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.lab_machines import read_machines
from coreos_lab.azure.operations import get_group
from coreos_lab.lab.results import DownPreview
from coreos_lab.lab.roles import os_disk_name
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import TAG_LAB, check_ours


def read_contents(clients: Clients, settings: LabSettings) -> DownPreview:
    group_name = settings.resource_group
    group = get_group(clients, group_name)
    if group is None:
        return DownPreview(clients.subscription_id, group_name, exists=False)
    check_ours(group, settings.name)
    machines = tuple(read_machines(clients, settings))
    our_disks = {os_disk_name(m.name).lower() for m in machines}
    foreign = []
    for item in clients.resource.resources.list_by_resource_group(group_name):
        tags = item.tags or {}
        if tags.get(TAG_LAB) == settings.name:
            continue
        if str(item.type).lower() == "microsoft.compute/disks" and item.name.lower() in our_disks:
            continue
        foreign.append(f"{item.type} {item.name}")
    return DownPreview(
        clients.subscription_id,
        group_name,
        exists=True,
        machines=machines,
        foreign=tuple(sorted(foreign)),
    )
