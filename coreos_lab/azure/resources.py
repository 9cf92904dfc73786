"""The SDK calls for each kind of planned resource: read, list, and create-or-update.

The one table here is where a new resource kind is taught to the engine.
"""

from __future__ import annotations

from collections.abc import Callable
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
    """How to list, get and put one kind of resource in the lab's group."""

    list: Callable[[Clients, str], Any]
    get: Callable[[Clients, str, str], Any]
    put: Callable[[Clients, str, Resource], Any]  # returns the model, waiting for any LRO


def _wait(poller: Any) -> Any:
    return poller.result()


OPS: dict[str, KindOps] = {
    NSG: KindOps(
        list=lambda c, rg: c.network.network_security_groups.list(rg),
        get=lambda c, rg, n: c.network.network_security_groups.get(rg, n),
        put=lambda c, rg, r: _wait(
            c.network.network_security_groups.begin_create_or_update(rg, r.name, r.body)
        ),
    ),
    VNET: KindOps(
        list=lambda c, rg: c.network.virtual_networks.list(rg),
        get=lambda c, rg, n: c.network.virtual_networks.get(rg, n),
        put=lambda c, rg, r: _wait(
            c.network.virtual_networks.begin_create_or_update(rg, r.name, r.body)
        ),
    ),
    PUBLIC_IP: KindOps(
        list=lambda c, rg: c.network.public_ip_addresses.list(rg),
        get=lambda c, rg, n: c.network.public_ip_addresses.get(rg, n),
        put=lambda c, rg, r: _wait(
            c.network.public_ip_addresses.begin_create_or_update(rg, r.name, r.body)
        ),
    ),
    NIC: KindOps(
        list=lambda c, rg: c.network.network_interfaces.list(rg),
        get=lambda c, rg, n: c.network.network_interfaces.get(rg, n),
        put=lambda c, rg, r: _wait(
            c.network.network_interfaces.begin_create_or_update(rg, r.name, r.body)
        ),
    ),
    STORAGE: KindOps(
        list=lambda c, rg: c.storage.storage_accounts.list_by_resource_group(rg),
        get=lambda c, rg, n: c.storage.storage_accounts.get_properties(rg, n),
        put=lambda c, rg, r: _wait(c.storage.storage_accounts.begin_create(rg, r.name, r.body)),
    ),
    VM: KindOps(
        list=lambda c, rg: c.compute.virtual_machines.list(rg),
        get=lambda c, rg, n: c.compute.virtual_machines.get(rg, n),
        put=lambda c, rg, r: _wait(
            c.compute.virtual_machines.begin_create_or_update(rg, r.name, r.body)
        ),
    ),
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
