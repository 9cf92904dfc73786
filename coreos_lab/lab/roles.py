"""The lab's machine roles and every name the lab derives from its settings. Pure.

A role is one sort of machine (etcd members, container hosts): which settings give its count,
size, image version and subnet, how its VMs are named and which private IPs they get. The
names of the lab's shared resources (NSG, VNet, storage account) and of each VM's own
(NIC, public IP, OS disk) are written here once; the plan, the preflight, the inventory and
the views ask for them rather than rebuilding them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

from coreos_lab.lab.settings import LabSettings


@dataclass(frozen=True)
class Role:
    """One machine role; the ``*_field`` attributes name the LabSettings fields it reads."""

    name: str  # as tagged on its resources ("etcd", "host")
    vm_prefix: str  # its VMs are <prefix>0, <prefix>1, …
    subnet_name: str  # its subnet in the lab's VNet
    counted: str  # plural in counts: "3 etcd members"
    title: str  # plural in sentences about images: "the container hosts"
    count_field: str
    size_field: str
    subnet_field: str
    image_field: str

    def count(self, s: LabSettings) -> int:
        return int(getattr(s, self.count_field))

    def size(self, s: LabSettings) -> str:
        return str(getattr(s, self.size_field))

    def size_flag(self) -> str:
        return "--" + self.size_field.replace("_", "-")

    def image_wanted(self, s: LabSettings) -> str:
        return str(getattr(s, self.image_field))

    def subnet(self, s: LabSettings) -> str:
        return str(getattr(s, self.subnet_field))

    def vm_name(self, index: int) -> str:
        return f"{self.vm_prefix}{index}"

    def vm_names(self, s: LabSettings) -> list[str]:
        return [self.vm_name(i) for i in range(self.count(s))]

    def private_ip(self, s: LabSettings, index: int) -> str:
        """Static private IP of VM ``index``: Azure reserves .0-.3 of each subnet."""
        return str(ipaddress.ip_network(self.subnet(s))[4 + index])

    def members(self, s: LabSettings) -> tuple[tuple[str, str], ...]:
        """(VM name, private IP) of every VM of the role."""
        return tuple((self.vm_name(i), self.private_ip(s, i)) for i in range(self.count(s)))

    def index_of(self, vm_name: str) -> int | None:
        """The index of one of this role's VM names, None for any other name."""
        rest = vm_name.removeprefix(self.vm_prefix)
        return int(rest) if rest != vm_name and rest.isdigit() else None


ETCD = Role(
    "etcd",
    "etcd",
    "etcd",
    "etcd members",
    "etcd members",
    "etcd",
    "etcd_vm_size",
    "etcd_subnet",
    "etcd_image_version",
)
HOST = Role(
    "host",
    "host",
    "hosts",
    "hosts",
    "container hosts",
    "hosts",
    "host_vm_size",
    "host_subnet",
    "host_image_version",
)
ROLES = (ETCD, HOST)


def role_named(name: str) -> Role:
    return next(r for r in ROLES if r.name == name)


def machine_order(role: str, vm_name: str) -> tuple[int, int, str]:
    """Sort key of a VM as people read a lab: by role, then by index, then by name."""
    known = [r for r in ROLES if r.name == role]
    rank = ROLES.index(known[0]) if known else len(ROLES)
    index = known[0].index_of(vm_name) if known else None
    return (rank, index if index is not None else 0, vm_name)


# ---- the lab's names ---------------------------------------------------------------------


def nsg_name(s: LabSettings) -> str:
    return f"{s.name}-nsg"


def vnet_name(s: LabSettings) -> str:
    return f"{s.name}-vnet"


def nic_name(vm: str) -> str:
    return f"{vm}-nic"


def public_ip_name(vm: str) -> str:
    return f"{vm}-ip"


def os_disk_name(vm: str) -> str:
    return f"{vm}-osdisk"


def storage_account_name(s: LabSettings, subscription_id: str) -> str:
    """The storage account name: the user's, or one derived from subscription and lab.

    Storage names are global across Azure; a hash of subscription and lab name gives every
    lab its own, and the same one on every run (like ARM's ``uniqueString``).
    """
    if s.storage_account:
        return s.storage_account
    digest = hashlib.sha256(f"{subscription_id.lower()}/{s.name}".encode()).hexdigest()
    prefix = re.sub(r"[^a-z0-9]", "", s.name)[:11]
    return f"{prefix}{digest[:13]}"
