"""`coreos-lab list`: every lab this machine or the subscription knows, in two list calls."""

from __future__ import annotations

from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.lab_machines import machine_of
from coreos_lab.azure.operations import as_rest
from coreos_lab.engine.session import lab_session
from coreos_lab.errors import LabError
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.results import KnownLab, MachineInfo
from coreos_lab.lab.roles import machine_order
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import (
    TAG_LAB,
    TAG_MANAGED_BY,
    TAG_MANAGED_BY_VALUE,
    TAG_STUDENT,
)
from coreos_lab.local import state

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
            unreadable=lab in local and record is None,
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
                and cloud_of(cloud).subscription_applies
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
            unreadable=record is None,
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
