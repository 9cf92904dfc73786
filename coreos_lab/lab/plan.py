"""The plan: settings (plus key, token and image versions) → every resource of the lab. Pure.

Each :class:`Resource` carries the body ARM expects on PUT, in ARM's REST shape (the SDKs send
dict bodies verbatim), and the keys of what it depends on. What only ``up`` can know is a
visible placeholder listed in :attr:`LabPlan.unknowns`: such a plan is shown, never applied."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from coreos_lab.boot import formats, machine_config
from coreos_lab.lab import roles
from coreos_lab.lab.kinds import NSG, RESOURCE_GROUP, STORAGE, VNET, Kind
from coreos_lab.lab.machine_resources import ADMIN_USER as ADMIN_USER
from coreos_lab.lab.machine_resources import PlannedMachine as PlannedMachine
from coreos_lab.lab.machine_resources import machine_resources
from coreos_lab.lab.resource import Resource as Resource
from coreos_lab.lab.resource import ResourceIds
from coreos_lab.lab.roles import ETCD, HOST, ROLES
from coreos_lab.lab.settings import Bootstrap, LabSettings, ssh_source_prefixes
from coreos_lab.lab.ssh_from import TAG_SSH_OPEN, TAG_SSH_OPEN_VALUE, is_open_to_all
from coreos_lab.lab.tags import TAG_CUSTOM_DATA as TAG_CUSTOM_DATA
from coreos_lab.lab.tags import lab_tags

PLACEHOLDER_KEY = "<ssh key: generated or read by up>"
PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class PlanInputs:
    """What the plan needs beyond settings; ``None`` where only `up` can know it yet."""

    subscription_id: str | None = None
    ssh_public_key: str | None = None
    discovery_url: str | None = None
    etcd_image_version: str | None = None
    host_image_version: str | None = None
    lab_id: str | None = None


@dataclass(frozen=True)
class LabPlan:
    settings: LabSettings
    subscription_id: str
    resources: tuple[Resource, ...]
    machines: tuple[PlannedMachine, ...]
    unknowns: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when nothing is a placeholder, so the plan can be applied."""
        return not self.unknowns

    def by_key(self) -> dict[str, Resource]:
        return {r.key: r for r in self.resources}

    def of_kind(self, kind: Kind) -> Iterator[Resource]:
        return (r for r in self.resources if r.kind == kind)


def build_plan(settings: LabSettings, inputs: PlanInputs) -> LabPlan:
    """Every resource `up` creates for ``settings``, with bodies and dependencies."""
    unknowns: list[str] = []
    sub = inputs.subscription_id
    if sub is None:
        sub = PLACEHOLDER_SUBSCRIPTION
        unknowns.append("subscription: read from the credentials by up")
    ssh_key = inputs.ssh_public_key
    if ssh_key is None:
        ssh_key = PLACEHOLDER_KEY
        unknowns.append("SSH public key: generated or read by up")
    if not settings.ssh_from:
        unknowns.append("SSH source: up requires --ssh-from (SSH stays closed without it)")
    bootstrap = _bootstrap(settings, inputs, unknowns)
    resolved = {ETCD.name: inputs.etcd_image_version, HOST.name: inputs.host_image_version}
    versions = {
        r.name: _image_version(resolved[r.name], r.image_wanted(settings), r.name, unknowns)
        for r in ROLES
    }

    ids = ResourceIds(sub, settings.resource_group)
    storage_name = roles.storage_account_name(settings, sub)
    if inputs.subscription_id is None and not settings.storage_account:
        unknowns.append("storage account name: derived from the subscription by up")

    resources: list[Resource] = [
        _resource_group(settings, ids, inputs.lab_id),
        _nsg(settings, ids),
        _vnet(settings, ids),
        _storage(settings, ids, storage_name),
    ]
    machines: list[PlannedMachine] = []
    etcd_members = ETCD.members(settings)
    for role in ROLES:
        for i, name in enumerate(role.vm_names(settings)):
            ip, size = role.private_ip(settings, i), role.size(settings)
            machines.append(PlannedMachine(name, role.name, ip, size, versions[role.name]))
    for m in machines:
        setup = (
            machine_config.etcd_member(m.name, bootstrap)
            if m.role == ETCD.name
            else machine_config.container_host(m.name, etcd_members)
        )
        # The one place the boot format is chosen; the rest of the plan sees base64 text.
        data = formats.custom_data(settings.provisioning, setup)
        resources += machine_resources(
            settings, ids, m, roles.role_named(m.role), data, ssh_key, storage_name
        )
    return LabPlan(settings, sub, tuple(resources), tuple(machines), tuple(unknowns))


def _bootstrap(
    settings: LabSettings, inputs: PlanInputs, unknowns: list[str]
) -> machine_config.EtcdBootstrap:
    members = ETCD.members(settings)
    if settings.bootstrap == Bootstrap.STATIC:
        return machine_config.EtcdBootstrap(discovery_url=None, members=members)
    url = inputs.discovery_url or settings.discovery_url
    if not url:
        url = f"{settings.discovery_service.rstrip('/')}/token-requested-by-up"
        unknowns.append(f"etcd discovery token: requested by up from {settings.discovery_service}")
    return machine_config.EtcdBootstrap(discovery_url=url, members=members)


def _image_version(resolved: str | None, wanted: str, role: str, unknowns: list[str]) -> str:
    if resolved:
        return resolved
    if wanted in ("latest", "previous"):
        unknowns.append(f"{role} image version: '{wanted}' is resolved against Azure by up")
    return wanted


def _resource_group(settings: LabSettings, ids: ResourceIds, lab_id: str | None) -> Resource:
    return Resource(
        RESOURCE_GROUP,
        settings.resource_group,
        ids.group_id,
        # The lab id rides on the group only: it is what `up`, `down` and `ips` check.
        {"location": settings.location, "tags": lab_tags(settings.name, lab_id=lab_id)},
        summary={"location": settings.location},
    )


def _rule(
    name: str, priority: int, protocol: str, ports: str, source: str, description: str
) -> dict[str, Any]:
    # Several sources go in sourceAddressPrefixes (a list); one stays in sourceAddressPrefix.
    sources = source.split(",")
    source_field: dict[str, Any] = (
        {"sourceAddressPrefix": source} if len(sources) == 1 else {"sourceAddressPrefixes": sources}
    )
    return {
        "name": name,
        "properties": {
            "description": description,
            "priority": priority,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": protocol,
            **source_field,
            "sourcePortRange": "*",
            "destinationAddressPrefix": "VirtualNetwork",
            "destinationPortRange": ports,
        },
    }


def _nsg(settings: LabSettings, ids: ResourceIds) -> Resource:
    nsg_name = roles.nsg_name(settings)
    # Standard public IPs are closed to inbound traffic unless an NSG allows it, and Azure's
    # default rules (AllowVnetInBound, DenyAllInBound) already keep everything else inside
    # the VNet; the etcd and flannel rules make that intent visible and survive a change of
    # the defaults.
    rules: list[dict[str, Any]] = []
    ssh_source = ",".join(ssh_source_prefixes(settings)) if settings.ssh_from else None
    tags = lab_tags(settings.name)
    if is_open_to_all(settings.ssh_from):
        tags[TAG_SSH_OPEN] = TAG_SSH_OPEN_VALUE  # visible in the portal: SSH open to everyone
    if ssh_source:
        rules.append(_rule("allow-ssh", 100, "Tcp", "22", ssh_source, "SSH from the allowed CIDR"))
    rules += [
        _rule("allow-etcd-vnet", 200, "Tcp", "2379-2380", "VirtualNetwork", "etcd client+peer"),
        _rule("allow-flannel-vnet", 210, "Udp", "8285-8472", "VirtualNetwork", "flannel"),
    ]
    return Resource(
        NSG,
        nsg_name,
        ids.of(NSG, nsg_name),
        {
            "location": settings.location,
            "tags": tags,
            "properties": {"securityRules": rules},
        },
        depends_on=(f"{RESOURCE_GROUP}/{settings.resource_group}",),
        summary={
            "ssh from": ssh_source or "nobody (set --ssh-from)",
            "etcd 2379-2380, flannel 8285-8472": "VNet only",
        },
    )


def _vnet(settings: LabSettings, ids: ResourceIds) -> Resource:
    vnet_name = roles.vnet_name(settings)
    return Resource(
        VNET,
        vnet_name,
        ids.of(VNET, vnet_name),
        {
            "location": settings.location,
            "tags": lab_tags(settings.name),
            "properties": {
                "addressSpace": {"addressPrefixes": [settings.address_space]},
                "subnets": [
                    {"name": r.subnet_name, "properties": {"addressPrefix": r.subnet(settings)}}
                    for r in ROLES
                ],
            },
        },
        depends_on=(f"{RESOURCE_GROUP}/{settings.resource_group}",),
        summary={
            "address space": settings.address_space,
            **{r.subnet_name: r.subnet(settings) for r in ROLES},
        },
    )


def _storage(settings: LabSettings, ids: ResourceIds, name: str) -> Resource:
    return Resource(
        STORAGE,
        name,
        ids.of(STORAGE, name),
        {
            "location": settings.location,
            "tags": lab_tags(settings.name),
            "sku": {"name": "Standard_LRS"},
            "kind": "StorageV2",
            "properties": {
                "supportsHttpsTrafficOnly": True,
                "minimumTlsVersion": "TLS1_2",
                "allowBlobPublicAccess": False,
            },
        },
        depends_on=(f"{RESOURCE_GROUP}/{settings.resource_group}",),
        summary={"sku": "Standard_LRS", "use": "boot diagnostics"},
    )
