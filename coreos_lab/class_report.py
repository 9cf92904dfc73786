"""What `class check` (and `class up` before its first write) found: pure result types.

Views render these; ``ClassReport.labs`` are the students' labs with the region each was
given, which is what `class up` builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coreos_lab.classroom import StudentLab
from coreos_lab.errors import LabError
from coreos_lab.lab.costs import CostEstimate


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
