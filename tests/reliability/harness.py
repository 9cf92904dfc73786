"""The reliability suite's tools: users with their own HOME, a counting discovery service,
and readers for the emulator's request log and for the files a command left on disk.

Everything here is real: the CLI runs as a subprocess against the emulator through the Azure
SDK, the discovery service is an HTTP server on 127.0.0.1. Nothing dials another address.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from coreos_lab.emulator.client import AdminClient, Connection

BIN = Path(sys.executable).parent / "coreos-lab"
SSH_FROM = "203.0.113.0/24"
OTHER_SSH_FROM = "198.18.0.0/24"


@dataclass
class Emulator:
    connection: Connection
    admin: AdminClient
    state_dir: Path

    def writes(self, lab: str | None = None) -> list[dict[str, Any]]:
        """The ARM requests that write (PUT, PATCH, POST, DELETE), of ``lab``'s group if given."""
        found = [r for r in self.admin.requests_log() if r["kind"] != "read"]
        if lab is not None:
            found = [r for r in found if f"/resourcegroups/{lab}".lower() in r["path"].lower()]
        return found

    def group(self, lab: str) -> dict[str, Any] | None:
        """``lab``'s resource group as ARM returns it (name, location, tags), if it exists."""
        for name, group in self.admin.state()["groups"].items():
            if name.lower() == lab.lower():
                return dict(group.get("body", group))
        return None

    def resources(self, lab: str, rtype: str = "") -> list[dict[str, Any]]:
        """The bodies the emulator stores for ``lab``'s group, of type ``rtype`` if given."""
        marker = f"/resourcegroups/{lab}/".lower()
        return [
            r["body"]
            for rid, r in self.admin.state()["resources"].items()
            if marker in rid.lower() and (not rtype or r["type"].lower() == rtype.lower())
        ]

    def nsg_rule(self, lab: str, rule: str = "allow-ssh") -> dict[str, Any]:
        (nsg,) = self.resources(lab, "Microsoft.Network/networkSecurityGroups")
        for r in nsg["properties"]["securityRules"]:
            if r["name"] == rule:
                return dict(r["properties"])
        raise AssertionError(f"NSG of {lab} has no rule {rule}")

    def sdk(self, client: str) -> Any:
        """A real SDK client on the emulator, for what a person would do in the portal."""
        conn = self.connection
        kwargs = {"polling_interval": 0.05, **conn.client_kwargs()}
        if client == "resource":
            from azure.mgmt.resource.resources import ResourceManagementClient

            return ResourceManagementClient(conn.credential(), conn.subscription_id, **kwargs)
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(conn.credential(), conn.subscription_id, **kwargs)

    def delete_group_outside(self, lab: str) -> None:
        """Delete the lab's group as the portal would: coreos-lab is not told."""
        self.sdk("resource").resource_groups.begin_delete(lab).result()

    def delete_vms_outside(self, lab: str, *vms: str) -> None:
        compute = self.sdk("compute")
        for poller in [compute.virtual_machines.begin_delete(lab, vm) for vm in vms]:
            poller.result()


@dataclass
class User:
    """One person on one machine: a HOME, a state folder, an environment; runs the real CLI."""

    home: Path
    env: dict[str, str]
    emulator: Emulator
    lab: str

    @property
    def state_root(self) -> Path:
        return Path(self.env["COREOS_LAB_STATE_DIR"])

    def state_file(self, lab: str | None = None) -> Path:
        return self.state_root / "labs" / (lab or self.lab) / "state.json"

    def state(self, lab: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state_file(lab).read_text())
        return data

    def key(self) -> Path:
        return self.home / ".ssh" / "id_rsa_coreos_azure_lab"

    def run(
        self, *args: str, timeout: float = 60, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args],
            capture_output=True,
            text=True,
            input=stdin,
            env={**self.env, **env},
            cwd=self.home,
            timeout=timeout,
        )

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        env = {**self.env, **kwargs.pop("env", {})}
        return subprocess.Popen([str(BIN), *args], env=env, cwd=self.home, text=True, **kwargs)

    def up(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        out = self.run("up", *args, **env)
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr
        return out


def make_user(emulator: Emulator, home: Path, lab: str) -> User:
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COREOS_LAB_", "AZURE_"))}
    env.update(
        HOME=str(home),
        COLUMNS="200",
        COREOS_LAB_EMULATOR_DIR=str(emulator.state_dir),
        COREOS_LAB_STATE_DIR=str(home / "state"),
        COREOS_LAB_CLOUD="emulator",
        COREOS_LAB_SSH_FROM=SSH_FROM,
        COREOS_LAB_BOOTSTRAP="static",
        COREOS_LAB_NAME=lab,
        COREOS_LAB_HOSTS="1",
        # ed25519: generated in a millisecond, where RSA 4096 takes most of a second.
        COREOS_LAB_SSH_KEY_TYPE="ed25519",
    )
    return User(home, env, emulator, lab)


# ---- files on disk -------------------------------------------------------------------------


def files_under(root: Path) -> dict[str, int]:
    """Every file and folder below ``root``, relative path -> permission bits."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode) for p in sorted(root.rglob("*"))
    }


def no_temp_files(root: Path) -> bool:
    return not any(name.endswith(".tmp") for name in files_under(root))


# ---- the discovery service -----------------------------------------------------------------


@dataclass
class DiscoveryService:
    """A stand-in for discovery.etcd.io on 127.0.0.1: hands out tokens and counts them.

    ``mode`` changes what it answers: "token" (the real thing), "html" (a captive portal),
    "other-host" (a token URL on another host), "hang" (holds the request until released).
    """

    url: str = ""
    tokens: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    mode: str = "token"
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.requests.append(self.path)
                service.arrived.set()
                if service.mode == "hang":
                    service.release.wait(30)
                if service.mode == "html":
                    body = b"<html><body>Sign in to the hotel Wi-Fi</body></html>"
                elif service.mode == "other-host":
                    body = f"http://127.0.0.2:1/{secrets.token_hex(16)}".encode()
                else:
                    body = f"{service.url}/{secrets.token_hex(16)}".encode()
                    service.tokens.append(body.decode())
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        return Handler


def serve_discovery() -> Iterator[DiscoveryService]:
    service = DiscoveryService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), service.handler())
    server.daemon_threads = True
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.release.set()
        server.shutdown()
        server.server_close()


# ---- processes -----------------------------------------------------------------------------


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def interrupt(process: subprocess.Popen[str], sig: int = signal.SIGINT) -> tuple[str, str]:
    """Send ``sig`` and collect the output; the process is killed if it does not end."""
    try:
        process.send_signal(sig)
        return process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def one_sentence(stderr: str) -> bool:
    """One error line, no traceback: the house rule for every failure."""
    return stderr.count("error:") == 1 and "Traceback" not in stderr and "unexpected" not in stderr
