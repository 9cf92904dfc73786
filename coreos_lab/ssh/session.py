"""Running `coreos-lab ssh`: say where it connects, give up after a bounded time, and say why.

OpenSSH's own default waits for the kernel's TCP timeout (minutes) in front of a silent
address; a person sees a blank screen. ``ConnectTimeout`` bounds the TCP connect and the
wait for the server's banner (ssh_config(5)), and exit status 255 is ssh's own failure
(ssh(1): "ssh exits with the exit status of the remote command or with 255 if an error
occurred"), after which one sentence names the likely causes.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Sequence

from coreos_lab.errors import LabError
from coreos_lab.ssh.failures import CONNECT_TIMEOUT, SSH_FAILED, likely_causes


class SshFailed(LabError):
    """ssh could not reach or log in to the machine; exits as ssh does."""

    exit_code = SSH_FAILED


def with_timeout(argv: Sequence[str], seconds: int = CONNECT_TIMEOUT) -> list[str]:
    """``argv`` (an ssh command line) with a connect timeout, right after the program."""
    return [argv[0], "-o", f"ConnectTimeout={seconds}", *argv[1:]]


def destination(argv: Sequence[str], command: Sequence[str]) -> tuple[str, str]:
    """(user, address) of an ssh command line whose remote command is ``command``."""
    user, _, address = argv[len(argv) - len(command) - 1].partition("@")
    return user, address


def run_ssh(
    program: str,
    argv: Sequence[str],
    *,
    machine: str,
    command: Sequence[str],
    ssh_from: str,
    emulated: bool,
) -> int:
    """Run ssh in the foreground; its status, or SshFailed with the likely causes."""
    user, address = destination(argv, command)
    print(f"connecting to {machine} ({address}) as {user}…", file=sys.stderr, flush=True)
    # Ctrl-C belongs to ssh (and the remote shell) while it runs, not to us.
    # A handler, not SIG_IGN: an ignored signal would stay ignored in ssh across exec.
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        status = subprocess.run([program, *argv[1:]], check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)
    if status == SSH_FAILED:
        raise SshFailed(likely_causes(machine, address, ssh_from, emulated))
    return status
