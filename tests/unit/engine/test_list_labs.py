"""`coreos-lab list`: labs of the local state and of the subscription merged, one per name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from coreos_lab.engine.list_labs import merge_known
from coreos_lab.lab.tags import TAG_LAB, TAG_MANAGED_BY, TAG_ROLE, TAG_STUDENT
from coreos_lab.local.state import LabState
from coreos_lab.views.list_labs import age, machines_summary, where


def _group(lab: str, state: str = "Succeeded", **tags: str) -> dict[str, Any]:
    return {
        "name": lab,
        "location": "westeurope",
        "tags": {TAG_MANAGED_BY: "coreos-lab", TAG_LAB: lab, **tags},
        "properties": {"provisioningState": state},
    }


def _vm(lab: str, name: str, power: str, created: str) -> dict[str, Any]:
    return {
        "name": name,
        "tags": {TAG_LAB: lab, TAG_ROLE: name.rstrip("0123456789")},
        "properties": {
            "provisioningState": "Succeeded",
            "timeCreated": created,
            "instanceView": {"statuses": [{"code": f"PowerState/{power}"}]},
        },
    }


def test_each_lab_once_with_where_it_is_known() -> None:
    local = {
        "both": LabState(lab="both", cloud="azure", subscription_id="SUB"),
        "gone": LabState(lab="gone", cloud="azure", subscription_id="SUB"),
        "other": LabState(lab="other", cloud="azure", subscription_id="ANOTHER"),
        "broken": None,  # an unreadable state is still a lab this machine knows
    }
    groups = [
        _group("both"),
        _group("theirs", **{TAG_STUDENT: "alice"}),
        _group("leaving", state="Deleting"),
    ]
    vms = [
        _vm("both", "host0", "running", "2026-01-02T10:00:00Z"),
        _vm("both", "etcd1", "stopped", "2026-01-02T09:00:00Z"),
        _vm("both", "etcd0", "running", "2026-01-02T09:30:00Z"),
        _vm("theirs", "host0", "running", "2026-01-03T00:00:00Z"),
        _vm("not-a-lab-we-know", "host0", "running", "2026-01-03T00:00:00Z"),
    ]
    labs = {lab.lab: lab for lab in merge_known(local, groups, vms, "azure", "sub")}
    assert sorted(labs) == ["both", "broken", "gone", "leaving", "other", "theirs"]
    both = labs["both"]
    assert where(both) == "here and in Azure"
    assert [m.name for m in both.machines] == ["etcd0", "etcd1", "host0"]
    assert machines_summary(both) == "2 etcd + 1 host"
    assert both.state == "mixed: running, stopped"
    assert both.created == "2026-01-02T09:00:00Z"  # the oldest VM
    assert where(labs["theirs"]) == "only in Azure" and labs["theirs"].student == "alice"
    assert labs["gone"].state == "not in Azure" and where(labs["gone"]) == "only here"
    assert where(labs["other"]) == "only here (subscription ANOTHER)"
    assert labs["broken"].state == "unreadable state"
    assert labs["leaving"].state == "deleting"


def test_age() -> None:
    now = datetime(2026, 1, 3, 12, 0, tzinfo=UTC)
    assert age("2026-01-03T11:48:00Z", now) == "12m"
    assert age("2026-01-03T08:55:00+00:00", now) == "3h 5m"
    assert age("2026-01-01T09:00:00Z", now) == "2d 3h"
    assert age(None, now) == "-" and age("yesterday", now) == "-"
