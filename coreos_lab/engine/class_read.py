"""Reading a class without changing it: every student's machines (`class ips`), every lab
this machine or the subscription knows (`coreos-lab list`), and whether the labs work
(`class up --wait`).

A class is read with one session per cloud and subscription, its labs side by side (a
few list calls each, as `ips` makes); one lab's trouble is that lab's line, never an error
for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from coreos_lab import lab_checks
from coreos_lab.azure.clients import Clients
from coreos_lab.azure.lab_machines import machine_of, read_machines
from coreos_lab.azure.operations import as_rest, get_group
from coreos_lab.classroom.labs import StudentLab
from coreos_lab.classroom.results import ClassLabMachines
from coreos_lab.engine.common import known_hosts_path, lab_session
from coreos_lab.errors import LabError
from coreos_lab.lab.results import KnownLab, MachineAccess, MachineInfo
from coreos_lab.lab.roles import machine_order
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import (
    TAG_LAB,
    TAG_MANAGED_BY,
    TAG_MANAGED_BY_VALUE,
    TAG_STUDENT,
    check_ours,
)
from coreos_lab.local import keys, state
from coreos_lab.verify.findings import LabReadiness

# Side by side, not all at once: each lab costs four reads, and the subscription's read
# bucket is shared with everything else the instructor runs.
MAX_PARALLEL_LABS = 8

T = TypeVar("T")
R = TypeVar("R")


def in_parallel(
    items: Sequence[T], work: Callable[[T], R], *, limit: int = MAX_PARALLEL_LABS
) -> list[R]:
    """``work`` of each item, side by side, results in the items' order."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        return list(pool.map(work, items))


def by_session(labs: Sequence[StudentLab]) -> dict[tuple[str, str], list[StudentLab]]:
    """The labs grouped by the cloud and subscription that reach them (usually one group)."""
    groups: dict[tuple[str, str], list[StudentLab]] = {}
    for lab in labs:
        groups.setdefault((lab.settings.cloud, lab.settings.subscription), []).append(lab)
    return groups


def class_machines(
    labs: Sequence[StudentLab], *, clients: Clients | None = None
) -> list[ClassLabMachines]:
    """Every student's machines, in the roster's order; a lab not built is shown as such."""
    found: dict[str, ClassLabMachines] = {}
    for group in by_session(labs).values():
        with lab_session(group[0].settings, clients, "the class") as session:
            for result in in_parallel(group, lambda lab: _lab_machines(session, lab)):
                found[result.lab] = result
    return [found[lab.name] for lab in labs]


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

MANAGED_FILTER = f"tagName eq '{TAG_MANAGED_BY}' and tagValue eq '{TAG_MANAGED_BY_VALUE}'"


def known_labs(settings: LabSettings, *, clients: Clients | None = None) -> list[KnownLab]:
    """Every lab in this machine's state and every coreos-lab group in the subscription.

    Two list calls, whatever the number of labs: the groups tagged managed-by=coreos-lab,
    and every VM of the subscription with its instance view (NICs and public IPs are not
    read: `ips` and `class ips` show addresses).
    """
    local = {lab: _local_state(lab) for lab in state.all_labs()}
    with lab_session(settings, clients, "the subscription's labs") as session:
        groups = [as_rest(g) for g in session.resource.resource_groups.list(filter=MANAGED_FILTER)]
        vms = [as_rest(v) for v in session.compute.virtual_machines.list_all(expand="instanceView")]
        subscription = session.subscription_id
    return merge_known(local, groups, vms, settings.cloud, subscription)


def _local_state(lab: str) -> state.LabState | None:
    try:
        return state.load_state(lab)
    except LabError:
        return None  # unreadable: still listed, as known here


def merge_known(
    local: dict[str, state.LabState | None],
    groups: list[dict[str, Any]],
    vms: list[dict[str, Any]],
    cloud: str,
    subscription: str,
) -> list[KnownLab]:
    """The labs of both sources, one entry per lab name, sorted by name. Pure."""
    by_lab: dict[str, KnownLab] = {}
    machines: dict[str, list[MachineInfo]] = {}
    created: dict[str, str] = {}
    for vm in vms:
        lab = (vm.get("tags") or {}).get(TAG_LAB)
        if not lab:
            continue
        machines.setdefault(lab, []).append(machine_of(vm))
        when = str(vm.get("properties", {}).get("timeCreated") or "")
        if when and (lab not in created or when < created[lab]):
            created[lab] = when
    for group in groups:
        tags = group.get("tags") or {}
        lab = tags.get(TAG_LAB)
        if not lab:
            continue
        found = tuple(sorted(machines.get(lab, ()), key=lambda m: machine_order(m.role, m.name)))
        record = local.get(lab)
        by_lab[lab] = KnownLab(
            lab=lab,
            local=lab in local,
            in_azure=True,
            student=tags.get(TAG_STUDENT) or (record.extra.get("student") if record else None),
            resource_group=str(group.get("name")),
            location=group.get("location"),
            machines=found,
            created=created.get(lab),
            state=_lab_state(group, found),
        )
    for lab, record in local.items():
        if lab in by_lab:
            continue
        elsewhere = None
        if record is not None:
            other_cloud = record.cloud and record.cloud != cloud
            other_sub = (
                record.subscription_id
                and record.subscription_id.lower() != subscription.lower()
                and cloud != "emulator"
            )
            if other_cloud:
                elsewhere = f"cloud {record.cloud}"
            elif other_sub:
                elsewhere = f"subscription {record.subscription_id}"
        student = record.extra.get("student") if record else None
        by_lab[lab] = KnownLab(
            lab=lab,
            local=True,
            in_azure=False,
            student=student if isinstance(student, str) else None,
            state="unreadable state" if record is None else "not in Azure",
            elsewhere=elsewhere,
        )
    return [by_lab[name] for name in sorted(by_lab)]


def _lab_state(group: dict[str, Any], machines: tuple[MachineInfo, ...]) -> str:
    provisioning = str(group.get("properties", {}).get("provisioningState") or "")
    if provisioning.lower() == "deleting":
        return "deleting"
    if not machines:
        return "no machines"
    states = sorted({m.state for m in machines})
    return states[0] if len(states) == 1 else "mixed: " + ", ".join(states)


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
