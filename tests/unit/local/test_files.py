"""Whole files and bounded reads (coreos_lab/local/files.py) and the per-lab lock (lock.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coreos_lab.local.files import NotARegularFile, atomic_write, read_small_file
from coreos_lab.local.lock import LabBusy, lab_lock, lock_path


def test_atomic_write_replaces_whole_with_the_mode_asked_and_no_temp_left(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_text("old")
    atomic_write(target, b"new", 0o600)
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]


def test_atomic_write_exclusive_never_replaces(tmp_path: Path) -> None:
    target = tmp_path / "key"
    target.write_text("theirs")
    with pytest.raises(FileExistsError):
        atomic_write(target, b"ours", 0o600, exclusive=True)
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key"]


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_read_small_file_refuses_what_is_not_a_regular_file_at_once(
    tmp_path: Path, kind: str
) -> None:
    path = {"fifo": tmp_path / "fifo", "device": Path("/dev/zero"), "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(NotARegularFile):
        read_small_file(path, 1024)


def test_read_small_file_reads_one_byte_past_the_limit_and_no_more(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 5000)
    assert len(read_small_file(path, 100)) == 101
    assert read_small_file(path, 10_000) == b"x" * 5000


def test_a_held_lab_lock_refuses_a_second_holder_naming_pid_and_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COREOS_LAB_STATE_DIR", str(tmp_path))
    with lab_lock("lab", "up"):
        assert lock_path("lab").stat().st_mode & 0o777 == 0o600
        busy = rf"`coreos-lab up` \(pid {os.getpid()}, since"
        with pytest.raises(LabBusy, match=busy), lab_lock("lab", "down"):
            pass
    assert not lock_path("lab").exists() and not lock_path("lab").parent.exists()
    with lab_lock("lab", "down"):  # released: the next one gets it
        pass
