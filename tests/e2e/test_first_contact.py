"""What a new instructor or student meets first: the tables in a real terminal (tmux at 80x24
and 200x50), `coreos-lab ssh` against a machine that does not answer, the next step."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import BIN, Lab

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(lab: Lab, command: str, width: int, height: int, timeout: float = 120) -> str:
    """Run ``command`` in a fresh tmux window of that size; the whole screen and scrollback,
    wrapped lines joined as a person's copy would join them."""
    session = f"coreos-lab-{uuid.uuid4().hex[:8]}"
    env = " ".join(
        f"{k}={shlex.quote(v)}" for k, v in lab.env.items() if k.startswith(("COREOS_LAB_", "HOME"))
    )
    script = f"cd {shlex.quote(str(lab.home))}; env {env} sh -c {shlex.quote(command)}; "
    script += "echo EXIT=$?; sleep 120"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), script],
        check=True,
        timeout=10,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-J", "-S", "-", "-t", session],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
            if "EXIT=" in screen or time.monotonic() > deadline:
                return screen
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], timeout=10)


def _addresses(lab: Lab) -> dict[str, str]:
    return {m["name"]: m["public_ip"] for m in json.loads(lab.run("ips", "--json").stdout)}


@needs_tmux
@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)])
def test_every_ssh_command_can_be_pasted_from_up_and_ips(lab: Lab, width: int, height: int) -> None:
    screen = _tmux(lab, f"{BIN} up; {BIN} ips", width, height)
    assert "EXIT=0" in screen, screen
    lines = screen.splitlines()
    for name, address in _addresses(lab).items():
        ends = [line for line in lines if f"core@{address}" in line]
        # once after up, once after ips; each whole on one (joined) line: `ssh -i … core@IP`
        whole = [line for line in ends if line.strip(" │").startswith("ssh -i ")]
        assert len(whole) == 2, f"{name}'s ssh command is cut at {width}x{height}:\n{screen}"
    assert "coreos-lab ssh host0 --name e2e-lab" in screen
    assert "lab.md" in screen


def test_up_ends_with_the_next_step_in_a_pipe(lab: Lab) -> None:
    out = lab.run("up")
    assert out.returncode == 0, out.stderr
    last = out.stdout.rstrip().splitlines()[-1]
    assert last.startswith("Next: coreos-lab ssh host0 --name e2e-lab") and "docs/lab.md" in last


# ---- ssh does not hang ---------------------------------------------------------------------


@pytest.fixture
def built(lab: Lab) -> Lab:
    out = lab.run("up")
    assert out.returncode == 0, out.stdout + out.stderr
    return lab


def _address(lab: Lab, name: str) -> str:
    machines = json.loads(lab.run("ips", "--json").stdout)
    address = next(m["public_ip"] for m in machines if m["name"] == name)
    assert address.startswith("127."), "an emulator lab's machines are loopback addresses"
    return str(address)


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH client not installed")
def test_ssh_to_a_closed_port_says_where_and_why(built: Lab) -> None:
    address = _address(built, "host0")
    began = time.monotonic()
    out = built.run("ssh", "host0", "--", "true", timeout=60)
    assert time.monotonic() - began < 15
    assert out.returncode == 255, out.stderr
    assert f"connecting to host0 ({address}) as core…" in out.stderr
    error = out.stderr.splitlines()[-1]
    assert error.startswith(f"error: ssh could not reach host0 at {address}; likely")
    assert "emulator" in error and "--ssh-from 203.0.113.0/24" in error and "booting" in error
    assert "ConnectTimeout=10" in built.run("ssh", "--print").stdout


@pytest.fixture
def silent_server(built: Lab) -> Iterator[str]:
    """host0's address, where something accepts TCP on port 22 and never says a word (a VM
    whose sshd has not started, behind a NAT that accepts): ssh's banner wait."""
    address = _address(built, "host0")
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind((address, 22))
    except PermissionError:
        server.close()
        pytest.skip("binding port 22 needs root")
    server.listen(4)
    try:
        yield address
    finally:
        server.close()


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH client not installed")
def test_ssh_gives_up_on_a_silent_machine_in_about_ten_seconds(
    built: Lab, silent_server: str
) -> None:
    began = time.monotonic()
    out = built.run("ssh", "host0", "--", "true", timeout=60)
    took = time.monotonic() - began
    assert out.returncode == 255, out.stderr
    assert 8 < took < 25, f"took {took:.1f} s"
    assert f"ssh could not reach host0 at {silent_server}" in out.stderr


# ---- counting and wording --------------------------------------------------------------------


def test_a_lasting_server_error_says_run_again_not_fix_the_cause(lab: Lab) -> None:
    lab.emulator.admin.configure(faults={"server_error": 1.0})
    out = lab.run("up", timeout=180)
    assert out.returncode == 1
    assert "fix the cause" not in out.stderr, out.stderr
    assert "run the command again" in out.stderr and "Traceback" not in out.stderr


def test_a_failed_preflight_in_a_pipe_is_marked_failed(lab: Lab) -> None:
    lab.emulator.admin.configure(quotas={"cores": 0, "*": 0})
    out = lab.run("up")
    assert out.returncode != 0
    assert "FAIL " in out.stdout and "checks failed" in out.stdout, out.stdout
    assert "done  " not in next(line for line in out.stdout.splitlines() if "checks failed" in line)
    assert "vCPUs in total" in out.stderr and "0 available" in out.stderr, out.stderr


# ---- down shows what it deletes ---------------------------------------------------------------


def _add_foreign_ip(lab: Lab) -> None:
    """A public IP someone made by hand in the lab's group, through the real SDK."""
    from coreos_lab.azure.clients import Clients, emulator_target

    clients = Clients(emulator_target(lab.emulator.connection), retry_total=1)
    try:
        clients.network.public_ip_addresses.begin_create_or_update(
            _group(lab), "handmade-ip", {"location": "westeurope"}
        ).result()
    finally:
        clients.close()


def _group(lab: Lab) -> str:
    return str(json.loads(lab.run("plan", "--json").stdout)["resource_group"])


def test_down_lists_what_it_deletes_before_asking_and_with_yes(built: Lab) -> None:
    _add_foreign_ip(built)
    machines = _addresses(built)
    asked = subprocess.run(
        ["script", "-qec", f"{BIN} down", "/dev/null"],
        input="n\n",
        capture_output=True,
        text=True,
        env=built.env,
        cwd=built.home,
        timeout=60,
    )
    before_prompt = asked.stdout.split("[y/N]")[0]
    assert f"resource group {_group(built)}" in before_prompt, asked.stdout
    assert "subscription" in before_prompt
    for name, address in machines.items():
        assert re.search(rf"{name}\s+{re.escape(address)}", before_prompt), before_prompt
    foreign = before_prompt.split("not created by coreos-lab", 1)[1]
    assert "handmade-ip" in foreign and "host0" not in foreign and "osdisk" not in foreign
    assert built.emulator.admin.state()["groups"], "answering n deletes nothing"

    out = built.run("down", "--yes")
    assert out.returncode == 0, out.stderr
    assert "handmade-ip" in out.stdout and "host1" in out.stdout and "deleted" in out.stdout


# ---- --json on failure, --json-events, the log ------------------------------------------------


def test_json_means_json_on_failure_too(lab: Lab) -> None:
    out = lab.run("ips", "--json")  # no lab yet
    assert out.returncode == 1 and out.stderr == ""
    error = json.loads(out.stdout)["error"]
    assert error["code"] == "lab_error" and error["exit_code"] == 1
    assert "coreos-lab up" in error["message"]
    usage = lab.run("up", "--json", "--etcd", "4")
    assert usage.returncode == 2
    assert json.loads(usage.stdout)["error"]["code"] == "usage_error"


def test_up_json_events_streams_one_object_per_line(lab: Lab) -> None:
    out = lab.run("up", "--json-events")
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert events[0]["event"] == "plan" and len(events[0]["resources"]) == 19
    assert {"phase", "resource"} <= {e["event"] for e in events}
    assert events[-1]["event"] == "result" and len(events[-1]["machines"]) == 5


def test_up_and_down_append_a_plain_log_without_secrets(lab: Lab) -> None:
    token = "https://discovery.example/0123456789abcdef0123456789abcdef"
    assert lab.run("up", "--bootstrap", "static").returncode == 0
    lab.emulator.admin.configure(faults={"throttled": 1.0})
    failed = lab.run("up", "--discovery-url", token, "--bootstrap", "discovery", timeout=180)
    log = lab.home / "state" / "labs" / "e2e-lab" / "coreos-lab.log"
    assert failed.returncode == 1
    assert failed.stderr.rstrip().endswith(f"the log is {log}."), failed.stderr
    lab.emulator.admin.configure(faults={"throttled": 0.0})
    assert lab.run("down", "--yes").returncode == 0
    text = log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ up lab=e2e-lab ", text)
    assert "up finished" in text and "up failed" in text and "down finished" in text
    assert " done virtualMachine/host1 (" in text and " waiting " not in text
    assert "0123456789abcdef0123456789abcdef" not in text
    key = (lab.home / ".ssh" / "id_rsa_coreos_azure_lab").read_text().splitlines()[1]
    assert key not in text
