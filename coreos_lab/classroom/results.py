"""What the class commands return, one entry per student's lab, for the views. Pure.

A class is read lab by lab, and one lab's trouble (not built yet, another machine's, a group
coreos-lab did not create) is that lab's line, never an error for the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coreos_lab.classroom.labs import StudentLab
from coreos_lab.errors import LabError
from coreos_lab.lab.costs import CostEstimate
from coreos_lab.lab.results import DownPreview, MachineAccess, MachineInfo

# class up: per student, how far the lab got; for the class, what it cost.


@dataclass
class StudentLabResult:
    """One student's lab after `class up`: ``error`` says what failed and how to finish."""

    student: str
    lab: str
    resource_group: str
    resources: int
    present: int
    writes: int
    seconds: float
    access: MachineAccess | None = None
    key_generated: bool = False
    error: str = ""

    @property
    def complete(self) -> bool:
        return not self.error and self.present == self.resources


@dataclass
class ClassUpResult:
    labs: list[StudentLabResult]
    seconds: float
    again: str  # the command that finishes every lab
    requests: dict[str, int] = field(default_factory=dict)  # reads, writes, deletes sent
    throttled: int = 0  # 429s received

    @property
    def failed(self) -> list[StudentLabResult]:
        return [lab for lab in self.labs if not lab.complete]

    @property
    def writes(self) -> int:
        return sum(lab.writes for lab in self.labs)


# class check (and class up before its first write): the class's quota, region by region.


@dataclass(frozen=True)
class UsageRow:
    """One quota of a region: what the class needs of it against what is free."""

    name: str  # as Azure names it: "cores", "standardBasv2Family", "PublicIPAddresses"
    label: str  # as people read it: "Total Regional vCPUs"
    needed: int
    used: int
    limit: int | None  # None: Azure reports no limit

    @property
    def free(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def ok(self) -> bool:
        return self.free is None or self.needed <= self.free


@dataclass(frozen=True)
class RegionReport:
    location: str
    labs: int  # labs placed here, and labs left out that wanted it first
    usages: tuple[UsageRow, ...]
    images: str  # the Flatcar versions found, or the problem


@dataclass(frozen=True)
class ClassReport:
    labs: tuple[StudentLab, ...]  # with the region each was given
    regions: tuple[RegionReport, ...]
    unplaced: tuple[str, ...]  # labs no region had room for
    problems: tuple[str, ...]  # one sentence each; empty when the class can be built
    cost: CostEstimate = field(default_factory=CostEstimate)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fitting(self) -> int:
        return len(self.labs) - len(self.unplaced)

    def raise_if_failed(self) -> None:
        if self.problems:
            lines = ["The class cannot be built as asked; nothing was created:"]
            lines += [f"- {p}" for p in self.problems]
            raise LabError("\n".join(lines))


# class ips and class down.


@dataclass(frozen=True)
class ClassLabMachines:
    """One student's lab as `class ips` shows it."""

    student: str
    lab: str
    resource_group: str
    access: MachineAccess | None = None  # None when the lab cannot be shown
    missing: bool = False  # no such resource group: not built yet, or deleted
    problem: str | None = None  # why it cannot be shown, one sentence

    @property
    def machines(self) -> tuple[MachineInfo, ...]:
        return self.access.machines if self.access else ()


@dataclass(frozen=True)
class ClassLabPreview:
    """One student's lab as `class down` lists it before it asks."""

    student: str
    lab: str
    preview: DownPreview | None = None  # None when the lab could not be read
    problem: str | None = None


@dataclass(frozen=True)
class ClassLabDown:
    """How deleting one student's lab ended."""

    student: str
    lab: str
    deleted: bool = False  # False: there was nothing to delete, or it failed
    problem: str | None = None  # the failure, one sentence; None when it went well
    again: str = ""  # the command that finishes this lab's teardown


@dataclass(frozen=True)
class ClassDownResult:
    labs: tuple[ClassLabDown, ...]
    left: tuple[str, ...]  # resource groups still there after the deletions were waited for

    @property
    def failed(self) -> tuple[ClassLabDown, ...]:
        return tuple(lab for lab in self.labs if lab.problem)
