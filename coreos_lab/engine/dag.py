"""The parallel DAG: start every resource whose dependencies are done, across many labs.

A resource waits only for its own dependencies, never for another lab's. Each one in flight
blocks in its own thread on the cloud's step (azure/converge.py), paced by the cloud's budget;
the main thread only schedules, so Ctrl-C stops at once. Why: docs/performance.md, "The design"."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.converge import Converger
from coreos_lab.azure.inventory import Inventory
from coreos_lab.errors import Interrupted, LabError
from coreos_lab.lab.events import EventSink, ResourceEvent, Step
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.plan import LabPlan, Resource
from coreos_lab.lab.results import ApplyResult

# Resources in flight at once. Each is a thread blocked on the cloud; the pace of requests is
# the budget's. High enough that a class of 30 labs (570 resources) never waits for a slot.
CONCURRENCY = 1024

StepFn = Callable[[int, Resource], tuple[Step, str, bool]]
"""A resource of lab ``i`` brought to its planned state: (how it ended, a message, wrote?)."""


class DagLab(Protocol):
    """One lab of a run: its plan and its name in events ("" when the run is one lab)."""

    @property
    def plan(self) -> LabPlan: ...

    @property
    def lab(self) -> str: ...


@dataclass(frozen=True)
class LabWork:
    """One lab of an Azure run: its plan, what its group holds now, its name in events."""

    plan: LabPlan
    inventory: Inventory
    lab: str = ""  # "" when the run is about one lab: events then carry no lab


@dataclass
class _Outcome:
    lab: int
    key: str
    step: Step
    message: str = ""
    wrote: bool = False


def _outcome(i: int, r: Resource, step: StepFn) -> _Outcome:
    done, message, wrote = step(i, r)
    return _Outcome(i, r.key, done, message, wrote)


class LabsInterrupted(Interrupted):
    """Ctrl-C during an apply: per lab, where each resource stood, and what was in flight."""

    def __init__(self, results: list[ApplyResult], in_flight: list[list[str]]) -> None:
        super().__init__("Interrupted while applying")
        self.results = results
        self.in_flight = in_flight


def schedule(
    labs: Sequence[DagLab],
    step: StepFn,
    sink: EventSink,
    *,
    concurrency: int = CONCURRENCY,
) -> list[ApplyResult]:
    """Run ``step`` on every resource of every lab, as one DAG; a result per lab, in order.

    A resource starts once its dependencies have finished; a failed one skips what depends
    on it and nothing else: its lab's result names it (``failures``), the other labs go on.
    Ctrl-C raises LabsInterrupted with where each lab stood.
    """
    for work in labs:
        if not work.plan.complete:
            raise LabError(
                f"The plan is incomplete ({work.plan.unknowns[0]}); this is a bug in up."
            )
    by_key = [work.plan.by_key() for work in labs]
    results = [ApplyResult() for _ in labs]
    began = time.monotonic()
    # Every resource, and what waits on it, across all labs: (lab index, key).
    pending: dict[tuple[int, str], Resource] = {}
    dependants: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for i, work in enumerate(labs):
        for r in work.plan.resources:
            pending[(i, r.key)] = r
            for d in r.depends_on:
                dependants.setdefault((i, d), []).append((i, r.key))
    running: set[tuple[int, str]] = set()
    outcomes: queue.Queue[_Outcome] = queue.Queue()
    slots = threading.BoundedSemaphore(concurrency)

    for work in labs:
        for r in work.plan.resources:
            sink(ResourceEvent(r.key, r.kind, r.name, Step.WAITING, lab=work.lab))

    def start(i: int, r: Resource) -> None:
        def body() -> None:
            with slots:
                outcomes.put(_outcome(i, r, step))

        running.add((i, r.key))
        threading.Thread(target=body, name=f"apply {i} {r.key}", daemon=True).start()

    def consider(i: int, key: str) -> None:
        """Start the resource, skip it, or leave it pending, as its dependencies stand."""
        r = pending.get((i, key))
        if r is None:
            return
        dep_steps = [results[i].steps.get(d) for d in r.depends_on]
        if any(s in (Step.FAILED, Step.SKIPPED) for s in dep_steps):
            del pending[(i, key)]
            results[i].steps[key] = Step.SKIPPED
            sink(
                ResourceEvent(
                    key, r.kind, r.name, Step.SKIPPED, 0, "a dependency failed", lab=labs[i].lab
                )
            )
            for after in dependants.get((i, key), []):
                consider(*after)
        elif all(s is not None and s.finished for s in dep_steps):
            del pending[(i, key)]
            start(i, r)

    def record(outcome: _Outcome) -> None:
        running.discard((outcome.lab, outcome.key))
        result = results[outcome.lab]
        result.steps[outcome.key] = outcome.step
        result.writes += outcome.wrote
        result.seconds = time.monotonic() - began
        if outcome.message and outcome.step is Step.FAILED:
            result.failures[outcome.key] = outcome.message

    try:
        for i, key in list(pending):
            consider(i, key)
        while running:
            outcome = outcomes.get()
            while True:
                record(outcome)
                for after in dependants.get((outcome.lab, outcome.key), []):
                    consider(*after)
                try:
                    outcome = outcomes.get_nowait()
                except queue.Empty:
                    break
    except KeyboardInterrupt:
        # Outcomes already queued count: they are resources that exist now, as the bar shows.
        while True:
            try:
                record(outcomes.get_nowait())
            except queue.Empty:
                break
        for (i, key), r in pending.items():
            sink(
                ResourceEvent(key, r.kind, r.name, Step.SKIPPED, 0, "interrupted", lab=labs[i].lab)
            )
        in_flight: list[list[str]] = [[] for _ in labs]
        for i, key in running:
            in_flight[i].append(by_key[i][key].name)
        raise LabsInterrupted(results=results, in_flight=[sorted(f) for f in in_flight]) from None
    return results


def apply_labs(
    clients: Clients,
    labs: Sequence[LabWork],
    sink: EventSink,
    *,
    concurrency: int = CONCURRENCY,
) -> list[ApplyResult]:
    """Converge every lab on its plan in Azure, as one DAG; a result per lab, in order."""
    convergers = [
        Converger(clients, w.plan.settings.resource_group, w.inventory, sink, w.lab) for w in labs
    ]
    return schedule(labs, lambda i, r: convergers[i].run(r), sink, concurrency=concurrency)


def apply_plan(
    clients: Clients,
    plan: LabPlan,
    inventory: Inventory,
    sink: EventSink,
    *,
    concurrency: int = CONCURRENCY,
) -> ApplyResult:
    """Converge one lab on ``plan``; raises LabError naming what failed or was interrupted."""
    began = time.monotonic()
    try:
        [result] = apply_labs(clients, [LabWork(plan, inventory)], sink, concurrency=concurrency)
    except LabsInterrupted as stopped:
        raise Interrupted(
            interrupted_sentence(plan, stopped.results[0], stopped.in_flight[0])
        ) from None
    result.seconds = time.monotonic() - began
    if result.failures:
        raise LabError(failed_sentence(plan, result))
    return result


def interrupted_sentence(plan: LabPlan, result: ApplyResult, in_flight: list[str]) -> str:
    """What exists of an interrupted lab, and the commands that finish or remove it."""
    done = sum(1 for s in result.steps.values() if s.present)
    still = f"; Azure is still creating {', '.join(in_flight)}" if in_flight else ""
    return (
        f"Interrupted: {done} of {len(plan.resources)} resources exist{still}; run "
        f"`{lab_command('up', plan.settings)}` again to finish the lab, or "
        f"`{lab_command('down', plan.settings)}` to remove it."
    )


def failed_sentence(plan: LabPlan, result: ApplyResult) -> str:
    """The first failure of a lab, how many more, and the commands that finish or remove it."""
    first = next(iter(result.failures.values()))
    more = len(result.failures) - 1
    return (
        first.rstrip(".")
        + (f" ({more} more failed)" if more else "")
        + f"; what was created stays: run `{lab_command('up', plan.settings)}` again "
        f"to finish the lab, or `{lab_command('down', plan.settings)}` to remove it."
    )
