"""The table of machines that `up` ends with and `ips` prints, and its JSON form.

An ssh command is only useful whole: a table cell wraps it over several rows and it can no
longer be pasted. So the table carries the command only when the widest one fits on the
screen beside the other columns; otherwise each machine's command is printed below the table
on its own line, never wrapped by rich (a terminal folds a long line but copies it as one).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from coreos_lab.lab.results import MachineAccess, MachineInfo
from coreos_lab.ssh.config import ssh_command
from coreos_lab.wording import plural

_COLUMNS = ("role", "name", "public IP", "private IP", "state")


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


def _table(access: MachineAccess, with_ssh: bool) -> Table:
    table = Table(title=plural(len(access.machines), "machine"), title_justify="left")
    for column in _COLUMNS + (("ssh",) if with_ssh else ()):
        table.add_column(column, no_wrap=True)
    for m in access.machines:
        state_style = "green" if m.state == "running" else "yellow"
        cells = [
            m.role,
            m.name,
            m.public_ip or "-",
            m.private_ip or "-",
            f"[{state_style}]{m.state}[/{state_style}]",
        ]
        if with_ssh:
            cells.append(ssh_line(m, access, short=True) or "-")
        table.add_row(*cells)
    return table


def _fits(table: Table, console: Console) -> bool:
    """Whether ``table`` renders at its natural width, no cell cut or wrapped."""
    measured = console.measure(table, options=console.options.update(width=10_000))
    return measured.maximum <= console.width


def render_machines(access: MachineAccess, console: Console) -> None:
    wide = _table(access, with_ssh=True)
    if _fits(wide, console):
        console.print(wide)
        return
    console.print(_table(access, with_ssh=False))
    lines = [(m.name, ssh_line(m, access, short=True)) for m in access.machines]
    if any(line for _, line in lines):
        console.print("Log in with:")
    for name, line in lines:
        if line:
            # soft_wrap: rich inserts no newline; the terminal folds it and copies it whole.
            console.print(Text(f"  {line}"), soft_wrap=True, highlight=False)
        else:
            console.print(f"  {name}: no public IP yet", highlight=False)
