"""The engine's verbs as a library: plan, up, machines, ssh_target, check and down, through
real SDK clients (passed in with ``clients=``) against the emulator."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coreos_lab import engine
from coreos_lab.azure.clients import Clients, emulator_target
from coreos_lab.emulator.client import AdminClient, Connection
from coreos_lab.errors import LabError
from coreos_lab.lab.events import discard
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local.state import load_state

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LabSettings:
    monkeypatch.setenv("COREOS_LAB_STATE_DIR", str(tmp_path / "state"))
    return LabSettings(
        name="engine-lab",
        ssh_from="203.0.113.0/24",
        bootstrap="static",
        cloud="emulator",
        hosts=1,
        ssh_key=tmp_path / "keys" / "lab_key",
        ssh_key_type="ed25519",
    )


def clients_of(emulator: Connection) -> Clients:
    return Clients(emulator_target(emulator), retry_total=1)


def test_plan_reads_nothing_remote_and_lists_what_up_will_know(settings: LabSettings) -> None:
    plan = engine.plan(settings)
    assert not plan.complete
    assert [m.name for m in plan.machines] == ["etcd0", "etcd1", "etcd2", "host0"]
    assert not settings.ssh_key.exists(), "plan must not generate a key"


def test_up_machines_ssh_check_and_down_of_one_lab(
    settings: LabSettings, emulator: Connection, admin: AdminClient
) -> None:
    result = engine.up(settings, discard, clients=clients_of(emulator))
    assert result.key_generated and result.applied.writes == len(result.plan.resources)
    assert [m.name for m in result.access.machines] == ["etcd0", "etcd1", "etcd2", "host0"]
    assert load_state(settings.name).generated_key == str(settings.ssh_key)

    access = engine.machines(settings, clients=clients_of(emulator))
    assert access.machines == result.access.machines
    assert access.key_path == str(settings.ssh_key)

    argv = engine.ssh_target(settings, None, ["uptime"], clients=clients_of(emulator))
    host0 = next(m for m in access.machines if m.name == "host0")
    assert argv[0] == "ssh" and argv[-2:] == [f"core@{host0.public_ip}", "uptime"]
    assert f"UserKnownHostsFile={access.known_hosts}" in argv
    assert Path(access.known_hosts).parent.is_dir()

    report = engine.check(settings, clients=clients_of(emulator))
    assert report.ok, report.checks

    down = engine.down(settings, discard, delete_key=True, clients=clients_of(emulator))
    assert down.deleted and down.state_removed
    assert sorted(down.key_removed) == [str(settings.ssh_key), f"{settings.ssh_key}.pub"]
    assert not os.path.exists(settings.ssh_key)
    assert admin.state()["groups"] == {}


def test_down_of_a_missing_lab_deletes_nothing_and_keeps_a_foreign_key(
    settings: LabSettings, emulator: Connection, tmp_path: Path
) -> None:
    down = engine.down(settings, discard, delete_key=True, clients=clients_of(emulator))
    assert not down.deleted and down.key_removed == []
    assert down.key_kept and "did not generate" in down.key_kept


def test_machines_of_a_missing_lab_is_one_sentence(
    settings: LabSettings, emulator: Connection
) -> None:
    with pytest.raises(LabError, match=r"There is no lab 'engine-lab'.*coreos-lab up"):
        engine.machines(settings, clients=clients_of(emulator))
