"""Microsoft.Network network security groups: rules validated, default rules added, and an
NSG in use (by a NIC or a subnet) cannot be deleted.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import types
from ..backend import Backend, Call
from ..envelope import Json, Reply, new_etag, ref
from ..errors import BadRequest, InUse
from ..store import Record
from .common import get_of_type, list_of_type, network_delete, network_put

NSG, SUBNET, NIC = types.NSG, types.SUBNET, types.NIC


def _default_rules(nsg_id: str) -> list[Json]:
    rows = [
        ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork",
         "VirtualNetwork", "Allow", 65000, "Inbound"),
        ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer",
         "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"),
        ("DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"),
        ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET",
         "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"),
        ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*",
         "Internet", "Allow", 65001, "Outbound"),
        ("DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound"),
    ]  # fmt: skip
    return [
        {
            "name": name,
            "id": f"{nsg_id}/defaultSecurityRules/{name}",
            "type": types.DEFAULT_SECURITY_RULE,
            "properties": {
                "provisioningState": "Succeeded",
                "description": description,
                "protocol": "*",
                "sourcePortRange": "*",
                "destinationPortRange": "*",
                "sourceAddressPrefix": source,
                "destinationAddressPrefix": destination,
                "access": access,
                "priority": priority,
                "direction": direction,
                "sourcePortRanges": [],
                "destinationPortRanges": [],
                "sourceAddressPrefixes": [],
                "destinationAddressPrefixes": [],
            },
        }
        for name, description, source, destination, access, priority, direction in rows
    ]


def _security_rule(nsg_id: str, rule: Any, seen: set[tuple[str, int]]) -> Json:
    if not isinstance(rule, dict) or not rule.get("name"):
        raise BadRequest("Every security rule needs a name.", code="InvalidRequestFormat")
    name = str(rule["name"])
    props = dict(rule.get("properties") or {})
    priority = props.get("priority")
    if not isinstance(priority, int) or not 100 <= priority <= 4096:
        raise BadRequest(
            f"Security rule {name} has invalid Priority. Value provided: {priority}. Allowed "
            "range 100-4096.",
            code="SecurityRuleInvalidPriority",
        )
    direction = props.get("direction")
    if direction not in ("Inbound", "Outbound"):
        raise BadRequest(
            f"Security rule {name} has invalid direction '{direction}'.",
            code="SecurityRuleInvalidDirection",
        )
    if props.get("access") not in ("Allow", "Deny"):
        raise BadRequest(
            f"Security rule {name} has invalid access '{props.get('access')}'.",
            code="SecurityRuleInvalidAccess",
        )
    if props.get("protocol") not in ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*"):
        raise BadRequest(
            f"Security rule {name} has invalid protocol '{props.get('protocol')}'.",
            code="SecurityRuleInvalidProtocol",
        )
    if (direction, priority) in seen:
        raise BadRequest(
            f"Security rule {name} conflicts with another rule: same priority {priority} and "
            f"direction {direction}.",
            code="SecurityRuleConflict",
        )
    seen.add((direction, priority))
    props["provisioningState"] = "Succeeded"
    for key in ("sourcePortRanges", "destinationPortRanges"):
        props.setdefault(key, [])
    for key in ("sourceAddressPrefixes", "destinationAddressPrefixes"):
        props.setdefault(key, [])
    return {
        "name": name,
        "id": f"{nsg_id}/securityRules/{name}",
        "type": types.SECURITY_RULE,
        "etag": new_etag(),
        "properties": props,
    }


def _build_nsg(body: Json, existing: Record | None, rid: str) -> Json:
    props = body.get("properties") or {}
    seen: set[tuple[str, int]] = set()
    rules = [_security_rule(rid, r, seen) for r in props.get("securityRules") or []]
    flush = props.get("flushConnection", False)  # NetworkSecurityGroupCreate.json: false
    if not isinstance(flush, bool):
        raise BadRequest(
            f"The value '{flush}' of property flushConnection is invalid; it must be true or "
            "false.",
            code="InvalidRequestFormat",
        )
    return {
        "flushConnection": flush,
        "securityRules": rules,
        "defaultSecurityRules": _default_rules(rid),
    }


def render(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    nics = [
        ref(n.id)
        for n in backend.store.of_type(NIC)
        if (n.properties.get("networkSecurityGroup") or {}).get("id", "").lower() == record.key
    ]
    subnets = [
        ref(s.id)
        for s in backend.store.of_type(SUBNET)
        if (s.properties.get("networkSecurityGroup") or {}).get("id", "").lower() == record.key
    ]
    if nics:
        body["properties"]["networkInterfaces"] = nics
    if subnets:
        body["properties"]["subnets"] = subnets
    return body


def _nsg_in_use(backend: Backend) -> Any:
    def check(record: Record) -> None:
        users = render(backend, record)["properties"]
        holders = users.get("networkInterfaces", []) + users.get("subnets", [])
        if holders:
            raise InUse(
                f"Network security group {record.id} cannot be deleted because it is in use by "
                f"the following resources: {', '.join(h['id'] for h in holders)}. In order to "
                "delete the Network security group, remove the association with the "
                "resource(s).",
                code="InUseNetworkSecurityGroupCannotBeDeleted",
            )

    return check


def put(call: Call, backend: Backend) -> Reply:
    return network_put(call, backend, NSG, _build_nsg)


def get(call: Call, backend: Backend) -> Reply:
    return get_of_type(call, backend, NSG)


def list_all(call: Call, backend: Backend) -> Reply:
    return list_of_type(call, backend, NSG)


def delete(call: Call, backend: Backend) -> Reply:
    return network_delete(call, backend, NSG, _nsg_in_use(backend))
