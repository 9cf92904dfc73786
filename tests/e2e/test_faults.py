"""up and down when Azure misbehaves: transient faults are absorbed, lasting ones reported,
and whatever a failed run leaves behind, the next up or down finishes."""

from __future__ import annotations

import json
from collections import Counter

from tests.e2e.conftest import Lab


def test_up_recovers_from_transient_429_500_503_and_dropped_connections(lab: Lab) -> None:
    lab.emulator.admin.configure(
        seed=7,
        faults={"throttled": 0.05, "server_error": 0.05, "unavailable": 0.05, "dropped": 0.03},
    )
    out = lab.run("up", "--json", timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    faults = Counter(r.get("fault") for r in lab.emulator.admin.requests_log() if r.get("fault"))
    assert sum(faults.values()) >= 3, f"too few faults to prove anything: {faults}"
    assert len(json.loads(out.stdout)["machines"]) == 5


def test_lasting_throttling_is_one_sentence_and_nothing_is_written(lab: Lab) -> None:
    lab.emulator.admin.configure(faults={"throttled": 1.0})
    out = lab.run("up", timeout=180)
    assert out.returncode == 1
    assert out.stderr.count("error:") == 1, out.stderr
    assert "TooManyRequests" in out.stderr and "wait a minute" in out.stderr
    assert "Traceback" not in out.stderr
    assert [r for r in lab.writes() if 200 <= r["status"] < 300] == []


def test_a_failed_vm_is_reported_and_the_next_up_replaces_it(lab: Lab) -> None:
    admin = lab.emulator.admin
    admin.configure(seed=3, faults={"lro_failed": 0.3})
    first = lab.run("up", timeout=180)
    assert first.returncode == 1, "with 30% of operations failing, something must fail"
    # The hint names this lab: run as printed, it reaches the same lab.
    hint = "`coreos-lab up --name e2e-lab --cloud emulator` again"
    assert hint in first.stderr and "Traceback" not in first.stderr
    admin.configure(faults={"lro_failed": 0.0})
    second = lab.run("up", "--json", timeout=180)
    assert second.returncode == 0, second.stdout + second.stderr
    states = {
        r["body"]["name"]: r["body"]["properties"].get("provisioningState")
        for r in admin.state()["resources"].values()
    }
    assert set(states.values()) == {"Succeeded"}, states


def test_down_no_wait_then_down_waits_for_the_same_deletion(lab: Lab) -> None:
    assert lab.run("up").returncode == 0
    lab.emulator.admin.configure(latency_scale=0.05)
    first = lab.run("down", "--yes", "--no-wait")
    assert first.returncode == 0, first.stderr
    assert "run `coreos-lab down` again" in first.stdout
    during = lab.run("up")
    assert during.returncode == 1 and "still being deleted" in during.stderr
    second = lab.run("down", "--yes")
    assert second.returncode == 0, second.stdout + second.stderr
    assert lab.emulator.admin.state()["groups"] == {}
