"""Run the probe on every machine at once with the system ssh: the only I/O of `verify`.

The ssh command is the one `coreos-lab ssh` uses (the lab's key, its own known_hosts, trust
on first use), plus BatchMode (never a prompt: no password, no passphrase), a connect timeout
and keep-alives so a machine that stops answering cannot hold the run for long.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from coreos_lab.ssh.config import ssh_argv as lab_ssh_argv
from coreos_lab.ssh.failures import CONNECT_TIMEOUT

# Connect, log in and run the probe; its curls have 3 s each, most return at once.
RUN_TIMEOUT = 45.0


@dataclass(frozen=True)
class Target:
    name: str
    address: str
    script: str


@dataclass(frozen=True)
class RunResult:
    name: str
    rc: int
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float


def ssh_argv(address: str, key_path: str, known_hosts: Path, port: int = 22) -> list[str]:
    """`coreos-lab ssh`'s command line, never prompting and bounded in time, running a script."""
    options = [
        "-o", "BatchMode=yes",
        "-o", "PasswordAuthentication=no",
        "-o", f"ConnectTimeout={CONNECT_TIMEOUT}",
        "-o", "ServerAliveInterval=5",
        "-o", "ServerAliveCountMax=2",
        "-o", "LogLevel=ERROR",
        "-p", str(port),
    ]  # fmt: skip
    return lab_ssh_argv(address, key_path, known_hosts, options=options, command=["sh -s"])


def run_all(
    targets: Sequence[Target],
    key_path: str,
    known_hosts: Path,
    *,
    timeout: float = RUN_TIMEOUT,
    ssh: str = "ssh",
) -> dict[str, RunResult]:
    """Every target's result by name; all at once (one thread each: they wait on the network)."""
    if not targets:
        return {}

    def one(t: Target) -> RunResult:
        argv = ssh_argv(t.address, key_path, known_hosts)
        argv[0] = ssh
        began = time.monotonic()
        try:
            done = subprocess.run(
                argv,
                input=t.script,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return RunResult(t.name, -1, "", "", True, time.monotonic() - began)
        return RunResult(
            t.name, done.returncode, done.stdout, done.stderr, False, time.monotonic() - began
        )

    with ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
        return {r.name: r for r in pool.map(one, targets)}
