"""The table of machines that `up` ends with and `ips` prints, and its JSON form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from coreos_lab.machines import MachineInfo


def machines_as_list(machines: list[MachineInfo], key_path: str) -> list[dict[str, Any]]:
    return [m.as_dict(key_path) for m in machines]


def _home_as_tilde(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home) :] if path.startswith(home + "/") else path


def render_machines(machines: list[MachineInfo], key_path: str, console: Console) -> None:
    key_path = _home_as_tilde(key_path)
    table = Table(title=f"{len(machines)} machines", title_justify="left")
    for column in ("role", "name", "public IP", "private IP", "state", "ssh"):
        table.add_column(column, no_wrap=column != "ssh")
    for m in machines:
        state_style = "green" if m.state == "running" else "yellow"
        table.add_row(
            m.role,
            m.name,
            m.public_ip or "-",
            m.private_ip or "-",
            f"[{state_style}]{m.state}[/{state_style}]",
            m.ssh_command(key_path) or "-",
        )
    console.print(table)
