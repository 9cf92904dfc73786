"""Apply a plan: start every resource whose dependencies are done, write only the difference.

Each resource's work runs in its own daemon thread (bounded by a semaphore) that blocks on the
SDK's poller; the main thread only schedules and forwards events, so Ctrl-C is handled at
once and stops scheduling without waiting for Azure.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from coreos_lab.azure import operations
from coreos_lab.azure.clients import Clients
from coreos_lab.azure.diff import Action, decide
from coreos_lab.azure.errors import describe, error_code
from coreos_lab.azure.inventory import Inventory
from coreos_lab.clouds import EMULATOR
from coreos_lab.errors import Interrupted, LabError
from coreos_lab.events import EventSink, ResourceEvent, Step
from coreos_lab.hints import lab_command
from coreos_lab.kinds import ProvisioningState
from coreos_lab.plan import LabPlan, Resource
from coreos_lab.reports import ApplyResult

# How long to wait for an operation someone else started (an interrupted `up`) to finish.
WAIT_FOR_OTHERS = 900.0
_CONFLICT_RETRIES = 5


def label(resource: Resource) -> str:
    return f"{resource.kind.label} {resource.name}"


@dataclass
class _Outcome:
    key: str
    step: Step
    message: str = ""
    wrote: bool = False


class _Worker:
    """Brings one resource to its planned state, emitting events as it goes."""

    def __init__(
        self, clients: Clients, plan: LabPlan, inventory: Inventory, sink: EventSink
    ) -> None:
        self.clients = clients
        self.resource_group = plan.settings.resource_group
        self.inventory = inventory
        self.sink = sink
        self.started: dict[str, float] = {}

    def emit(self, r: Resource, step: Step, message: str = "") -> None:
        elapsed = time.monotonic() - self.started.get(r.key, time.monotonic())
        self.sink(ResourceEvent(r.key, r.kind, r.name, step, elapsed, message))

    def run(self, r: Resource) -> _Outcome:
        self.started[r.key] = time.monotonic()
        try:
            return self._converge(r)
        except Exception as exc:
            if isinstance(exc, LabError):
                message = str(exc)
            else:
                target = self.clients.target
                message = describe(
                    exc, label(r), target.endpoint, emulator=target.cloud == EMULATOR
                )
            self.emit(r, Step.FAILED, message)
            return _Outcome(r.key, Step.FAILED, message)

    def _converge(self, r: Resource) -> _Outcome:
        actual = self.inventory.get(r.key)
        action, why = decide(r, actual)
        deadline = time.monotonic() + WAIT_FOR_OTHERS
        while action is Action.WAIT:
            # An operation from an interrupted run is still going: let it finish, then decide.
            self.emit(r, Step.CHECKING, why)
            if time.monotonic() > deadline:
                raise LabError(f"{label(r)} stayed in {why} for {WAIT_FOR_OTHERS:.0f} s")
            time.sleep(self.clients.target.polling_interval * 5)
            actual = operations.get(self.clients, self.resource_group, r.kind, r.name)
            action, why = decide(r, actual)
        if action is Action.KEEP:
            self.emit(r, Step.EXISTS, why)
            return _Outcome(r.key, Step.EXISTS)
        if action is Action.DRIFT:
            self.emit(r, Step.DRIFTED, why)
            return _Outcome(r.key, Step.DRIFTED, why)
        self.emit(r, Step.CREATING if action is Action.CREATE else Step.UPDATING, why)
        self._put(r)
        self.emit(r, Step.DONE)
        return _Outcome(r.key, Step.DONE, wrote=True)

    def _put(self, r: Resource) -> None:
        for attempt in range(_CONFLICT_RETRIES):
            try:
                answer = operations.put(self.clients, self.resource_group, r)
            except Exception as exc:
                # A conflicting operation (an interrupted run's) ends by itself; others do not.
                if (
                    error_code(exc) != "AnotherOperationInProgress"
                    or attempt == _CONFLICT_RETRIES - 1
                ):
                    raise
                time.sleep(self.clients.target.polling_interval * 10 * (attempt + 1))
                continue
            state = ProvisioningState.of(answer)
            if state.failed:
                raise LabError(f"{label(r)} ended in provisioning state {state}")
            return


def apply_plan(
    clients: Clients,
    plan: LabPlan,
    inventory: Inventory,
    sink: EventSink,
    *,
    concurrency: int = 16,
) -> ApplyResult:
    """Converge the lab on ``plan``; raises LabError naming what failed or was interrupted."""
    if not plan.complete:
        raise LabError(f"The plan is incomplete ({plan.unknowns[0]}); this is a bug in up.")
    by_key = plan.by_key()
    worker = _Worker(clients, plan, inventory, sink)
    result = ApplyResult()
    pending = dict(by_key)
    running: set[str] = set()
    outcomes: queue.Queue[_Outcome] = queue.Queue()
    slots = threading.BoundedSemaphore(concurrency)
    began = time.monotonic()

    for r in plan.resources:
        sink(ResourceEvent(r.key, r.kind, r.name, Step.WAITING))

    def start(r: Resource) -> None:
        def body() -> None:
            with slots:
                outcomes.put(worker.run(r))

        running.add(r.key)
        threading.Thread(target=body, name=f"apply {r.key}", daemon=True).start()

    try:
        while pending or running:
            for key, r in list(pending.items()):
                dep_steps = [result.steps.get(d) for d in r.depends_on]
                if any(s in (Step.FAILED, Step.SKIPPED) for s in dep_steps):
                    del pending[key]
                    result.steps[key] = Step.SKIPPED
                    sink(ResourceEvent(key, r.kind, r.name, Step.SKIPPED, 0, "a dependency failed"))
                elif all(s is not None and s.finished for s in dep_steps):
                    del pending[key]
                    start(r)
            if not running:
                continue
            outcome = outcomes.get()
            while True:
                running.discard(outcome.key)
                result.steps[outcome.key] = outcome.step
                result.writes += outcome.wrote
                if outcome.message and outcome.step is Step.FAILED:
                    result.failures[outcome.key] = outcome.message
                try:
                    outcome = outcomes.get_nowait()
                except queue.Empty:
                    break
    except KeyboardInterrupt:
        # Outcomes already queued count: they are resources that exist now, as the bar shows.
        while True:
            try:
                outcome = outcomes.get_nowait()
            except queue.Empty:
                break
            running.discard(outcome.key)
            result.steps[outcome.key] = outcome.step
        in_flight = sorted(by_key[k].name for k in running)
        done = sum(1 for s in result.steps.values() if s.present)
        for key in pending:
            r = by_key[key]
            sink(ResourceEvent(key, r.kind, r.name, Step.SKIPPED, 0, "interrupted"))
        still = f"; Azure is still creating {', '.join(in_flight)}" if in_flight else ""
        raise Interrupted(
            f"Interrupted: {done} of {len(by_key)} resources exist{still}; run "
            f"`{lab_command('up', plan.settings)}` again to finish the lab, or "
            f"`{lab_command('down', plan.settings)}` to remove it."
        ) from None
    result.seconds = time.monotonic() - began
    if result.failures:
        first = next(iter(result.failures.values()))
        more = len(result.failures) - 1
        raise LabError(
            first.rstrip(".")
            + (f" ({more} more failed)" if more else "")
            + f"; what was created stays: run `{lab_command('up', plan.settings)}` again "
            f"to finish the lab, or `{lab_command('down', plan.settings)}` to remove it."
        )
    return result
