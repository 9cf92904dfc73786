"""decide() and first_difference(): what `up` does with a resource, given ARM's view of it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from coreos_lab.azure.diff import Action, decide, first_difference
from coreos_lab.lab.kinds import NSG, VM, VNET, ProvisioningState
from coreos_lab.lab.plan import PlanInputs, Resource, build_plan
from coreos_lab.lab.settings import LabSettings

PLAN = build_plan(
    LabSettings(ssh_from="203.0.113.7/32", bootstrap="static"),
    PlanInputs(
        subscription_id="11111111-2222-3333-4444-555555555555",
        ssh_public_key="ssh-ed25519 AAAA test",
        etcd_image_version="4593.2.5",
        host_image_version="4459.2.2",
    ),
)
VNET_R = next(PLAN.of_kind(VNET))
VM_R = next(PLAN.of_kind(VM))


def as_arm(resource: Resource, state: str = "Succeeded") -> dict[str, Any]:
    """The body as ARM would return it: the planned values plus what ARM adds."""
    body = copy.deepcopy(resource.body)
    body.update(id=resource.id, name=resource.name, etag='W/"1"')
    body.setdefault("properties", {})["provisioningState"] = state
    body["properties"].pop("osProfile", {}).pop("customData", None)
    if resource.kind is VM:
        body["properties"]["osProfile"] = {
            k: v for k, v in resource.body["properties"]["osProfile"].items() if k != "customData"
        }
    return body


def test_absent_is_created() -> None:
    assert decide(VNET_R, None) == (Action.CREATE, "new")


def test_what_arm_returns_for_the_plan_matches_it() -> None:
    assert decide(VNET_R, as_arm(VNET_R))[0] is Action.KEEP
    assert decide(VM_R, as_arm(VM_R))[0] is Action.KEEP, "custom data is write-only"


@pytest.mark.parametrize("state", ["Creating", "updating", "Deleting", "SomethingNew"])
def test_a_running_operation_is_waited_for(state: str) -> None:
    action, why = decide(VNET_R, as_arm(VNET_R, state))
    assert action is Action.WAIT and state.lower() in why.lower()


@pytest.mark.parametrize("state", ["Failed", "canceled"])
def test_a_failed_resource_is_put_again(state: str) -> None:
    assert decide(VNET_R, as_arm(VNET_R, state))[0] is Action.REPLACE


def test_a_changed_network_is_updated_but_a_changed_vm_is_left_as_drift() -> None:
    vnet = as_arm(VNET_R)
    vnet["properties"]["addressSpace"]["addressPrefixes"] = ["10.9.0.0/16"]
    action, why = decide(VNET_R, vnet)
    assert action is Action.UPDATE and "addressSpace" in why
    vm = as_arm(VM_R)
    vm["properties"]["hardwareProfile"]["vmSize"] = "Standard_D2s_v5"
    action, why = decide(VM_R, vm)
    assert action is Action.DRIFT and "hardwareProfile.vmSize" in why and "down and up" in why


def test_case_order_and_extra_fields_do_not_count_as_differences() -> None:
    nsg = next(PLAN.of_kind(NSG))
    actual = as_arm(nsg)
    rules = actual["properties"]["securityRules"]
    actual["properties"]["securityRules"] = [
        {**r, "name": r["name"].upper(), "etag": "x"} for r in reversed(rules)
    ]
    actual["location"] = "WestEurope"
    assert first_difference(nsg.body, actual) is None


def test_the_first_difference_names_its_path() -> None:
    assert first_difference({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}) == "a.b.1"
    assert first_difference({"a": {"b": 1}}, {"a": {}}) == "a.b"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "a"


def test_provisioning_states_compare_without_case_and_unknown_ones_are_not_terminal() -> None:
    assert ProvisioningState("succeeded") is ProvisioningState.SUCCEEDED
    assert ProvisioningState.of({}) is ProvisioningState.SUCCEEDED
    odd = ProvisioningState("Migrating")
    assert str(odd) == "Migrating" and not odd.terminal and not odd.failed
