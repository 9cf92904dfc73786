"""Reading a class without changing it: every student's machines (`class ips`) and whether
the labs work (`class up --wait`).

A class is read with one session per cloud and subscription, its labs side by side (a
few list calls each, as `ips` makes); one lab's trouble is that lab's line, never an error
for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.lab_machines import read_machines
from coreos_lab.azure.operations import get_group
from coreos_lab.classroom.labs import StudentLab
from coreos_lab.classroom.results import ClassLabMachines
from coreos_lab.engine import lab_checks
from coreos_lab.engine.classroom.fanout import each_lab, in_parallel
from coreos_lab.engine.session import known_hosts_path
from coreos_lab.errors import LabError
from coreos_lab.lab.results import MachineAccess
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import (
    check_ours,
)
from coreos_lab.local import keys, memory, state
from coreos_lab.verify.findings import LabReadiness


def class_machines(
    labs: Sequence[StudentLab], *, clients: Clients | None = None
) -> list[ClassLabMachines]:
    """Every student's machines, in the roster's order; a lab not built is shown as such."""
    return each_lab(labs, clients, _lab_machines)


def _lab_machines(session: Clients, lab: StudentLab) -> ClassLabMachines:
    settings = lab.settings
    entry = ClassLabMachines(lab.student.name, settings.name, settings.resource_group)
    try:
        group = get_group(session, settings.resource_group)
        if group is None:
            return replace(entry, missing=True)
        check_ours(group, settings.name)
        lab_checks.identify(settings, group, state.load_state(settings.name), False)
        machines = tuple(read_machines(session, settings))
    except LabError as exc:
        return replace(entry, problem=str(exc))
    access = MachineAccess(machines, keys.key_path_for(settings), str(known_hosts_path(settings)))
    return replace(entry, access=access)


# ---- coreos-lab list ---------------------------------------------------------------------


def class_wait_ready(
    labs: Sequence[tuple[LabSettings, MachineAccess | None]],
    timeout: float,
    on_round: Callable[[LabReadiness], None],
) -> list[LabReadiness]:
    """`class up --wait`: every lab verified in rounds, side by side, until each is ready or
    ``timeout`` seconds have passed; the last report of each, in the labs' order."""
    from coreos_lab.engine.read import wait_ready

    return in_parallel(
        labs, lambda lab: wait_ready(lab[0], timeout, on_round, access=lab[1]), limit=len(labs)
    )


def remembered_class(
    labs: Sequence[StudentLab], given: Mapping[str, str], prefix: str
) -> list[StudentLab]:
    """The class's labs with what each remembers, in the class's one cloud and subscription
    (local/memory.recall_class); when no lab has a record, the class's own (class up's)
    says where to look. A lab without readable state is looked for there too."""
    records = [_record(lab.name) for lab in labs]
    if not any(r is not None and r.cloud for r in records):
        records = [state.load_class_record(prefix)] * len(labs)
    pairs = [(lab.settings, record) for lab, record in zip(labs, records, strict=True)]
    recalled = memory.recall_class(pairs, given)
    return [replace(lab, settings=s) for lab, s in zip(labs, recalled, strict=True)]


def _record(lab: str) -> state.LabState | None:
    try:
        return state.load_state(lab)
    except LabError:
        return None  # unreadable: that lab's own command says so
