"""`coreos-lab logs`: the serial console through the real SDK and the SAS blob URL, against
the emulator (whose console is emulated and says so)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import time
import uuid

import pytest
from azure.mgmt.compute import ComputeManagementClient

from tests.e2e.conftest import BIN, Lab

FIRST = "coreos-lab emulator: emulated serial console of {}; not a real boot"


def _compute(lab: Lab) -> ComputeManagementClient:
    conn = lab.emulator.connection
    kwargs = {**conn.client_kwargs(), "polling_interval": 0.05}  # the SDK's 30 s is for Azure
    return ComputeManagementClient(conn.credential(), conn.subscription_id, **kwargs)


def _retrievals(lab: Lab) -> int:
    log = lab.emulator.admin.requests_log()
    return sum(r["path"].endswith("/retrieveBootDiagnosticsData") for r in log)


def test_logs_of_a_machine_and_each_refusal(lab: Lab) -> None:
    lab.emulator.admin.configure(boot_log_pace=0.01)
    assert lab.run("up").returncode == 0

    out = lab.run("logs", "host0")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == FIRST.format("host0"), out.stdout
    assert "Set hostname to <host0>." in out.stdout and "host0 login:" in out.stdout
    assert "sig=" not in out.stdout + out.stderr and "_blob" not in out.stdout + out.stderr

    data = json.loads(lab.run("logs", "etcd1", "--json").stdout)
    assert data["machine"] == "etcd1" and data["role"] == "etcd"
    assert data["lines"][0] == FIRST.format("etcd1")

    unknown = lab.run("logs", "host9")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "no machine 'host9'" in unknown.stderr and "etcd0, etcd1, etcd2" in unknown.stderr

    both = lab.run("logs", "host0", "--follow", "--json")
    assert both.returncode == 2 and "drop --follow or --json" in both.stdout  # --json: as JSON

    # A link that has ended when it is used: asked for again once, then one sentence.
    lab.emulator.admin.configure(sas_minute_seconds=0)
    before = _retrievals(lab)
    expired = lab.run("--debug", "logs", "host0")
    assert expired.returncode == 1, expired.stdout
    assert "refused a link Azure had just handed out" in expired.stderr
    assert _retrievals(lab) - before == 2
    assert "sig=" not in expired.stderr and "_blob" not in expired.stderr  # not even --debug
    lab.emulator.admin.configure(sas_minute_seconds=60)

    # A machine whose boot diagnostics were turned off (through the SDK, as a portal would).
    compute = _compute(lab)
    vm = compute.virtual_machines.get("e2e-lab", "host1")
    vm.diagnostics_profile.boot_diagnostics.enabled = False
    compute.virtual_machines.begin_create_or_update("e2e-lab", "host1", vm).result()
    off = lab.run("logs", "host1")
    assert off.returncode == 1 and "Traceback" not in off.stderr
    assert "host1 has boot diagnostics turned off" in off.stderr, off.stderr


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_follow_in_a_real_terminal_until_ctrl_c(lab: Lab) -> None:
    assert lab.run("up").returncode == 0
    lab.emulator.admin.configure(boot_log_pace=0.02)  # a heartbeat line every 0.6 s
    session = f"coreos-lab-logs-{uuid.uuid4().hex[:8]}"
    env = " ".join(
        f"{k}={shlex.quote(v)}" for k, v in lab.env.items() if k.startswith(("COREOS_LAB_", "HOME"))
    )
    command = f"env {env} {BIN} logs host0 --follow --interval 0.2; echo EXIT=$?; sleep 60"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50", command],
        check=True,
        timeout=10,
    )

    def screen() -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", session],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout

    def wait_for(predicate, what: str) -> str:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = screen()
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{text}")

    try:
        first = wait_for(lambda s: "emulated line 2" in s, "the console to grow")
        assert FIRST.format("host0") in first
        wait_for(lambda s: "emulated line 4" in s, "new lines while following")
        subprocess.run(["tmux", "send-keys", "-t", session, "C-c"], check=True, timeout=10)
        final = wait_for(lambda s: "EXIT=" in s, "logs --follow to end")
        assert "EXIT=130" in final and "Traceback" not in final, final
        assert final.count(FIRST.format("host0")) == 1, "only the new tail is printed"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], timeout=10)
