"""A lab's network in Linux network namespaces: one namespace per machine, as on Azure.

Topology, all of it inside namespaces this module creates (nothing is added to the root
namespace, and no namespace has a route out of the lab):

* ``<prefix>vnet`` plays Azure's VNet router: one bridge per subnet, holding the subnet's
  ``.1`` address (Azure's default gateway), and IP forwarding between the bridges;
* every machine gets its own namespace ``<prefix><machine>`` with ``lo`` up and ``eth0``, one
  end of a veth pair whose other end sits on its subnet's bridge in the router namespace, and
  a default route through the ``.1``.

Processes started in the machines run in their own process group; :meth:`Lab.close` kills
them all and deletes every namespace, and the fixtures call it even when a test fails.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

IP = "ip"
COMMAND_TIMEOUT = 15.0


@dataclass
class Process:
    """A long-running program in a machine's namespace."""

    label: str
    machine: str
    popen: subprocess.Popen[bytes]
    log: Path

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> list[str]:
        try:
            return self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


@dataclass
class Lab:
    """Namespaces and processes of one test; :meth:`close` removes everything."""

    prefix: str
    workdir: Path
    namespaces: list[str] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    machines: dict[str, str] = field(default_factory=dict)  # machine -> private IP
    _bridges: dict[ipaddress.IPv4Network, str] = field(default_factory=dict)

    @property
    def router(self) -> str:
        return self.prefix + "vnet"

    def namespace(self, machine: str) -> str:
        return self.prefix + machine

    def add_machine(self, machine: str, ip: str, prefixlen: int = 24) -> str:
        """Create ``machine``'s namespace with ``ip`` on eth0; returns the namespace name."""
        if not self.namespaces:
            self._add_namespace(self.router)
            _ip("-n", self.router, "link", "set", "lo", "up")
            self._enable_forwarding(self.router)
        network = ipaddress.ip_interface(f"{ip}/{prefixlen}").network
        bridge = self._bridge(network)
        ns = self.namespace(machine)
        self._add_namespace(ns)
        veth = f"v{len(self.machines)}"
        _ip("-n", self.router, "link", "add", veth, "type", "veth", "peer", "name", "eth0",
            "netns", ns)  # fmt: skip
        _ip("-n", self.router, "link", "set", veth, "master", bridge)
        _ip("-n", self.router, "link", "set", veth, "up")
        _ip("-n", ns, "addr", "add", f"{ip}/{prefixlen}", "dev", "eth0")
        _ip("-n", ns, "link", "set", "eth0", "up")
        _ip("-n", ns, "link", "set", "lo", "up")
        _ip("-n", ns, "route", "add", "default", "via", str(network[1]))
        self.machines[machine] = ip
        return ns

    def start(
        self, machine: str, argv: list[str], env: Mapping[str, str], label: str = ""
    ) -> Process:
        """Start ``argv`` in ``machine``'s namespace with exactly ``env`` (plus PATH)."""
        label = label or machine
        log = self.workdir / f"{label}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [IP, "netns", "exec", self.namespace(machine), *argv],
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole
            )
        process = Process(label=label, machine=machine, popen=popen, log=log)
        self.processes.append(process)
        return process

    def run(
        self,
        machine: str,
        argv: list[str],
        env: Mapping[str, str] | None = None,
        timeout: float = COMMAND_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        """Run a short command in ``machine``'s namespace and return its result."""
        try:
            return subprocess.run(
                [IP, "netns", "exec", self.namespace(machine), *argv],
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(
                exc.cmd, 124, _text(exc.stdout), _text(exc.stderr) + f"\ntimed out after {timeout}s"
            )

    def stop(self, process: Process, timeout: float = 3.0) -> None:
        """Kill ``process``'s whole group: SIGTERM, then SIGKILL."""
        if process.popen.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, sig)
                try:
                    process.popen.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # Stragglers of the group (none expected: ip netns exec execs the program itself).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.popen.pid, signal.SIGKILL)

    def close(self, timeout: float = 3.0) -> None:
        """Kill every process, then delete every namespace (which removes the veths).

        SIGKILL, all at once: nothing of a test's machines needs a graceful stop, and etcd
        members stopped gracefully, together or one by one, wait out leader transfers and
        lost quorums for seconds each."""
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.popen.pid, signal.SIGKILL)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=timeout)
        for ns in reversed(self.namespaces):
            _ip("netns", "del", ns, check=False)
        self.namespaces.clear()

    def _add_namespace(self, ns: str) -> None:
        _ip("netns", "add", ns)
        self.namespaces.append(ns)

    def _bridge(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
        assert isinstance(network, ipaddress.IPv4Network)
        if network not in self._bridges:
            bridge = f"br{len(self._bridges)}"
            _ip("-n", self.router, "link", "add", bridge, "type", "bridge")
            _ip(
                "-n", self.router, "addr", "add", f"{network[1]}/{network.prefixlen}", "dev", bridge
            )
            _ip("-n", self.router, "link", "set", bridge, "up")
            self._bridges[network] = bridge
        return self._bridges[network]

    def _enable_forwarding(self, ns: str) -> None:
        # /proc/sys/net is per network namespace: this turns forwarding on in ``ns`` only.
        subprocess.run(
            [IP, "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"],
            check=True,
            timeout=COMMAND_TIMEOUT,
            capture_output=True,
        )


def list_namespaces(prefix: str = "") -> list[str]:
    out = subprocess.run(
        [IP, "netns", "list"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=True
    ).stdout
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [n for n in names if n.startswith(prefix)]


def _ip(*args: str, check: bool = True) -> None:
    result = subprocess.run(
        [IP, *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data
