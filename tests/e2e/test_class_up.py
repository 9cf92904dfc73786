"""`class up` through the real CLI against the emulator: every lab built, each a lab that the
lab commands know; a second run writes nothing; Ctrl-C is reported per lab with how to
finish. (A failed lab among others that finish: the multi-plan apply in
tests/unit/engine/test_apply.py.)"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import Lab

STUDENTS = ["alice", "bob", "carol", "dave"]


def _roster(lab: Lab, students: list[str] = STUDENTS) -> Path:
    path = lab.home / "roster.csv"
    path.write_text("student\n" + "".join(f"{s}\n" for s in students))
    return path


def test_class_up_builds_every_lab_and_a_second_run_writes_nothing(lab: Lab) -> None:
    lab.emulator.admin.configure(quotas={"cores": 400, "*": 400})
    roster = _roster(lab)
    out = lab.run("class", "up", str(roster), "--prefix", "cs", "--cloud", "emulator", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [r["lab"] for r in result["labs"]] == [f"cs-{s}" for s in STUDENTS]
    assert all(r["complete"] and r["present"] == r["resources"] == 19 for r in result["labs"])
    assert result["throttled"] == 0
    groups = {r["path"].split("/")[4] for r in lab.writes() if r["method"] == "PUT"}
    assert groups == {f"cs-{s}" for s in STUDENTS}
    # The region's VM sizes are read by the class's quota check and once for the four labs'
    # preflights together, not once a lab.
    log = lab.emulator.admin.requests_log()
    assert len([r for r in log if r["path"].lower().endswith("/microsoft.compute/skus")]) == 2

    # Each is a lab: the lab commands find it by name, with its own key.
    ips = lab.run("ips", "--name", "cs-bob", "--cloud", "emulator", "--json")
    assert ips.returncode == 0, ips.stderr
    machines = json.loads(ips.stdout)
    assert len(machines) == 5 and all("keys/cs-bob" in m["ssh"] for m in machines)

    lab.emulator.admin.clear_requests()
    again = lab.run("class", "up", str(roster), "--prefix", "cs", "--cloud", "emulator")
    assert again.returncode == 0, again.stderr
    assert lab.writes() == []
    assert "4 of 4 labs already complete; nothing was written" in again.stdout

    # Each lab's run log, as `up` leaves one: its own resources only, the class's phases,
    # the outcome, twice (two runs); owner-only.
    for student in STUDENTS:
        log = lab.home / "state" / "labs" / f"cs-{student}" / "coreos-lab.log"
        text = log.read_text()
        assert log.stat().st_mode & 0o777 == 0o600
        assert text.count(f"class up lab=cs-{student} ") == 2
        assert " done virtualMachine/host1 (" in text and "start quota:" in text
        assert text.count(f"lab cs-{student}: complete") == 2
        assert text.count("class up finished") == 2
        others = [s for s in STUDENTS if s != student]
        assert not any(f"cs-{other}" in text for other in others)


def _wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_ctrl_c_stops_the_class_and_says_per_lab_how_to_finish(lab: Lab) -> None:
    lab.emulator.admin.configure(quotas={"cores": 400, "*": 400}, latency_scale=0.2)
    roster = _roster(lab, ["hal", "ivy", "jon"])
    proc = lab.popen(
        "class",
        "up",
        str(roster),
        "--cloud",
        "emulator",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(
            lambda: any(r["path"].endswith("/virtualNetworks/lab-hal-vnet") for r in lab.writes())
        )
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "run `coreos-lab class up" in err
    for name in ("lab-hal", "lab-ivy", "lab-jon"):
        assert f"{name}: " in err and f"coreos-lab up --name {name}" in err

    # Running it again finishes every lab, waiting for what Azure was still creating.
    lab.emulator.admin.configure(latency_scale=0.01)
    again = lab.run("class", "up", str(roster), "--cloud", "emulator")
    assert again.returncode == 0, again.stderr
    assert "3 of 3 labs built" in again.stdout
    # Piped, the view is a line each time a lab changes state.
    assert "lab-ivy" in again.stdout and "19/19 done" in again.stdout


def test_class_up_refuses_a_class_beyond_the_quota_before_any_write(lab: Lab) -> None:
    # Each lab fits on its own (10 vCPUs); three together do not (30 > 25).
    lab.emulator.admin.configure(quotas={"cores": 100, "standardBasv2Family": 25})
    roster = _roster(lab, ["kim", "lee", "max"])
    out = lab.run("class", "up", str(roster), "--cloud", "emulator")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Only 2 of 3 labs fit" in " ".join(out.stderr.split())
    assert lab.writes() == []


def test_class_up_spreads_labs_over_locations_as_quota_allows(lab: Lab) -> None:
    lab.emulator.admin.configure(
        quotas={"cores": 100, "*": 100},
        quotas_by_location={"westeurope": {"standardBasv2Family": 20}},
    )
    roster = _roster(lab, ["ann", "ben", "cal"])
    out = lab.run(
        "class",
        "up",
        str(roster),
        "--cloud",
        "emulator",
        "--locations",
        "westeurope,northeurope",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    listed = lab.run("list", "--cloud", "emulator", "--json")
    assert listed.returncode == 0, listed.stderr
    where = {row["lab"]: row["location"] for row in json.loads(listed.stdout)}
    assert where == {"lab-ann": "westeurope", "lab-ben": "westeurope", "lab-cal": "northeurope"}
    assert {row["student"] for row in json.loads(listed.stdout)} == {"ann", "ben", "cal"}


def test_class_up_wait_verifies_every_lab_and_fails_when_one_is_not_ready(lab: Lab) -> None:
    # The emulator's machines are addresses on loopback with no sshd: never ready.
    roster = _roster(lab, ["ora", "pat"])
    out = lab.run(
        "class", "up", str(roster), "--cloud", "emulator", "--wait", "--wait-timeout", "2"
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "lab-ora: 0 of 5 machines ready" in out.stdout
    assert "Lab 'lab-pat' is not ready: 5 of 5 machines are not" in out.stdout
    sentence = " ".join(out.stderr.split())
    assert "2 of 2 labs not ready after 2 s of --wait (lab-ora, lab-pat)" in sentence
    assert "coreos-lab verify --name lab-ora" in sentence and "Traceback" not in out.stderr


def test_a_lab_whose_preflight_fails_is_left_out_and_the_others_are_built(lab: Lab) -> None:
    from coreos_lab.lab.roles import storage_account_name
    from coreos_lab.lab.settings import LabSettings

    lab.emulator.admin.configure(quotas={"cores": 400, "*": 400})
    # Bob's storage account name is someone else's elsewhere in Azure: only his lab fails.
    sub = lab.emulator.connection.subscription_id
    taken = storage_account_name(LabSettings(name="cs-bob"), sub)
    lab.emulator.admin.configure(taken_storage_names=[taken])
    roster = _roster(lab, ["alice", "bob", "carol"])
    out = lab.run("class", "up", str(roster), "--prefix", "cs", "--cloud", "emulator", "--json")
    assert out.returncode == 1, out.stdout + out.stderr
    labs = {r["lab"]: r for r in json.loads(out.stdout)["labs"]}
    assert list(labs) == ["cs-alice", "cs-bob", "cs-carol"]
    assert labs["cs-alice"]["complete"] and labs["cs-carol"]["complete"]
    assert not labs["cs-bob"]["complete"] and labs["cs-bob"]["writes"] == 0
    assert taken in labs["cs-bob"]["error"] and "nothing was created" in labs["cs-bob"]["error"]
    groups = {r["path"].split("/")[4] for r in lab.writes() if r["method"] == "PUT"}
    assert groups == {"cs-alice", "cs-carol"}
