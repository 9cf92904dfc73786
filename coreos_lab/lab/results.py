"""What the engine hands back to the CLI: pure, cloud-neutral result types.

Views render these and nothing else, so no view needs to know which cloud (or emulator)
produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from coreos_lab.errors import LabError
from coreos_lab.lab.costs import CostEstimate
from coreos_lab.lab.events import Step
from coreos_lab.lab.plan import LabPlan
from coreos_lab.lab.roles import ETCD

# ---- image versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ImageVersions:
    etcd: str
    host: str

    def of(self, role: str) -> str:
        """The version of a role, by the role's name."""
        return self.etcd if role == ETCD.name else self.host


# ---- machines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineInfo:
    """A lab machine as `ips` shows it."""

    name: str
    role: str
    public_ip: str | None
    private_ip: str | None
    state: str


@dataclass(frozen=True)
class MachineAccess:
    """The machines and what `ssh` needs to reach them: the key and the lab's known_hosts."""

    machines: tuple[MachineInfo, ...]
    key_path: str
    known_hosts: str


# ---- preflight ---------------------------------------------------------------------------


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"  # not checked: a check it depends on failed


@dataclass(frozen=True)
class CheckResult:
    """One precondition: its name, what came of it, one sentence, and how long it took."""

    name: str
    outcome: Outcome
    message: str
    seconds: float


@dataclass(frozen=True)
class PreflightReport:
    checks: tuple[CheckResult, ...]
    images: ImageVersions | None
    seconds: float  # wall time of the whole preflight
    location: str = ""
    subscription_id: str = ""
    cost: CostEstimate | None = None  # `check` prices the lab; `up`'s preflight does not

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.outcome is Outcome.FAILED]

    @property
    def ok(self) -> bool:
        return all(c.outcome is Outcome.PASSED for c in self.checks)

    @property
    def slowest(self) -> CheckResult | None:
        return max(self.checks, key=lambda c: c.seconds, default=None)

    def raise_if_failed(self) -> None:
        """Raise :class:`LabError`: first line the count, then one sentence per failure."""
        failures = self.failures
        if not failures and self.ok:
            return
        if not failures:  # skipped without a failure: cannot happen, but never pass silently
            failures = [c for c in self.checks if c.outcome is not Outcome.PASSED]
        count = len(failures)
        lines = [
            f"Preflight found {count} problem{'s' if count != 1 else ''}; nothing was created:"
        ]
        lines += [f"- {c.message}" for c in failures]
        raise LabError("\n".join(lines))


# ---- up and down -------------------------------------------------------------------------


@dataclass
class ApplyResult:
    """Where each planned resource ended (by plan key), and what it cost."""

    steps: dict[str, Step] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    writes: int = 0
    seconds: float = 0.0

    @property
    def drifted(self) -> list[str]:
        """Keys of resources that differ from the plan and were left alone."""
        return [k for k, s in self.steps.items() if s is Step.DRIFTED]


@dataclass
class UpResult:
    plan: LabPlan
    applied: ApplyResult
    access: MachineAccess
    key_generated: bool
    token_requested: bool
    images: ImageVersions


@dataclass(frozen=True)
class DownPreview:
    """What `down` is about to delete, shown before it asks and in its --yes output."""

    subscription_id: str
    resource_group: str
    exists: bool
    machines: tuple[MachineInfo, ...] = ()
    foreign: tuple[str, ...] = ()  # "type name" of resources coreos-lab did not create


@dataclass
class DownResult:
    deleted: bool
    waited: bool
    state_removed: bool
    key_removed: list[str]
    key_kept: str | None = None  # why --delete-key left the key alone


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
    unreadable: bool = False  # this machine's state for it is corrupt or cannot be read
