"""The lab guide's etcdctl commands, run as written against the lab's real etcd 3.5.

docs/lab.md is read with the rule of :mod:`.guide` (``sh`` code blocks, lines starting with
``etcdctl``; the machine the prose last names in bold; ``text`` blocks as expected output). One
lab as ``coreos-lab plan`` generates it (3 members, host0 and host1 with their gateways on
127.0.0.1:2379, each machine in its own network namespace) serves every command, in the
guide's order, through ``sh -c`` in the named host's namespace, as the student types it.

Two daemons of a real host write keys the guide reads; the test writes them the way they do:
locksmithd creates its reboot semaphore when it starts, and flanneld writes its lease once the
student has written flannel's config. A watch runs in the background until the command after it
(the change the guide makes on the other host) has happened; the ``text`` block after that
command shows what the watch prints.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

from . import checks
from .cluster import EtcdLab
from .guide import GUIDE, Command, Export, commands, output_matches, read_steps
from .netns import Process
from .test_bootstrap import start_hosts, start_lab

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]

# Values of the shell variables the guide sets with commands that cannot run here (docker).
VARIABLES = {"DB_FLANNEL_IP": "10.2.37.2"}
# flanneld 0.14's leases (subnet/etcdv2 registry: LeaseAttrs as JSON, a 24 h TTL); host0's
# subnet is the one the guide uses as its example.
LEASES = {
    "/coreos.com/network/subnets/10.2.37.0-24": '{"PublicIP":"10.0.1.4","BackendType":"udp"}',
    "/coreos.com/network/subnets/10.2.84.0-24": '{"PublicIP":"10.0.1.5","BackendType":"udp"}',
}
WATCH_WAIT = 10.0  # seconds a watch gets to start listening, and to report the change


def guide_commands() -> list[Command]:
    return commands(read_steps(GUIDE.read_text(encoding="utf-8")))


# --- the rule finds what the guide teaches (no root needed) ---------------------------------------


def test_rule_reads_the_guides_etcdctl_commands() -> None:
    found = guide_commands()
    assert len(found) >= 20, f"only {len(found)} etcdctl commands found in {GUIDE}"
    first = found[0]
    assert (first.line.split("#")[0].strip(), first.machine) == ("etcdctl version", "host1")
    assert first.expected and first.expected[0].startswith("etcdctl version: 3.5."), first
    assert {c.machine for c in found} == {"host0", "host1"}
    assert sum(c.expected is not None for c in found) >= 6
    assert [c.subcommand for c in found if c.is_watch] == ["watch", "watch", "exec-watch"]
    steps = read_steps(GUIDE.read_text(encoding="utf-8"))
    assert any(isinstance(s, Export) and s.api == "2" for s in steps)


def test_rule_on_a_small_guide() -> None:
    text = (
        "On **host1**:\n\n```sh\nexport ETCDCTL_API=2\nETCDCTL_API=3 etcdctl get /k  # c\n"
        "docker ps\netcdctl set /a b\n```\n\nIt prints:\n\n```text\nb\n```\n\n"
        "```sh\ncoreos-lab ssh host0 -- etcdctl version\ncat x\n```\n\n```text\nignored\n```\n"
    )
    steps = read_steps(text)
    assert steps[0] == Export("2", 4)
    cmds = commands(steps)
    assert [(c.line, c.machine) for c in cmds] == [
        ("ETCDCTL_API=3 etcdctl get /k  # c", "host1"),
        ("etcdctl set /a b", "host1"),
        ("etcdctl version", "host0"),
    ]
    assert cmds[1].expected == ["b"] and cmds[2].expected is None


def test_expected_output_matching() -> None:
    expected = ["member … is healthy: got healthy result from http://10.0.0.…:2379", "ok"]
    good = "ok\nmember 8e9e is healthy: got healthy result from http://10.0.0.5:2379\n"
    assert output_matches(expected, good)
    assert not output_matches(expected, good + "extra\n")
    assert not output_matches(expected, good.replace("10.0.0.5", "10.0.1.5"))
    assert not output_matches(["Azure"], "Azure2")


# --- the guide's commands against the lab ---------------------------------------------------------


def test_guide_commands_run_as_written(elab: EtcdLab) -> None:
    found = guide_commands()
    cluster, _ = start_lab(elab, 3, 2, discovery_url=None)
    checks.wait_for_cluster(elab, cluster)
    hosts = start_hosts(elab, 3, 2, discovery_url=None)
    assert hosts == ["host0", "host1"]
    runner = GuideRunner(elab)
    # locksmithd on every machine creates its semaphore when it starts.
    runner.daemon_write(checks.SEMAPHORE_KEY, checks.SEMAPHORE_FREE)

    steps = read_steps(GUIDE.read_text(encoding="utf-8"))
    for step in steps:
        if isinstance(step, Export):
            runner.api = step.api
        else:
            runner.run(step)
    assert runner.ran == len(found)
    assert runner.watch is None, "the guide starts a watch and never changes what it watches"

    # The runner fails what the guide must not say: the 2016-style flag is refused by etcdctl 3.5.
    runner.api = None
    with pytest.raises(AssertionError, match="unknown flag: --version"):
        runner.run(Command("etcdctl --version", "host1", 0))


class GuideRunner:
    """Runs guide commands in the hosts' namespaces the way a student's shell would."""

    def __init__(self, elab: EtcdLab) -> None:
        self.elab = elab
        self.api: str | None = None  # the exported ETCDCTL_API; None: etcdctl's default (v3)
        self.watch: tuple[Command, Process] | None = None
        self.ran = 0

    def env(self, command: Command) -> dict[str, str]:
        bindir = str(Path(self.elab.bins.etcdctl).parent)
        env = {"PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}", **VARIABLES}
        if self.api is not None:
            env["ETCDCTL_API"] = self.api
        placeholders = re.findall(r"<[^>]+>", command.line)
        assert not placeholders, f"{where(command)}: no value for {placeholders}"
        for name in re.findall(r"\$\{?([A-Za-z_]\w*)", command.line):
            if name.startswith("ETCD_WATCH_"):
                continue  # exec-watch sets these for the command it runs
            assert name in env, f"{where(command)}: the test has no value for ${name}"
        return env

    def run(self, command: Command) -> None:
        if command.is_watch:
            assert self.watch is None, f"{where(command)}: a watch is already running"
            self.watch = (command, self.start_watch(command))
            self.ran += 1
            return
        result = self.once(command)
        self.ran += 1
        if self.watch is not None:
            self.await_watch(command)
        elif command.expected is not None:
            assert output_matches(command.expected, result), (
                f"{where(command)} printed {result!r}, the guide shows {command.expected}"
            )
        if "/coreos.com/network/config" in command.line and " set " in command.line:
            for key, lease in LEASES.items():  # flanneld on each host leases its subnet
                self.daemon_write(key, lease, "--ttl", "86400")

    def once(self, command: Command) -> str:
        result = self.elab.lab.run(
            command.machine, ["sh", "-c", command.line], env=self.env(command), timeout=10
        )
        assert result.returncode == 0, (
            f"{where(command)} failed (exit {result.returncode}): "
            f"{result.stderr.strip()[:400]} {result.stdout.strip()[-400:]}"
        )
        return result.stdout

    def start_watch(self, command: Command) -> Process:
        """Start the watch in the background and return once etcd has registered it, so the
        change the guide makes next is one it sees (a v2 watch sees only later changes)."""
        before = self.watchers()
        process = self.elab.lab.start(
            command.machine, ["sh", "-c", command.line], self.env(command),
            label=f"watch-{command.lineno}",
        )  # fmt: skip
        deadline = time.monotonic() + WATCH_WAIT
        while self.watchers() <= before:
            assert process.running(), f"{where(command)} ended: {process.log_tail()}"
            assert time.monotonic() < deadline, f"{where(command)} never started watching"
            time.sleep(0.05)
        return process

    def watchers(self) -> int:
        """v2 watchers registered on all members (each member's /v2/stats/store counts its own)."""
        members = [ip for name, ip in self.elab.lab.machines.items() if name in self.elab.members]
        probe = (
            "import json, sys, urllib.request\n"
            "print(sum(json.load(urllib.request.urlopen(f'http://{ip}:2379/v2/stats/store',"
            " timeout=3))['watchers'] for ip in sys.argv[1:]))\n"
        )
        result = self.elab.lab.run("host0", [sys.executable, "-c", probe, *members])
        assert result.returncode == 0, f"could not read the members' store stats: {result.stderr}"
        return int(result.stdout)

    def await_watch(self, change: Command) -> None:
        """The pending watch reports ``change``: the ``text`` block after ``change`` shows what
        the watch prints (any output, if there is none)."""
        assert self.watch is not None
        watch, process = self.watch
        expected = change.expected
        deadline = time.monotonic() + WATCH_WAIT
        output = ""
        while time.monotonic() < deadline:
            output = "\n".join(process.log_tail())
            if output.strip() and (expected is None or output_matches(expected, output)):
                break
            time.sleep(0.05)
        else:
            raise AssertionError(
                f"{where(watch)} printed {output!r} after {where(change)}; the guide shows "
                f"{expected}"
            )
        if watch.subcommand == "watch":  # a plain watch ends after one change
            assert process.popen.wait(timeout=5) == 0, f"{where(watch)} failed: {output!r}"
        self.elab.lab.stop(process)  # an exec-watch keeps watching until Ctrl-C
        self.watch = None

    def daemon_write(self, key: str, value: str, *flags: str) -> None:
        result = self.elab.etcdctl("host0", 2, "set", *flags, key, value)
        assert result.returncode == 0, f"could not write {key}: {result.stderr}"


def where(command: Command) -> str:
    return f"docs/lab.md:{command.lineno} `{command.line}` on {command.machine}"
