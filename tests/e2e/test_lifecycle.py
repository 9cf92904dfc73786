"""up, ips and down through the CLI, against the emulator, through the real SDK clients."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.e2e.conftest import Lab


def _state_resources(lab: Lab, rtype: str) -> list[dict[str, Any]]:
    state = lab.emulator.admin.state()
    return [r for r in state["resources"].values() if r["type"].lower() == rtype.lower()]


def _public_ips(lab: Lab) -> dict[str, str]:
    return {
        r["body"]["name"]: r["body"]["properties"]["ipAddress"]
        for r in _state_resources(lab, "Microsoft.Network/publicIPAddresses")
    }


@pytest.mark.parametrize(("etcd", "hosts"), [(3, 2), (7, 5)])
def test_up_ips_down(lab: Lab, etcd: int, hosts: int) -> None:
    up = lab.run("up", "--etcd", str(etcd), "--hosts", str(hosts))
    assert up.returncode == 0, up.stdout + up.stderr
    assert "host0" in up.stdout and "ssh -i" in up.stdout

    ips = lab.run("ips", "--json")
    assert ips.returncode == 0, ips.stderr
    machines = json.loads(ips.stdout)
    names = [m["name"] for m in machines]
    assert names == [f"etcd{i}" for i in range(etcd)] + [f"host{i}" for i in range(hosts)]
    assert {m["role"] for m in machines} == {"etcd", "host"}
    # The IPs shown are the ones the emulator allocated.
    allocated = _public_ips(lab)
    for m in machines:
        assert m["public_ip"] == allocated[f"{m['name']}-ip"]
        assert m["state"] == "running"
        assert m["ssh"].endswith(f"core@{m['public_ip']}")
    assert machines[0]["private_ip"] == "10.0.0.4"
    assert machines[etcd]["private_ip"] == "10.0.1.4"
    assert len(_state_resources(lab, "Microsoft.Compute/virtualMachines")) == etcd + hosts

    down = lab.run("down", "--yes")
    assert down.returncode == 0, down.stdout + down.stderr
    state = lab.emulator.admin.state()
    assert state["groups"] == {} and state["resources"] == {}
    # Only the log stays, for support: it says what up and down did.
    folder = lab.home / "state" / "labs" / "e2e-lab"
    assert [p.name for p in folder.iterdir()] == ["coreos-lab.log"]
    assert (lab.home / ".ssh" / "id_rsa_coreos_azure_lab").exists(), "down keeps the key"


def test_second_up_of_a_finished_lab_writes_nothing(lab: Lab) -> None:
    assert lab.run("up").returncode == 0
    lab.emulator.admin.clear_requests()
    again = lab.run("up", "--json")
    assert again.returncode == 0, again.stderr
    assert lab.writes() == []
    result = json.loads(again.stdout)
    assert result["writes"] == 0
    assert set(result["steps"].values()) == {"exists"}


def test_up_creates_only_what_is_missing(lab: Lab) -> None:
    assert lab.run("up").returncode == 0
    # Someone deletes host1 by hand; its NIC goes with it (deleteOption Delete), its public
    # IP stays. up puts back just the NIC and the VM.
    from azure.mgmt.compute import ComputeManagementClient

    conn = lab.emulator.connection
    compute = ComputeManagementClient(
        conn.credential(), conn.subscription_id, polling_interval=0.05, **conn.client_kwargs()
    )
    compute.virtual_machines.begin_delete("e2e-lab", "host1").result()
    lab.emulator.admin.clear_requests()
    again = lab.run("up", "--json")
    assert again.returncode == 0, again.stderr
    puts = sorted(r["path"].rsplit("/", 2)[-2:][1] for r in lab.writes())
    assert puts == ["host1", "host1-nic"], puts


def test_ips_costs_the_same_calls_for_5_and_12_machines(lab: Lab) -> None:
    counts = []
    for etcd, hosts, name in ((3, 2, "small"), (7, 5, "large")):
        assert (
            lab.run("up", "--name", name, "--etcd", str(etcd), "--hosts", str(hosts)).returncode
            == 0
        )
        lab.emulator.admin.clear_requests()
        out = lab.run("ips", "--json", "--name", name)
        assert len(json.loads(out.stdout)) == etcd + hosts
        counts.append(len(lab.emulator.admin.requests_log()))
    assert counts[0] == counts[1] <= 4, counts


def test_down_refuses_a_group_coreos_lab_did_not_create(lab: Lab) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    conn = lab.emulator.connection
    client = ResourceManagementClient(
        conn.credential(), conn.subscription_id, **conn.client_kwargs()
    )
    client.resource_groups.create_or_update("precious", {"location": "westeurope"})
    out = lab.run("down", "--yes", "--name", "precious")
    assert out.returncode == 1
    assert "not tagged as coreos-lab's lab" in out.stderr and "Traceback" not in out.stderr
    assert client.resource_groups.check_existence("precious")
    assert [r for r in lab.writes() if r["method"] == "DELETE"] == []
    lab.emulator.admin.clear_requests()
    up = lab.run("up", "--name", "precious")
    assert up.returncode == 1 and "will not build a lab in it" in up.stderr
    assert lab.writes() == []


def test_down_of_a_missing_lab_says_so(lab: Lab) -> None:
    out = lab.run("down", "--yes")
    assert out.returncode == 0 and "nothing was done" in out.stdout


def test_up_without_ssh_source_is_refused_before_any_request(lab: Lab) -> None:
    env = {**lab.env}
    env.pop("COREOS_LAB_SSH_FROM")
    lab.env = env
    out = lab.run("up")
    assert out.returncode == 2 and "--ssh-from" in out.stderr
    assert lab.emulator.admin.requests_log() == []


def test_ips_of_a_missing_lab_is_one_sentence(lab: Lab) -> None:
    out = lab.run("ips")
    hint = "create it with `coreos-lab up --name e2e-lab --cloud emulator`"
    assert out.returncode == 1 and hint in out.stderr


def test_down_delete_key_removes_only_a_key_coreos_lab_generated(lab: Lab) -> None:
    own = lab.home / "own_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(own)], check=True)
    assert lab.run("up", "--ssh-key", str(own)).returncode == 0
    out = lab.run("down", "--yes", "--delete-key", "--ssh-key", str(own))
    assert out.returncode == 0 and "SSH key kept" in out.stdout
    assert own.exists()

    assert lab.run("up").returncode == 0
    generated = lab.home / ".ssh" / "id_rsa_coreos_azure_lab"
    assert generated.exists()
    out = lab.run("down", "--yes", "--delete-key")
    assert out.returncode == 0, out.stderr
    assert not generated.exists() and not generated.with_name(generated.name + ".pub").exists()


# Python's audit hook sees every open(); it prints one marker per read of a state.json.
_COUNT_STATE_READS = """
import sys
def hook(event, args):
    if event == "open" and str(args[0]).endswith("state.json") and "r" in str(args[1] or "r"):
        if not (isinstance(args[2], int) and args[2] & 3):  # os.open for writing
            sys.stderr.write("STATE-READ\\n")
sys.addaudithook(hook)
sys.argv = ["coreos-lab", *sys.argv[1:]]
from coreos_lab.launcher import main
main()
"""


def test_up_and_plan_read_the_lab_state_once(lab: Lab) -> None:
    """up reads the lab's state once, under its lock (what it remembers, its identity, its
    plan all come from that read), and so does plan."""

    def reads(*args: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", _COUNT_STATE_READS, *args],
            capture_output=True,
            text=True,
            env=lab.env,
            cwd=lab.home,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stderr.count("STATE-READ")

    assert reads("up") == 1  # a new lab: the one read finds nothing
    assert reads("up") == 1  # a finished lab
    assert reads("plan") == 1


def test_a_lab_keeps_the_shape_it_was_built_with(lab: Lab) -> None:
    built = lab.run("up", "--hosts", "1", "--etcd", "5", "--storage-account", "shapelab0001")
    assert built.returncode == 0, built.stdout + built.stderr
    lab.emulator.admin.clear_requests()
    # The flags left out: up converges to the lab as built (no host1, no second account).
    again = lab.run("up", "--json")
    assert again.returncode == 0, again.stderr
    assert lab.writes() == [], lab.writes()
    plan = lab.run("plan")
    assert "5 etcd members, 1 container hosts" in plan.stdout, plan.stdout
    grown = lab.run("up", "--hosts", "2", "--json")
    assert grown.returncode == 0, grown.stderr
    assert "host1" in {m["name"] for m in json.loads(lab.run("ips", "--json").stdout)}
    storage = _state_resources(lab, "Microsoft.Storage/storageAccounts")
    assert [s["body"]["name"] for s in storage] == ["shapelab0001"]


def test_another_boot_format_for_a_built_lab_is_refused_before_any_write(lab: Lab) -> None:
    assert lab.run("up", "--provisioning", "ignition").returncode == 0
    lab.emulator.admin.clear_requests()
    out = lab.run("up", "--provisioning", "cloud-config")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "was built with --provisioning ignition" in out.stderr, out.stderr
    assert "leave --provisioning out" in out.stderr and "Traceback" not in out.stderr
    assert lab.writes() == []
    assert lab.run("up", "--json").returncode == 0 and lab.writes() == []


def test_list_marks_a_lab_whose_state_is_corrupt(lab: Lab) -> None:
    assert lab.run("up").returncode == 0
    (lab.home / "state" / "labs" / "e2e-lab" / "state.json").write_text("{trunc")
    out = lab.run("list", "--json")
    assert out.returncode == 0, out.stderr
    (entry,) = json.loads(out.stdout)
    assert entry["unreadable"] and entry["where"] == "here (state unreadable) and in Azure"
    table = lab.run("list")
    assert "\there (state unreadable) and in Azure\t" in table.stdout, table.stdout
    why = lab.run("ips")
    assert why.returncode != 0 and "is corrupt" in why.stderr, why.stderr
