"""Ignition configs (spec 3.3.0) for the lab's two roles: etcd members and container hosts.

This is the 2016 lab's Ignition (``etcd2.service`` with a ``metadata.conf`` drop-in, proxies on
the hosts, flannel) carried over to today's Flatcar, following the facts in
``docs/facts.md`` (Ignition; etcd, flannel and locksmith on Flatcar):

* etcd members enable ``etcd-member.service`` (etcd in a container, image pinned to v3.5.16)
  with a drop-in that turns the v2 API on (flannel 0.14 and locksmith speak only v2) and puts
  every URL that depends on the private IP on the command line, where systemd expands
  ``${COREOS_AZURE_IPV4_DYNAMIC}`` from Afterburn's ``/run/metadata/flatcar``;
* container hosts run ``etcd gateway`` on 127.0.0.1:2379 in front of the members, enable
  flannel and docker, take reboots through locksmith's etcd lock, and are held back from
  updating until the student runs the update exercise.

Spec 3.3.0 because Flatcar Stable's Ignition 2.24 accepts 3.0-3.5 and Debian's
``ignition-validate`` (2.14), which the tests use as the oracle, stops at 3.3.0
(docs/facts.md, Ignition).

Pure: builds dicts and strings, no I/O. :func:`render` gives the compact JSON,
:func:`custom_data` the base64 that goes into ``osProfile.customData``.

No SSH key appears here on purpose: the VM's ``osProfile.linuxConfiguration.ssh.publicKeys``
installs it for the ``core`` admin user through Azure's agent, as in the 2016 template. Keeping
it out of the custom data means one place sets the key, and the Ignition of a role stays the
same whichever key the student uses.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from coreos_lab.errors import LabError

IGNITION_VERSION = "3.3.0"

# Azure refuses custom data longer than this many base64 characters (64 KiB decoded;
# docs/facts.md, Custom data).
CUSTOM_DATA_LIMIT = 87_380

# The etcd image etcd-member.service runs. Pinned, not left to the unit's default: etcd 3.6
# removed --enable-v2 and the v2 API that flannel 0.14 and locksmith need (docs/facts.md), and a
# later Flatcar may move the unit's default tag to 3.6. Never raise this above 3.5.x.
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


def etcd_member_config(name: str, bootstrap: EtcdBootstrap) -> dict[str, Any]:
    """The Ignition config of etcd member ``name``."""
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
    # $VARS inside Environment= values, only in ExecStart= (systemd.exec(5)).
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
    dropin = _unit_text(
        unit=[
            f"Requires={METADATA_UNIT}",
            f"After={METADATA_UNIT}",
        ],
        service=[
            f"EnvironmentFile={METADATA_FILE}",
            # "%" starts a systemd specifier; a literal one is written "%%".
            *(f"Environment={key}={value.replace('%', '%%')}" for key, value in env),
            "ExecStart=",
            f"ExecStart={exec_start}",
        ],
    )
    return _config(
        files=[
            _file("/etc/hostname", f"{name}\n"),
            # etcd members boot the current image, so they may update; etcd-lock lets only one
            # machine of the lab (member or host: they share the default lock group) reboot at a
            # time, so the cluster keeps its quorum. locksmith on a member reaches its own etcd on
            # 127.0.0.1:2379, locksmith's default endpoint.
            _file(UPDATE_CONF, "REBOOT_STRATEGY=etcd-lock\n"),
        ],
        units=[
            {"name": ETCD_UNIT, "enabled": True, "dropins": [{"name": DROPIN, "contents": dropin}]},
            _metadata_unit(),
        ],
    )


def container_host_config(name: str, etcd_members: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The Ignition config of container host ``name``, reaching ``etcd_members`` locally.

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
    dropin = _unit_text(
        unit=["Wants=network-online.target", "After=network-online.target"],
        service=[
            f"Environment=ETCD_IMAGE_TAG={ETCD_IMAGE_TAG}",
            "ExecStart=",
            f"ExecStart={gateway}",
        ],
    )
    return _config(
        files=[
            _file("/etc/hostname", f"{name}\n"),
            # SERVER=disabled: the hosts boot an older image for the update exercise and would
            # otherwise update within minutes of boot (docs/facts.md). The lab guide has the
            # student delete this line before running update_engine_client.
            _file(UPDATE_CONF, "REBOOT_STRATEGY=etcd-lock\nSERVER=disabled\n"),
        ],
        units=[
            {"name": ETCD_UNIT, "enabled": True, "dropins": [{"name": DROPIN, "contents": dropin}]},
            # flannel 0.14 (v2 API) on 127.0.0.1:2379, its default endpoint; it waits until the
            # student writes /coreos.com/network/config in exercise 3.
            {"name": FLANNEL_UNIT, "enabled": True},
            {"name": DOCKER_UNIT, "enabled": True},
        ],
    )


def render(config: dict[str, Any]) -> str:
    """The config as compact JSON, keys sorted so equal configs render equal."""
    return json.dumps(config, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def custom_data(config: dict[str, Any]) -> str:
    """The config as ``osProfile.customData``: base64 of the rendered JSON, within Azure's limit."""
    encoded = base64.b64encode(render(config).encode()).decode("ascii")
    if len(encoded) > CUSTOM_DATA_LIMIT:
        raise LabError(
            f"The Ignition config is {len(encoded)} base64 characters, over Azure's custom data "
            f"limit of {CUSTOM_DATA_LIMIT}; use fewer etcd members or hosts."
        )
    return encoded


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


def _metadata_unit() -> dict[str, Any]:
    # As in the 2016 template: Afterburn must see the network before it asks Azure for the IP.
    # Not enabled: etcd-member's Requires= pulls it in.
    dropin = _unit_text(
        unit=["Requires=network-online.target", "After=network-online.target"], service=[]
    )
    return {"name": METADATA_UNIT, "dropins": [{"name": "after-network.conf", "contents": dropin}]}


def _config(files: list[dict[str, Any]], units: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "ignition": {"version": IGNITION_VERSION},
        "storage": {"files": files},
        "systemd": {"units": units},
    }


def _file(path: str, text: str) -> dict[str, Any]:
    return {
        "path": path,
        "mode": MODE_0644,
        "overwrite": True,
        "contents": {"source": "data:," + urllib.parse.quote(text, safe="")},
    }


def _unit_text(unit: list[str], service: list[str]) -> str:
    sections = []
    if unit:
        sections.append("\n".join(["[Unit]", *unit]))
    if service:
        sections.append("\n".join(["[Service]", *service]))
    return "\n\n".join(sections) + "\n"


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
