"""Several labs in one ssh config: every alias reaches its own lab's machine.

Checked by OpenSSH itself: `ssh -G -F FILE ALIAS` prints the configuration ssh would use for
ALIAS, connecting nowhere.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from coreos_lab.lab.results import MachineInfo
from coreos_lab.ssh.config import config_block, labs_in
from coreos_lab.ssh.config_file import install_block, written_alias


def _machines(n: int) -> list[MachineInfo]:
    return [
        MachineInfo("etcd0", "etcd", f"127.77.{n}.4", "10.0.0.4", "running"),
        MachineInfo("host0", "host", f"127.77.{n}.5", "10.0.1.4", "running"),
    ]


def _block(lab: str, n: int) -> str:
    return config_block(_machines(n), f"/keys/{lab}", Path(f"/state/{lab}/known_hosts"), lab)


def _resolve(config: Path, alias: str) -> dict[str, str]:
    ssh = shutil.which("ssh")
    if ssh is None:
        pytest.skip("OpenSSH's ssh is not installed")
    out = subprocess.run(
        [ssh, "-G", "-F", str(config), alias], capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def test_one_lab_keeps_short_aliases(tmp_path: Path) -> None:
    config = tmp_path / "config"
    install_block(config, "alice", _block("alice", 1))
    text = config.read_text()
    assert "Host host0\n" in text and "Host alice-" not in text
    assert written_alias(config, "alice", "host0") == "host0"
    # Written again, the block is replaced, not added.
    install_block(config, "alice", _block("alice", 1))
    assert config.read_text().count("Host host0\n") == 1


def test_a_second_lab_prefixes_every_lab(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host github.com\n    User git\n")
    install_block(config, "alice", _block("alice", 1))
    install_block(config, "bob", _block("bob", 2))
    install_block(config, "bob", _block("bob", 2))  # again: still one block, still prefixed
    text = config.read_text()
    assert labs_in(text) == ["bob", "alice"]
    hosts = sorted(line for line in text.splitlines() if line.startswith("Host "))
    assert hosts == [
        "Host alice-etcd0",
        "Host alice-host0",
        "Host bob-etcd0",
        "Host bob-host0",
        "Host github.com",
    ]
    assert written_alias(config, "bob", "host0") == "bob-host0"
    alice, bob = _resolve(config, "alice-host0"), _resolve(config, "bob-host0")
    assert alice["hostname"] == "127.77.1.5" and alice["identityfile"] == "/keys/alice"
    assert bob["hostname"] == "127.77.2.5" and bob["identityfile"] == "/keys/bob"
    assert _resolve(config, "github.com")["user"] == "git"
