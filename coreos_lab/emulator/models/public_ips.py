"""Microsoft.Network public IP addresses.

Public IPs are Standard and Static (Basic is retired since 30 Sep 2025) and get an address from
the configured pool (``public_ip_prefix``) when they are created.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

from .. import types
from ..backend import Backend, Call
from ..envelope import Json, Reply, ref
from ..errors import BadRequest, InUse
from ..store import Record
from .common import get_of_type, list_of_type, network_delete, network_put

PIP, NIC = types.PIP, types.NIC


def _allocate_public_ip(backend: Backend) -> str:
    pool = ipaddress.ip_network(backend.settings.cloud.public_ip_prefix, strict=False)
    used = {p.properties.get("ipAddress") for p in backend.store.of_type(PIP)}
    for _ in range(pool.num_addresses):
        n = backend.store.next_counter("public_ip") % (pool.num_addresses - 8) + 4
        address = str(pool.network_address + n)
        if address not in used:
            return address
    raise BadRequest(
        "The emulator's public IP pool is exhausted.", code="PublicIPCountLimitReached"
    )


def _build_pip(backend: Backend) -> Any:
    def build(body: Json, existing: Record | None, rid: str) -> Json:
        props = body.get("properties") or {}
        sku = (body.get("sku") or {}).get("name", "Standard")
        if sku != "Standard":
            raise BadRequest(
                f"Public IP address {rid} cannot use the {sku} SKU: Basic SKU public IP addresses "
                "were retired on 30 September 2025; use the Standard SKU.",
                code="BasicSkuPublicIpAddressRetired",
            )
        method = props.get("publicIPAllocationMethod", "Static")
        if method != "Static":
            raise BadRequest(
                f"Standard sku publicIp {rid} must have AllocationMethod set to Static.",
                code="StandardSkuPublicIPAddressesMustBeStatic",
            )
        version = props.get("publicIPAddressVersion", "IPv4")
        address = existing.properties.get("ipAddress") if existing else None
        out: Json = {
            "publicIPAddressVersion": version,
            "publicIPAllocationMethod": "Static",
            "idleTimeoutInMinutes": int(props.get("idleTimeoutInMinutes", 4)),
            "ipTags": props.get("ipTags", []),
            "ipAddress": address or _allocate_public_ip(backend),
        }
        label = (props.get("dnsSettings") or {}).get("domainNameLabel")
        if label:
            location = str(body.get("location", "")).lower()
            out["dnsSettings"] = {
                "domainNameLabel": label,
                "fqdn": f"{label}.{location}.cloudapp.azure.com",
            }
        return out

    return build


def pip_user(backend: Backend, pip_id: str) -> str | None:
    for nic in backend.store.of_type(NIC):
        for cfg in nic.properties.get("ipConfigurations", []):
            if (cfg["properties"].get("publicIPAddress") or {}).get("id", "").lower() == (
                pip_id.lower()
            ):
                return str(cfg["id"])
    return None


def render(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    body.setdefault("sku", {"name": "Standard", "tier": "Regional"})
    body["sku"].setdefault("tier", "Regional")
    if body["properties"].get("provisioningState") != "Succeeded":
        body["properties"].pop("ipAddress", None)  # the address shows once provisioned
    user = pip_user(backend, record.id)
    if user:
        body["properties"]["ipConfiguration"] = ref(user)
    return body


def put(call: Call, backend: Backend) -> Reply:
    return network_put(call, backend, PIP, _build_pip(backend))


def get(call: Call, backend: Backend) -> Reply:
    return get_of_type(call, backend, PIP)


def list_all(call: Call, backend: Backend) -> Reply:
    return list_of_type(call, backend, PIP)


def delete(call: Call, backend: Backend) -> Reply:
    def check(record: Record) -> None:
        user = pip_user(backend, record.id)
        if user:
            raise InUse(
                f"Public IP address {record.id} can not be deleted since it is still allocated "
                f"to resource {user}. In order to delete the public IP, disassociate/detach the "
                "Public IP address from the resource.",
                code="PublicIPAddressCannotBeDeleted",
            )

    return network_delete(call, backend, PIP, check)
