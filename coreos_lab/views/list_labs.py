"""What `coreos-lab list` shows: every lab known here or in Azure, and its JSON form."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from coreos_lab.lab.results import KnownLab
from coreos_lab.wording import plural


def where(lab: KnownLab) -> str:
    if lab.local and lab.in_azure:
        return "here (state unreadable) and in Azure" if lab.unreadable else "here and in Azure"
    if lab.in_azure:
        return "only in Azure"
    return "only here" + (f" ({lab.elsewhere})" if lab.elsewhere else "")


def machines_summary(lab: KnownLab) -> str:
    """``3 etcd + 2 host``: the machines by role, in the order they were listed."""
    if not lab.machines:
        return "-"
    counts = Counter(m.role for m in lab.machines)
    return " + ".join(f"{n} {role}" for role, n in counts.items())


def age(created: str | None, now: datetime | None = None) -> str:
    """``2d 3h``, ``3h 5m``, ``12m``: how long ago ``created`` (ISO 8601) was."""
    if not created:
        return "-"
    try:
        then = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return "-"
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    minutes = max(0, int(((now or datetime.now(UTC)) - then).total_seconds() // 60))
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


def labs_as_list(labs: list[KnownLab]) -> list[dict[str, Any]]:
    return [
        {
            **dataclasses.asdict(lab),
            "where": where(lab),
            "machines": [dataclasses.asdict(m) for m in lab.machines],
        }
        for lab in labs
    ]


def _row(lab: KnownLab) -> list[str]:
    return [
        lab.lab,
        lab.student or "-",
        where(lab),
        machines_summary(lab),
        lab.state,
        age(lab.created),
        lab.location or "-",
    ]


_COLUMNS = ("lab", "student", "known", "machines", "state", "age", "location")


def _title(labs: list[KnownLab]) -> str:
    azure = sum(1 for lab in labs if lab.in_azure)
    return f"{plural(len(labs), 'lab')}: {azure} in Azure, {len(labs) - azure} only here"


def render_list(labs: list[KnownLab], console: Console) -> None:
    if not labs:
        console.print("No labs: this machine keeps none, and the subscription holds none.")
        return
    table = Table(title=_title(labs), title_justify="left")
    for column in _COLUMNS:
        table.add_column(column)
    for lab in labs:
        cells = [escape(c) for c in _row(lab)]
        if lab.unreadable or not (lab.local and lab.in_azure):
            cells[2] = f"[yellow]{cells[2]}[/yellow]"
        table.add_row(*cells)
    console.print(table)
    broken = [lab.lab for lab in labs if lab.unreadable]
    if broken:
        console.print(
            f"[yellow]This machine cannot read the state of {', '.join(map(escape, broken))}; "
            f"`coreos-lab ips --name {escape(broken[0])}` says why and what to do.[/yellow]"
        )


def render_list_plain(labs: list[KnownLab], stream: TextIO) -> None:
    """One tab-separated line per lab, in the table's columns; a header line first."""
    print("\t".join(_COLUMNS), file=stream)
    for lab in labs:
        print("\t".join(_row(lab)), file=stream)
