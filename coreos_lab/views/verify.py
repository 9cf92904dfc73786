"""How `verify` and `up --wait` show a lab's readiness: a rich table, plain lines, JSON, and
a live table that follows the rounds of `up --wait`."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from coreos_lab.verify.findings import (
    CHECKS,
    FLATCAR,
    Colour,
    Finding,
    LabReadiness,
    MachineReadiness,
)

_STYLE = {Colour.GREEN: "green", Colour.AMBER: "yellow", Colour.RED: "bold red"}
_MARK = {Colour.GREEN: "✓", Colour.AMBER: "!", Colour.RED: "✗"}
_NOT_CHECKED = "·"


def readiness_as_dict(report: LabReadiness) -> dict[str, Any]:
    return {
        "lab": report.lab,
        "ready": report.ready,
        "seconds": round(report.seconds, 3),
        "summary": report.summary(),
        "machines": [
            {
                "name": m.name,
                "role": m.role,
                "address": m.address,
                "ready": m.ready,
                "checks": {x.check: {"colour": x.colour.value, "text": x.text} for x in m.findings},
            }
            for m in report.machines
        ],
    }


def _cell(finding: Finding | None) -> Text:
    if finding is None:
        return Text(_NOT_CHECKED, style="dim")
    shown = _MARK[finding.colour]
    if finding.colour is Colour.GREEN and finding.check == FLATCAR:
        shown = finding.text.split()[0]  # the version; the channel is in --json
    return Text(shown, style=_STYLE[finding.colour])


def readiness_table(report: LabReadiness) -> Table:
    columns = [c for c in CHECKS if any(m.finding(c) for m in report.machines)] or ["ssh"]
    # Machines as rows, checks as columns: 12 narrow columns fit a 100-column terminal.
    table = Table(
        title=f"Lab {report.lab}",
        title_justify="left",
        expand=False,
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    table.add_column("machine", no_wrap=True)
    for c in columns:
        table.add_column(c, no_wrap=True)
    for m in report.machines:
        name = Text(f"{'✓' if m.ready else '✗'} {m.name}", style="green" if m.ready else "bold red")
        table.add_row(name, *(_cell(m.finding(c)) for c in columns))
    return table


def _notes(report: LabReadiness) -> list[tuple[MachineReadiness, Finding]]:
    return [(m, x) for m in report.machines for x in m.findings if x.colour is not Colour.GREEN]


def render_readiness(report: LabReadiness, console: Console) -> None:
    console.print(readiness_table(report))
    for m, x in _notes(report):
        console.print(
            Text.assemble((f"{_MARK[x.colour]} {m.name} {x.check}: ", _STYLE[x.colour]), x.text)
        )
    style = "green" if report.ready else "red"
    console.print(f"[{style}]{report.summary()}[/{style}]", highlight=False)


def plain_lines(report: LabReadiness) -> list[str]:
    """One line per machine and one per amber or red finding, for pipes and logs."""
    lines = []
    for m in report.machines:
        marks = " ".join(f"{x.check}={x.colour.value}" for x in m.findings)
        lines.append(f"{m.name} {'ready' if m.ready else 'not-ready'} {marks}")
        lines += [f"  {x.check} {x.colour.value}: {x.text}" for x in m.findings if x.colour
                  is not Colour.GREEN]  # fmt: skip
    lines.append(report.summary())
    return lines


def render_plain(report: LabReadiness, out: TextIO) -> None:
    out.write("\n".join(plain_lines(report)) + "\n")
    out.flush()


class LiveReadiness:
    """`up --wait` on a terminal: the readiness table, redrawn after every round."""

    def __init__(self, console: Console, timeout: float) -> None:
        self.console = console
        self.began = time.monotonic()
        self.timeout = timeout
        self.rounds = 0
        self.live = Live(Text("Waiting for the first round of checks…"), console=console)

    def __enter__(self) -> LiveReadiness:
        self.live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.live.__exit__(kind, exc, tb)

    def __call__(self, report: LabReadiness) -> None:
        self.rounds += 1
        waited = time.monotonic() - self.began
        line = Text(
            f"round {self.rounds}: {len(report.ready_names)} of {len(report.machines)} machines "
            f"ready after {waited:.0f} s (timeout {self.timeout:.0f} s)",
            style="dim",
        )
        self.live.update(Group(readiness_table(report), line))


class PlainReadiness:
    """`up --wait` into a pipe: a line per round, and a line when a machine becomes ready."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.began = time.monotonic()
        self.ready: set[str] = set()

    def __enter__(self) -> PlainReadiness:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, report: LabReadiness) -> None:
        waited = time.monotonic() - self.began
        for name in report.ready_names:
            if name not in self.ready:
                self.out.write(f"[{waited:6.1f}s] {name} ready\n")
        self.ready = set(report.ready_names)
        waiting = [m.name for m in report.machines if not m.ready]
        if waiting:
            self.out.write(f"[{waited:6.1f}s] waiting for {', '.join(waiting)}\n")
        self.out.flush()
