"""What `verify` finds: one coloured finding per check and machine, and the lab's verdict. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Colour(StrEnum):
    GREEN = "green"  # as planned
    AMBER = "amber"  # expected at this point of the lab (flannel before exercise 3, a lock held)
    RED = "red"  # not ready: the sentence says why


# The checks, in the order of the table's columns; a role shows only its own.
SSH = "ssh"
FLATCAR = "flatcar"
IGNITION = "ignition"
ETCD = "etcd"
CLUSTER = "cluster"
V2 = "v2"
GATEWAY = "gateway"
DOCKER = "docker"
FLANNEL = "flannel"
HOLD = "hold"
LOCKSMITH = "locksmith"
CHECKS = (SSH, FLATCAR, IGNITION, ETCD, CLUSTER, V2, GATEWAY, DOCKER, FLANNEL, HOLD, LOCKSMITH)
MEMBER_CHECKS = (SSH, FLATCAR, IGNITION, ETCD, CLUSTER, V2, LOCKSMITH)
HOST_CHECKS = (SSH, FLATCAR, IGNITION, GATEWAY, DOCKER, FLANNEL, HOLD, LOCKSMITH)


@dataclass(frozen=True)
class Finding:
    check: str
    colour: Colour
    text: str  # a short value when green, one sentence of cause when amber or red


@dataclass(frozen=True)
class MachineReadiness:
    name: str
    role: str
    address: str | None
    findings: tuple[Finding, ...]

    @property
    def ready(self) -> bool:
        return bool(self.findings) and all(f.colour is not Colour.RED for f in self.findings)

    def finding(self, check: str) -> Finding | None:
        return next((f for f in self.findings if f.check == check), None)

    @property
    def reds(self) -> list[Finding]:
        return [f for f in self.findings if f.colour is Colour.RED]


@dataclass(frozen=True)
class LabReadiness:
    lab: str
    machines: tuple[MachineReadiness, ...]
    seconds: float = 0.0
    up: str = "coreos-lab up"  # the command that finishes this lab (lab/hints.py)

    @property
    def ready(self) -> bool:
        return bool(self.machines) and all(m.ready for m in self.machines)

    @property
    def ready_names(self) -> list[str]:
        return [m.name for m in self.machines if m.ready]

    def not_ready(self) -> list[str]:
        """One line per red finding: "etcd1 etcd: <sentence>"."""
        return [f"{m.name} {f.check}: {f.text}" for m in self.machines for f in m.reds]

    def summary(self) -> str:
        """One sentence: ready, or how many machines are not and the first cause."""
        if self.ready:
            return f"Lab '{self.lab}' is ready: {len(self.machines)} machines checked."
        if not self.machines:
            return f"Lab '{self.lab}' has no machines; run `{self.up}`."
        waiting = [m for m in self.machines if not m.ready]
        first = self.not_ready()[0] if self.not_ready() else f"{waiting[0].name}: not checked"
        return (
            f"Lab '{self.lab}' is not ready: {len(waiting)} of {len(self.machines)} machines "
            f"are not ({', '.join(m.name for m in waiting)}); first: {first}"
        )
