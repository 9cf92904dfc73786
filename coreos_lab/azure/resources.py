"""The SDK calls for each kind of planned resource: read, list, and create-or-update.

The one table here is where a new resource kind is taught to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.plan import NIC, NSG, PUBLIC_IP, RESOURCE_GROUP, STORAGE, VM, VNET, Resource


def as_rest(model: Any) -> dict[str, Any]:
    """An SDK model as ARM's REST-shaped dict (the TypeSpec models serialise to it)."""
    if model is None:
        return {}
    return dict(model.as_dict()) if hasattr(model, "as_dict") else dict(model)


@dataclass(frozen=True)
class KindOps:
    """Where the SDK keeps one kind's operations, and the names of its list, get and put."""

    client: str  # attribute of Clients: "network", "storage", "compute"
    group: str  # operations group on that client, e.g. "virtual_networks"
    list_name: str = "list"
    get_name: str = "get"
    put_name: str = "begin_create_or_update"

    def operations(self, clients: Clients) -> Any:
        return getattr(getattr(clients, self.client), self.group)

    def list(self, clients: Clients, resource_group: str) -> Any:
        return getattr(self.operations(clients), self.list_name)(resource_group)

    def get(self, clients: Clients, resource_group: str, name: str) -> Any:
        return getattr(self.operations(clients), self.get_name)(resource_group, name)

    def put(self, clients: Clients, resource_group: str, resource: Resource) -> Any:
        """Create or update, waiting for the long-running operation to end."""
        put = getattr(self.operations(clients), self.put_name)
        return put(resource_group, resource.name, resource.body).result()


OPS: dict[str, KindOps] = {
    NSG: KindOps("network", "network_security_groups"),
    VNET: KindOps("network", "virtual_networks"),
    PUBLIC_IP: KindOps("network", "public_ip_addresses"),
    NIC: KindOps("network", "network_interfaces"),
    STORAGE: KindOps(
        "storage",
        "storage_accounts",
        list_name="list_by_resource_group",
        get_name="get_properties",
        put_name="begin_create",
    ),
    VM: KindOps("compute", "virtual_machines"),
}


def put_group(clients: Clients, resource: Resource) -> dict[str, Any]:
    # Resource group PUT is synchronous (arm-contract.md §3).
    return as_rest(clients.resource.resource_groups.create_or_update(resource.name, resource.body))


def get_group(clients: Clients, name: str) -> dict[str, Any] | None:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return as_rest(clients.resource.resource_groups.get(name))
    except ResourceNotFoundError:
        return None


def put(clients: Clients, resource_group: str, resource: Resource) -> dict[str, Any]:
    if resource.kind == RESOURCE_GROUP:
        return put_group(clients, resource)
    return as_rest(OPS[resource.kind].put(clients, resource_group, resource))


def get(clients: Clients, resource_group: str, resource: Resource) -> dict[str, Any] | None:
    from azure.core.exceptions import ResourceNotFoundError

    if resource.kind == RESOURCE_GROUP:
        return get_group(clients, resource.name)
    try:
        return as_rest(OPS[resource.kind].get(clients, resource_group, resource.name))
    except ResourceNotFoundError:
        return None
