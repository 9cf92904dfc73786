"""Progress views: a rich live table on a terminal, timestamped plain lines elsewhere.

Both are event sinks (callables taking an Event); the engine calls them from its worker
threads, so each guards its state with a lock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from coreos_lab.lab.events import Event, PhaseEvent, PlanEvent, Step
from coreos_lab.lab.kinds import label_of
from coreos_lab.views.pipes import Lines

_STYLES = {
    Step.WAITING: "dim",
    Step.CHECKING: "yellow",
    Step.EXISTS: "green",
    Step.CREATING: "cyan",
    Step.UPDATING: "cyan",
    Step.DELETING: "magenta",
    Step.DONE: "bold green",
    Step.FAILED: "bold red",
    Step.SKIPPED: "dim red",
    Step.DRIFTED: "yellow",
}


@dataclass
class _Row:
    kind: str
    name: str
    step: Step
    started: float | None
    elapsed: float
    message: str


class LiveProgress:
    """One row per resource (kind, name, state, elapsed), an overall bar and phase lines."""

    def __init__(self, console: Console, title: str) -> None:
        self.console = console
        self.title = title
        self.rows: dict[str, _Row] = {}
        self.phases: dict[str, tuple[str, bool, bool]] = {}
        self.lock = threading.Lock()
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.task = self.bar.add_task(title, total=None)
        self.live = Live(
            self._render(), console=console, refresh_per_second=8, get_renderable=self._render
        )

    def __enter__(self) -> LiveProgress:
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
            if isinstance(event, PhaseEvent):
                self.phases[event.phase] = (event.message, event.done, event.ok)
                return
            if isinstance(event, PlanEvent):
                self._plan(event)
                return
            row = self.rows.get(event.key)
            started = row.started if row else None
            if started is None and event.step not in (Step.WAITING,):
                started = time.monotonic() - event.elapsed
            self.rows[event.key] = _Row(
                event.kind, event.name, event.step, started, event.elapsed, event.message
            )
            self._update_bar()

    def _plan(self, event: PlanEvent) -> None:
        """Rows for exactly the plan's resources, in its order, keeping what they show."""
        rows = {}
        for key, kind, name in event.resources:
            rows[key] = self.rows.get(key) or _Row(kind, name, Step.WAITING, None, 0.0, "")
        self.rows = rows
        self._update_bar()

    def _update_bar(self) -> None:
        present = sum(1 for r in self.rows.values() if r.step.present)
        self.bar.update(self.task, total=len(self.rows), completed=present)

    def _render(self) -> Group:
        with self.lock:
            if not self.rows and not self.phases:
                # Nothing until the engine names the resources: no empty header, no "0/?".
                return Group()
            phases = Text()
            for message, done, ok in self.phases.values():
                if done and not ok:
                    phases.append("✗ ", style="bold red")
                else:
                    phases.append("✓ " if done else "… ", style="green" if done else "yellow")
                phases.append(message + "\n")
            table = Table(box=None, pad_edge=False, expand=False)
            table.add_column("resource", style="dim")
            table.add_column("name")
            table.add_column("state")
            table.add_column("time", justify="right")
            table.add_column("")
            now = time.monotonic()
            rows = list(self.rows.values())
            # On a short terminal, finished rows make room for the ones still moving.
            # phase lines, the table's header, two summary rows, the bar, the prompt's line
            room = max(self.console.height - len(self.phases) - 6, 1)
            hidden = waiting = 0
            if len(rows) > room:
                keep = [r for r in rows if not r.step.finished or r.step is Step.FAILED]
                hidden = len(rows) - len(keep)
                rows = keep
            if len(rows) > room:
                # Still too many: what moves stays, the waiting ones are counted, never cut
                # by the terminal's edge (which would hide the bar).
                moving = [r for r in rows if r.step is not Step.WAITING]
                waiters = [r for r in rows if r.step is Step.WAITING]
                shown = waiters[: max(room - len(moving), 0)]
                waiting = len(waiters) - len(shown)
                rows = [r for r in rows if r.step is not Step.WAITING or r in shown]
            for row in rows:
                elapsed = row.elapsed
                if row.started is not None and not row.step.finished:
                    elapsed = now - row.started
                table.add_row(
                    label_of(row.kind),
                    row.name,
                    Text(row.step.value, style=_STYLES[row.step]),
                    f"{elapsed:.0f}s" if row.started is not None else "",
                    Text(row.message, style="red" if row.step is Step.FAILED else "dim"),
                )
            if hidden:
                table.add_row("", Text(f"… and {hidden} finished", style="dim"), "", "", "")
            if waiting:
                table.add_row("", Text(f"… and {waiting} waiting", style="dim"), "", "", "")
            return Group(phases, table, self.bar)


class PlainProgress:
    """Timestamped lines, one per change of a resource's state: for logs and pipes."""

    def __init__(self, stream: TextIO) -> None:
        # The reader may go away (`up | head`): then writing stops and the work goes on.
        self.out = Lines(stream)
        self.lock = threading.Lock()
        self.last: dict[str, Step] = {}
        self.last_progress: dict[str, float] = {}

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.out.flush()

    def __call__(self, event: Event) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(event.at))
        with self.lock:
            if isinstance(event, PlanEvent):
                return
            if isinstance(event, PhaseEvent):
                mark = ("done " if event.ok else "FAIL ") if event.done else "start"
                line = f"{stamp} {mark} {event.message}"
            else:
                if event.step is Step.WAITING:
                    return
                repeat = self.last.get(event.key) is event.step
                if repeat and time.monotonic() - self.last_progress.get(event.key, 0) < 10:
                    return
                self.last[event.key] = event.step
                self.last_progress[event.key] = time.monotonic()
                kind = label_of(event.kind)
                line = f"{stamp} {event.step.value:<9} {kind} {event.name}"
                if event.elapsed:
                    line += f" ({event.elapsed:.1f}s)"
                if event.message:
                    line += f": {event.message}"
            self.out.print(line)


class SilentProgress:
    """For --json: the result is the output, progress would only corrupt it."""

    def __enter__(self) -> SilentProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, event: Event) -> None:
        return None
