"""The SDK operations for each kind of resource: read, list, and create-or-update.

The one table here, a row per :class:`~coreos_lab.lab.kinds.Kind`, is where a new resource kind
is taught to the Azure layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.lab.kinds import NIC, NSG, PUBLIC_IP, RESOURCE_GROUP, STORAGE, VM, VNET, Kind
from coreos_lab.lab.plan import Resource


def as_rest(model: Any) -> dict[str, Any]:
    """An SDK model as ARM's REST-shaped dict (the TypeSpec models serialise to it)."""
    if model is None:
        return {}
    return dict(model.as_dict()) if hasattr(model, "as_dict") else dict(model)


@dataclass(frozen=True)
class KindOperations:
    """Where the SDK keeps one kind's operations, and the names of its list, get and put.

    ``in_group`` is False for the resource group itself: it is addressed by its name alone,
    is not listed inside a group, and its PUT is synchronous (no poller).
    """

    client: str  # attribute of Clients: "resource", "network", "storage", "compute"
    operations_group: str  # operations group on that client, e.g. "virtual_networks"
    list_name: str = "list"
    get_name: str = "get"
    put_name: str = "begin_create_or_update"
    in_group: bool = True

    def operations(self, clients: Clients) -> Any:
        return getattr(getattr(clients, self.client), self.operations_group)

    def list(self, clients: Clients, resource_group: str) -> list[Any]:
        if not self.in_group:
            return []
        return list(getattr(self.operations(clients), self.list_name)(resource_group))

    def get(self, clients: Clients, resource_group: str, name: str) -> Any:
        args = (resource_group, name) if self.in_group else (name,)
        return getattr(self.operations(clients), self.get_name)(*args)

    def put(self, clients: Clients, resource_group: str, resource: Resource) -> Any:
        """Create or update, waiting for a long-running operation to end."""
        put = getattr(self.operations(clients), self.put_name)
        if not self.in_group:
            return put(resource.name, resource.body)
        # Polled at the budget's pace, not each answer's Retry-After (azure/budget.py).
        return put(resource_group, resource.name, resource.body, polling=clients.polling()).result()


OPERATIONS: dict[Kind, KindOperations] = {
    # A resource group's PUT is synchronous: ARM answers 200/201 with the group itself, no
    # long-running operation (docs/facts.md, Azure Resource Manager).
    RESOURCE_GROUP: KindOperations(
        "resource", "resource_groups", put_name="create_or_update", in_group=False
    ),
    NSG: KindOperations("network", "network_security_groups"),
    VNET: KindOperations("network", "virtual_networks"),
    STORAGE: KindOperations(
        "storage",
        "storage_accounts",
        list_name="list_by_resource_group",
        get_name="get_properties",
        put_name="begin_create",
    ),
    PUBLIC_IP: KindOperations("network", "public_ip_addresses"),
    NIC: KindOperations("network", "network_interfaces"),
    VM: KindOperations("compute", "virtual_machines"),
}


def put(clients: Clients, resource_group: str, resource: Resource) -> dict[str, Any]:
    return as_rest(OPERATIONS[resource.kind].put(clients, resource_group, resource))


def get(clients: Clients, resource_group: str, kind: Kind, name: str) -> dict[str, Any] | None:
    """ARM's view of one resource, None when it does not exist."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return as_rest(OPERATIONS[kind].get(clients, resource_group, name))
    except ResourceNotFoundError:
        return None


def get_group(clients: Clients, name: str) -> dict[str, Any] | None:
    return get(clients, name, RESOURCE_GROUP, name)
