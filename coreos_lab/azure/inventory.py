"""What the lab's resource group holds now, read with one list call per resource kind."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.operations import OPERATIONS, as_rest, get_group
from coreos_lab.lab.kinds import RESOURCE_GROUP, Kind


@dataclass
class Inventory:
    """ARM's view of the lab, keyed like planned resources (``kind/name``, lower-cased)."""

    resource_group: dict[str, Any] | None  # the group's REST body; None when it is not there
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, key: str) -> dict[str, Any] | None:
        if key.split("/", 1)[0] == RESOURCE_GROUP:
            # The group is read first, by name: its absence means the lab is not there.
            return self.resource_group
        return self.resources.get(key.lower())


def read_inventory(clients: Clients, resource_group: str) -> Inventory:
    """The group and everything of the kinds coreos-lab creates in it.

    Seven reads at most, whatever the lab's size; the lists run concurrently.
    """
    group = get_group(clients, resource_group)
    if group is None:
        return Inventory(resource_group=None)
    inventory = Inventory(resource_group=group)

    def list_kind(kind: Kind) -> list[tuple[str, dict[str, Any]]]:
        return [
            (f"{kind}/{item.name}".lower(), as_rest(item))
            for item in OPERATIONS[kind].list(clients, resource_group)
        ]

    listed = [kind for kind, ops in OPERATIONS.items() if ops.in_group]
    with ThreadPoolExecutor(max_workers=len(listed)) as pool:
        for found in pool.map(list_kind, listed):
            inventory.resources.update(found)
    return inventory
