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


def test_cloud_config_lab_converges_and_a_format_change_is_refused(lab: Lab) -> None:
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

    # A VM's custom data cannot change in place: another format is refused, not "drift".
    switched = lab.run("up", "--json", "--hosts", "1", "--provisioning", "ignition")
    assert switched.returncode == 2, switched.stdout + switched.stderr
    error = json.loads(switched.stdout)["error"]["message"]
    assert "was built with --provisioning cloud-config" in error, error
    assert lab.writes() == []
    assert {n: b["tags"][TAG_CUSTOM_DATA] for n, b in _vms(lab).items()} == tags

    # What up cannot change in place (a VM's size here) is drift: said, and left alone.
    resized = lab.run("up", "--hosts", "1", "--host-vm-size", "Standard_B2ms")
    assert resized.returncode == 0, resized.stdout + resized.stderr
    assert lab.writes() == []
    assert "virtualMachine/host0 differs from the plan and was left alone" in " ".join(
        resized.stdout.split()
    )
