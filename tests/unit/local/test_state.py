"""The lab's local state file: location, round trip, modes, corruption, removal."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from coreos_lab.errors import LabError, UsageError
from coreos_lab.local.state import (
    LabState,
    load_state,
    remove_state,
    repair_modes,
    save_state,
    state_dir,
    state_path,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_dir_follows_env_then_xdg_then_home(tmp_path: Path) -> None:
    assert state_dir({"COREOS_LAB_STATE_DIR": str(tmp_path / "s"), "HOME": "/h"}) == (
        tmp_path / "s"
    )
    assert state_dir({"XDG_STATE_HOME": "/x", "HOME": "/h"}) == Path("/x/coreos-lab")
    assert state_dir({"HOME": "/h"}) == Path("/h/.local/state/coreos-lab")


def test_default_base_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COREOS_LAB_STATE_DIR", str(tmp_path))
    path = save_state(LabState(lab="lab1", cloud="azure"))
    assert path == tmp_path / "labs" / "lab1" / "state.json"
    assert load_state("lab1").cloud == "azure"


def test_absent_state_is_empty(tmp_path: Path) -> None:
    assert load_state("nolab", tmp_path) == LabState(lab="nolab")
    assert not (tmp_path / "labs").exists()  # reading creates nothing


def test_round_trip(tmp_path: Path) -> None:
    state = LabState(
        lab="lab1",
        discovery_url="https://discovery.etcd.io/" + "a" * 32,
        discovery_size=5,
        subscription_id="00000000-0000-0000-0000-000000000000",
        cloud="azure",
        etcd_image_version="4593.2.5",
        host_image_version="4459.2.4",
        generated_key="/home/x/.ssh/lab_key",
        extra={"ips": {"etcd0": "10.0.0.4"}},
    )
    save_state(state, tmp_path)
    assert load_state("lab1", tmp_path) == state
    state.cloud = "emulator"
    save_state(state, tmp_path)
    assert load_state("lab1", tmp_path).cloud == "emulator"
    # Only the state file remains: the temp file was renamed over it.
    assert [p.name for p in (tmp_path / "labs" / "lab1").iterdir()] == ["state.json"]


def test_token_is_kept_out_of_repr() -> None:
    secret = "https://discovery.etcd.io/" + "f" * 32
    assert secret not in repr(LabState(lab="lab1", discovery_url=secret))


def test_unknown_keys_from_a_newer_writer_survive(tmp_path: Path) -> None:
    path = state_path("lab1", tmp_path)
    save_state(LabState(lab="lab1"), tmp_path)
    data = json.loads(path.read_text())
    data["future_field"] = [1, 2]
    path.write_text(json.dumps(data))
    state = load_state("lab1", tmp_path)
    assert state.extra == {"future_field": [1, 2]}
    save_state(state, tmp_path)
    assert load_state("lab1", tmp_path).extra == {"future_field": [1, 2]}


def test_a_generated_key_recorded_among_the_extra_keys_is_read_as_the_field(
    tmp_path: Path,
) -> None:
    path = state_path("lab1", tmp_path)
    save_state(LabState(lab="lab1"), tmp_path)
    data = json.loads(path.read_text())
    del data["generated_key"]
    data["extra"] = {"generated_key": "/home/x/.ssh/lab_key", "future_field": 1}
    path.write_text(json.dumps(data))
    state = load_state("lab1", tmp_path)
    assert state.generated_key == "/home/x/.ssh/lab_key"
    assert state.extra == {"future_field": 1}


def test_modes_dirs_0700_file_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)  # the most permissive umask must not leak into our modes
    try:
        base = tmp_path / "fresh" / "base"
        path = save_state(LabState(lab="lab1", discovery_size=3), base)
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    for directory in (path.parent, path.parent.parent, base, base.parent):
        assert mode(directory) == 0o700, directory


def test_save_tightens_an_existing_loose_file(tmp_path: Path) -> None:
    path = save_state(LabState(lab="lab1"), tmp_path)
    path.chmod(0o644)
    path.parent.chmod(0o755)
    save_state(LabState(lab="lab1", cloud="azure"), tmp_path)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 1, "lab": "other"}',
        '{"version": 1, "lab": "lab1", "discovery_size": "three"}',
        '{"version": 1, "lab": "lab1", "discovery_url": 42}',
        '{"lab": "lab1"}',
        "\xff\xfe",
    ],
)
def test_corrupt_file_names_the_file_and_says_delete_it(tmp_path: Path, content: str) -> None:
    path = state_path("lab1", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(LabError) as err:
        load_state("lab1", tmp_path)
    message = str(err.value)
    assert str(path) in message
    assert "delete it" in message
    assert "\n" not in message


def test_newer_format_asks_for_an_upgrade(tmp_path: Path) -> None:
    path = state_path("lab1", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 99, "lab": "lab1"}')
    with pytest.raises(LabError, match="upgrade coreos-lab"):
        load_state("lab1", tmp_path)


def test_remove(tmp_path: Path) -> None:
    path = save_state(LabState(lab="lab1"), tmp_path)
    assert remove_state("lab1", tmp_path) is True
    assert not path.exists()
    assert not path.parent.exists()
    assert remove_state("lab1", tmp_path) is False
    assert load_state("lab1", tmp_path) == LabState(lab="lab1")


@pytest.mark.parametrize("lab", ["../escape", "a/b", ".hidden", ""])
def test_lab_names_cannot_escape_the_state_dir(tmp_path: Path, lab: str) -> None:
    with pytest.raises(UsageError):
        save_state(LabState(lab=lab), tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_a_state_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir(mode=0o700)
    os.chown(tmp_path / "keys", 65534, 65534)
    with pytest.raises(LabError, match=r"keys belongs to another user \(uid 65534\)"):
        repair_modes(tmp_path)


def test_a_shared_sticky_state_folder_is_refused_not_closed(tmp_path: Path) -> None:
    tmp_path.chmod(0o1777)
    with pytest.raises(LabError, match="is shared by every user"):
        repair_modes(tmp_path)
    assert mode(tmp_path) == 0o1777
