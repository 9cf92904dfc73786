"""The plan: every resource of the lab, with ARM bodies and dependencies, and nothing secret."""

from __future__ import annotations

import base64
import json

from coreos_lab.azure.diff import Action, decide, first_difference
from coreos_lab.lab.kinds import NIC, NSG, PUBLIC_IP, STORAGE, VM, VNET
from coreos_lab.lab.plan import (
    PlanInputs,
    build_plan,
)
from coreos_lab.lab.sources import load_settings
from coreos_lab.lab.tags import TAG_CUSTOM_DATA, TAG_LAB, TAG_MANAGED_BY

SUB = "11111111-2222-3333-4444-555555555555"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleQ test"
INPUTS = PlanInputs(
    subscription_id=SUB,
    ssh_public_key=KEY,
    discovery_url="https://discovery.etcd.io/0123456789abcdef0123456789abcdef",
    etcd_image_version="4593.2.5",
    host_image_version="4459.2.2",
)


def plan_for(**flags: object):  # type: ignore[no-untyped-def]
    settings = load_settings({"ssh_from": "203.0.113.7/32", **flags}, {})
    return build_plan(settings, INPUTS)


def test_default_lab_has_every_resource_and_is_complete() -> None:
    plan = plan_for()
    assert plan.complete
    kinds = [r.kind for r in plan.resources]
    assert kinds.count(VM) == 5 and kinds.count(NIC) == 5 and kinds.count(PUBLIC_IP) == 5
    assert kinds.count(NSG) == kinds.count(VNET) == kinds.count(STORAGE) == 1
    assert [m.name for m in plan.machines] == ["etcd0", "etcd1", "etcd2", "host0", "host1"]
    assert len(plan_for(etcd=7, hosts=5).resources) == 4 + 3 * 12


def test_dependencies_exist_and_hosts_do_not_wait_for_etcd() -> None:
    plan = plan_for()
    keys = plan.by_key()
    for r in plan.resources:
        for dep in r.depends_on:
            assert dep in keys, f"{r.key} depends on unknown {dep}"
    host0 = keys["virtualMachine/host0"]
    assert not any("etcd" in d for d in host0.depends_on)


def test_every_resource_is_tagged_as_the_labs() -> None:
    for r in plan_for(name="lab-a").resources:
        assert r.body["tags"][TAG_MANAGED_BY] == "coreos-lab"
        assert r.body["tags"][TAG_LAB] == "lab-a"


def test_nsg_opens_ssh_only_to_the_allowed_cidr_and_etcd_only_inside_the_vnet() -> None:
    nsg = next(plan_for().of_kind(NSG))
    rules = {r["name"]: r["properties"] for r in nsg.body["properties"]["securityRules"]}
    assert rules["allow-ssh"]["sourceAddressPrefix"] == "203.0.113.7/32"
    assert rules["allow-ssh"]["destinationPortRange"] == "22"
    internet_rules = [r for r in rules.values() if r["sourceAddressPrefix"] != "VirtualNetwork"]
    assert internet_rules == [rules["allow-ssh"]]
    assert rules["allow-etcd-vnet"]["destinationPortRange"] == "2379-2380"


def test_vm_body_is_arm_rest_shape_with_password_login_off() -> None:
    vm = plan_for().by_key()["virtualMachine/host1"]
    props = vm.body["properties"]
    assert props["hardwareProfile"]["vmSize"] == "Standard_B2als_v2"
    assert props["osProfile"]["adminUsername"] == "core"
    assert props["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"] is True
    assert props["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"][0]["keyData"] == KEY
    image = props["storageProfile"]["imageReference"]
    assert (image["publisher"], image["offer"], image["version"]) == (
        "kinvolk",
        "flatcar-container-linux-corevm-amd64",
        "4459.2.2",
    )
    ignition = json.loads(base64.b64decode(props["osProfile"]["customData"]))
    assert ignition["ignition"]["version"] == "3.3.0"
    assert len(vm.body["tags"][TAG_CUSTOM_DATA]) == 32


def test_static_private_ips_match_the_machines() -> None:
    plan = plan_for(hosts=3)
    nic = plan.by_key()["networkInterface/host2-nic"]
    ipc = nic.body["properties"]["ipConfigurations"][0]["properties"]
    assert ipc["privateIPAddress"] == "10.0.1.6"
    assert ipc["subnet"]["id"].endswith("/virtualNetworks/coreos-lab-vnet/subnets/hosts")


def test_plan_without_inputs_names_what_only_up_knows() -> None:
    settings = load_settings({}, {})
    plan = build_plan(settings, PlanInputs())
    assert not plan.complete
    text = " ".join(plan.unknowns)
    for needle in ("SSH public key", "discovery token", "--ssh-from", "image version"):
        assert needle in text


def test_diff_keeps_matching_resource_and_spots_changes() -> None:
    nsg = next(plan_for().of_kind(NSG))
    actual = json.loads(json.dumps(nsg.body))
    actual["id"] = nsg.id.upper()
    actual["etag"] = 'W/"x"'
    actual["properties"]["provisioningState"] = "Succeeded"
    actual["properties"]["securityRules"].reverse()  # order does not matter
    actual["tags"]["added-by-someone"] = "x"
    assert decide(nsg, actual)[0] is Action.KEEP
    actual["properties"]["securityRules"][-1]["properties"]["sourceAddressPrefix"] = "0.0.0.0/0"
    action, why = decide(nsg, actual)
    assert action is Action.UPDATE and "allow-ssh" in why
    assert decide(nsg, None)[0] is Action.CREATE
    actual["properties"]["provisioningState"] = "Updating"
    assert decide(nsg, actual)[0] is Action.WAIT


def test_diff_ignores_write_only_custom_data_but_sees_its_hash_tag() -> None:
    vm = plan_for().by_key()["virtualMachine/etcd0"]
    actual = json.loads(json.dumps(vm.body))
    del actual["properties"]["osProfile"]["customData"]
    assert first_difference(vm.body, actual) is None
    actual["tags"][TAG_CUSTOM_DATA] = "0" * 32
    assert decide(vm, actual)[0] is Action.DRIFT
