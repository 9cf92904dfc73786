"""Events the engine emits while it works; views render them and nothing else.

Pure data, so the engine needs no view and every view (live, plain lines, JSON) sees the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from coreos_lab.lab.kinds import Kind


class Step(StrEnum):
    """Where one resource stands during a run."""

    WAITING = "waiting"  # for the resources it depends on
    CHECKING = "checking"
    EXISTS = "exists"  # already there and matching: nothing to write
    CREATING = "creating"
    UPDATING = "updating"
    DELETING = "deleting"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # not started: something it depends on failed, or the run stopped
    DRIFTED = "drifted"  # exists but differs in a way `up` does not change in place

    @property
    def finished(self) -> bool:
        return self in (Step.EXISTS, Step.DONE, Step.FAILED, Step.SKIPPED, Step.DRIFTED)

    @property
    def present(self) -> bool:
        """The resource exists in Azure: what the progress bar and "N of M exist" both count."""
        return self in (Step.EXISTS, Step.DONE, Step.DRIFTED)


@dataclass(frozen=True)
class ResourceEvent:
    """A resource moved to ``step``; ``elapsed`` counts from when its work started.

    ``lab`` names the lab when one run builds several (`class up`); "" when it is about one.
    """

    key: str
    kind: Kind
    name: str
    step: Step
    elapsed: float = 0.0
    message: str = ""
    at: float = field(default_factory=time.time)
    lab: str = ""


@dataclass(frozen=True)
class PhaseEvent:
    """A stage of a command (preflight, key, token, inventory, apply, delete) began or ended.

    ``ok`` is False for a stage that ended in failure (a failed preflight), so no view marks
    it with a check mark.
    """

    phase: str
    message: str
    done: bool = False
    ok: bool = True
    at: float = field(default_factory=time.time)
    lab: str = ""  # as ResourceEvent.lab


@dataclass(frozen=True)
class PlanEvent:
    """The resources this run is about, ``(key, kind, name)`` each, in plan order.

    Sent before any work, so a view lists them from its first frame, and again once the plan
    is final (the storage account's name depends on the subscription): a view keeps the rows
    of these keys and drops the others.
    """

    resources: tuple[tuple[str, Kind, str], ...]
    at: float = field(default_factory=time.time)
    lab: str = ""  # as ResourceEvent.lab


Event = ResourceEvent | PhaseEvent | PlanEvent
EventSink = Callable[[Event], None]


def discard(_: Event) -> None:
    """A sink for callers that do not watch progress."""
