"""What `class ips` and `class down` show: every student's lab in one view, and its JSON.

A terminal gets one table of every student's machines (the ssh commands below it when they
do not fit, as `ips` does); a pipe gets plain lines, one per machine, for grep and scripts.
A lab that is not built, or that cannot be read, is one line of its own.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from coreos_lab.classroom.results import ClassDownResult, ClassLabMachines, ClassLabPreview
from coreos_lab.views.down import render_preview
from coreos_lab.views.ips import machines_as_list, ssh_line
from coreos_lab.wording import plural


def _status(entry: ClassLabMachines) -> str:
    if entry.missing:
        return "missing"
    return "error" if entry.problem else "ok"


def _absent(entry: ClassLabMachines) -> str:
    """Why a lab shows no machines, in a few words."""
    if entry.missing:
        return f"no lab (no resource group {entry.resource_group})"
    if entry.problem:
        return f"cannot show: {entry.problem}"
    return "no machines yet"


def _short_absent(e: ClassLabMachines) -> str:
    """The state cell of a lab without machines; a problem's sentence goes below the table."""
    if e.missing:
        return "no lab"
    return "see below" if e.problem else "no machines yet"


def class_machines_as_list(entries: list[ClassLabMachines]) -> list[dict[str, Any]]:
    return [
        {
            "student": e.student,
            "lab": e.lab,
            "resource_group": e.resource_group,
            "status": _status(e),
            "problem": e.problem,
            "machines": machines_as_list(e.access) if e.access else [],
        }
        for e in entries
    ]


def _summary(entries: list[ClassLabMachines]) -> str:
    built = [e for e in entries if e.access]
    machines = sum(len(e.machines) for e in entries)
    return f"{plural(len(entries), 'lab')}, {len(built)} built, {plural(machines, 'machine')}"


def render_class_plain(entries: list[ClassLabMachines], stream: TextIO) -> None:
    """One line per machine: student, lab, machine, role, public IP, private IP, state, ssh."""
    for e in entries:
        if not e.machines:
            print(f"{e.student}\t{e.lab}\t-\t-\t-\t-\t{_absent(e)}", file=stream)
        for m in e.machines:
            line = ssh_line(m, e.access) if e.access else None
            cells = [e.student, e.lab, m.name, m.role, m.public_ip or "-", m.private_ip or "-"]
            print("\t".join([*cells, m.state, line or "-"]), file=stream)
    print(_summary(entries), file=stream)


def _table(entries: list[ClassLabMachines], with_ssh: bool) -> Table:
    table = Table(title=_summary(entries), title_justify="left")
    columns = ("student", "lab", "machine", "role", "public IP", "private IP", "state")
    for column in columns + (("ssh",) if with_ssh else ()):
        table.add_column(column, no_wrap=column != "state")
    for e in entries:
        if not e.machines:
            absent = f"[yellow]{_short_absent(e)}[/yellow]"
            table.add_row(escape(e.student), escape(e.lab), "-", "-", "-", "-", absent)
            continue
        for i, m in enumerate(e.machines):
            style = "green" if m.state == "running" else "yellow"
            cells = [
                escape(e.student) if i == 0 else "",
                escape(e.lab) if i == 0 else "",
                m.name,
                m.role,
                m.public_ip or "-",
                m.private_ip or "-",
                f"[{style}]{m.state}[/{style}]",
            ]
            if with_ssh:
                line = ssh_line(m, e.access, short=True) if e.access else None
                cells.append(escape(line or "-"))
            table.add_row(*cells, end_section=i == len(e.machines) - 1)
    return table


def render_class_machines(entries: list[ClassLabMachines], console: Console) -> None:
    wide = _table(entries, with_ssh=True)
    measured = console.measure(wide, options=console.options.update(width=10_000))
    if measured.maximum <= console.width:
        console.print(wide)
    else:
        console.print(_table(entries, with_ssh=False))
        lines = [(e, m) for e in entries if e.access for m in e.machines if m.public_ip]
        if lines:
            console.print("Log in with:")
        for e, m in lines:
            assert e.access is not None
            # The shell comment names the machine and the command still pastes as it is.
            line = f"  {ssh_line(m, e.access, short=True)}  # {e.student} {m.name}"
            console.print(Text(line), soft_wrap=True)
    for e in entries:
        if e.missing:
            console.print(
                f"{escape(e.lab)} ({escape(e.student)}): no resource group "
                f"{escape(e.resource_group)}; the lab is not built, or was deleted.",
                highlight=False,
            )
        elif e.problem:
            console.print(
                f"[yellow]{escape(e.lab)} ({escape(e.student)}):[/yellow] {escape(e.problem)}",
                highlight=False,
            )


# ---- class down --------------------------------------------------------------------------


def class_preview_as_list(entries: list[ClassLabPreview]) -> list[dict[str, Any]]:
    return [
        {
            "student": e.student,
            "lab": e.lab,
            "problem": e.problem,
            **(dataclasses.asdict(e.preview) if e.preview else {}),
        }
        for e in entries
    ]


def to_delete(entries: list[ClassLabPreview]) -> list[ClassLabPreview]:
    return [e for e in entries if e.preview and e.preview.exists]


def render_class_preview(entries: list[ClassLabPreview], console: Console) -> None:
    """Every group and its machines (and what coreos-lab did not create) before it asks."""
    for e in entries:
        if e.problem:
            console.print(
                f"[bold red]Lab {escape(e.lab)} ({escape(e.student)}): not deleted:[/bold red] "
                f"{escape(e.problem)}",
                highlight=False,
            )
        elif e.preview and e.preview.exists:
            render_preview(e.preview, e.lab, console)
        elif e.preview:
            console.print(
                f"Lab {escape(e.lab)} ({escape(e.student)}): no resource group "
                f"{escape(e.preview.resource_group)}, nothing to delete.",
                highlight=False,
            )
    doomed = to_delete(entries)
    machines = sum(len(e.preview.machines) for e in doomed if e.preview)
    console.print(
        f"[bold]{plural(len(doomed), 'resource group')} to delete, with "
        f"{plural(machines, 'machine')}.[/bold]",
        highlight=False,
    )


def class_down_as_dict(result: ClassDownResult) -> dict[str, Any]:
    return {
        "labs": [dataclasses.asdict(lab) for lab in result.labs],
        "failed": [lab.lab for lab in result.failed],
        "left": list(result.left),
    }


def render_class_down(result: ClassDownResult, again: str, console: Console) -> None:
    """How each lab ended, the groups left (0 when all went well), and how to finish."""
    for lab in result.labs:
        if lab.problem:
            console.print(
                f"[bold red]{escape(lab.lab)} ({escape(lab.student)}) failed:[/bold red] "
                f"{escape(lab.problem)} Finish it with `{escape(lab.again)}`.",
                highlight=False,
            )
        elif lab.deleted:
            console.print(f"{escape(lab.lab)}: deleted.", highlight=False)
        else:
            console.print(f"{escape(lab.lab)}: already gone.", highlight=False)
    deleted = sum(1 for lab in result.labs if lab.deleted)
    left = ", ".join(result.left)
    console.print(
        f"{plural(deleted, 'lab')} deleted; {len(result.left)} left"
        + (f" ({escape(left)})." if result.left else "."),
        highlight=False,
    )
    if result.failed:
        console.print(
            f"{plural(len(result.failed), 'lab')} failed: fix what is said above, then run "
            f"`{escape(again)}` again (the labs already gone are skipped).",
            highlight=False,
        )
