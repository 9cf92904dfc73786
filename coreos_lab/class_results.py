"""What `class up` returns: per student, how far the lab got; for the class, what it cost. Pure.

Kept apart from the engine so that views can render it without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coreos_lab.lab.results import MachineAccess


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
