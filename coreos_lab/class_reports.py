"""What the class commands return, one entry per student's lab, for the views. Pure.

A class is read lab by lab, and one lab's trouble (not built yet, another machine's, a
group coreos-lab did not create) is that lab's line, never an error for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from coreos_lab.lab.results import DownPreview, MachineAccess, MachineInfo


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


@dataclass(frozen=True)
class KnownLab:
    """A lab `coreos-lab list` shows: known to this machine, to Azure, or to both."""

    lab: str
    local: bool  # this machine keeps state for it
    in_azure: bool  # a resource group tagged as coreos-lab's lab of that name exists
    student: str | None = None
    resource_group: str | None = None
    location: str | None = None
    machines: tuple[MachineInfo, ...] = ()
    created: str | None = None  # ISO time of its oldest VM, the lab's age
    state: str = ""  # one word: running, stopped, deleting, no machines, not in Azure
    elsewhere: str | None = None  # the local state's cloud/subscription when not the one listed
