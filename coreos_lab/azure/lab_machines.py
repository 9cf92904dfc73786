"""The lab's machines (its VMs, as `ips` shows them), read with a constant number of list calls."""

from __future__ import annotations

from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.operations import as_rest
from coreos_lab.lab.kinds import ProvisioningState
from coreos_lab.lab.results import MachineInfo
from coreos_lab.lab.roles import machine_order
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import TAG_LAB, TAG_ROLE


def _state(vm: dict[str, Any]) -> str:
    """One word for a VM: its power state, else its provisioning state."""
    props = vm.get("properties", {})
    statuses = props.get("instanceView", {}).get("statuses", [])
    for status in statuses:
        code = str(status.get("code", ""))
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1]
    if "provisioningState" not in props:
        return "unknown"
    return ProvisioningState.of(vm).lower()


def machine_of(vm: dict[str, Any]) -> MachineInfo:
    """A VM as ARM lists it, without its addresses (those need its NIC and public IP)."""
    tags = vm.get("tags") or {}
    return MachineInfo(
        name=str(vm["name"]),
        role=str(tags.get(TAG_ROLE, "?")),
        public_ip=None,
        private_ip=None,
        state=_state(vm),
    )


def read_machines(clients: Clients, settings: LabSettings) -> list[MachineInfo]:
    """Three list calls (VMs with instance view, NICs, public IPs), whatever the lab's size."""
    resource_group, lab = settings.resource_group, settings.name
    vms = [
        as_rest(v)
        for v in clients.compute.virtual_machines.list(resource_group, expand="instanceView")
    ]
    nics = {
        str(n["id"]).lower(): n
        for n in (as_rest(x) for x in clients.network.network_interfaces.list(resource_group))
    }
    pips = {
        str(p["id"]).lower(): p
        for p in (as_rest(x) for x in clients.network.public_ip_addresses.list(resource_group))
    }
    machines = []
    for vm in vms:
        tags = vm.get("tags") or {}
        if tags.get(TAG_LAB) != lab:
            continue
        private_ip = public_ip = None
        for ref in vm.get("properties", {}).get("networkProfile", {}).get("networkInterfaces", []):
            nic = nics.get(str(ref.get("id", "")).lower())
            if not nic:
                continue
            for ipc in nic.get("properties", {}).get("ipConfigurations", []):
                ipc_props = ipc.get("properties", {})
                private_ip = private_ip or ipc_props.get("privateIPAddress")
                pip_id = str(ipc_props.get("publicIPAddress", {}).get("id", "")).lower()
                pip = pips.get(pip_id)
                if pip and not public_ip:
                    public_ip = pip.get("properties", {}).get("ipAddress")
        machines.append(
            MachineInfo(
                name=str(vm["name"]),
                role=str(tags.get(TAG_ROLE, "?")),
                public_ip=public_ip,
                private_ip=private_ip,
                state=_state(vm),
            )
        )
    return sorted(machines, key=lambda m: machine_order(m.role, m.name))
