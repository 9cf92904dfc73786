"""How to reach the lab's machines with OpenSSH: the command line and a config block. Pure.

Host keys: the first connection to each machine records its key in a known_hosts file of the
lab's own (``accept-new``: trust on first use, refuse a changed key afterwards). A file per lab
keeps those keys out of ~/.ssh/known_hosts, because Azure hands a deleted lab's public IPs
to other VMs and a later lab at the same address would otherwise trip ssh's warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coreos_lab.errors import LabError, UsageError
from coreos_lab.files import atomic_write
from coreos_lab.plan import ADMIN_USER
from coreos_lab.reports import MachineInfo


def ssh_options(key_path: str, known_hosts: Path) -> list[str]:
    return [
        "-i",
        key_path,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        f"UserKnownHostsFile={known_hosts}",
    ]


def pick_machine(
    machines: Sequence[MachineInfo], name: str | None, *, up: str = "coreos-lab up"
) -> MachineInfo:
    """The machine called ``name``, or the first container host when no name is given.

    ``up`` is the command that builds this lab, for the hint (hints.lab_command).
    """
    if not machines:
        raise UsageError(f"The lab has no machines yet; run `{up}` first.")
    if name is None:
        hosts = [m for m in machines if m.role == "host"]
        return hosts[0] if hosts else machines[0]
    for m in machines:
        if m.name == name:
            return m
    names = ", ".join(m.name for m in machines)
    raise UsageError(f"The lab has no machine '{name}'; its machines are {names}.")


def ssh_command(
    machine: MachineInfo,
    key_path: str,
    known_hosts: Path,
    command: Sequence[str] = (),
    *,
    up: str = "coreos-lab up",
) -> list[str]:
    if not machine.public_ip:
        raise UsageError(
            f"{machine.name} has no public IP yet ({machine.state}); run `{up}` to finish the lab."
        )
    return [
        "ssh",
        *ssh_options(key_path, known_hosts),
        f"{ADMIN_USER}@{machine.public_ip}",
        *command,
    ]


def config_word(value: str) -> str:
    """A value for ssh_config: double-quoted when it holds spaces, as ssh_config(5) allows.

    ssh_config has no escape for a double quote inside a quoted value, so such a path is
    refused rather than written in a form ssh would misread.
    """
    if '"' in value:
        raise UsageError(f"ssh_config cannot hold the path {value!r}: it contains a '\"'.")
    return f'"{value}"' if any(c.isspace() for c in value) else value


def config_block(
    machines: Sequence[MachineInfo], key_path: str, known_hosts: Path, lab: str
) -> str:
    """An OpenSSH config block with one Host per machine, so `ssh host0` works."""
    lines = [f"# coreos-lab lab '{lab}': written by `coreos-lab ssh-config`"]
    for m in machines:
        if not m.public_ip:
            continue
        lines += [
            f"Host {m.name}",
            f"    HostName {m.public_ip}",
            f"    User {ADMIN_USER}",
            f"    IdentityFile {config_word(key_path)}",
            "    IdentitiesOnly yes",
            "    StrictHostKeyChecking accept-new",
            f"    UserKnownHostsFile {config_word(str(known_hosts))}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _markers(lab: str) -> tuple[str, str]:
    return f"# >>> coreos-lab {lab} >>>", f"# <<< coreos-lab {lab} <<<"


def replace_block(text: str, lab: str, block: str) -> str:
    """``text`` with this lab's marked block replaced by ``block`` (or added at the top).

    At the top, because ssh uses the first value it finds for each option.
    """
    start, end = _markers(lab)
    marked = f"{start}\n{block}{end}\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        return before + marked + after
    return marked + ("\n" + text if text else "")


def install_block(path: Path, lab: str, block: str) -> Path:
    """Put this lab's block into the ssh config at ``path``, whole or not at all.

    A symlinked config (dotfile managers) is updated where it points, so the link stays.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        old = target.read_bytes().decode("utf-8", "surrogateescape") if target.exists() else ""
        text = replace_block(old, lab, block)
        atomic_write(target, text.encode("utf-8", "surrogateescape"), 0o600)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise LabError(
            f"Cannot write {target} ({reason}); it was left as it was, so print the block "
            "with `coreos-lab ssh-config` and add it by hand."
        ) from None
    return target
