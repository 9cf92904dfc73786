"""The lab's etcd bootstrap, proven with real etcd 3.5 from the generated boot configs.

The configs are the ones ``coreos-lab plan`` puts in each VM's ``osProfile.customData``,
decoded back from base64: Ignition, or the ``#cloud-config`` of ``--provisioning cloud-config``.
Every machine is a network namespace with its planned private IP (etcd members 10.0.0.4…,
container hosts 10.0.1.4…) and runs what its config gives ``etcd-member.service``: the settings
are read back from the config (see :mod:`.unit`), never retyped here.

Both formats form the cluster in every bootstrap mode and size; the checks that exercise etcd
itself rather than what the config starts (losing members, the reboot lock) run once, with
Ignition, since :func:`test_both_formats_give_the_same_etcd_commands_and_files` shows the two
formats start the very same commands.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from coreos_lab.boot.cloudconfig_schema import problems
from coreos_lab.boot.formats import FORMATS
from coreos_lab.lab.kinds import VM
from coreos_lab.lab.plan import PlanInputs, build_plan
from coreos_lab.lab.settings import LabSettings

from . import checks
from .cluster import EtcdLab
from .unit import ETCD_UNIT, etcd_service, files_of, replace_in_dropins, wrapper_command

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]

Transform = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Planned:
    """One VM of the plan: its name, role, private IP and decoded boot config."""

    name: str
    role: str
    ip: str
    config: dict[str, Any]


def planned_lab(
    size: int, hosts: int, discovery_url: str | None, provisioning: str = "ignition"
) -> list[Planned]:
    """The machines ``coreos-lab plan`` would create, with the config in their custom data."""
    settings = LabSettings(
        etcd=size,
        hosts=hosts,
        bootstrap="static" if discovery_url is None else "discovery",
        ssh_from="203.0.113.7/32",
        provisioning=provisioning,
    )
    plan = build_plan(settings, PlanInputs(discovery_url=discovery_url))
    vms = {r.name: r for r in plan.of_kind(VM)}
    machines = []
    for m in plan.machines:
        text = base64.b64decode(vms[m.name].body["properties"]["osProfile"]["customData"]).decode()
        if provisioning == "cloud-config":
            config = yaml.safe_load(text)
            assert problems(text, config) == [], f"coreos-cloudinit would refuse {m.name}'s"
        else:
            config = json.loads(text)
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
    provisioning: str = "ignition",
) -> tuple[dict[str, str], list[str]]:
    """Start every planned machine; returns the etcd members (name → IP) and the host names."""
    lab = planned_lab(size, hosts, discovery_url, provisioning)
    for m in lab:
        if m.role == "etcd":
            elab.start_member(m.name, m.ip, transform(m.config))
    return members_of(lab), [m.name for m in lab if m.role == "host"]


def start_hosts(
    elab: EtcdLab, size: int, hosts: int, discovery_url: str | None, provisioning: str = "ignition"
) -> list[str]:
    """Start the planned container hosts and wait for their gateways on 127.0.0.1:2379."""
    started = []
    for m in planned_lab(size, hosts, discovery_url, provisioning):
        if m.role == "host":
            elab.start_host(m.name, m.ip, m.config)
            started.append(m.name)
    for name in started:
        elab.wait_healthy(name, "http://127.0.0.1:2379", timeout=15)
    return started


def break_dropin(old: str, new: str) -> Transform:
    """A transform of a generated config that replaces ``old`` by ``new`` in its etcd drop-in."""

    def transform(config: dict[str, Any]) -> dict[str, Any]:
        return replace_in_dropins(config, ETCD_UNIT, old, new)

    return transform


# --- the lab as generated -----------------------------------------------------------------------


@pytest.mark.parametrize("provisioning", FORMATS)
@pytest.mark.parametrize("size", [3, 5])
def test_cluster_forms_through_discovery(elab: EtcdLab, size: int, provisioning: str) -> None:
    url = elab.start_discovery(size)
    hosts_wanted = 2 if size == 3 else 1
    cluster, _ = start_lab(elab, size, hosts_wanted, url, provisioning=provisioning)
    for name, ip in cluster.items():
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    checks.wait_for_cluster(elab, cluster)
    checks.check_discovery_registry(elab, url, cluster)

    hosts = start_hosts(elab, size, hosts_wanted, url, provisioning)
    checks.check_v2_write(elab, hosts[0], reader=list(cluster)[-1])
    if provisioning != "ignition":
        return  # the same commands as Ignition's (see the test below): etcd's part is proven once
    if size == 3:
        checks.check_locksmith_semaphore(elab, holder=hosts[0], rival=hosts[1])
        checks.check_v3_write(elab, hosts[1])
    # A majority survives: 3 members lose 1, 5 lose 2; the leader goes first.
    killed = checks.check_survives_loss(elab, cluster, hosts[0], lose=(size - 1) // 2)
    assert len(killed) == (size - 1) // 2


@pytest.mark.parametrize("provisioning", FORMATS)
@pytest.mark.parametrize("size", [3, 5])
def test_cluster_forms_with_static_bootstrap(elab: EtcdLab, size: int, provisioning: str) -> None:
    cluster, _ = start_lab(elab, size, 2, discovery_url=None, provisioning=provisioning)
    for name, ip in cluster.items():
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    checks.wait_for_cluster(elab, cluster)
    hosts = start_hosts(elab, size, 2, None, provisioning)
    checks.check_v2_write(elab, hosts[1], reader=hosts[0])
    if provisioning != "ignition":
        return
    checks.check_locksmith_semaphore(elab, holder=hosts[1], rival=hosts[0])
    checks.check_survives_loss(elab, cluster, hosts[0], lose=1)


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("discovery_url", [None, "http://192.0.2.10:2379/v2/keys/_etcd/registry/t"])
def test_both_formats_give_the_same_etcd_commands_and_files(
    size: int, discovery_url: str | None
) -> None:
    """Per machine, Ignition and cloud-config start etcd (member or gateway) with the same
    command line and environment, and leave the same files."""
    by_format = {p: planned_lab(size, 2, discovery_url, p) for p in FORMATS}
    ignition_lab, cloud_config_lab = by_format["ignition"], by_format["cloud-config"]
    assert [m.name for m in ignition_lab] == [m.name for m in cloud_config_lab]
    for ign, cc in zip(ignition_lab, cloud_config_lab, strict=True):
        assert ign.ip == cc.ip
        commands = [
            wrapper_command(etcd_service(m.config), m.ip, "etcd", f"/data/{m.name}")
            for m in (ign, cc)
        ]
        assert commands[0] == commands[1], f"{ign.name}: {commands}"
        assert etcd_service(ign.config) == etcd_service(cc.config)
        assert files_of(ign.config) == files_of(cc.config), ign.name
        assert files_of(cc.config)["/etc/hostname"] == (f"{cc.name}\n", 0o644)


@pytest.mark.parametrize("provisioning", FORMATS)
def test_commands_come_from_the_planned_config(provisioning: str) -> None:
    """A member's command line is its drop-in's ExecStart with its own planned IP filled in."""
    lab = planned_lab(3, 2, discovery_url=None, provisioning=provisioning)
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


@pytest.mark.parametrize("provisioning", FORMATS)
@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("Environment=ETCD_ENABLE_V2=true\n", "", "ETCD_ENABLE_V2"),
        ("ETCD_IMAGE_TAG=v3.5.16", "ETCD_IMAGE_TAG=v3.6.0", "not etcd 3.5"),
        ("EnvironmentFile=/run/metadata/flatcar\n", "", "metadata"),
        ("After=coreos-metadata.service\n", "", "After=coreos-metadata"),
    ],
)
def test_settings_check_names_what_broke(old: str, new: str, named: str, provisioning: str) -> None:
    (etcd0, *_) = planned_lab(3, 0, discovery_url=None, provisioning=provisioning)
    checks.check_member_settings(etcd0.config)
    with pytest.raises(AssertionError, match=named):
        checks.check_member_settings(break_dropin(old, new)(etcd0.config))
