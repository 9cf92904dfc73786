"""A closed output pipe never hangs, half-builds or changes an exit status; signals stop cleanly.

Every pipe here is a real pipe between two processes: coreos-lab and head(1).
"""

from __future__ import annotations

import signal
import subprocess

from tests.reliability.harness import (
    DiscoveryService,
    User,
    interrupt,
    one_sentence,
    wait_for,
)


def _into_head(user: User, size: int, *args: str) -> tuple[int, bytes, str]:
    """``coreos-lab ARGS | head -c SIZE``: coreos-lab's exit status, what head printed, stderr."""
    cli = user.popen(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.Popen(["head", "-c", str(size)], stdin=cli.stdout, stdout=subprocess.PIPE)
    assert cli.stdout is not None and cli.stderr is not None
    cli.stdout.close()  # head holds the only read end: when it exits, the pipe is closed
    try:
        shown, _ = head.communicate(timeout=60)
        err = cli.stderr.read()
        code = cli.wait(timeout=60)
    finally:
        for p in (cli, head):
            if p.poll() is None:
                p.kill()
                p.wait()
    return code, shown, err


def test_up_into_head_finishes_the_lab_and_exits_without_tracebacks(alice: User) -> None:
    code, shown, err = _into_head(alice, 700, "up")
    assert len(shown) == 700
    assert code == 0, err
    assert "Traceback" not in err and "Exception" not in err and err == "", err
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Compute/virtualMachines")) == 4
    alice.emulator.admin.clear_requests()
    again = alice.run("up")
    assert again.returncode == 0 and alice.emulator.writes(alice.lab) == [], "nothing half-built"
    assert not (alice.state_root / "labs" / alice.lab / "lock").exists()


def test_up_json_into_a_closed_pipe_exits_quietly(alice: User) -> None:
    code, shown, err = _into_head(alice, 1, "up", "--json")
    assert (code, shown, err) == (0, b"{", "")
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Compute/virtualMachines")) == 4


def test_up_json_events_into_head_finishes_the_lab_quietly(alice: User) -> None:
    # Events come from the engine's threads while the lab is built: the first write after
    # head went away must neither stop the work nor print a traceback.
    code, shown, err = _into_head(alice, 200, "up", "--json-events")
    assert len(shown) == 200 and shown.startswith(b"{")
    assert (code, err) == (0, ""), err
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Compute/virtualMachines")) == 4


def test_plan_into_head_exits_quietly_and_touches_nothing(alice: User) -> None:
    code, shown, err = _into_head(alice, 100, "plan")
    assert (code, len(shown), err) == (0, 100, "")
    assert alice.emulator.writes() == [] and not alice.state_file().exists()


def test_ips_and_down_into_head_exit_quietly(alice: User) -> None:
    alice.up()
    code, shown, err = _into_head(alice, 10, "ips", "--json")
    assert (code, len(shown), err) == (0, 10, "")
    code, shown, err = _into_head(alice, 5, "down", "--yes")
    assert (code, err) == (0, "")
    assert alice.emulator.group(alice.lab) is None and not alice.state_file().exists()


def test_the_class_commands_into_head_exit_as_ips_does(alice: User) -> None:
    """Every class command whose reader went away exits 0 and quietly, as `ips | head` does:
    rich's own closed-pipe rule (exit 1) never decides a class command's status."""
    roster = alice.home / "roster.csv"
    roster.write_text("student\nann\nbea\n")
    prefix = alice.lab
    cls = ("--prefix", prefix)
    for args in (
        ("class", "check", str(roster), *cls),
        ("class", "up", str(roster), *cls),
        ("class", "ips", str(roster), *cls),
        ("class", "ips", str(roster), *cls, "--json"),
        ("class", "down", str(roster), *cls, "--yes"),
    ):
        code, shown, err = _into_head(alice, 1, *args)
        assert (code, len(shown), err) == (0, 1, ""), (args, code, err)
    assert alice.emulator.group(f"{prefix}-ann") is None, "class down still did its work"


def test_ctrl_c_during_the_apply_stops_cleanly_and_releases_the_lab(alice: User) -> None:
    alice.emulator.admin.configure(latency_scale=0.02)  # VMs take 0.8-2.4 s: time to interrupt
    up = alice.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(
        lambda: any("/virtualMachines/" in r["path"] for r in alice.emulator.writes()),
        30,
        "the first VM PUT",
    )
    _, err = interrupt(up)
    assert up.returncode == 130 and one_sentence(err), err
    assert "Interrupted" in err and "coreos-lab up" in err
    alice.emulator.admin.configure(latency_scale=0.002)
    again = alice.run("up")
    assert again.returncode == 0, again.stderr
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Compute/virtualMachines")) == 4


def test_sigterm_during_the_apply_leaves_a_lab_the_next_up_finishes(alice: User) -> None:
    alice.emulator.admin.configure(latency_scale=0.02)
    up = alice.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(
        lambda: any("/networkInterfaces/" in r["path"] for r in alice.emulator.writes()),
        30,
        "the first NIC PUT",
    )
    interrupt(up, signal.SIGTERM)
    assert up.returncode != 0
    alice.emulator.admin.configure(latency_scale=0.002)
    again = alice.run("up")
    assert again.returncode == 0, again.stderr
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Compute/virtualMachines")) == 4


def test_ctrl_c_during_the_token_request_says_interrupted(
    alice: User, discovery: DiscoveryService
) -> None:
    discovery.mode = "hang"
    alice.env.update(COREOS_LAB_BOOTSTRAP="discovery", COREOS_LAB_DISCOVERY_SERVICE=discovery.url)
    up = alice.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert discovery.arrived.wait(30), "up never asked for a token"
    _, err = interrupt(up)
    assert up.returncode == 130 and one_sentence(err), err
    assert "Interrupted" in err and "coreos-lab up" in err
    assert alice.emulator.writes(alice.lab) == []
    assert not alice.state_file().exists() or alice.state().get("discovery_url") is None


def test_ctrl_c_during_the_preflight_says_interrupted(alice: User) -> None:
    alice.emulator.admin.configure(latency_scale=10)  # every ARM answer takes 0.5-3 s
    up = alice.popen("up", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: "Checking" in _peek(alice), 60, "the preflight to start")
    _, err = interrupt(up)
    assert up.returncode == 130 and one_sentence(err), err
    assert "Interrupted" in err and "coreos-lab up" in err
    assert alice.emulator.writes(alice.lab) == []


def _peek(user: User) -> str:
    """What the emulator saw of the preflight: its checks read SKUs, usages and locations."""
    paths = " ".join(r["path"] for r in user.emulator.admin.requests_log())
    return "Checking" if "/resourcegroups/" in paths.lower() else ""
