"""`class up`'s views: a live row per student and a total bar; plain lines in a pipe; JSON.

Each is an event sink (the engine calls it from many threads, so it holds a lock); events
name their lab (``event.lab``), which is how a row finds its student.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from coreos_lab.classroom.results import ClassUpResult
from coreos_lab.lab.events import Event, PhaseEvent, PlanEvent, ResourceEvent, Step
from coreos_lab.views.ips import machines_as_list
from coreos_lab.views.pipes import Lines


@dataclass
class _LabRow:
    """Where one student's lab stands: each resource's step, when its work began."""

    steps: dict[str, Step] = field(default_factory=dict)
    started: float | None = None
    finished: float | None = None
    phase: str = "waiting"
    failed: bool = False

    @property
    def present(self) -> int:
        return sum(1 for s in self.steps.values() if s.present)

    @property
    def state(self) -> str:
        if self.failed:
            return "failed"
        if self.steps and all(s.finished for s in self.steps.values()):
            return "done" if self.present == len(self.steps) else "stopped"
        if any(s in (Step.CREATING, Step.UPDATING, Step.CHECKING) for s in self.steps.values()):
            return "building"
        return self.phase


class ClassBoard:
    """What every class view knows: a row per lab, updated from events."""

    def __init__(self) -> None:
        self.rows: dict[str, _LabRow] = {}
        self.lock = threading.Lock()

    def update(self, event: Event) -> tuple[_LabRow, bool]:
        """Apply ``event``; the row and whether its state changed. Call under the lock."""
        row = self.rows.setdefault(event.lab, _LabRow())
        before = row.state
        if isinstance(event, PlanEvent):
            row.steps = {key: row.steps.get(key, Step.WAITING) for key, _, _ in event.resources}
        elif isinstance(event, PhaseEvent):
            if not event.done:
                row.phase = event.phase
            if event.done and not event.ok:
                row.failed = True
        elif isinstance(event, ResourceEvent):
            row.steps[event.key] = event.step
            if event.step is Step.FAILED:
                row.failed = True
            if event.step is not Step.WAITING:
                row.phase = "building"  # between two resources' operations too
                if row.started is None:
                    row.started = time.monotonic() - event.elapsed
            if row.steps and all(s.finished for s in row.steps.values()):
                row.finished = row.finished or time.monotonic()
        return row, row.state != before

    def totals(self) -> tuple[int, int]:
        labs = [r for name, r in self.rows.items() if name]
        return sum(r.present for r in labs), sum(len(r.steps) for r in labs)


def _elapsed(row: _LabRow, now: float) -> str:
    if row.started is None:
        return ""
    return f"{(row.finished or now) - row.started:.0f}s"


class LiveClass(ClassBoard):
    """On a terminal: a row per student (done/total, state, elapsed) and the class's bar."""

    def __init__(self, console: Console, title: str) -> None:
        super().__init__()
        self.console = console
        self.phases: dict[str, tuple[str, bool, bool]] = {}
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.task = self.bar.add_task(title, total=None)
        self.live = Live(console=console, refresh_per_second=4, get_renderable=self._render)

    def __enter__(self) -> LiveClass:
        self.live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.live.__exit__(exc_type, exc, tb)

    def __call__(self, event: Event) -> None:
        with self.lock:
            if isinstance(event, PhaseEvent) and not event.lab:
                self.phases[event.phase] = (event.message, event.done, event.ok)
                return
            if event.lab:
                self.update(event)
                done, total = self.totals()
                self.bar.update(self.task, total=total or None, completed=done)

    def _render(self) -> Group:
        with self.lock:
            phases = Text()
            for message, done, ok in self.phases.values():
                mark, style = ("✓ ", "green") if ok else ("✗ ", "red")
                phases.append(mark if done else "… ", style=style if done else "yellow")
                phases.append(message + "\n")
            table = Table(box=None, pad_edge=False)
            for column in ("lab", "resources", "state", "time"):
                table.add_column(column, justify="right" if column == "time" else "left")
            now = time.monotonic()
            rows = [(name, row) for name, row in self.rows.items() if name]
            room = max(self.console.height - len(self.phases) - 5, 1)
            hidden = 0
            if len(rows) > room:
                # Finished labs make room for the ones still moving.
                moving = [(n, r) for n, r in rows if r.state != "done"]
                hidden = len(rows) - len(moving)
                rows = moving[:room]
            for name, row in rows:
                state = row.state
                style = {"done": "green", "failed": "bold red", "building": "cyan"}.get(state, "")
                table.add_row(
                    name,
                    f"{row.present}/{len(row.steps)}",
                    Text(state, style=style),
                    _elapsed(row, now),
                )
            if hidden:
                table.add_row(Text(f"… and {hidden} done", style="dim"), "", "", "")
            return Group(phases, table, self.bar)


class PlainClass(ClassBoard):
    """In a pipe or a log: a timestamped line each time a lab changes state (not for each
    resource: a class of 30 is 570 of them), and each failure."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.out = Lines(stream)

    def __enter__(self) -> PlainClass:
        return self

    def __exit__(self, *exc: object) -> None:
        self.out.flush()

    def __call__(self, event: Event) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(event.at))
        with self.lock:
            if isinstance(event, PhaseEvent) and not event.lab:
                mark = ("done " if event.ok else "FAIL ") if event.done else "start"
                self.out.print(f"{stamp} {mark} {event.message}")
                return
            if not event.lab:
                return
            row, changed = self.update(event)
            failed = isinstance(event, ResourceEvent) and event.step is Step.FAILED
            if changed or failed:
                line = f"{stamp} {event.lab:<24} {row.present}/{len(row.steps)} {row.state}"
                if failed and isinstance(event, ResourceEvent):
                    line += f": {event.message}"
                self.out.print(line)


def class_up_as_dict(result: ClassUpResult) -> dict[str, Any]:
    return {
        "labs": [
            {
                "student": lab.student,
                "lab": lab.lab,
                "resource_group": lab.resource_group,
                "complete": lab.complete,
                "resources": lab.resources,
                "present": lab.present,
                "writes": lab.writes,
                "seconds": round(lab.seconds, 2),
                "error": lab.error or None,
                "machines": machines_as_list(lab.access) if lab.access else [],
            }
            for lab in result.labs
        ],
        "complete": len(result.labs) - len(result.failed),
        "writes": result.writes,
        "seconds": round(result.seconds, 2),
        "requests": result.requests,
        "throttled": result.throttled,
    }


def render_class_up(result: ClassUpResult, console: Console) -> None:
    """A line per lab that did not finish; one line for the class."""
    for lab in result.failed:
        console.print(f"[red]{lab.lab}:[/red] {lab.error or 'not complete'}")
    done = len(result.labs) - len(result.failed)
    verb = "built" if result.writes else "already complete; nothing was written"
    style = "bold green" if not result.failed else "bold yellow"
    console.print(
        f"[{style}]{done} of {len(result.labs)} labs {verb if not result.failed else 'complete'} "
        f"in {result.seconds:.0f} s.[/{style}]"
    )
