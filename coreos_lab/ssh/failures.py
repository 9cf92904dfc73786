"""Why ssh failed, in one sentence, from its exit status and what it printed. Pure.

OpenSSH exits with 255 when the connection or the login fails and prints one of a few
messages (ssh(1), EXIT STATUS; the texts are OpenSSH's own, e.g. "Connection timed out",
"Connection refused", "Permission denied (publickey)", "Host key verification failed.").
On Azure a source address outside the NSG's rule is dropped silently, so it looks like a
machine that is still booting: both are named.
"""

from __future__ import annotations

from dataclasses import dataclass

SSH_FAILED = 255  # ssh(1): "255 if an error occurred"
CONNECT_TIMEOUT = 10  # seconds, ssh's ConnectTimeout; a booted VM answers in well under one


@dataclass(frozen=True)
class SshContext:
    """What the sentences name: the lab's --ssh-from, key and known_hosts file."""

    ssh_from: str
    key_path: str
    known_hosts: str


def ssh_failure(
    rc: int, stderr: str, timed_out: bool, azure_state: str, ctx: SshContext
) -> str | None:
    """The cause, or None when ssh logged in (whatever the probe's own exit status)."""
    if timed_out:
        return (
            "ssh logged in but the checks did not finish in time; the machine may be "
            "overloaded or still starting its services."
        )
    if rc != SSH_FAILED:
        return None
    text = stderr.lower()
    if "permission denied" in text:
        return (
            f"sshd refused the lab's key {ctx.key_path} for core: the machine was built with "
            "another key (another --ssh-key or --ssh-public-key)."
        )
    if "host key verification failed" in text or "remote host identification" in text:
        return (
            f"its host key differs from the one recorded in {ctx.known_hosts}: a new VM at an "
            "old address; remove its line from that file if you rebuilt it."
        )
    if "connection refused" in text:
        return (
            "port 22 refused the connection: the machine is up but sshd is not listening "
            "yet (still booting)."
        )
    if "timed out" in text or "timeout" in text:
        booting = azure_state.lower() not in ("running", "")
        if booting:
            return (
                f"no answer on port 22 within {CONNECT_TIMEOUT} s: still booting ({azure_state})."
            )
        source = f"--ssh-from {ctx.ssh_from}" if ctx.ssh_from else "--ssh-from"
        return (
            f"no answer on port 22 within {CONNECT_TIMEOUT} s: your address is not in {source} "
            "(the NSG drops it), or the machine is still booting."
        )
    if "no route to host" in text or "network is unreachable" in text:
        return "no route to its address from here; check your network, then run verify again."
    if "connection closed" in text or "connection reset" in text:
        return "the connection closed before login: sshd is still starting, or it refused us."
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
    return f"ssh failed: {last}"


def likely_causes(machine: str, address: str, ssh_from: str, emulated: bool) -> str:
    """One sentence: what keeps ssh from reaching a lab machine, most likely first."""
    allowed = f"--ssh-from {ssh_from}" if ssh_from else "the lab's --ssh-from"
    causes = [
        f"your address is not in {allowed} (run `curl -4s https://ifconfig.me` to see it, "
        "and `coreos-lab up --ssh-from` with it to let it in)",
        "the VM is still booting (try again in a minute)",
    ]
    if emulated:
        causes.insert(
            0,
            "the lab is in the emulator, whose machines are addresses on this computer "
            "with no sshd behind them",
        )
    listed = ", ".join(causes[:-1]) + f", or {causes[-1]}"
    return f"ssh could not reach {machine} at {address}; likely {listed}."
