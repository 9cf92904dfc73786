"""Microsoft.Network network interfaces.

A NIC's private address is the static one it asks for, or the lowest free address of its subnet
from .4 (Azure reserves the first four addresses and the last of every subnet:
https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import uuid
from typing import Any

from .. import types
from ..backend import Backend, Call
from ..envelope import Json, Reply, new_etag, ref
from ..errors import BadRequest, InUse
from ..store import Record
from .common import get_of_type, list_of_type, network_delete, network_put, resolve
from .public_ips import pip_user

PIP, NIC, VM, NSG, SUBNET = types.PIP, types.NIC, types.VM, types.NSG, types.SUBNET


def _used_addresses(backend: Backend, subnet_id: str, except_nic: str) -> dict[str, str]:
    used: dict[str, str] = {}  # address -> the IP configuration holding it
    for nic in backend.store.of_type(NIC):
        if nic.key == except_nic.lower():
            continue
        for cfg in nic.properties.get("ipConfigurations", []):
            props = cfg["properties"]
            if (props.get("subnet") or {}).get("id", "").lower() == subnet_id.lower():
                used[str(props.get("privateIPAddress"))] = str(cfg.get("id"))
    return used


def _private_address(
    backend: Backend,
    subnet: Record,
    nic_id: str,
    cfg: Json,
    previous: str | None,
    cfg_id: str = "",
) -> tuple[str, str]:
    network = ipaddress.IPv4Network(subnet.properties["addressPrefix"])
    used = _used_addresses(backend, subnet.id, nic_id)
    method = cfg.get("privateIPAllocationMethod") or "Dynamic"
    usable_first, usable_last = network.network_address + 4, network.broadcast_address - 1
    if method == "Static":
        raw = cfg.get("privateIPAddress")
        try:
            address = ipaddress.IPv4Address(str(raw))
        except ValueError as exc:
            raise BadRequest(
                f"Private IP address {raw} is not valid.", code="PrivateIPAddressInvalid"
            ) from exc
        if address not in network or not usable_first <= address <= usable_last:
            raise BadRequest(
                f"Private static IP address {address} does not belong to the range of subnet "
                f"prefix {network}.",
                code="PrivateIPAddressNotInSubnet",
            )
        if str(address) in used:
            # F5Networks/terraform-azure-bigip-module#63 (400, 2024) and
            # daniel-rhoades/acs-engine-terraform#10 quote this code and message
            raise BadRequest(
                f"IP configuration {cfg_id} is using the private IP address {address} which is "
                f"already allocated to resource {used[str(address)]}.",
                code="PrivateIPAddressIsAllocated",
            )
        return str(address), "Static"
    if previous and previous not in used and ipaddress.IPv4Address(previous) in network:
        return previous, "Dynamic"
    candidate = usable_first
    while candidate <= usable_last:
        if str(candidate) not in used:
            return str(candidate), "Dynamic"
        candidate += 1
    raise BadRequest(f"Subnet {subnet.body['name']} has no free address left.", code="SubnetIsFull")


def _dns_suffix(subnet_id: str) -> str:
    """Azure-provided DNS's suffix, one per VNet (NetworkInterfaceGet.json:
    ``internalDomainNameSuffix: "test.bx.internal.cloudapp.net"``); derived from the VNet id."""
    vnet = subnet_id.lower().split("/subnets/")[0]
    return f"{hashlib.sha256(vnet.encode()).hexdigest()[:26]}.ax.internal.cloudapp.net"


def _flag(props: Json, key: str) -> bool:
    value = props.get(key, False)
    if not isinstance(value, bool):
        raise BadRequest(
            f"The value '{value}' of property {key} is invalid; it must be true or false.",
            code="InvalidRequestFormat",
        )
    return value


def _build_nic(backend: Backend) -> Any:
    def build(body: Json, existing: Record | None, rid: str) -> Json:
        props = body.get("properties") or {}
        raw_cfgs = props.get("ipConfigurations") or []
        if not raw_cfgs:
            raise BadRequest(
                f"Network interface {rid} must have one or more IP configurations.",
                code="NetworkInterfaceMustHaveIpConfiguration",
            )
        previous = {
            c["name"].lower(): c["properties"].get("privateIPAddress")
            for c in (existing.properties.get("ipConfigurations", []) if existing else [])
        }
        cfgs: list[Json] = []
        for i, raw in enumerate(raw_cfgs):
            name = str(raw.get("name") or f"ipconfig{i + 1}")
            cfg_id = f"{rid}/ipConfigurations/{name}"
            cprops = raw.get("properties") or {}
            subnet_id = resolve(backend, cprops.get("subnet"), SUBNET, rid)
            if subnet_id is None:
                raise BadRequest(
                    f"IP configuration {cfg_id} must reference a subnet.",
                    code="IpConfigurationSubnetMissing",
                )
            pip_id = resolve(backend, cprops.get("publicIPAddress"), PIP, rid)
            if pip_id:
                user = pip_user(backend, pip_id)
                if user and not user.lower().startswith(rid.lower() + "/"):
                    raise BadRequest(
                        f"Resource {pip_id} is referenced by {user}; a public IP address can "
                        "be associated with one IP configuration only.",
                        code="PublicIPAddressInUse",
                    )
            subnet = backend.store.get(subnet_id)
            assert subnet is not None
            address, method = _private_address(
                backend, subnet, rid, cprops, previous.get(name.lower()), cfg_id
            )
            out: Json = {
                "privateIPAddress": address,
                "privateIPAllocationMethod": method,
                "privateIPAddressVersion": "IPv4",
                "subnet": ref(subnet_id),
                "primary": bool(cprops.get("primary", i == 0)),
                "provisioningState": "Succeeded",
            }
            if pip_id:
                out["publicIPAddress"] = ref(pip_id)
            cfgs.append(
                {
                    "name": name,
                    "id": cfg_id,
                    "etag": new_etag(),
                    "type": types.IP_CONFIGURATION,
                    "properties": out,
                }
            )
        nsg = resolve(backend, props.get("networkSecurityGroup"), NSG, rid)
        result: Json = {
            "ipConfigurations": cfgs,
            "dnsSettings": {
                "dnsServers": [],
                "appliedDnsServers": [],
                "internalDomainNameSuffix": _dns_suffix(cfgs[0]["properties"]["subnet"]["id"]),
            },
            "enableAcceleratedNetworking": _flag(props, "enableAcceleratedNetworking"),
            "enableIPForwarding": _flag(props, "enableIPForwarding"),
            "nicType": "Standard",
            "vnetEncryptionSupported": False,
            "auxiliaryMode": "None",
            "disableTcpStateTracking": _flag(props, "disableTcpStateTracking"),
        }
        if nsg:
            result["networkSecurityGroup"] = ref(nsg)
        return result

    return build


def nic_user(backend: Backend, nic_id: str) -> Record | None:
    """The VM a NIC is attached to, if any."""
    for vm in backend.store.of_type(VM):
        for entry in vm.properties.get("networkProfile", {}).get("networkInterfaces", []):
            if entry.get("id", "").lower() == nic_id.lower():
                return vm
    return None


def render(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    vm = nic_user(backend, record.id)
    if vm is not None:
        body["properties"]["virtualMachine"] = ref(vm.id)
        body["properties"]["primary"] = True
        mac = uuid.uuid5(uuid.NAMESPACE_URL, record.key).hex[:12].upper()
        body["properties"]["macAddress"] = "-".join(mac[i : i + 2] for i in range(0, 12, 2))
    return body


def put(call: Call, backend: Backend) -> Reply:
    return network_put(call, backend, NIC, _build_nic(backend))


def get(call: Call, backend: Backend) -> Reply:
    return get_of_type(call, backend, NIC)


def list_all(call: Call, backend: Backend) -> Reply:
    return list_of_type(call, backend, NIC)


def delete(call: Call, backend: Backend) -> Reply:
    def check(record: Record) -> None:
        vm = nic_user(backend, record.id)
        if vm is not None:
            raise InUse(
                f"Network Interface {record.id} is used by existing resource {vm.id}. In order "
                "to delete the network interface, it must be dissociated from the resource. To "
                "learn more, see aka.ms/deletenic.",
                code="NicInUse",
            )

    return network_delete(call, backend, NIC, check)
