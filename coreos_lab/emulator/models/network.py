"""Microsoft.Network: virtual networks and their subnets.

Rules (each raises network's own code, as listed in docs/emulator.md "Rejections"): subnets
inside the VNet's space and not overlapping; a subnet with NICs cannot be removed; an NSG in use
cannot be deleted; references must exist. Network PUTs answer 201/200 with ``provisioningState:
Succeeded`` (common.put_answer) and an ``Azure-AsyncOperation`` header; deletes 202 with
``Location`` too
(models/operations.py).
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

from .. import types
from ..backend import Backend, Call
from ..echo import echo
from ..envelope import Json, Reply, new_etag, ref
from ..errors import BadRequest, InUse, ProviderNotFound
from ..store import Operation, Record
from . import operations
from .common import (
    begin_delete,
    check_network_name,
    get_of_type,
    list_of_type,
    lookup,
    network_delete,
    network_put,
    put_answer,
    resolve,
)

NSG, VNET, SUBNET, NIC = types.NSG, types.VNET, types.SUBNET, types.NIC

Network = ipaddress.IPv4Network  # IPv4 only: the lab uses no IPv6


# -- virtual networks and subnets ------------------------------------------------------------
def _prefix(value: object, what: str) -> Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        raise BadRequest(
            f"Value '{value}' provided for {what} is not a valid address prefix.",
            code="NetcfgInvalidAddressPrefix",
        ) from exc


def _subnet_prefixes(props: Json, name: str) -> list[Network]:
    raw = props.get("addressPrefixes") or ([props["addressPrefix"]] if props.get("addressPrefix")
                                           else [])  # fmt: skip
    if not raw:
        raise BadRequest(
            f"Subnet {name} has no address prefix.", code="NetcfgInvalidSubnetPrefixFormat"
        )
    return [_prefix(p, f"subnet {name}") for p in raw]


def _check_subnet_fits(
    name: str, prefixes: list[Network], space: list[Network], others: dict[str, list[Network]]
) -> None:
    for prefix in prefixes:
        if not any(prefix.subnet_of(s) for s in space):
            raise BadRequest(
                f"Subnet '{name}' is not valid because its IP address range is outside the IP "
                "address range of virtual network.",
                code="NetcfgSubnetRangeOutsideVnet",
            )
        for other, their in others.items():
            if any(prefix.overlaps(p) for p in their):
                raise BadRequest(
                    f"Subnet '{name}' is not valid because its IP address range overlaps with "
                    f"that of an existing subnet '{other}' in virtual network.",
                    code="NetcfgSubnetRangesOverlap",
                )


def _subnet_users(backend: Backend, subnet_id: str) -> list[str]:
    """Ids of NIC ip configurations in a subnet."""
    users = []
    for nic in backend.store.of_type(NIC):
        for cfg in nic.properties.get("ipConfigurations", []):
            if (cfg["properties"].get("subnet") or {}).get("id", "").lower() == subnet_id.lower():
                users.append(cfg["id"])
    return users


def _in_use_subnet(subnet_id: str, users: list[str]) -> InUse:
    return InUse(
        f"Subnet {subnet_id.rsplit('/', 1)[-1]} is in use by {', '.join(users)} and cannot be "
        "deleted. In order to delete the subnet, delete all the resources within the subnet.",
        code="InUseSubnetCannotBeDeleted",
    )


def _check_prefixes_kept(backend: Backend, subnet: Record | None, prefixes: list[Network]) -> None:
    """An in-use subnet keeps every prefix it has: ARM answers 400 InUsePrefixCannotBeDeleted
    (message as hashicorp/terraform-provider-azurerm#11211 quotes it); docs/emulator.md."""
    if subnet is None or not _subnet_users(backend, subnet.id):
        return
    for old in _subnet_prefixes(subnet.properties, subnet.body["name"]):
        if old not in prefixes:
            raise BadRequest(
                f"IpPrefix {old} on Subnet {subnet.body['name']} has active allocations and "
                "cannot be deleted.",
                code="InUsePrefixCannotBeDeleted",
            )


def _subnet_body(backend: Backend, vnet_id: str, raw: Json, prefixes: list[Network]) -> Json:
    name = str(raw["name"])
    props = dict(raw.get("properties") or {})
    nsg = resolve(backend, props.get("networkSecurityGroup"), NSG, f"{vnet_id}/subnets/{name}")
    out: Json = {
        "addressPrefix": str(prefixes[0]),
        "delegations": [],
        "privateEndpointNetworkPolicies": props.get("privateEndpointNetworkPolicies", "Disabled"),
        "privateLinkServiceNetworkPolicies": props.get(
            "privateLinkServiceNetworkPolicies", "Enabled"
        ),
        "provisioningState": "Updating",
    }
    if len(prefixes) > 1:
        out["addressPrefixes"] = [str(p) for p in prefixes]
    if nsg:
        out["networkSecurityGroup"] = ref(nsg)
    return {
        "name": name,
        "id": f"{vnet_id}/subnets/{name}",
        "etag": new_etag(),
        "type": SUBNET,
        "properties": echo(props, out),
    }


def _build_vnet(backend: Backend) -> Any:
    def build(body: Json, existing: Record | None, rid: str) -> Json:
        props = body.get("properties") or {}
        raw_space = (props.get("addressSpace") or {}).get("addressPrefixes") or []
        if not raw_space:
            raise BadRequest(
                "The virtual network needs at least one address prefix in addressSpace.",
                code="InvalidAddressSpace",
            )
        space = [_prefix(p, "address space") for p in raw_space]
        subnets: dict[str, list[Network]] = {}
        bodies = []
        for raw in props.get("subnets") or []:
            if not isinstance(raw, dict) or not raw.get("name"):
                raise BadRequest("Every subnet needs a name.", code="InvalidRequestFormat")
            check_network_name(str(raw["name"]))
            prefixes = _subnet_prefixes(raw.get("properties") or {}, str(raw["name"]))
            _check_subnet_fits(str(raw["name"]), prefixes, space, subnets)
            if existing is not None:
                _check_prefixes_kept(
                    backend, backend.store.get(f"{rid}/subnets/{raw['name']}"), prefixes
                )
            subnets[str(raw["name"]).lower()] = prefixes
            bodies.append(_subnet_body(backend, rid, raw, prefixes))
        if existing is not None:  # subnets left out of the PUT are removed: refuse if in use
            for child in backend.store.children(rid):
                if child.type == SUBNET and child.body["name"].lower() not in subnets:
                    users = _subnet_users(backend, child.id)
                    if users:
                        raise _in_use_subnet(child.id, users)
        return {
            "addressSpace": {"addressPrefixes": [str(p) for p in space]},
            "subnets": bodies,  # moved into child records by _store_subnets
            "virtualNetworkPeerings": [],
            "enableDdosProtection": bool(props.get("enableDdosProtection", False)),
        }

    return build


def _store_subnets(backend: Backend) -> Any:
    def store(record: Record, op: Operation) -> None:
        wanted = {s["name"].lower(): s for s in record.properties.pop("subnets")}
        for child in backend.store.children(record.id):
            if child.type == SUBNET and child.body["name"].lower() not in wanted:
                backend.store.resources.pop(child.key, None)
        for body in wanted.values():
            child = Record(id=body["id"], type=SUBNET, group=record.group, body=body)
            child.operation = op.id
            backend.store.add(child)
            op.cascade.append(child.id)

    return store


def render_subnet(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    users = _subnet_users(backend, record.id)
    if users:
        body["properties"]["ipConfigurations"] = [ref(u) for u in users]
    return body


def render_vnet(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    body["properties"]["subnets"] = [
        render_subnet(backend, c) for c in backend.store.children(record.id) if c.type == SUBNET
    ]
    return body


def put_vnet(call: Call, backend: Backend) -> Reply:
    return network_put(call, backend, VNET, _build_vnet(backend), _store_subnets(backend))


def get_vnet(call: Call, backend: Backend) -> Reply:
    return get_of_type(call, backend, VNET)


def list_vnets(call: Call, backend: Backend) -> Reply:
    return list_of_type(call, backend, VNET)


def delete_vnet(call: Call, backend: Backend) -> Reply:
    def check(record: Record) -> None:
        for child in backend.store.children(record.id):
            users = _subnet_users(backend, child.id) if child.type == SUBNET else []
            if users:
                raise _in_use_subnet(child.id, users)

    return network_delete(call, backend, VNET, check)


def _vnet_of(call: Call, backend: Backend) -> Record:
    params = dict(call.params)
    params["name"] = call.params["vnet"]
    return lookup(backend, Call(**{**call.__dict__, "params": params}), VNET)


def _subnet(call: Call, backend: Backend) -> tuple[Record, Record | None]:
    vnet = _vnet_of(call, backend)
    return vnet, backend.store.get(f"{vnet.id}/subnets/{call.params['name']}")


def get_subnet(call: Call, backend: Backend) -> Reply:
    vnet, subnet = _subnet(call, backend)
    if subnet is None:
        raise ProviderNotFound(f"{vnet.id}/subnets/{call.params['name']}")
    return Reply(200, render_subnet(backend, subnet))


def list_subnets(call: Call, backend: Backend) -> Reply:
    vnet = _vnet_of(call, backend)
    return Reply(200, {"value": render_vnet(backend, vnet)["properties"]["subnets"]})


def put_subnet(call: Call, backend: Backend) -> Reply:
    backend.group(call, writing=True)
    vnet, existing = _subnet(call, backend)
    name = call.params["name"]
    check_network_name(name)
    backend.check_idle(f"{vnet.id}/subnets/{name}")
    backend.check_idle(vnet.id)
    sprops: Json = call.json_body().get("properties") or {}
    raw: Json = {"name": name, "properties": sprops}
    prefixes = _subnet_prefixes(sprops, name)
    space = [
        _prefix(p, "address space") for p in vnet.properties["addressSpace"]["addressPrefixes"]
    ]
    others = {
        c.body["name"].lower(): _subnet_prefixes(c.properties, c.body["name"])
        for c in backend.store.children(vnet.id)
        if c.type == SUBNET and c.body["name"].lower() != name.lower()
    }
    _check_subnet_fits(name, prefixes, space, others)
    _check_prefixes_kept(backend, existing, prefixes)
    body = _subnet_body(backend, vnet.id, raw, prefixes)
    record = Record(id=body["id"], type=SUBNET, group=vnet.group, body=body)
    backend.store.add(record)
    action = "update" if existing else "create"
    op = backend.begin(record, types.NETWORK, vnet.body["location"], action)
    headers = operations.put_headers(call, backend, op)
    answer = put_answer(render_subnet(backend, record))
    return Reply(200 if existing else 201, answer, headers)


def delete_subnet(call: Call, backend: Backend) -> Reply:
    backend.group(call, writing=True)
    vnet, subnet = _subnet(call, backend)
    if subnet is None:
        return Reply(204)

    def check(record: Record) -> None:
        users = _subnet_users(backend, record.id)
        if users:
            raise _in_use_subnet(record.id, users)

    return begin_delete(call, backend, subnet, types.NETWORK, check, location=vnet.body["location"])
