"""A lab is one lab: another user's or another machine's group is
never rebuilt or deleted by accident, and `down` never forgets what it did not delete.

Two users are two HOMEs and two state folders against the one emulator; "another machine"
is the same thing.
"""

from __future__ import annotations

import json
from typing import Any

from tests.reliability.harness import OTHER_SSH_FROM, SSH_FROM, User, one_sentence, wait_for


def _lab_id(state: dict[str, Any]) -> str:
    """The lab id a state file records, wherever the implementation keeps it."""
    value = state.get("lab_id") or state.get("extra", {}).get("lab_id")
    assert isinstance(value, str) and len(value) >= 8, f"no lab id in the state: {state}"
    return value


def _refused_naming_adopt(out: Any, lab: str) -> None:
    assert out.returncode != 0, out.stdout[-1500:]
    assert one_sentence(out.stderr), out.stderr
    assert lab in out.stderr and "--adopt" in out.stderr, out.stderr


def test_up_keeps_a_random_lab_id_in_state_and_tags_the_group_with_it(alice: User) -> None:
    alice.up()
    lab_id = _lab_id(alice.state())
    group = alice.emulator.group(alice.lab)
    assert group is not None and lab_id in group.get("tags", {}).values(), group


def test_second_user_up_on_the_same_name_refuses_and_leaves_the_nsg_alone(
    alice: User, bob: User
) -> None:
    alice.up()
    alice.emulator.admin.clear_requests()
    out = bob.run("up", "--ssh-from", OTHER_SSH_FROM)
    _refused_naming_adopt(out, alice.lab)
    assert alice.emulator.writes(alice.lab) == []
    assert alice.emulator.nsg_rule(alice.lab)["sourceAddressPrefix"] == SSH_FROM
    assert not bob.state_file().exists(), "a refused up records nothing"


def test_second_user_down_of_the_same_name_refuses_and_the_lab_stays(
    alice: User, bob: User
) -> None:
    alice.up()
    alice.emulator.admin.clear_requests()
    out = bob.run("down", "--yes")
    _refused_naming_adopt(out, alice.lab)
    assert alice.emulator.writes(alice.lab) == []
    assert alice.emulator.group(alice.lab) is not None


def test_up_after_the_local_state_was_lost_refuses_naming_adopt(alice: User) -> None:
    alice.up()
    alice.state_file().unlink()
    alice.emulator.admin.clear_requests()
    out = alice.run("up")
    _refused_naming_adopt(out, alice.lab)
    assert alice.emulator.writes(alice.lab) == []


def test_up_refuses_a_group_whose_id_differs_from_the_local_state(alice: User) -> None:
    alice.up()
    state = alice.state()
    if "lab_id" in state:
        state["lab_id"] = "0" * 32
    else:
        state.setdefault("extra", {})["lab_id"] = "0" * 32
    alice.state_file().write_text(json.dumps(state))
    alice.emulator.admin.clear_requests()
    out = alice.run("up")
    _refused_naming_adopt(out, alice.lab)
    assert alice.emulator.writes(alice.lab) == []


def test_adopt_records_the_group_id_and_writes_nothing_to_azure(alice: User, bob: User) -> None:
    alice.up()
    lab_id = _lab_id(alice.state())
    alice.state_file().unlink()
    alice.emulator.admin.clear_requests()
    out = alice.run("up", "--adopt")
    assert out.returncode == 0, out.stdout[-1500:] + out.stderr
    assert alice.emulator.writes(alice.lab) == [], "adopting changes nothing in Azure"
    assert _lab_id(alice.state()) == lab_id


def test_ips_of_another_users_lab_refuses_naming_adopt(alice: User, bob: User) -> None:
    alice.up()
    out = bob.run("ips")
    _refused_naming_adopt(out, alice.lab)


def test_up_with_the_state_of_another_cloud_refuses_before_any_write(alice: User) -> None:
    alice.state_file().parent.mkdir(parents=True)
    alice.state_file().write_text(json.dumps({"version": 1, "lab": alice.lab, "cloud": "azure"}))
    out = alice.run("up")
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "--cloud azure" in out.stderr
    assert alice.emulator.writes() == []


def test_down_refuses_when_the_state_names_another_cloud_and_keeps_it(alice: User) -> None:
    alice.up()
    state = alice.state()
    state["cloud"] = "azure"
    alice.state_file().write_text(json.dumps(state))
    alice.emulator.admin.clear_requests()
    out = alice.run("down", "--yes")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout + out.stderr
    assert "azure" in out.stderr
    assert alice.state_file().exists()
    assert alice.emulator.writes(alice.lab) == []


def test_down_refuses_when_the_state_names_another_subscription(alice: User) -> None:
    alice.up()
    state = alice.state()
    other = "00000000-0000-4000-8000-000000000001"
    state["subscription_id"] = other
    alice.state_file().write_text(json.dumps(state))
    alice.emulator.admin.clear_requests()
    out = alice.run("down", "--yes")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout + out.stderr
    assert other in out.stderr
    assert alice.state_file().exists()
    assert alice.emulator.group(alice.lab) is not None


def test_down_that_finds_nothing_keeps_the_state_and_says_where_it_looked(alice: User) -> None:
    alice.up()
    alice.emulator.delete_group_outside(alice.lab)
    out = alice.run("down", "--yes")
    # Whether that is an error is the implementer's call; forgetting the lab is not.
    assert out.returncode in (0, 1) and "Traceback" not in out.stderr, out.stderr
    assert alice.emulator.connection.subscription_id in out.stdout + out.stderr
    assert alice.state_file().exists()


def test_down_of_a_lab_never_built_does_nothing_and_says_so(alice: User) -> None:
    out = alice.run("down", "--yes")
    assert out.returncode == 0, out.stderr
    assert f"no lab '{alice.lab}'" in out.stdout
    assert alice.emulator.writes() == []
    assert not (alice.state_root / "labs" / alice.lab).exists(), "no folder, no lock left"


def test_down_deletes_only_the_lab_it_names(alice: User, new_user: Any) -> None:
    alice.up()
    other = alice.run("up", "--name", alice.lab + "-b")
    assert other.returncode == 0, other.stderr
    out = alice.run("down", "--yes")
    assert out.returncode == 0, out.stderr
    deletes = [r for r in alice.emulator.writes() if r["method"] == "DELETE"]
    assert deletes and all(f"/resourcegroups/{alice.lab}" in r["path"].lower() for r in deletes)
    assert alice.emulator.group(alice.lab + "-b") is not None
    assert alice.state_file(alice.lab + "-b").exists() and not alice.state_file().exists()


def test_down_after_a_no_wait_down_finished_forgets_the_lab(alice: User) -> None:
    alice.up()
    first = alice.run("down", "--yes", "--no-wait")
    assert first.returncode == 0 and alice.state_file().exists(), first.stderr
    wait_for(lambda: alice.emulator.group(alice.lab) is None, 30, "the deletion to finish")
    out = alice.run("down", "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert not alice.state_file().exists(), "its own deletion, so nothing is forgotten"


def _foreign_group_with_an_nsg(user: User) -> None:
    """Someone's own resource group of the lab's name, untagged, holding their NSG."""
    resource = user.emulator.sdk("resource")
    resource.resource_groups.create_or_update(user.lab, {"location": "westeurope"})
    sub = user.emulator.connection.subscription_id
    nsg = (
        f"/subscriptions/{sub}/resourceGroups/{user.lab}"
        "/providers/Microsoft.Network/networkSecurityGroups/their-nsg"
    )
    resource.resources.begin_create_or_update_by_id(
        nsg, {"location": "westeurope", "properties": {}}, api_version="2024-05-01"
    ).result()


def test_up_refuses_an_untagged_group_even_with_state_and_adopt(alice: User) -> None:
    """A group coreos-lab did not create is never built into, whatever this machine's state
    says and with --adopt too: down would then delete someone's resources with it."""
    alice.up()
    alice.emulator.delete_group_outside(alice.lab)
    _foreign_group_with_an_nsg(alice)
    alice.emulator.admin.clear_requests()
    for args in ((), ("--adopt",)):
        out = alice.run("up", *args)
        assert out.returncode != 0 and one_sentence(out.stderr), out.stdout + out.stderr
        assert "not tagged as coreos-lab's lab" in out.stderr, out.stderr
        assert alice.emulator.writes(alice.lab) == []
    down = alice.run("down", "--yes")
    assert down.returncode != 0
    assert alice.emulator.group(alice.lab) is not None
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Network/networkSecurityGroups")) == 1


def test_up_in_another_subscription_refuses_naming_both_and_keeps_the_record(
    alice: User,
) -> None:
    """A lab is one subscription's: up against another (another emulator, another
    --subscription) refuses before any write and leaves the recorded subscription and token."""
    alice.up()
    before = alice.state()
    other = "00000000-0000-4000-8000-000000000001"
    state = dict(before)
    state["subscription_id"] = other
    alice.state_file().write_text(json.dumps(state))
    alice.emulator.admin.clear_requests()
    out = alice.run("up")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout + out.stderr
    assert other in out.stderr and alice.emulator.connection.subscription_id in out.stderr
    assert alice.emulator.writes() == []
    assert alice.state()["subscription_id"] == other, "the record is kept"


def test_ips_during_a_deletion_shows_the_machines_deleting(alice: User) -> None:
    alice.up()
    alice.emulator.admin.configure(latency_scale=0.05)  # a deletion of a few seconds, to look at
    assert alice.run("down", "--yes", "--no-wait").returncode == 0
    out = alice.run("ips", "--json")
    alice.emulator.admin.configure(latency_scale=0.002)
    assert out.returncode == 0, out.stderr
    machines = json.loads(out.stdout)
    assert machines and {m["state"] for m in machines} == {"deleting"}, machines
    wait_for(lambda: alice.emulator.group(alice.lab) is None, 60, "the deletion to finish")
