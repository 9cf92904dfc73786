"""The lab's vocabulary of resource kinds, and ARM's provisioning states. Pure.

A kind is everything the rest of the code needs to know about one sort of resource: its
name in plan keys (``virtualMachine/host0``), its ARM type, how people call it, and whether
`up` replaces it rather than updating it in place. Adding a kind starts here; the Azure layer
adds one row for its SDK calls (azure/operations.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """One kind of resource; a ``str`` (its name), so it can key plans and events."""

    arm_type: str
    label: str
    replaced: bool

    def __new__(cls, name: str, arm_type: str, label: str, replaced: bool = False) -> Kind:
        member = str.__new__(cls, name)
        member._value_ = name
        member.arm_type = arm_type
        member.label = label
        member.replaced = replaced
        return member

    # In the order a person reads a lab.
    RESOURCE_GROUP = ("resourceGroup", "Microsoft.Resources/resourceGroups", "resource group")
    NSG = (
        "networkSecurityGroup",
        "Microsoft.Network/networkSecurityGroups",
        "network security group",
    )
    VNET = ("virtualNetwork", "Microsoft.Network/virtualNetworks", "virtual network")
    STORAGE = ("storageAccount", "Microsoft.Storage/storageAccounts", "storage account")
    PUBLIC_IP = ("publicIPAddress", "Microsoft.Network/publicIPAddresses", "public IP")
    NIC = ("networkInterface", "Microsoft.Network/networkInterfaces", "network interface")
    # A VM's image and custom data cannot change in place, and resizing reboots it: `up`
    # leaves a running lab machine alone and reports the drift (down and up rebuild it).
    VM = ("virtualMachine", "Microsoft.Compute/virtualMachines", "virtual machine", True)


RESOURCE_GROUP, NSG, VNET, STORAGE, PUBLIC_IP, NIC, VM = (
    Kind.RESOURCE_GROUP,
    Kind.NSG,
    Kind.VNET,
    Kind.STORAGE,
    Kind.PUBLIC_IP,
    Kind.NIC,
    Kind.VM,
)


def label_of(kind: str) -> str:
    """How people call ``kind`` (its name itself for a kind this version does not know)."""
    try:
        return Kind(kind).label  # type: ignore[call-arg]
    except ValueError:
        return kind


class ProvisioningState(StrEnum):
    """ARM's ``properties.provisioningState``, compared without regard to case.

    A state this version does not know (ARM adds some per resource provider) is kept with its
    text and counts as not terminal: `up` waits for it to end.
    """

    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"
    ACCEPTED = "Accepted"
    CREATING = "Creating"
    UPDATING = "Updating"
    DELETING = "Deleting"
    RUNNING = "Running"

    @classmethod
    def _missing_(cls, value: object) -> ProvisioningState | None:
        if not isinstance(value, str):
            return None
        for member in cls:
            if member.value.lower() == value.lower():
                return member
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value.upper()
        pseudo._value_ = value
        return pseudo

    @property
    def terminal(self) -> bool:
        return self in (ProvisioningState.SUCCEEDED, *_FAILED)

    @property
    def failed(self) -> bool:
        return self in _FAILED

    @classmethod
    def of(cls, body: dict[str, Any]) -> ProvisioningState:
        """The state of a REST body; ARM leaves it out only for what is already done."""
        return cls(str(body.get("properties", {}).get("provisioningState", "Succeeded")))


_FAILED = (ProvisioningState.FAILED, ProvisioningState.CANCELED)
