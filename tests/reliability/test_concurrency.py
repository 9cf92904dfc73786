"""One `up` or `down` at a time per lab on this machine.

The first run is slowed down by the emulator's latency so the second really overlaps it.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter

from tests.reliability.harness import User, files_under, interrupt, one_sentence, wait_for

SLOW = 0.03  # VMs take 1-4 s: time for a second command to arrive while the first works


def _lock(user: User) -> str:
    path = user.state_root / "labs" / user.lab / "lock"
    return path.read_text() if path.exists() else ""


def _start_slow_up(user: User) -> subprocess.Popen[str]:
    user.emulator.admin.configure(latency_scale=SLOW)
    first = user.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: _lock(user).startswith(f"{first.pid} up"), 30, "the first up's lock")
    return first


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, out, err


def _vm_count(user: User) -> int:
    return len(user.emulator.resources(user.lab, "Microsoft.Compute/virtualMachines"))


def test_a_second_up_while_one_runs_says_who_holds_the_lab_and_exits(alice: User) -> None:
    first = _start_slow_up(alice)
    lock = alice.state_root / "labs" / alice.lab / "lock"
    modes = (lock.stat().st_mode & 0o777, lock.parent.stat().st_mode & 0o777)
    second = alice.run("up")
    code, out, err = _finish(first)
    assert modes == (0o600, 0o700)
    assert second.returncode == 1 and one_sentence(second.stderr), second.stderr
    assert "busy" in second.stderr and f"pid {first.pid}" in second.stderr
    assert "`coreos-lab up`" in second.stderr
    assert second.stdout == "", "refused before the view started"
    assert code == 0, out[-1500:] + err
    assert _vm_count(alice) == 4
    # Released and removed when up ends: only the state and the log stay.
    assert files_under(alice.state_root / "labs" / alice.lab) == {
        "state.json": 0o600,
        "coreos-lab.log": 0o600,
    }


def test_down_while_up_runs_is_refused_and_the_lab_is_finished(alice: User) -> None:
    first = _start_slow_up(alice)
    down = alice.run("down", "--yes")
    code, _, err = _finish(first)
    assert down.returncode == 1 and one_sentence(down.stderr), down.stderr
    assert f"pid {first.pid}" in down.stderr
    assert code == 0, err
    assert not [r for r in alice.emulator.writes(alice.lab) if r["method"] == "DELETE"]
    assert alice.emulator.group(alice.lab) is not None


def test_a_killed_up_leaves_no_stale_lock_and_the_next_up_finishes(alice: User) -> None:
    first = _start_slow_up(alice)
    wait_for(
        lambda: any(r["method"] == "PUT" for r in alice.emulator.writes(alice.lab)), 30, "a PUT"
    )
    interrupt(first, signal.SIGKILL)
    alice.emulator.admin.configure(latency_scale=0.002)
    again = alice.run("up", "--json", timeout=90)
    assert again.returncode == 0, again.stdout[-1500:] + again.stderr
    assert _vm_count(alice) == 4
    types = Counter(
        r["type"].lower()
        for r in alice.emulator.admin.state()["resources"].values()
        if f"/resourcegroups/{alice.lab}/" in r["body"]["id"].lower()
    )
    assert types["microsoft.network/networkinterfaces"] == 4


def test_two_labs_build_at_the_same_time(alice: User) -> None:
    other = alice.lab + "-b"
    one = alice.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    two = alice.popen("up", "--name", other, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    (code1, _, err1), (code2, _, err2) = _finish(one), _finish(two)
    assert (code1, code2) == (0, 0), err1 + err2
    assert _vm_count(alice) == 4
    assert len(alice.emulator.resources(other, "Microsoft.Compute/virtualMachines")) == 4
