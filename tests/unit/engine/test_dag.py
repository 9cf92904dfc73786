"""The DAG scheduler with a fake step, no cloud: order, skips, labs apart, the concurrency
bound, and Ctrl-C with where each lab stood."""

from __future__ import annotations

import _thread
import dataclasses
import threading
import time

import pytest

from coreos_lab.azure.inventory import Inventory
from coreos_lab.engine.dag import LabsInterrupted, LabWork, schedule
from coreos_lab.lab.events import Event, ResourceEvent, Step
from coreos_lab.lab.kinds import NIC, NSG, VM, VNET
from coreos_lab.lab.plan import LabPlan, PlanInputs, Resource, build_plan
from coreos_lab.lab.settings import LabSettings

pytestmark = pytest.mark.timeout(30)

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq4jxO1Qh3f0nXyJ3j1kqg0e9O1yJ2sQ5qv9Zy8nQ9b test"


def lab_plan(name: str = "dag-lab") -> LabPlan:
    settings = LabSettings(name=name, ssh_from="203.0.113.0/24", bootstrap="static")  # type: ignore[arg-type]
    inputs = PlanInputs(
        subscription_id="00000000-0000-0000-0000-000000000000",
        ssh_public_key=KEY,
        etcd_image_version="4593.2.5",
        host_image_version="4459.2.2",
    )
    return build_plan(settings, inputs)


def work(*plans: LabPlan) -> list[LabWork]:
    return [LabWork(p, Inventory(resource_group=None), f"lab{i}") for i, p in enumerate(plans)]


def test_every_resource_starts_only_after_its_dependencies_finished() -> None:
    plan = lab_plan()
    finished: set[str] = set()
    early: list[str] = []
    lock = threading.Lock()

    def step(i: int, r: Resource) -> tuple[Step, str, bool]:
        with lock:
            early.extend(d for d in r.depends_on if d not in finished)
        time.sleep(0.001)
        with lock:
            finished.add(r.key)
        return Step.DONE, "", True

    [result] = schedule(work(plan), step, lambda _: None)
    assert early == []
    assert finished == {r.key for r in plan.resources}
    assert result.writes == len(plan.resources) and not result.failures


def test_a_failure_skips_its_dependants_in_its_own_lab_only() -> None:
    a, b = lab_plan("dag-a"), lab_plan("dag-b")
    events: list[Event] = []

    def step(i: int, r: Resource) -> tuple[Step, str, bool]:
        if i == 0 and r.kind is NSG:
            return Step.FAILED, "no NSG for you", False
        return Step.DONE, "", True

    first, second = schedule(work(a, b), step, events.append)
    assert first.failures == {
        k: "no NSG for you" for k, s in first.steps.items() if s is Step.FAILED
    }
    skipped = {k for k, s in first.steps.items() if s is Step.SKIPPED}
    assert {a.by_key()[k].kind for k in skipped} == {NIC, VM}
    assert first.steps[next(r.key for r in a.resources if r.kind is VNET)] is Step.DONE
    assert all(s is Step.DONE for s in second.steps.values())
    labs = {e.lab for e in events if isinstance(e, ResourceEvent) and e.step is Step.SKIPPED}
    assert labs == {"lab0"}


def test_no_more_resources_are_in_flight_than_the_bound() -> None:
    plan = lab_plan()
    now = 0
    most = 0
    lock = threading.Lock()

    def step(i: int, r: Resource) -> tuple[Step, str, bool]:
        nonlocal now, most
        with lock:
            now += 1
            most = max(most, now)
        time.sleep(0.005)
        with lock:
            now -= 1
        return Step.DONE, "", False

    schedule(work(plan, plan, plan), step, lambda _: None, concurrency=2)
    assert most == 2


def test_an_incomplete_plan_is_refused_before_any_step() -> None:
    plan = dataclasses.replace(lab_plan(), unknowns=("the image version",))
    calls: list[str] = []

    def step(i: int, r: Resource) -> tuple[Step, str, bool]:
        calls.append(r.key)
        return Step.DONE, "", True

    with pytest.raises(Exception, match="incomplete"):
        schedule(work(plan), step, lambda _: None)
    assert calls == []


def test_ctrl_c_reports_where_each_lab_stood_and_what_was_in_flight() -> None:
    plan = lab_plan()
    release = threading.Event()

    def step(i: int, r: Resource) -> tuple[Step, str, bool]:
        if r.kind is VNET:
            _thread.interrupt_main()  # as Ctrl-C: KeyboardInterrupt in the scheduling thread
            release.wait(5)
        return Step.DONE, "", True

    try:
        with pytest.raises(LabsInterrupted) as stopped:
            schedule(work(plan), step, lambda _: None)
    finally:
        release.set()
    vnet = next(r for r in plan.resources if r.kind is VNET)
    assert vnet.name in stopped.value.in_flight[0]
    assert vnet.key not in stopped.value.results[0].steps
