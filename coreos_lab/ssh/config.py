"""How to reach the lab's machines with OpenSSH: the one command line and a config block. Pure.

Host keys: the first connection to each machine records its key in a known_hosts file of the
lab's own (``accept-new``: trust on first use, refuse a changed key afterwards). A file per lab
keeps those keys out of ~/.ssh/known_hosts, because Azure hands a deleted lab's public IPs
to other VMs and a later lab at the same address would otherwise trip ssh's warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from coreos_lab.errors import UsageError
from coreos_lab.lab.plan import ADMIN_USER
from coreos_lab.lab.results import MachineInfo


def ssh_options(key_path: str, known_hosts: Path) -> list[str]:
    """The options every ssh of a lab takes: its key alone, its own known_hosts, TOFU."""
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
    return ssh_argv(machine.public_ip, key_path, known_hosts, command=command)


def ssh_argv(
    address: str,
    key_path: str,
    known_hosts: Path,
    *,
    options: Sequence[str] = (),
    command: Sequence[str] = (),
) -> list[str]:
    """The ssh command line to a lab machine, for `coreos-lab ssh` and `verify` alike."""
    return [
        "ssh",
        *ssh_options(key_path, known_hosts),
        *options,
        f"{ADMIN_USER}@{address}",
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


def alias(lab: str, machine: str, *, prefixed: bool) -> str:
    """The Host alias of ``machine``: ``host0``, or ``<lab>-host0`` when labs share a file."""
    return f"{lab}-{machine}" if prefixed else machine


def config_block(
    machines: Sequence[MachineInfo],
    key_path: str | None,
    known_hosts: Path | str,
    lab: str,
    *,
    prefixed: bool = False,
) -> str:
    """An OpenSSH config block with one Host per machine, so `ssh host0` works.

    ``prefixed`` names each Host ``<lab>-<machine>`` (see ``merge_block``). Without
    ``key_path`` the block names no IdentityFile: a student who brought her own key logs in
    with it, and ssh tries her default keys (~/.ssh/id_*).
    """
    lines = [f"# coreos-lab lab '{lab}': written by `coreos-lab ssh-config`"]
    for m in machines:
        if not m.public_ip:
            continue
        lines += [
            f"Host {alias(lab, m.name, prefixed=prefixed)}",
            f"    HostName {m.public_ip}",
            f"    User {ADMIN_USER}",
        ]
        if key_path is not None:
            lines += [f"    IdentityFile {config_word(key_path)}", "    IdentitiesOnly yes"]
        lines += [
            "    StrictHostKeyChecking accept-new",
            f"    UserKnownHostsFile {config_word(str(known_hosts))}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _markers(lab: str) -> tuple[str, str]:
    return f"# >>> coreos-lab {lab} >>>", f"# <<< coreos-lab {lab} <<<"


_MARKER = re.compile(r"^# >>> coreos-lab (\S+) >>>$", re.M)


def labs_in(text: str) -> list[str]:
    """The labs whose marked blocks ``text`` holds, in order."""
    return _MARKER.findall(text)


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


def _prefix_hosts(text: str, lab: str) -> str:
    """``lab``'s marked block in ``text`` with each ``Host machine`` as ``Host lab-machine``."""
    start, end = _markers(lab)
    if start not in text or end not in text:
        return text
    before, rest = text.split(start, 1)
    inside, after = rest.split(end, 1)
    lines = []
    for line in inside.split("\n"):
        if line.startswith("Host ") and not line[5:].startswith(f"{lab}-"):
            line = f"Host {alias(lab, line[5:].strip(), prefixed=True)}"
        lines.append(line)
    return before + start + "\n".join(lines) + end + after


def merge_block(text: str, lab: str, block: str) -> str:
    """``text`` with this lab's block put in, aliases prefixed whenever labs share the file.

    Two labs both have a ``host0``: ssh takes the first ``Host host0`` it finds, so the
    second lab's would be silently unreachable by its alias. So once the file holds more than
    one lab, every lab's aliases become ``<lab>-<machine>`` (those of the labs already there
    too); a file of one lab keeps the short ``host0``. ``block`` is written unprefixed.
    """
    merged = replace_block(text, lab, block)
    labs = labs_in(merged)
    if len(labs) > 1:
        for each in labs:
            merged = _prefix_hosts(merged, each)
    return merged
