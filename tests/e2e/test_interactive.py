"""What a person sees and what happens when they press Ctrl-C: real processes, real signals,
a real terminal (tmux)."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from collections import Counter

import pytest

from tests.e2e.conftest import BIN, Lab


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_ctrl_c_stops_up_and_the_next_up_finishes_without_duplicates(lab: Lab) -> None:
    admin = lab.emulator.admin
    admin.configure(latency_scale=0.05)  # VMs take 2-6 s: time to interrupt in the middle
    process = lab.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(
            lambda: any(
                r["method"] == "PUT" and "/virtualMachines/" in r["path"]
                for r in admin.requests_log()
            ),
            60,
            "the first VM PUT",
        )
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, out + err
    assert "Interrupted" in err and "coreos-lab up" in err and "Traceback" not in err
    state = admin.state()
    vms_before = [r for r in state["resources"].values() if "virtualMachines" in r["type"]]
    assert len(vms_before) < 5 or any(r.get("operation") for r in vms_before), (
        "the interrupt came too late to prove anything"
    )

    again = lab.run("up", "--json", timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    types = Counter(r["type"].lower() for r in admin.state()["resources"].values())
    assert types["microsoft.compute/virtualmachines"] == 5
    assert types["microsoft.network/networkinterfaces"] == 5
    assert types["microsoft.network/publicipaddresses"] == 5
    assert types["microsoft.compute/disks"] == 5
    assert types["microsoft.storage/storageaccounts"] == 1


def test_piped_output_is_plain_timestamped_lines(lab: Lab) -> None:
    out = lab.run("up")
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout, "no terminal escapes when stdout is a pipe"
    lines = [line for line in out.stdout.splitlines() if re.match(r"\d\d:\d\d:\d\d ", line)]
    assert any("creating  virtual machine host1" in line for line in lines)
    assert any("done      virtual machine etcd2" in line for line in lines)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_live_view_in_a_real_terminal(lab: Lab) -> None:
    lab.emulator.admin.configure(latency_scale=0.03)
    session = f"coreos-lab-{uuid.uuid4().hex[:8]}"
    env = " ".join(
        f"{k}={shlex.quote(v)}" for k, v in lab.env.items() if k.startswith(("COREOS_LAB_", "HOME"))
    )
    command = f"env {env} {BIN} up; echo EXIT=$?; sleep 60"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "60", command],
        check=True,
        timeout=10,
    )
    screens: list[str] = []

    def capture() -> str:
        screen = subprocess.run(
            # -J: a soft-wrapped line (an ssh command) joined, as a person's copy joins it
            ["tmux", "capture-pane", "-p", "-J", "-t", session],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        screens.append(screen)
        return screen

    try:
        _wait_for(lambda: "creating" in capture(), 60, "the live view to show work in progress")
        live = screens[-1]
        first = next(screen for screen in screens if screen.strip())
        assert "etcd0" in first and "0/?" not in first, f"first frame:\n{first}"
        assert "/19" in live, f"the bar counts every resource of the plan:\n{live}"
        for name in ("etcd0", "etcd2", "e2e-lab-vnet", "e2e-lab-nsg"):
            assert name in live, f"no row for {name} in the live view:\n{live}"
        # rows that do not fit are counted, never cut off with the bar below them
        assert "host0-nic" in live or " waiting\n" in live or "… and" in live, live
        _wait_for(lambda: "EXIT=" in capture(), 90, "up to finish")
        final = screens[-1]
        assert "EXIT=0" in final, final
        assert "public IP" in final and "core@127.77." in final, final
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], timeout=10)
