"""The table of machines that `up` ends with and `ips` prints, and its JSON form."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from coreos_lab.reports import MachineAccess, MachineInfo
from coreos_lab.sshconfig import ssh_command


def _home_as_tilde(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home) :] if path.startswith(home + "/") else path


def ssh_line(m: MachineInfo, access: MachineAccess, *, short: bool = False) -> str | None:
    """The command that logs in to ``m``: the one `coreos-lab ssh --print` prints.

    It keeps host keys in the lab's own known_hosts file, not ~/.ssh/known_hosts (see
    sshconfig). ``short`` writes the home directory as ~ for people.
    """
    if not m.public_ip:
        return None
    key, known = access.key_path, access.known_hosts
    if short:
        key, known = _home_as_tilde(key), _home_as_tilde(known)
    return shlex.join(ssh_command(m, key, Path(known)))


def machines_as_list(access: MachineAccess) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "role": m.role,
            "public_ip": m.public_ip,
            "private_ip": m.private_ip,
            "state": m.state,
            "ssh": ssh_line(m, access),
        }
        for m in access.machines
    ]


def render_machines(access: MachineAccess, console: Console) -> None:
    table = Table(title=f"{len(access.machines)} machines", title_justify="left")
    for column in ("role", "name", "public IP", "private IP", "state", "ssh"):
        table.add_column(column, no_wrap=column != "ssh")
    for m in access.machines:
        state_style = "green" if m.state == "running" else "yellow"
        table.add_row(
            m.role,
            m.name,
            m.public_ip or "-",
            m.private_ip or "-",
            f"[{state_style}]{m.state}[/{state_style}]",
            ssh_line(m, access, short=True) or "-",
        )
    console.print(table)
