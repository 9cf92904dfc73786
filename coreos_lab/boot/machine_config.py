"""What each machine of the lab is given at first boot, whatever the format that carries it.

Said once here (files, units, drop-ins, the hostname); boot/ignition.py and boot/cloudconfig.py
only say how their format writes it, so the two variants of the lab cannot drift apart. What
the machines get and why: docs/facts.md, "etcd, flannel and locksmith on Flatcar". Pure."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

# The etcd image etcd-member.service runs. Pinned, not left to the unit's default: etcd 3.6
# removed --enable-v2 and the v2 API that flannel 0.14 and locksmith need, and a later Flatcar
# may move the unit's default tag to 3.6. Never raise this above 3.5.x.
ETCD_IMAGE_TAG = "v3.5.16"

CLIENT_PORT = 2379
PEER_PORT = 2380

# Flatcar's etcd wrapper (``/usr/lib/coreos`` is a symlink to ``/usr/lib/flatcar``).
ETCD_WRAPPER = "/usr/lib/flatcar/etcd-wrapper"
# Afterburn (coreos-metadata.service) writes the Azure private IP here as
# COREOS_AZURE_IPV4_DYNAMIC; /run/metadata/coreos is a compatibility symlink to it.
METADATA_FILE = "/run/metadata/flatcar"
PRIVATE_IP = "${COREOS_AZURE_IPV4_DYNAMIC}"

ETCD_UNIT = "etcd-member.service"
METADATA_UNIT = "coreos-metadata.service"
FLANNEL_UNIT = "flanneld.service"
DOCKER_UNIT = "docker.service"
DROPIN = "20-coreos-lab.conf"
METADATA_DROPIN = "after-network.conf"

HOSTNAME_FILE = "/etc/hostname"
UPDATE_CONF = "/etc/flatcar/update.conf"
MODE_0644 = 0o644

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class EtcdBootstrap:
    """How the etcd members find each other on first boot.

    ``discovery_url`` set: the v2 discovery protocol against that URL (discovery.etcd.io or a
    self-hosted registry). ``None``: static bootstrap, every member gets the full
    ``initial-cluster`` built from ``members``, which the plan knows because it assigns static
    private IPs.
    """

    discovery_url: str | None
    members: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class File:
    path: str
    text: str
    mode: int = MODE_0644


@dataclass(frozen=True)
class Dropin:
    name: str
    text: str


@dataclass(frozen=True)
class Unit:
    """A unit Flatcar ships, changed only through drop-ins; ``enabled`` starts it at boot."""

    name: str
    enabled: bool
    dropins: tuple[Dropin, ...] = ()


@dataclass(frozen=True)
class MachineConfig:
    """Everything a machine gets at first boot: its hostname, files and units."""

    hostname: str
    files: tuple[File, ...]
    units: tuple[Unit, ...]


def etcd_member(name: str, bootstrap: EtcdBootstrap) -> MachineConfig:
    """What etcd member ``name`` is given."""
    _check_name(name)
    _check_members(bootstrap.members)
    if bootstrap.discovery_url is None:
        if name not in {member for member, _ in bootstrap.members}:
            raise ValueError(f"{name} is not one of the etcd members {bootstrap.members}")
        bootstrap_env = _static_env(bootstrap.members)
    else:
        _check_url(bootstrap.discovery_url)
        bootstrap_env = [("ETCD_DISCOVERY", bootstrap.discovery_url)]

    env = [
        ("ETCD_IMAGE_TAG", ETCD_IMAGE_TAG),
        ("ETCD_NAME", name),
        # flannel 0.14 and locksmith use the v2 API; etcd 3.5 serves it only when asked.
        ("ETCD_ENABLE_V2", "true"),
        *bootstrap_env,
    ]
    ip_url = f"http://{PRIVATE_IP}"
    # Everything that names the private IP goes on the command line: systemd does not expand
    # $VARS inside Environment= values, only in ExecStart= (systemd.exec(5), "Environment=").
    exec_start = " ".join(
        [
            ETCD_WRAPPER,
            "$ETCD_OPTS",
            f"--advertise-client-urls={ip_url}:{CLIENT_PORT}",
            f"--listen-client-urls={ip_url}:{CLIENT_PORT},http://127.0.0.1:{CLIENT_PORT}",
            f"--listen-peer-urls={ip_url}:{PEER_PORT}",
            f"--initial-advertise-peer-urls={ip_url}:{PEER_PORT}",
        ]
    )
    dropin = unit_text(
        unit=[f"Requires={METADATA_UNIT}", f"After={METADATA_UNIT}"],
        service=[
            f"EnvironmentFile={METADATA_FILE}",
            # "%" starts a systemd specifier; a literal one is written "%%".
            *(f"Environment={key}={value.replace('%', '%%')}" for key, value in env),
            "ExecStart=",
            f"ExecStart={exec_start}",
        ],
    )
    return MachineConfig(
        hostname=name,
        files=(
            # etcd members boot the current image, so they may update; etcd-lock lets only one
            # machine of the lab (member or host: they share the default lock group) reboot at a
            # time, so the cluster keeps its quorum. locksmith on a member reaches its own etcd on
            # 127.0.0.1:2379, locksmith's default endpoint.
            File(UPDATE_CONF, "REBOOT_STRATEGY=etcd-lock\n"),
        ),
        units=(
            Unit(ETCD_UNIT, enabled=True, dropins=(Dropin(DROPIN, dropin),)),
            _metadata_unit(),
        ),
    )


def container_host(name: str, etcd_members: tuple[tuple[str, str], ...]) -> MachineConfig:
    """What container host ``name`` is given, reaching ``etcd_members`` locally.

    The hosts run ``etcd gateway`` on 127.0.0.1:2379, where flannel and locksmith look by
    default. The 2016 lab ran etcd2 in proxy mode there; etcd 3.5's v2 proxy serves the v2 API
    only and is gone in 3.6, while the gateway is a plain TCP forwarder that passes v2 and v3
    alike (the lab's CoreDNS exercise needs v3) and works whether the cluster was bootstrapped
    through discovery or statically, since the plan knows the members' private IPs.

    The gateway runs through ``etcd-member.service`` itself (a drop-in replacing its ExecStart),
    not a unit of our own: the wrapper already pulls and runs the pinned etcd image with host
    networking, and Flatcar's ``flanneld.service`` is ordered ``After=etcd-member.service``, so
    flannel starts once the gateway is up without another ordering drop-in.
    """
    _check_name(name)
    _check_members(etcd_members)
    if not etcd_members:
        raise ValueError("a container host needs at least one etcd member to reach")
    endpoints = ",".join(f"{ip}:{CLIENT_PORT}" for _, ip in etcd_members)
    gateway = " ".join(
        [
            ETCD_WRAPPER,
            "gateway",
            "start",
            f"--endpoints={endpoints}",
            f"--listen-addr=127.0.0.1:{CLIENT_PORT}",
        ]
    )
    dropin = unit_text(
        unit=["Wants=network-online.target", "After=network-online.target"],
        service=[
            f"Environment=ETCD_IMAGE_TAG={ETCD_IMAGE_TAG}",
            "ExecStart=",
            f"ExecStart={gateway}",
        ],
    )
    return MachineConfig(
        hostname=name,
        files=(
            # SERVER=disabled: the hosts boot an older image for the update exercise and would
            # otherwise update within minutes of boot. The lab guide has the student delete
            # this line before running update_engine_client.
            File(UPDATE_CONF, "REBOOT_STRATEGY=etcd-lock\nSERVER=disabled\n"),
        ),
        units=(
            Unit(ETCD_UNIT, enabled=True, dropins=(Dropin(DROPIN, dropin),)),
            # flannel 0.14 (v2 API) on 127.0.0.1:2379, its default endpoint; it waits until the
            # student writes /coreos.com/network/config in exercise 3.
            Unit(FLANNEL_UNIT, enabled=True),
            Unit(DOCKER_UNIT, enabled=True),
        ),
    )


def unit_text(unit: list[str], service: list[str]) -> str:
    """A unit file (or drop-in) with the given ``[Unit]`` and ``[Service]`` lines."""
    sections = []
    if unit:
        sections.append("\n".join(["[Unit]", *unit]))
    if service:
        sections.append("\n".join(["[Service]", *service]))
    return "\n\n".join(sections) + "\n"


def _static_env(members: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    initial = ",".join(f"{name}=http://{ip}:{PEER_PORT}" for name, ip in members)
    # The token keeps members of a different cluster from joining this one by mistake; derived
    # from the membership so every member computes the same one without shared state.
    token = "coreos-lab-" + hashlib.sha256(initial.encode()).hexdigest()[:16]
    return [
        ("ETCD_INITIAL_CLUSTER", initial),
        ("ETCD_INITIAL_CLUSTER_STATE", "new"),
        ("ETCD_INITIAL_CLUSTER_TOKEN", token),
    ]


def _metadata_unit() -> Unit:
    # As in the 2016 template: Afterburn must see the network before it asks Azure for the IP.
    # Not enabled: etcd-member's Requires= pulls it in.
    dropin = unit_text(
        unit=["Requires=network-online.target", "After=network-online.target"], service=[]
    )
    return Unit(METADATA_UNIT, enabled=False, dropins=(Dropin(METADATA_DROPIN, dropin),))


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid machine name (lowercase letters, digits, '-')")


def _check_members(members: tuple[tuple[str, str], ...]) -> None:
    names = [name for name, _ in members]
    if len(set(names)) != len(names):
        raise ValueError(f"etcd member names repeat: {names}")
    for name, ip in members:
        _check_name(name)
        ipaddress.IPv4Address(ip)  # raises ValueError on anything but a dotted IPv4 address


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in url for c in " \n"):
        raise ValueError(f"{url!r} is not an http(s) discovery URL")
