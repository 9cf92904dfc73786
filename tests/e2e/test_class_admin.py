"""class ips and class down through the CLI, against the emulator, for a class of 10."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from coreos_lab.local.state import LabState, save_state
from tests.e2e.class_fixture import build_class, write_roster
from tests.e2e.conftest import Lab

STUDENTS = [f"s{i:02d}" for i in range(10)]


def test_class_ips_and_down(lab: Lab) -> None:
    built = STUDENTS[:-1]  # the last student's lab is not built: shown as such
    build_class(lab, built, "cs1", "--hosts", "1")
    roster = write_roster(lab, STUDENTS)

    ips = lab.run("class", "ips", str(roster), "--prefix", "cs1", "--json")
    assert ips.returncode == 0, ips.stdout + ips.stderr
    labs = json.loads(ips.stdout)
    assert [entry["lab"] for entry in labs] == [f"cs1-{s}" for s in STUDENTS]
    assert labs[-1]["status"] == "missing" and labs[-1]["machines"] == []
    seen: set[str] = set()
    for entry in labs[:-1]:
        assert entry["status"] == "ok", entry
        names = [m["name"] for m in entry["machines"]]
        assert names == ["etcd0", "etcd1", "etcd2", "host0"]
        for m in entry["machines"]:
            assert m["state"] == "running" and m["public_ip"] not in seen
            seen.add(m["public_ip"])
            # Each student's own key, in the class's key folder.
            assert f"/keys/{entry['lab']} " in m["ssh"]

    plain = lab.run("class", "ips", str(roster), "--prefix", "cs1")
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[-1] == "10 labs, 9 built, 36 machines"
    assert any(line.startswith("s09\tcs1-s09\t-") and "no lab" in line for line in lines)
    assert "\x1b[" not in plain.stdout and "│" not in plain.stdout

    _check_list(lab)
    _check_handouts(lab, roster)

    # The instructor writes two students' labs into ~/.ssh/config: no alias collides.
    first = lab.run("ssh-config", "--write", "--name", "cs1-s00")
    assert first.returncode == 0 and "try `ssh host0`" in first.stdout, first.stderr
    second = lab.run("ssh-config", "--write", "--name", "cs1-s01")
    assert second.returncode == 0 and "try `ssh cs1-s01-host0`" in second.stdout, second.stderr
    hosts = [
        line
        for line in (lab.home / ".ssh" / "config").read_text().splitlines()
        if line.startswith("Host ")
    ]
    assert sorted(hosts) == [f"Host cs1-s0{i}-{m}" for i in (0, 1) for m in names]

    # s01's lab looks like another machine's (its state is elsewhere): down refuses it alone.
    state_dir = Path(lab.env["COREOS_LAB_STATE_DIR"])
    shutil.move(state_dir / "labs" / "cs1-s01", lab.home / "s01-state")
    down = lab.run("class", "down", str(roster), "--prefix", "cs1", "--yes")
    assert down.returncode == 1, down.stdout + down.stderr
    out = down.stdout
    # Every group and its machines listed before deleting.
    for s in built:
        assert f"Lab cs1-{s}: resource group cs1-{s}" in out
    assert "no resource group cs1-s09, nothing to delete" in out
    assert "9 resource groups to delete, with 36 machines." in out
    assert "cs1-s00: deleted." in out
    assert "8 labs deleted; 1 left (cs1-s01)." in out
    assert "cs1-s01 (s01) failed: Resource group cs1-s01 holds a lab 'cs1-s01' that" in out
    assert "Finish it with `coreos-lab down --name cs1-s01 --cloud emulator`." in out
    assert "1 lab failed: fix what is said above, then run `coreos-lab class down" in out
    assert list(lab.emulator.admin.state()["groups"]) == ["cs1-s01"]

    shutil.move(lab.home / "s01-state", state_dir / "labs" / "cs1-s01")
    finish = lab.run("class", "down", str(roster), "--prefix", "cs1", "--yes")
    assert finish.returncode == 0, finish.stdout + finish.stderr
    assert "1 resource groups to delete" not in finish.stdout
    assert "1 resource group to delete, with 4 machines." in finish.stdout
    assert "cs1-s00: already gone." in finish.stdout
    assert "1 lab deleted; 0 left." in finish.stdout
    state = lab.emulator.admin.state()
    assert state["groups"] == {} and state["resources"] == {}

    again = lab.run("class", "down", str(roster), "--prefix", "cs1", "--yes", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    result = json.loads(again.stdout)
    assert result["failed"] == [] and result["left"] == []
    assert not any(entry["deleted"] for entry in result["labs"])


def _check_list(lab: Lab) -> None:
    """`list` marks a lab known only here and one known only in Azure."""
    state_dir = Path(lab.env["COREOS_LAB_STATE_DIR"])
    save_state(LabState(lab="ghost", cloud="emulator"), state_dir)  # its group is gone
    moved = lab.home / "moved-state"
    shutil.move(state_dir / "labs" / "cs1-s01", moved)  # as if built on another machine
    try:
        out = lab.run("list", "--json")
        assert out.returncode == 0, out.stdout + out.stderr
        labs = {entry["lab"]: entry for entry in json.loads(out.stdout)}
        assert sorted(labs) == sorted(["ghost", *(f"cs1-{s}" for s in STUDENTS[:-1])])
        assert labs["ghost"]["where"] == "only here" and labs["ghost"]["state"] == "not in Azure"
        assert labs["cs1-s01"]["where"] == "only in Azure"
        s00 = labs["cs1-s00"]
        assert s00["where"] == "here and in Azure" and s00["state"] == "running"
        assert [m["name"] for m in s00["machines"]] == ["etcd0", "etcd1", "etcd2", "host0"]
        assert s00["created"] and s00["resource_group"] == "cs1-s00"
        # class ips shows that lab's reason and every other lab all the same.
        ips = lab.run("class", "ips", str(lab.home / "roster.csv"), "--prefix", "cs1", "--json")
        assert ips.returncode == 0, ips.stdout + ips.stderr
        s01 = json.loads(ips.stdout)[1]
        assert s01["status"] == "error" and "--adopt" in s01["problem"]
        assert json.loads(ips.stdout)[2]["status"] == "ok"
        plain = lab.run("list")
        assert plain.returncode == 0, plain.stderr
        rows = [line.split("\t") for line in plain.stdout.splitlines()]
        assert rows[0][:3] == ["lab", "student", "known"]
        s00_row = next(r for r in rows if r[0] == "cs1-s00")
        assert s00_row[3] == "3 etcd + 1 host" and s00_row[4] == "running"
        assert s00_row[5].endswith("m")  # built minutes ago at most
    finally:
        shutil.move(moved, state_dir / "labs" / "cs1-s01")
        shutil.rmtree(state_dir / "labs" / "ghost")


def _check_handouts(lab: Lab, roster: Path) -> None:
    """Refused while a lab is missing, writing nothing; then a folder per student."""
    out = lab.home / "handouts"
    refused = lab.run("class", "handouts", str(roster), "--prefix", "cs1", "--out", str(out))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "first cs1-s09 (there is no resource group cs1-s09)" in refused.stderr
    assert not out.exists()
    two = write_roster(lab, STUDENTS[:2], "two.csv")
    done = lab.run("class", "handouts", str(two), "--prefix", "cs1", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["cs1-s00", "cs1-s01", "roster.html"]
    keys = Path(lab.env["COREOS_LAB_STATE_DIR"]) / "keys"
    folder = out / "cs1-s00"
    assert (folder / "ssh_key").read_bytes() == (keys / "cs1-s00").read_bytes()
    assert (folder / "ssh_key").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    config = (folder / "ssh_config").read_text()
    assert "Host cs1-s00-host0\n" in config and "IdentityFile ssh_key\n" in config
