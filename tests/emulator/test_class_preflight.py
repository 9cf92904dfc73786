"""engine.require_room in process, through the real SDK clients to the emulator: what
`class up` calls before its first write. And the network usages it reads for public IPs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coreos_lab import engine
from coreos_lab.azure.clients import Clients, emulator_target
from coreos_lab.classroom.labs import StudentLab, class_labs
from coreos_lab.classroom.roster import parse_roster
from coreos_lab.emulator.client import AdminClient, Connection
from coreos_lab.errors import LabError
from coreos_lab.lab.settings import LabSettings
from tests.emulator import lab as arm


def _labs(tmp_path: Path, *students: str) -> list[StudentLab]:
    roster = parse_roster("student\n" + "\n".join(students) + "\n", "roster.csv")
    return class_labs(roster, LabSettings(ssh_from="203.0.113.0/24"), "cs", tmp_path)


def test_it_raises_when_the_class_does_not_fit_and_places_labs_when_spread(
    connection: Connection, admin: AdminClient, tmp_path: Path
) -> None:
    admin.configure(quotas={"cores": 100, "standardBasv2Family": 15})
    clients = Clients(emulator_target(connection), retry_total=1)
    labs = _labs(tmp_path, "alice", "bob")
    with pytest.raises(LabError, match=r"Only 1 of 2 labs fit .* 5 free, 10 per lab"):
        engine.require_room(labs, clients=clients)
    report = engine.require_room(labs, locations=["westeurope", "northeurope"], clients=clients)
    assert [lab.settings.location for lab in report.labs] == ["westeurope", "northeurope"]
    assert clients.compute.usage.list("westeurope"), "the caller's clients stay open"
    clients.close()


def test_vms_a_half_built_class_has_need_no_quota_again(
    connection: Connection,
    admin: AdminClient,
    network: Any,
    resource: Any,
    compute: Any,
    tmp_path: Path,
) -> None:
    arm.group(resource, "cs-alice")
    (nic_id,) = arm.network_for_vm(network, "cs-alice")
    compute.virtual_machines.begin_create_or_update(
        "cs-alice", "etcd0", arm.vm_body(nic_id)
    ).result()
    # 2 of 20 in use by alice's etcd0; her 4 missing VMs (8) and bob's 5 (10) fit exactly.
    admin.configure(quotas={"cores": 100, "standardBasv2Family": 20})
    clients = Clients(emulator_target(connection), retry_total=1)
    labs = _labs(tmp_path, "alice", "bob")
    report = engine.class_check(labs, clients=clients)
    # Spread elsewhere, alice's lab stays where its VMs are: a resource never moves.
    spread = engine.class_check(labs, locations=["northeurope"], clients=clients)
    clients.close()
    assert [lab.settings.location for lab in spread.labs] == ["westeurope", "northeurope"]
    assert report.ok, report.problems
    (region,) = report.regions
    rows = {u.name: u for u in region.usages}
    assert rows["standardBasv2Family"].needed == 18 and rows["standardBasv2Family"].used == 2
    assert rows["PublicIPAddresses"].needed == 9 and rows["PublicIPAddresses"].used == 1


def test_network_usages_count_the_location_s_public_ips_against_the_configured_limit(
    admin: AdminClient, network: Any, resource: Any
) -> None:
    admin.configure(quotas_by_location={"westeurope": {"PublicIPAddresses": 7}})
    arm.group(resource)
    arm.pip(network)
    usages = {u.name.value: u for u in network.usages.list("westeurope")}
    assert (usages["PublicIPAddresses"].current_value, usages["PublicIPAddresses"].limit) == (1, 7)
    assert usages["StaticPublicIPAddresses"].limit == 1000
    north = {u.name.value: u for u in network.usages.list("northeurope")}
    assert north["PublicIPAddresses"].current_value == 0
