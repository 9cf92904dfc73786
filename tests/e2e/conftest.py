"""End-to-end fixtures: one emulator per module, the real CLI in subprocesses against it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coreos_lab.emulator.client import AdminClient, Connection, cli_env, running_emulator

BIN = Path(sys.executable).parent / "coreos-lab"
SSH_FROM = "203.0.113.0/24"


@dataclass
class Emulator:
    connection: Connection
    admin: AdminClient
    state_dir: Path


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    state_dir = tmp_path_factory.mktemp("emulator")
    with running_emulator(state_dir, latency_scale=0.01) as conn:
        yield Emulator(conn, AdminClient(conn), state_dir)


@dataclass
class Lab:
    """A lab's environment for CLI runs: its own HOME, state folder and name."""

    env: dict[str, str]
    home: Path
    emulator: Emulator

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            capture_output=True,
            text=True,
            env={**self.env, **env},
            cwd=self.home,
            timeout=timeout,
        )

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        return subprocess.Popen([str(BIN), *args], env=self.env, cwd=self.home, text=True, **kwargs)

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.emulator.admin.requests_log() if r["kind"] != "read"]


@pytest.fixture
def lab(emulator: Emulator, tmp_path: Path) -> Lab:
    emulator.admin.reset()
    # Room for the 7-etcd, 5-host lab (24 vCPUs); quota refusals have tests of their own.
    emulator.admin.configure(quotas={"cores": 100, "*": 100})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COREOS_LAB_", "AZURE_"))}
    env.update(
        HOME=str(tmp_path),
        COLUMNS="160",
        COREOS_LAB_STATE_DIR=str(tmp_path / "state"),
        COREOS_LAB_SSH_FROM=SSH_FROM,
        COREOS_LAB_BOOTSTRAP="static",
        COREOS_LAB_NAME="e2e-lab",
    )
    env.update(cli_env(emulator.state_dir))
    return Lab(env, tmp_path, emulator)
