"""--provisioning cloud-config through the CLI and the real SDK clients, against the emulator:
the VMs carry a #cloud-config, a second up writes nothing, and switching the format of a built
lab is drift, reported and left alone like any changed custom data."""

from __future__ import annotations

import json
from typing import Any

from coreos_lab.lab.plan import TAG_CUSTOM_DATA
from tests.e2e.conftest import Lab


def _vms(lab: Lab) -> dict[str, dict[str, Any]]:
    state = lab.emulator.admin.state()
    return {
        r["body"]["name"]: r["body"]
        for r in state["resources"].values()
        if r["type"].lower() == "microsoft.compute/virtualmachines"
    }


def _planned_tags(lab: Lab, provisioning: str = "cloud-config") -> dict[str, str]:
    plan = lab.run("plan", "--json", "--hosts", "1", "--provisioning", provisioning)
    assert plan.returncode == 0, plan.stderr
    found = {}
    for r in json.loads(plan.stdout)["resources"]:
        if r["kind"] == "virtualMachine":
            data = r["body"]["properties"]["osProfile"]["customData"]
            assert data.startswith(f"<{provisioning}, "), data
            found[r["name"]] = r["body"]["tags"][TAG_CUSTOM_DATA]
    return found


def test_cloud_config_lab_converges_and_a_format_change_is_drift(lab: Lab) -> None:
    up = lab.run("up", "--provisioning", "cloud-config", "--hosts", "1")
    assert up.returncode == 0, up.stdout + up.stderr
    vms = _vms(lab)
    assert sorted(vms) == ["etcd0", "etcd1", "etcd2", "host0"]
    # ARM (and the emulator) never return custom data; its hash tag says which one each VM got.
    tags = {name: body["tags"][TAG_CUSTOM_DATA] for name, body in vms.items()}
    assert tags == _planned_tags(lab)

    lab.emulator.admin.clear_requests()
    again = lab.run("up", "--json", "--hosts", "1", COREOS_LAB_PROVISIONING="cloud-config")
    assert again.returncode == 0, again.stderr
    assert lab.writes() == [] and json.loads(again.stdout)["writes"] == 0

    switched = lab.run("up", "--json", "--hosts", "1", "--provisioning", "ignition")
    assert switched.returncode == 0, switched.stderr
    assert lab.writes() == [], "a VM's custom data cannot change in place: nothing is rewritten"
    steps = json.loads(switched.stdout)["steps"]
    assert {k for k, v in steps.items() if v == "drifted"} == {f"virtualMachine/{n}" for n in vms}
    assert {k: v for k, v in steps.items() if not k.startswith("virtualMachine/")} == {
        k: "exists" for k in steps if not k.startswith("virtualMachine/")
    }
    assert {n: b["tags"][TAG_CUSTOM_DATA] for n, b in _vms(lab).items()} == tags

    plain = lab.run("up", "--hosts", "1", "--provisioning", "ignition")
    assert plain.returncode == 0
    assert "virtualMachine/etcd0 differs from the plan and was left alone" in " ".join(
        plain.stdout.split()
    )
