"""`verify` and `up --wait` through the real CLI against the emulator: the machines' public
IPs are loopback addresses where nothing listens, so every machine is red with its sentence
(tests/netns/test_verify.py runs a ready lab behind real sshds)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable

import pytest

from tests.e2e.conftest import BIN, Lab

pytestmark = pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH client needed")


@pytest.fixture
def loopback_lab(lab: Lab) -> Lab:
    # Public IPs from loopback: ssh dials this machine only, and nothing listens on port 22.
    lab.emulator.admin.configure(public_ip_prefix="127.78.0.0/16")
    return lab


def test_verify_says_why_each_machine_is_not_ready(loopback_lab: Lab) -> None:
    assert loopback_lab.run("up").returncode == 0
    out = loopback_lab.run("verify", "--json", timeout=60)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert not data["ready"] and len(data["machines"]) == 5
    for m in data["machines"]:
        assert m["address"].startswith("127.78.")
        ssh = m["checks"]["ssh"]
        assert ssh["colour"] == "red" and "port 22 refused the connection" in ssh["text"]
    plain = loopback_lab.run("verify", timeout=60)
    assert plain.returncode == 1
    assert "etcd0 not-ready ssh=red" in plain.stdout
    assert "is not ready: 5 of 5 machines" in plain.stdout


def test_up_wait_times_out_with_what_is_not_ready(loopback_lab: Lab) -> None:
    out = loopback_lab.run("up", "--wait", "--wait-timeout", "1", timeout=90)
    assert out.returncode == 1
    assert "waiting for etcd0, etcd1, etcd2, host0, host1" in out.stdout
    assert "error: Not ready after 1 s of --wait." in out.stderr
    assert "port 22 refused the connection" in out.stderr


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_up_wait_shows_the_rounds_live_in_a_real_terminal(loopback_lab: Lab) -> None:
    lab = loopback_lab
    session = f"coreos-lab-{uuid.uuid4().hex[:8]}"
    env = " ".join(
        f"{k}={shlex.quote(v)}" for k, v in lab.env.items() if k.startswith(("COREOS_LAB_", "HOME"))
    )
    command = f"env {env} {BIN} up --wait --wait-timeout 6; echo EXIT=$?; sleep 60"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "60", command],
        check=True,
        timeout=10,
    )

    def screen() -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True,
            timeout=10,
        ).stdout  # fmt: skip

    try:
        live = _wait_for(lambda s: "machines ready after" in s, screen, 90)
        assert "round 1: 0 of 5 machines ready" in live and "✗ host1" in live, live
        final = _wait_for(lambda s: "EXIT=" in s, screen, 60)
        assert "EXIT=1" in final and "Not ready after 6 s of --wait" in final, final
        assert "✗ etcd0 ssh: port 22 refused the connection" in final, final
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], timeout=10, check=False)


def _wait_for(done: Callable[[str], bool], read: Callable[[], str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = read()
        if done(text):
            return text
        assert time.monotonic() < deadline, f"timed out after {timeout} s; the screen:\n{text}"
        time.sleep(0.1)


def test_verify_judges_the_lab_by_the_shape_it_was_built_with(loopback_lab: Lab) -> None:
    lab = loopback_lab
    assert lab.run("up", "--hosts", "1", "--name", "shape").returncode == 0
    out = lab.run("verify", "--name", "shape", "--json", timeout=60)
    names = [m["name"] for m in json.loads(out.stdout)["machines"]]
    assert names == ["etcd0", "etcd1", "etcd2", "host0"], names
    assert "no such VM" not in out.stdout
    from azure.mgmt.compute import ComputeManagementClient

    conn = lab.emulator.connection
    compute = ComputeManagementClient(
        conn.credential(), conn.subscription_id, polling_interval=0.05, **conn.client_kwargs()
    )
    compute.virtual_machines.begin_delete("shape", "host0").result()
    gone = json.loads(lab.run("verify", "--name", "shape", "--json", timeout=60).stdout)
    (host,) = [m for m in gone["machines"] if m["name"] == "host0"]
    hint = host["checks"]["ssh"]["text"]
    # The advice, run as printed, finishes this lab and builds nothing else.
    command = shlex.split(hint.split("`")[1])
    assert command[:4] == ["coreos-lab", "up", "--name", "shape"], hint
    lab.emulator.admin.clear_requests()
    assert lab.run(*command[1:]).returncode == 0
    built = {r["path"].rsplit("/", 1)[-1] for r in lab.writes() if r["method"] == "PUT"}
    assert built == {"host0", "host0-nic"}, built
