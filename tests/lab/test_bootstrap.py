"""The lab's etcd bootstrap, proven with real etcd 3.5 from the generated Ignition.

Every machine is a network namespace with the lab's private IP (etcd members 10.0.0.4…,
container hosts 10.0.1.4…), and runs what its Ignition gives ``etcd-member.service``: the
settings are read back from ``coreos_lab.ignition``'s output (see :mod:`.unit`), never retyped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from coreos_lab import ignition
from coreos_lab.ignition import EtcdBootstrap
from coreos_lab.settings import LabSettings

from . import checks
from .cluster import EtcdLab
from .unit import etcd_service, wrapper_command

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]

Members = tuple[tuple[str, str], ...]


def lab_members(size: int) -> Members:
    settings = LabSettings(etcd=size)
    return tuple((f"etcd{i}", settings.etcd_private_ip(i)) for i in range(size))


def lab_hosts(count: int) -> Members:
    settings = LabSettings(hosts=count)
    return tuple((f"host{i}", settings.host_private_ip(i)) for i in range(count))


def start_cluster(
    elab: EtcdLab,
    members: Members,
    discovery_url: str | None,
    transform: Callable[[dict[str, Any]], dict[str, Any]] = lambda c: c,
) -> dict[str, str]:
    bootstrap = EtcdBootstrap(discovery_url=discovery_url, members=members)
    for name, ip in members:
        elab.start_member(name, ip, transform(ignition.etcd_member_config(name, bootstrap)))
    return dict(members)


def start_hosts(elab: EtcdLab, members: Members, count: int) -> list[str]:
    hosts = lab_hosts(count)
    for name, ip in hosts:
        elab.start_host(name, ip, ignition.container_host_config(name, members))
    for name, _ in hosts:
        elab.wait_healthy(name, "http://127.0.0.1:2379", timeout=15)
    return [name for name, _ in hosts]


def break_dropin(old: str, new: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
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
    members = lab_members(size)
    url = elab.start_discovery(size)
    cluster = start_cluster(elab, members, discovery_url=url)
    for name, ip in members:
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    checks.wait_for_cluster(elab, cluster)
    checks.check_discovery_registry(elab, url, cluster)

    hosts = start_hosts(elab, members, 2 if size == 3 else 1)
    checks.check_v2_write(elab, hosts[0], reader=members[-1][0])
    if size == 3:
        checks.check_locksmith_semaphore(elab, holder=hosts[0], rival=hosts[1])
        checks.check_v3_write(elab, hosts[1])
    # A majority survives: 3 members lose 1, 5 lose 2; the leader goes first.
    killed = checks.check_survives_loss(elab, cluster, hosts[0], lose=(size - 1) // 2)
    assert len(killed) == (size - 1) // 2


@pytest.mark.parametrize("size", [3, 5])
def test_cluster_forms_with_static_bootstrap(elab: EtcdLab, size: int) -> None:
    members = lab_members(size)
    cluster = start_cluster(elab, members, discovery_url=None)
    for name, ip in members:
        checks.check_member_command(name, elab.commands[name], elab.environments[name], ip)
    checks.wait_for_cluster(elab, cluster)
    hosts = start_hosts(elab, members, 2)
    checks.check_v2_write(elab, hosts[1], reader=hosts[0])
    checks.check_locksmith_semaphore(elab, holder=hosts[1], rival=hosts[0])
    checks.check_survives_loss(elab, cluster, hosts[0], lose=1)


def test_commands_come_from_the_ignition() -> None:
    """The member's command line is the drop-in's ExecStart with its own IP filled in."""
    members = lab_members(3)
    config = ignition.etcd_member_config("etcd1", EtcdBootstrap(None, members))
    checks.check_member_settings(config)
    argv, env = wrapper_command(etcd_service(config), "10.0.0.5", "etcd", "/tmp/data")
    assert argv[0] == "etcd" and "--listen-peer-urls=http://10.0.0.5:2380" in argv
    assert "${" not in " ".join(argv)
    assert env["ETCD_NAME"] == "etcd1" and env["ETCD_ENABLE_V2"] == "true"
    assert env["ETCD_INITIAL_CLUSTER"].count("=http://10.0.0.") == 3


# --- broken settings are caught, by name ---------------------------------------------------------


def test_v2_off_is_detected(elab: EtcdLab) -> None:
    members = lab_members(3)
    no_v2 = break_dropin("Environment=ETCD_ENABLE_V2=true\n", "")
    cluster = start_cluster(elab, members, discovery_url=None, transform=no_v2)
    checks.wait_for_cluster(elab, cluster)  # the cluster forms: only v2 clients break
    (host,) = start_hosts(elab, members, 1)
    with pytest.raises(AssertionError, match="v2 API is off"):
        checks.check_v2_write(elab, host)
    # The v3 API still works, so only a v2 check can catch this mistake.
    checks.check_v3_write(elab, host)


def test_wrong_peer_url_is_detected(elab: EtcdLab) -> None:
    members = lab_members(3)
    wrong_port = break_dropin(
        "--initial-advertise-peer-urls=http://${COREOS_AZURE_IPV4_DYNAMIC}:2380",
        "--initial-advertise-peer-urls=http://${COREOS_AZURE_IPV4_DYNAMIC}:2381",
    )
    cluster = start_cluster(elab, members, discovery_url=None, transform=wrong_port)
    with pytest.raises(AssertionError, match="initial-advertise-peer-urls"):
        checks.check_member_command(
            "etcd0", elab.commands["etcd0"], elab.environments["etcd0"], members[0][1]
        )
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
    config = ignition.etcd_member_config("etcd0", EtcdBootstrap(None, lab_members(3)))
    checks.check_member_settings(config)
    with pytest.raises(AssertionError, match=named):
        checks.check_member_settings(break_dropin(old, new)(config))
