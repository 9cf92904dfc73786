"""Prerequisite resources over plain HTTPS, with the api-versions the Python SDK sends.

The replayed examples reference resources that must exist (a NIC's subnet, a VM's NIC); these
build them in the example's resource group ``rg1`` and wait for their operations.
"""

from __future__ import annotations

from typing import Any

from .emulator import LOCATION, Emulator

# api-versions sent by the installed Python SDKs (azure-mgmt-resource 26.0.0,
# azure-mgmt-resource-subscriptions 1.0.0, -network 33.1.0, -compute 39.0.0, -storage 25.3.0):
# read from their generated request builders.
RESOURCES = "2025-04-01"
SUBSCRIPTIONS = "2022-12-01"
NETWORK = "2026-03-01"
COMPUTE = "2026-04-01"
DISKS = "2026-03-02"
SKUS = "2021-07-01"
STORAGE = "2026-09-01"

GROUP = "rg1"
RG = "/subscriptions/{sub}/resourceGroups/" + GROUP
NET = RG + "/providers/Microsoft.Network"
CMP = RG + "/providers/Microsoft.Compute"
STO = RG + "/providers/Microsoft.Storage"
IMAGES = (
    "/subscriptions/{sub}/providers/Microsoft.Compute/locations/" + LOCATION + "/publishers/kinvolk"
    "/artifacttypes/vmimage/offers/OFFER/skus/stable-gen2/versions"
)
OFFER = "flatcar-container-linux-corevm-amd64"
PLAN_OFFER = "flatcar-container-linux"
SSH_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHmpOiP1Hx0Ar0uIHJJe6Fq5Ptn7ZZTk6d3jmHOBq5Sb core@lab"
)


def rid(emu: Emulator, path: str) -> str:
    return path.replace("{sub}", emu.subscription_id)


def put(emu: Emulator, path: str, body: Any, api_version: str) -> Any:
    """PUT and wait for the operation; the resource as a GET returns it."""
    answer = emu.call("PUT", path, body, api_version=api_version)
    assert answer.status_code in (200, 201, 202), answer.text
    if "Azure-AsyncOperation" in answer.headers or "Location" in answer.headers:
        emu.wait(answer)
    got = emu.call("GET", path, api_version=api_version)
    assert got.status_code == 200, got.text
    return got.json()


def group(emu: Emulator) -> None:
    answer = emu.call("PUT", RG, {"location": LOCATION}, api_version=RESOURCES)
    assert answer.status_code in (200, 201), answer.text


def vnet(emu: Emulator, name: str = "rg1-vnet") -> str:
    body = {
        "location": LOCATION,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.1.0/24"}}],
        },
    }
    put(emu, f"{NET}/virtualNetworks/{name}", body, NETWORK)
    return rid(emu, f"{NET}/virtualNetworks/{name}/subnets/default")


def pip(emu: Emulator, name: str = "test-ip") -> str:
    body = {
        "location": LOCATION,
        "sku": {"name": "Standard"},
        "properties": {"publicIPAllocationMethod": "Static"},
    }
    put(emu, f"{NET}/publicIPAddresses/{name}", body, NETWORK)
    return rid(emu, f"{NET}/publicIPAddresses/{name}")


def nic(emu: Emulator, name: str = "test-nic", subnet_id: str | None = None) -> str:
    subnet_id = subnet_id or vnet(emu)
    body = {
        "location": LOCATION,
        "properties": {
            "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}]
        },
    }
    put(emu, f"{NET}/networkInterfaces/{name}", body, NETWORK)
    return rid(emu, f"{NET}/networkInterfaces/{name}")


def vm_body(nic_id: str, name: str = "myVM", disk_delete: str = "Delete") -> dict[str, Any]:
    return {
        "location": LOCATION,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B2ats_v2"},
            "storageProfile": {
                "imageReference": {
                    "publisher": "kinvolk",
                    "offer": OFFER,
                    "sku": "stable-gen2",
                    "version": "latest",
                },
                "osDisk": {"createOption": "FromImage", "deleteOption": disk_delete},
            },
            "osProfile": {
                "computerName": name,
                "adminUsername": "core",
                "linuxConfiguration": {
                    "disablePasswordAuthentication": True,
                    "ssh": {
                        "publicKeys": [
                            {"path": "/home/core/.ssh/authorized_keys", "keyData": SSH_KEY}
                        ]
                    },
                },
            },
            "networkProfile": {
                "networkInterfaces": [{"id": nic_id, "properties": {"primary": True}}]
            },
        },
    }


def vm(emu: Emulator, name: str = "myVM", disk_delete: str = "Delete") -> str:
    nic_id = nic(emu, f"{name}-nic")
    put(emu, f"{CMP}/virtualMachines/{name}", vm_body(nic_id, name, disk_delete), COMPUTE)
    return f"{CMP}/virtualMachines/{name}"
