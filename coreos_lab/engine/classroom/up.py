"""`class up`: one lab per student, every lab's checks before the first write, then one DAG.

Each student's lab is what `up --name <prefix>-<student>` builds (the same key, token, image
versions, state, tags and identity; engine/build.py's steps, lab by lab), so every lab
command works on it with --name. What differs is the order: every lab is read and checked
before anything is written to Azure, and then all the labs' resources are applied as one DAG
(engine/dag.py), so a student's VM waits only for its own NIC and storage account.
"""

from __future__ import annotations

import dataclasses
import shlex
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.inventory import Inventory
from coreos_lab.azure.lab_machines import read_machines
from coreos_lab.azure.preflight.reads import SharedReads
from coreos_lab.classroom.labs import DEFAULT_PREFIX, StudentLab
from coreos_lab.classroom.results import ClassUpResult, StudentLabResult
from coreos_lab.engine.classroom.check import require_room
from coreos_lab.engine.dag import (
    LabsInterrupted,
    LabWork,
    apply_labs,
    failed_sentence,
    interrupted_sentence,
)
from coreos_lab.engine.lab_checks import check_subscription
from coreos_lab.engine.session import known_hosts_path, lab_session, plan
from coreos_lab.engine.up import (
    preflight,
    read_lab,
    record_and_plan,
    request_token,
)
from coreos_lab.errors import Interrupted, LabError, UsageError
from coreos_lab.lab.cluster import Token
from coreos_lab.lab.events import Event, EventSink, PhaseEvent, PlanEvent
from coreos_lab.lab.plan import LabPlan
from coreos_lab.lab.results import ApplyResult, ImageVersions, MachineAccess
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local import keys, state
from coreos_lab.local.lock import lab_lock
from coreos_lab.local.runlog import RunLog
from coreos_lab.wording import plural

# Labs read, checked or listed at once before and after the apply: each step waits mostly on
# ARM's answers, and the budget paces the requests, so a class of 30 goes all at once.
_READERS = 32
T = TypeVar("T")


@dataclass
class _Lab:
    """One student's lab on its way through the steps before the first write."""

    student: StudentLab
    lab_state: state.LabState
    sink: EventSink
    inventory: Inventory | None = None
    key: keys.SshKey | None = None
    token: Token | None = None
    images: ImageVersions | None = None
    discovery_url: str | None = None
    plan: LabPlan | None = None
    applied: ApplyResult | None = None

    @property
    def settings(self) -> LabSettings:
        return self.student.settings

    @property
    def name(self) -> str:
        return self.student.name


def class_command(verb: str, roster: str, prefix: str, first: StudentLab | None) -> str:
    """``coreos-lab class <verb> ROSTER`` with --prefix and --cloud where not the default."""
    parts = ["coreos-lab", "class", verb, roster]
    if prefix != DEFAULT_PREFIX:
        parts += ["--prefix", prefix]
    if first is not None and first.settings.cloud != LabSettings().cloud:
        parts += ["--cloud", first.settings.cloud]
    return shlex.join(parts)


def class_up(
    labs: Sequence[StudentLab],
    sink: EventSink,
    *,
    again: str,
    locations: Sequence[str] = (),
    adopt: bool = False,
    prefix: str = "",
    clients: Clients | None = None,
) -> ClassUpResult:
    """Build or finish every student's lab; ``again`` is the command that runs this again.

    ``locations`` spreads the labs without a roster location over those regions, as far as
    each region's quota allows (engine/classroom/check.py). With ``prefix`` the class's
    cloud and subscription are recorded, for its later commands, before the first write.
    """
    if not labs:
        raise UsageError("The roster names no student; add one line per student.")
    for lab in labs:
        if not lab.settings.ssh_from:
            raise UsageError(
                f"class up needs --ssh-from, or an ssh_from column for student "
                f"{lab.student.name}: the CIDR allowed to reach SSH, e.g. 203.0.113.0/24."
            )
    clouds = {lab.settings.cloud for lab in labs}
    if len(clouds) > 1:  # pragma: no cover - the roster has no cloud column
        raise UsageError("Every lab of a class is built in one cloud.")
    with ExitStack() as held:
        for lab in labs:
            held.enter_context(lab_lock(lab.name, "class up"))
        logs = {
            lab.name: held.enter_context(RunLog(lab.settings, "class up", tells=False))
            for lab in labs
        }
        sink = _logged(sink, logs)
        for lab in labs:
            _stamped(sink, lab.name)(_plan_event(plan(lab.settings)))
        first = labs[0].settings
        what = f"class of {plural(len(labs), 'lab')}"
        with lab_session(first, clients, what, sink) as session:
            placed = _fits(labs, locations, sink, session)
            work = [_Lab(lab, _load_state(lab), _stamped(sink, lab.name)) for lab in placed]
            result = _class_up(work, sink, session, again, adopt, prefix)
        for done in result.labs:
            logs[done.lab].write(f"lab {done.lab}: {done.error or 'complete'}")
        return result


def _fits(
    labs: Sequence[StudentLab], locations: Sequence[str], sink: EventSink, clients: Clients
) -> list[StudentLab]:
    """The class's quota summed over its labs, region by region, before anything is read
    lab by lab; the labs as placed (a lab without a roster location may move region)."""
    sink(PhaseEvent("quota", f"Checking the quota of {plural(len(labs), 'lab')}"))
    try:
        report = require_room(labs, locations=locations, clients=clients)
    except LabError:
        sink(PhaseEvent("quota", "the class does not fit", done=True, ok=False))
        raise
    sink(PhaseEvent("quota", "the class fits", done=True))
    return list(report.labs)


def _class_up(
    work: list[_Lab], sink: EventSink, clients: Clients, again: str, adopt: bool, prefix: str
) -> ClassUpResult:
    began = time.monotonic()
    everyone = list(work)
    try:
        left_out = _before_writes(work, sink, clients, adopt)
    except KeyboardInterrupt:
        raise Interrupted(
            f"Interrupted before anything was written to Azure; run `{again}` again to build "
            "the class."
        ) from None
    if prefix and work:
        state.save_class_record(prefix, work[0].settings.cloud, clients.subscription_id)
    for w in work:
        assert w.key is not None and w.images is not None
        w.lab_state.extra["student"] = w.student.student.name  # `list` shows whose lab it is
        w.plan = record_and_plan(w.settings, clients, w.lab_state, w.key, w.images, w.discovery_url)
        w.sink(_plan_event(w.plan))
    total = sum(len(w.plan.resources) for w in work if w.plan)
    sink(PhaseEvent("apply", f"Applying {plural(total, 'resource')} of {len(work)} labs"))
    try:
        applied = apply_labs(
            clients,
            [LabWork(w.plan, w.inventory, w.name) for w in work if w.plan and w.inventory],
            sink,
        )
    except LabsInterrupted as stopped:
        raise Interrupted(_interrupted(work, stopped, again)) from None
    writes = sum(a.writes for a in applied)
    sink(PhaseEvent("apply", f"{writes} written in {time.monotonic() - began:.1f} s", done=True))
    for w, a in zip(work, applied, strict=True):
        w.applied = a
    built = {r.lab: r for r in _each(lambda w: _result(clients, w), work)}
    results = [built.get(w.name) or _left_out(w, left_out[w.name]) for w in everyone]
    return ClassUpResult(
        labs=results,
        seconds=time.monotonic() - began,
        again=again,
        requests=dict(clients.budget.sent),
        throttled=clients.budget.throttled,
    )


def _before_writes(
    work: list[_Lab], sink: EventSink, clients: Clients, adopt: bool
) -> dict[str, str]:
    """Every lab read and checked, and its token requested, before the first write; the labs
    left out of ``work`` because their preflight failed, each with its sentence."""
    sink(PhaseEvent("inventory", f"Reading {plural(len(work), 'lab')}"))

    def read(w: _Lab) -> None:
        subscription = clients.subscription_id
        _for_lab(w, lambda: check_subscription(w.settings, w.lab_state, subscription, "up"))
        w.inventory, w.key, w.token = _for_lab(
            w, lambda: read_lab(w.settings, w.sink, clients, w.lab_state, adopt)
        )

    _each(read, work)
    sink(PhaseEvent("inventory", f"{plural(len(work), 'lab')} read", done=True))
    left_out = labs_preflight(work, sink, clients)
    work[:] = [w for w in work if w.name not in left_out]
    for w in work:
        w.discovery_url, _ = _for_lab(
            w, partial(request_token, w.settings, w.sink, w.lab_state, w.token)
        )
    return left_out


def labs_preflight(work: list[_Lab], sink: EventSink, clients: Clients) -> dict[str, str]:
    """The class's preflight, before any write: the one place it is called.

    Each lab's own preflight (what `up` checks), the labs at once, sharing the reads of
    their region; the quota summed over the class was checked before (``_fits``). A lab
    whose preflight fails is left out, the others are built: the failed labs' sentences by
    name. When every lab fails, the first failure is raised, as `up` would.
    """
    sink(PhaseEvent("preflight", f"Checking {plural(len(work), 'lab')}"))
    shared = SharedReads()  # a region's sizes, usages and images, read once for the class

    def check(w: _Lab) -> LabError | None:
        inventory = w.inventory
        assert inventory is not None
        try:
            w.images = _for_lab(
                w, lambda: preflight(w.settings, w.sink, clients, w.lab_state, inventory, shared)
            )
        except LabError as exc:
            return exc
        return None

    errors = {w.name: exc for w, exc in zip(work, _each(check, work), strict=True) if exc}
    if len(errors) == len(work):
        sink(PhaseEvent("preflight", "no lab can be built", done=True, ok=False))
        raise next(iter(errors.values()))
    failed = {name: str(exc) for name, exc in errors.items()}
    said = (
        f"{len(work) - len(failed)} of {len(work)} labs can be built; left out: {', '.join(failed)}"
        if failed
        else "every lab can be built"
    )
    sink(PhaseEvent("preflight", said, done=True, ok=not failed))
    return failed


def _result(clients: Clients, w: _Lab) -> StudentLabResult:
    applied = w.applied
    assert w.plan is not None and w.key is not None and applied is not None
    present = sum(1 for s in applied.steps.values() if s.present)
    error = failed_sentence(w.plan, applied) if applied.failures else ""
    access = None
    try:
        found = read_machines(clients, w.settings)
        access = MachineAccess(
            tuple(found),
            keys.key_path_for(w.settings, w.key),
            str(known_hosts_path(w.settings)),
        )
    except LabError as exc:
        error = error or f"Lab {w.name}: {exc}"
    return StudentLabResult(
        student=w.student.student.name,
        lab=w.name,
        resource_group=w.settings.resource_group,
        resources=len(w.plan.resources),
        present=present,
        writes=applied.writes,
        seconds=applied.seconds,
        access=access,
        key_generated=w.key.generated,
        error=error,
    )


def _left_out(w: _Lab, why: str) -> StudentLabResult:
    """A lab whose preflight failed: nothing was written for it."""
    return StudentLabResult(
        student=w.student.student.name,
        lab=w.name,
        resource_group=w.settings.resource_group,
        resources=len(plan(w.settings).resources),
        present=0,
        writes=0,
        seconds=0.0,
        error=why,
    )


def _interrupted(work: list[_Lab], stopped: LabsInterrupted, again: str) -> str:
    """Per lab, what exists and how to finish it; then the command that finishes them all."""
    lines = []
    complete = 0
    for w, result, flying in zip(work, stopped.results, stopped.in_flight, strict=True):
        assert w.plan is not None
        steps = [result.steps.get(r.key) for r in w.plan.resources]
        if all(s is not None and s.present for s in steps):
            complete += 1
            continue
        lines.append(
            f"  {w.name}: "
            + interrupted_sentence(w.plan, result, flying).removeprefix("Interrupted: ")
        )
    head = (
        f"Interrupted: {complete} of {plural(len(work), 'lab')} complete; run `{again}` again "
        "to finish every lab (each line below says how to finish or remove one):"
    )
    return "\n".join([head, *lines])


# ---- helpers -----------------------------------------------------------------------------


def _load_state(lab: StudentLab) -> state.LabState:
    lab_state = state.load_state(lab.name)
    if lab_state.cloud and lab_state.cloud != lab.settings.cloud:
        raise UsageError(
            f"Lab '{lab.name}' was built with --cloud {lab_state.cloud}; use that for the "
            "class, or another --prefix for a new class."
        )
    return lab_state


def _for_lab(w: _Lab, step: Callable[[], T]) -> T:
    """Run one lab's step; its failure named by the lab, of the same kind (exit code)."""
    try:
        return step()
    except LabError as exc:
        message = str(exc)
        if w.name not in message:
            message = f"Lab {w.name}: {message}"
        raise type(exc)(message) from None


def _each(step: Callable[[_Lab], T], work: Sequence[_Lab]) -> list[T]:
    """``step`` for every lab, _READERS at a time; results in order, or the first failure."""
    with _pool() as pool:
        futures = [pool.submit(step, w) for w in work]
        return [f.result() for f in futures]


@contextmanager
def _pool() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="class")
    try:
        yield pool
    finally:
        # On Ctrl-C do not wait for the steps still queued: nothing has been written yet.
        pool.shutdown(wait=False, cancel_futures=True)


def _logged(sink: EventSink, logs: Mapping[str, RunLog]) -> EventSink:
    """A sink that also writes each event to its lab's run log; the class's own phases
    (quota, preflight, apply) to every lab's, since each lab's run went through them."""

    def both(event: Event) -> None:
        log = logs.get(event.lab)
        for each in [log] if log is not None else logs.values():
            each(event)
        sink(event)

    return both


def _stamped(sink: EventSink, lab: str) -> EventSink:
    """A sink that names ``lab`` on every event that does not name one yet."""

    def stamp(event: Event) -> None:
        sink(event if event.lab else dataclasses.replace(event, lab=lab))

    return stamp


def _plan_event(lab_plan: LabPlan) -> PlanEvent:
    # The lab is stamped by the lab's own sink.
    return PlanEvent(tuple((r.key, r.kind, r.name) for r in lab_plan.resources))
