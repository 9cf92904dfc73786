"""The lab's settings: one validated object, its fields, defaults and rules.

Each field's metadata carries its flag and its help text, so the CLI builds the options of
``plan`` and ``up`` from this one table and they cannot drift apart. Where the values come
from (flags, environment, TOML) is :mod:`coreos_lab.lab.sources`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from coreos_lab.errors import UsageError
from coreos_lab.lab.clouds import CLOUD_NAMES, EMULATOR
from coreos_lab.lab.ssh_from import source_prefixes

ETCD_SIZES = (3, 5, 7)


class Bootstrap(StrEnum):
    """How the etcd members find each other (``--bootstrap``)."""

    DISCOVERY = "discovery"  # a discovery URL: the 2016 lab's way
    STATIC = "static"  # every member is given the full initial cluster


BOOTSTRAPS = tuple(b.value for b in Bootstrap)
PROVISIONINGS = ("ignition", "cloud-config")
KEY_TYPES = ("rsa", "ed25519")
CHANNELS = ("stable", "beta", "alpha")

FLATCAR_PUBLISHER = "kinvolk"
# The CoreVM offer needs neither a purchase plan nor accepted terms (docs/facts.md, Images).
FLATCAR_OFFER = "flatcar-container-linux-corevm-amd64"

_LAB_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]{1,39}$")
_VM_SIZE = re.compile(r"^Standard_[A-Za-z0-9_]+$")
_STORAGE_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_IMAGE_VERSION = re.compile(r"^(latest|previous|\d+\.\d+\.\d+)$")
_SUBSCRIPTION = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _opt(flag: str, help: str, **extra: Any) -> dict[str, Any]:
    return {"flag": flag, "help": help, **extra}


@dataclass(frozen=True)
class LabSettings:
    """Everything ``up`` needs to know before it talks to Azure."""

    name: str = field(
        default="coreos-lab",
        metadata=_opt(
            "--name",
            "Lab name: names the resource group and prefixes every resource in it.",
        ),
    )
    location: str = field(
        default="westeurope", metadata=_opt("--location", "Azure region to build the lab in.")
    )
    etcd: int = field(
        default=3,
        metadata=_opt("--etcd", "Number of etcd members: 3, 5 or 7 (odd, so a majority exists)."),
    )
    hosts: int = field(
        default=2,
        metadata=_opt("--hosts", "Number of container hosts, named host0, host1, …"),
    )
    etcd_vm_size: str = field(
        default="Standard_B2ats_v2",
        metadata=_opt("--etcd-vm-size", "VM size of the etcd members (2 vCPU, 1 GiB)."),
    )
    host_vm_size: str = field(
        default="Standard_B2als_v2",
        metadata=_opt("--host-vm-size", "VM size of the container hosts (2 vCPU, 4 GiB)."),
    )
    address_space: str = field(
        default="10.0.0.0/16", metadata=_opt("--address-space", "Address space of the VNet.")
    )
    etcd_subnet: str = field(
        default="10.0.0.0/24", metadata=_opt("--etcd-subnet", "Subnet of the etcd members.")
    )
    host_subnet: str = field(
        default="10.0.1.0/24", metadata=_opt("--host-subnet", "Subnet of the container hosts.")
    )
    ssh_from: str = field(
        default="",
        metadata=_opt(
            "--ssh-from",
            "CIDR blocks allowed to reach SSH (port 22), comma-separated, e.g. 203.0.113.7/32; "
            "'any' opens it to everyone, with a warning. Nothing else is open from outside. "
            "Required by up.",
        ),
    )
    channel: str = field(
        default="stable", metadata=_opt("--channel", "Flatcar channel: stable, beta or alpha.")
    )
    etcd_image_version: str = field(
        default="latest",
        metadata=_opt(
            "--etcd-image-version",
            "Flatcar version for the etcd members: 'latest' or a version like 4593.2.5.",
        ),
    )
    host_image_version: str = field(
        default="previous",
        metadata=_opt(
            "--host-image-version",
            "Flatcar version for the container hosts: 'previous' (the release before the "
            "etcd members', so the update exercise has something to update) or a version.",
        ),
    )
    storage_account: str = field(
        default="",
        metadata=_opt(
            "--storage-account",
            "Boot-diagnostics storage account name (3-24 lowercase letters and digits); "
            "derived from the subscription and lab name when empty.",
        ),
    )
    bootstrap: Bootstrap = field(
        default=Bootstrap.DISCOVERY,
        metadata=_opt(
            "--bootstrap",
            "How etcd members find each other: 'discovery' (a discovery URL) or 'static' "
            "(every member is given the full initial cluster).",
        ),
    )
    provisioning: str = field(
        default="ignition",
        metadata=_opt(
            "--provisioning",
            "How the machines are configured at first boot: 'ignition' or 'cloud-config' "
            "(the 2016 lab's second template, applied by coreos-cloudinit).",
        ),
    )
    discovery_service: str = field(
        default="https://discovery.etcd.io",
        metadata=_opt("--discovery-service", "etcd discovery service that hands out tokens."),
    )
    discovery_url: str = field(
        default="",
        metadata=_opt(
            "--discovery-url", "Use this discovery token URL instead of requesting a new one."
        ),
    )
    ssh_key: Path = field(
        default=Path("~/.ssh/id_rsa_coreos_azure_lab"),
        metadata=_opt(
            "--ssh-key", "Private key to use, generated (with its .pub) when it does not exist."
        ),
    )
    ssh_key_type: str = field(
        default="rsa",
        metadata=_opt(
            "--ssh-key-type",
            f"Type of a generated key: {' or '.join(KEY_TYPES)} (rsa keys have 4096 bits).",
        ),
    )
    ssh_public_key: Path | None = field(
        default=None,
        metadata=_opt(
            "--ssh-public-key",
            "An existing OpenSSH public key to install instead of --ssh-key's .pub.",
        ),
    )
    cloud: str = field(
        default="azure",
        metadata=_opt(
            "--cloud",
            f"Where to build: {', '.join(CLOUD_NAMES[:-1])}, or {EMULATOR} "
            "(the local ARM emulator).",
        ),
    )
    subscription: str = field(
        default="",
        metadata=_opt(
            "--subscription",
            "Azure subscription id; else AZURE_SUBSCRIPTION_ID, else the Azure CLI's default.",
            env="AZURE_SUBSCRIPTION_ID",
        ),
    )

    def __post_init__(self) -> None:
        # A flag's, variable's or TOML file's string becomes the enum; anything else stays
        # as given, for validate() to refuse in words.
        if not isinstance(self.bootstrap, Bootstrap) and self.bootstrap in BOOTSTRAPS:
            object.__setattr__(self, "bootstrap", Bootstrap(self.bootstrap))

    # ---- derived values -------------------------------------------------------------------

    @property
    def resource_group(self) -> str:
        return self.name

    @property
    def image_sku(self) -> str:
        # Generation 2 (UEFI) images are the ones Flatcar recommends (docs/facts.md, Images).
        return f"{self.channel}-gen2"


SETTINGS_FIELDS: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(LabSettings)


def validate(s: LabSettings) -> None:
    """Raise :class:`UsageError` with one sentence for the first setting that cannot work."""
    if not _LAB_NAME.match(s.name):
        raise UsageError(
            f"Lab name '{s.name}' is not usable: use 2-40 lowercase letters, digits and "
            "hyphens, starting with a letter and not ending with a hyphen."
        )
    if not _LOCATION.match(s.location):
        raise UsageError(
            f"Location '{s.location}' is not an Azure region name; use one like 'westeurope' "
            "(az account list-locations -o table lists them)."
        )
    if s.etcd not in ETCD_SIZES:
        why = (
            "an even number adds no fault tolerance over the odd number below it"
            if s.etcd % 2 == 0 and s.etcd > 0
            else "the lab supports 3, 5 or 7 members"
        )
        raise UsageError(f"--etcd {s.etcd} is not supported: {why}; use 3, 5 or 7.")
    for flag, size in (("--etcd-vm-size", s.etcd_vm_size), ("--host-vm-size", s.host_vm_size)):
        if not _VM_SIZE.match(size):
            raise UsageError(f"{flag} '{size}' is not a VM size; use one like Standard_B2als_v2.")
        if re.match(r"^Standard_A\d+$", size):
            raise UsageError(
                f"{flag} {size} is an A-series v1 size, which Azure has retired; "
                "use one like Standard_B2als_v2."
            )
    _validate_network(s)
    if s.ssh_from:
        _validate_ssh_from(s.ssh_from)
    _choice("--channel", s.channel, CHANNELS)
    _choice("--bootstrap", s.bootstrap, BOOTSTRAPS)
    _choice("--provisioning", s.provisioning, PROVISIONINGS)
    _choice("--ssh-key-type", s.ssh_key_type, KEY_TYPES)
    _choice("--cloud", s.cloud, CLOUD_NAMES)
    for flag, version in (
        ("--etcd-image-version", s.etcd_image_version),
        ("--host-image-version", s.host_image_version),
    ):
        if not _IMAGE_VERSION.match(version):
            raise UsageError(
                f"{flag} '{version}' is not a Flatcar version; use 'latest', 'previous' "
                "or a version like 4593.2.5."
            )
    if s.storage_account and not _STORAGE_NAME.match(s.storage_account):
        raise UsageError(
            f"--storage-account '{s.storage_account}' is not a valid storage account name: "
            "use 3-24 lowercase letters and digits."
        )
    if s.subscription and not _SUBSCRIPTION.match(s.subscription):
        raise UsageError(
            f"--subscription '{s.subscription}' is not a subscription id; use the GUID that "
            "'az account show --query id' prints."
        )
    _validate_urls(s)
    if s.bootstrap == Bootstrap.STATIC and s.discovery_url:
        raise UsageError(
            "--discovery-url and --bootstrap static exclude each other; give one of them."
        )


def _choice(flag: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UsageError(f"{flag} '{value}' is not one of: {', '.join(allowed)}.")


def _network(flag: str, value: str) -> ipaddress.IPv4Network:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise UsageError(f"{flag} '{value}' is not an IPv4 CIDR block ({exc}).") from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise UsageError(f"{flag} '{value}' must be an IPv4 CIDR block.")
    return net


# Ranges Azure refuses in a VNet's address space, though Python counts them as private.
_NOT_FOR_VNETS = (
    (ipaddress.IPv4Network("127.0.0.0/8"), "the loopback range"),
    (ipaddress.IPv4Network("169.254.0.0/16"), "the link-local range"),
    (ipaddress.IPv4Network("0.0.0.0/8"), "'this network'"),
)


def _validate_network(s: LabSettings) -> None:
    space = _network("--address-space", s.address_space)
    for reserved, what in _NOT_FOR_VNETS:
        if space.overlaps(reserved):
            raise UsageError(
                f"--address-space {space} overlaps {reserved}, {what}, which Azure does not "
                "allow in a VNet; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16."
            )
    if not space.is_private:
        raise UsageError(
            f"--address-space {space} is not a private range; use one inside 10.0.0.0/8, "
            "172.16.0.0/12 or 192.168.0.0/16."
        )
    subnets = {
        "--etcd-subnet": _network("--etcd-subnet", s.etcd_subnet),
        "--host-subnet": _network("--host-subnet", s.host_subnet),
    }
    for flag, net in subnets.items():
        if not net.subnet_of(space):
            raise UsageError(f"{flag} {net} lies outside --address-space {space}; pick one inside.")
        if net.prefixlen > 29:
            raise UsageError(f"{flag} {net} is smaller than /29, the smallest subnet Azure allows.")
    etcd_net, host_net = subnets["--etcd-subnet"], subnets["--host-subnet"]
    if etcd_net.overlaps(host_net):
        raise UsageError(f"--etcd-subnet {etcd_net} and --host-subnet {host_net} overlap.")
    if s.hosts < 1:
        raise UsageError(f"--hosts {s.hosts} is too few: the lab needs at least one host.")
    # Azure keeps the first four addresses and the last one of every subnet.
    for flag, net, count, what in (
        ("--etcd-subnet", etcd_net, s.etcd, "etcd members"),
        ("--host-subnet", host_net, s.hosts, "hosts"),
    ):
        usable = net.num_addresses - 5
        if count > usable:
            raise UsageError(f"{flag} {net} has room for {usable} {what}, not {count}.")
    if s.hosts > 50:
        raise UsageError(f"--hosts {s.hosts} is more than a lab needs; use at most 50.")


def _validate_ssh_from(value: str) -> None:
    source_prefixes(value)


def _validate_urls(s: LabSettings) -> None:
    if not re.match(r"^https?://[^/\s]+/?$", s.discovery_service):
        raise UsageError(
            f"--discovery-service '{s.discovery_service}' must be a URL like "
            "https://discovery.etcd.io, with no path."
        )
    if s.discovery_url and not re.match(r"^https?://[^/\s]+/\S+$", s.discovery_url):
        raise UsageError(
            f"--discovery-url '{s.discovery_url}' is not a discovery token URL; it looks like "
            "https://discovery.etcd.io/<32 hex characters>."
        )


def ssh_source_prefixes(s: LabSettings) -> list[str]:
    """The NSG source prefixes for SSH, normalised to CIDR blocks (``*`` for --ssh-from any)."""
    return source_prefixes(s.ssh_from)
