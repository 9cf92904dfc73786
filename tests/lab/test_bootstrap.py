"""The lab's etcd bootstrap, proven with real etcd 3.5 from the generated Ignition.

The configs are the ones ``coreos-lab plan`` puts in each VM's ``osProfile.customData``,
decoded back from base64. Every machine is a network namespace with its planned private IP
(etcd members 10.0.0.4…, container hosts 10.0.1.4…) and runs what its Ignition gives
``etcd-member.service``: the settings are read back from the config (see :mod:`.unit`), never
retyped here.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from coreos_lab.kinds import VM
from coreos_lab.plan import PlanInputs, build_plan
from coreos_lab.settings import LabSettings

from . import checks
from .cluster import EtcdLab
from .unit import etcd_service, wrapper_command

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]

Transform = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Planned:
    """One VM of the plan: its name, role, private IP and decoded Ignition config."""

    name: str
    role: str
    ip: str
    config: dict[str, Any]


def planned_lab(size: int, hosts: int, discovery_url: str | None) -> list[Planned]:
    """The machines ``coreos-lab plan`` would create, with the Ignition in their custom data."""
    settings = LabSettings(
        etcd=size,
        hosts=hosts,
        bootstrap="static" if discovery_url is None else "discovery",
        ssh_from="203.0.113.7/32",
    )
    plan = build_plan(settings, PlanInputs(discovery_url=discovery_url))
    vms = {r.name: r for r in plan.of_kind(VM)}
    machines = []
    for m in plan.machines:
        data = vms[m.name].body["properties"]["osProfile"]["customData"]
        config = json.loads(base64.b64decode(data))
        machines.append(Planned(m.name, m.role, m.private_ip, config))
    return machines


def members_of(lab: list[Planned]) -> dict[str, str]:
    return {m.name: m.ip for m in lab if m.role == "etcd"}


def start_lab(
    elab: EtcdLab,
    size: int,
    hosts: int,
    discovery_url: str | None,
    transform: Transform = lambda c: c,
) -> tuple[dict[str, str], list[str]]:
    """Start every planned machine; returns the etcd members (name → IP) and the host names."""
    lab = planned_lab(size, hosts, discovery_url)
    for m in lab:
        if m.role == "etcd":
            elab.start_member(m.name, m.ip, transform(m.config))
    return members_of(lab), [m.name for m in lab if m.role == "host"]


def start_hosts(elab: EtcdLab, size: int, hosts: int, discovery_url: str | None) -> list[str]:
    """Start the planned container hosts and wait for their gateways on 127.0.0.1:2379."""
    started = []
    for m in planned_lab(size, hosts, discovery_url):
        if m.role == "host":
            elab.start_host(m.name, m.ip, m.config)
            started.append(m.name)
    for name in started:
        elab.wait_healthy(name, "http://127.0.0.1:2379", timeout=15)
    return started


def break_dropin(old: str, new: str) -> Transform:
    """A transform of a generated config that replaces ``old`` by ``new`` in its etcd drop-in."""

    def transform(config: dict[str, Any]) -> dict[str, Any]:
        broken = copy.deepcopy(config)
        (unit,) = [u for u in broken["systemd"]["units"] if u["name"] == "etcd-member.service"]
        for dropin in unit["dropins"]:
            assert old in dropin["contents"], f"{old!r} not in the generated drop-in"
            dropin["contents"] = dropin["contents"].replace(old, new)
        return broken

    return transform


# --- the lab as generated -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 5])
def test_cluster_forms_through_discovery(elab: EtcdLab, size: int) -> None:
    url = elab.start_discovery(size)
    hosts_wanted = 2 if size == 3 else 1
    cluster, _ = start_lab(elab, size, hosts_wanted, discovery_url=url)
    for name, ip in cluster.items():
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    checks.wait_for_cluster(elab, cluster)
    checks.check_discovery_registry(elab, url, cluster)

    hosts = start_hosts(elab, size, hosts_wanted, discovery_url=url)
    checks.check_v2_write(elab, hosts[0], reader=list(cluster)[-1])
    if size == 3:
        checks.check_locksmith_semaphore(elab, holder=hosts[0], rival=hosts[1])
        checks.check_v3_write(elab, hosts[1])
    # A majority survives: 3 members lose 1, 5 lose 2; the leader goes first.
    killed = checks.check_survives_loss(elab, cluster, hosts[0], lose=(size - 1) // 2)
    assert len(killed) == (size - 1) // 2


@pytest.mark.parametrize("size", [3, 5])
def test_cluster_forms_with_static_bootstrap(elab: EtcdLab, size: int) -> None:
    cluster, _ = start_lab(elab, size, 2, discovery_url=None)
    for name, ip in cluster.items():
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    checks.wait_for_cluster(elab, cluster)
    hosts = start_hosts(elab, size, 2, discovery_url=None)
    checks.check_v2_write(elab, hosts[1], reader=hosts[0])
    checks.check_locksmith_semaphore(elab, holder=hosts[1], rival=hosts[0])
    checks.check_survives_loss(elab, cluster, hosts[0], lose=1)


def test_commands_come_from_the_planned_ignition() -> None:
    """A member's command line is its drop-in's ExecStart with its own planned IP filled in."""
    lab = planned_lab(3, 2, discovery_url=None)
    (etcd1,) = [m for m in lab if m.name == "etcd1"]
    checks.check_member_settings(etcd1.config)
    argv, env = wrapper_command(etcd_service(etcd1.config), etcd1.ip, "etcd", "/tmp/data")
    assert argv[0] == "etcd" and f"--listen-peer-urls=http://{etcd1.ip}:2380" in argv
    assert "${" not in " ".join(argv)
    assert env["ETCD_NAME"] == "etcd1" and env["ETCD_ENABLE_V2"] == "true"
    expected = ",".join(f"{n}=http://{ip}:2380" for n, ip in members_of(lab).items())
    assert env["ETCD_INITIAL_CLUSTER"] == expected


# --- broken settings are caught, by name ---------------------------------------------------------


def test_v2_off_is_detected(elab: EtcdLab) -> None:
    no_v2 = break_dropin("Environment=ETCD_ENABLE_V2=true\n", "")
    cluster, _ = start_lab(elab, 3, 1, discovery_url=None, transform=no_v2)
    checks.wait_for_cluster(elab, cluster)  # the cluster forms: only v2 clients break
    (host,) = start_hosts(elab, 3, 1, discovery_url=None)
    with pytest.raises(AssertionError, match="v2 API is off"):
        checks.check_v2_write(elab, host)
    # The v3 API still works, so only a v2 check can catch this mistake.
    checks.check_v3_write(elab, host)


def test_wrong_peer_url_is_detected(elab: EtcdLab) -> None:
    wrong_port = break_dropin(
        "--initial-advertise-peer-urls=http://${COREOS_AZURE_IPV4_DYNAMIC}:2380",
        "--initial-advertise-peer-urls=http://${COREOS_AZURE_IPV4_DYNAMIC}:2381",
    )
    cluster, _ = start_lab(elab, 3, 0, discovery_url=None, transform=wrong_port)
    name, ip = next(iter(cluster.items()))
    with pytest.raises(AssertionError, match="initial-advertise-peer-urls"):
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    # And etcd itself refuses it: the cluster check fails naming the flag.
    with pytest.raises(AssertionError, match="initial-advertise-peer-urls") as failure:
        checks.wait_for_cluster(elab, cluster, timeout=15)
    assert "did not form" in str(failure.value)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("Environment=ETCD_ENABLE_V2=true\n", "", "ETCD_ENABLE_V2"),
        ("ETCD_IMAGE_TAG=v3.5.16", "ETCD_IMAGE_TAG=v3.6.0", "not etcd 3.5"),
        ("EnvironmentFile=/run/metadata/flatcar\n", "", "metadata"),
        ("After=coreos-metadata.service\n", "", "After=coreos-metadata"),
    ],
)
def test_settings_check_names_what_broke(old: str, new: str, named: str) -> None:
    (etcd0, *_) = planned_lab(3, 0, discovery_url=None)
    checks.check_member_settings(etcd0.config)
    with pytest.raises(AssertionError, match=named):
        checks.check_member_settings(break_dropin(old, new)(etcd0.config))
