"""apply_plan and apply_labs through the real SDK clients against the emulator: dependencies,
the concurrency bound, the retry of a conflicting operation, and several labs as one DAG."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest

from coreos_lab.azure.clients import Clients, emulator_target
from coreos_lab.azure.inventory import Inventory, read_inventory
from coreos_lab.emulator.client import AdminClient, Connection
from coreos_lab.engine.dag import LabWork, apply_labs, apply_plan
from coreos_lab.errors import LabError
from coreos_lab.lab.events import Event, ResourceEvent, Step
from coreos_lab.lab.kinds import NIC, NSG, VM, VNET
from coreos_lab.lab.plan import LabPlan, PlanInputs, build_plan
from coreos_lab.lab.settings import LabSettings

pytestmark = pytest.mark.timeout(90)

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq4jxO1Qh3f0nXyJ3j1kqg0e9O1yJ2sQ5qv9Zy8nQ9b test"


@pytest.fixture
def admin(emulator: Connection) -> AdminClient:
    admin = AdminClient(emulator)
    admin.reset()
    admin.configure(latency_scale=0.01, quotas={"cores": 100, "*": 100})
    return admin


@pytest.fixture
def clients(emulator: Connection, admin: AdminClient) -> Iterator[Clients]:
    clients = Clients(emulator_target(emulator), retry_total=1)
    yield clients
    clients.close()


def lab_plan(clients: Clients, name: str = "apply-lab", **settings: object) -> LabPlan:
    lab = LabSettings(name=name, ssh_from="203.0.113.0/24", bootstrap="static", **settings)  # type: ignore[arg-type]
    return build_plan(
        lab,
        PlanInputs(
            subscription_id=clients.subscription_id,
            ssh_public_key=KEY,
            etcd_image_version="4593.2.5",
            host_image_version="4459.2.2",
        ),
    )


def test_a_failed_resource_skips_its_dependants_and_nothing_else(clients: Clients) -> None:
    plan = lab_plan(clients)
    # An NSG in a region the emulator does not offer: ARM refuses it, so every NIC (and with
    # it every VM) must be skipped, while the VNet, the public IPs and the storage account,
    # which do not need the NSG, are still created.
    broken = tuple(
        dataclasses.replace(r, body={**r.body, "location": "atlantis"}) if r.kind is NSG else r
        for r in plan.resources
    )
    plan = dataclasses.replace(plan, resources=broken)
    events: list[Event] = []
    with pytest.raises(LabError) as raised:
        apply_plan(clients, plan, Inventory(resource_group=None), events.append)
    assert "network security group apply-lab-nsg" in str(raised.value)
    final = {
        e.key: e.step
        for e in events
        if isinstance(e, ResourceEvent) and e.step is not Step.WAITING and e.step.finished
    }
    assert final[f"{NSG}/apply-lab-nsg"] is Step.FAILED
    for r in plan.resources:
        if r.kind in (NIC, VM):
            assert final[r.key] is Step.SKIPPED, r.key
        elif r.kind is not NSG:
            assert final[r.key] is Step.DONE, r.key


def test_no_more_resources_are_written_at_once_than_the_bound(clients: Clients) -> None:
    plan = lab_plan(clients)
    lock = threading.Lock()
    writing: set[str] = set()
    most = 0

    def sink(event: Event) -> None:
        nonlocal most
        if not isinstance(event, ResourceEvent):
            return
        with lock:
            if event.step in (Step.CREATING, Step.UPDATING):
                writing.add(event.key)
                most = max(most, len(writing))
            elif event.step.finished:
                writing.discard(event.key)

    result = apply_plan(clients, plan, Inventory(resource_group=None), sink, concurrency=2)
    assert result.writes == len(plan.resources)
    assert most == 2, "two slots, and plenty of independent resources to fill them"


def test_another_operation_in_progress_is_waited_out(clients: Clients, admin: AdminClient) -> None:
    whole = lab_plan(clients)
    group = next(r for r in whole.resources if r.key == f"resourceGroup/{whole.settings.name}")
    vnet = next(whole.of_kind(VNET))
    plan = dataclasses.replace(whole, resources=(group, vnet))  # the VMs would only add time
    clients.resource.resource_groups.create_or_update(group.name, group.body)
    stale = read_inventory(clients, group.name)  # read before the VNet's PUT below
    admin.configure(latency_scale=0.1)  # the VNet takes 0.5-1.5 s to create
    clients.network.virtual_networks.begin_create_or_update(group.name, vnet.name, vnet.body)
    admin.clear_requests()

    result = apply_plan(clients, plan, stale, lambda _: None)

    assert result.steps[vnet.key] is Step.DONE
    conflicts = [
        r
        for r in admin.requests_log()
        if r["status"] == 409 and vnet.name in r.get("path", "") and r["kind"] == "write"
    ]
    assert conflicts, "the stale inventory should have made up PUT into the running operation"


def test_several_labs_are_one_dag_and_a_failed_lab_stops_only_itself(clients: Clients) -> None:
    good = [lab_plan(clients, f"class-{s}", etcd=1, hosts=1) for s in ("a", "c")]
    bad = lab_plan(clients, "class-b", etcd=1, hosts=1)
    broken = tuple(
        dataclasses.replace(r, body={**r.body, "location": "atlantis"}) if r.kind is NSG else r
        for r in bad.resources
    )
    bad = dataclasses.replace(bad, resources=broken)
    labs = [LabWork(good[0], Inventory(None), "class-a"), LabWork(bad, Inventory(None), "class-b")]
    labs.append(LabWork(good[1], Inventory(None), "class-c"))
    events: list[Event] = []
    lock = threading.Lock()

    def sink(event: Event) -> None:
        with lock:
            events.append(event)

    a, b, c = apply_labs(clients, labs, sink)

    for plan, result in ((good[0], a), (good[1], c)):
        assert not result.failures
        assert result.writes == len(plan.resources)
        assert all(step is Step.DONE for step in result.steps.values())
    assert list(b.failures) == [f"{NSG}/class-b-nsg"]
    assert all(b.steps[r.key] is Step.SKIPPED for r in bad.resources if r.kind in (NIC, VM))
    # Every event names its lab.
    resource_events = [e for e in events if isinstance(e, ResourceEvent)]
    assert {e.lab for e in resource_events} == {"class-a", "class-b", "class-c"}
    assert {e.lab for e in resource_events if e.step is Step.FAILED} == {"class-b"}
