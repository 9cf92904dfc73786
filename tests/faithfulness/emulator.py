"""The emulator as a black box, reached only over HTTPS (the faithfulness suite's client).

Nothing here imports ``coreos_lab.emulator``: the emulator is started through the public
``coreos-lab emulator`` command and found through the ``connection.json`` it writes, so these
tests hold whatever its internal layout becomes. Requests are plain HTTPS (``requests``) with
the emulator's CA verified; the replayed bodies are Microsoft's published examples.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

START_TIMEOUT = 30.0
LOCATION = "eastus"  # the location of most spec examples; the emulator serves it


def emulator_command() -> list[str]:
    """``coreos-lab emulator`` from the same environment as the running pytest."""
    script = Path(sys.executable).parent / "coreos-lab"
    if script.exists():
        return [str(script), "emulator"]
    found = shutil.which("coreos-lab")
    if found is None:
        pytest.fail("The coreos-lab command is not installed: run `make install`.")
    return [found, "emulator"]


@dataclass
class Emulator:
    """A running emulator: its connection file's fields and a verified HTTPS session."""

    state_dir: Path
    endpoint: str
    ca_cert: str
    subscription_id: str
    token: str
    session: requests.Session = field(default_factory=requests.Session)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        api_version: str | None = None,
        params: dict[str, str] | None = None,
        url: str | None = None,
    ) -> requests.Response:
        """One ARM request; ``{sub}`` in ``path`` is this emulator's subscription."""
        query = dict(params or {})
        if api_version is not None:
            query["api-version"] = api_version
        target = url or self.endpoint + path.replace("{sub}", self.subscription_id)
        return self.session.request(
            method,
            target,
            params=query or None,
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=15,
            verify=self.ca_cert,
        )

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.session.request(
            method,
            f"{self.endpoint}/_emulator/{path}",
            json=body,
            timeout=15,
            verify=self.ca_cert,
            # The admin API asks for the same bearer token as ARM.
            headers={"Authorization": f"Bearer {self.token}"},
        )
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def reset(self) -> None:
        self.admin("POST", "reset")

    def wait(self, answer: requests.Response, timeout: float = 20.0) -> requests.Response:
        """Poll a long-running operation as ARM clients do; the last status answer."""
        url = answer.headers.get("Azure-AsyncOperation") or answer.headers.get("Location")
        assert url, f"no LRO header on {answer.status_code} {answer.request.url}"
        deadline = time.monotonic() + timeout
        while True:
            polled = self.call("GET", "", url=url)
            body = polled.json() if polled.content else {}
            done = polled.status_code != 202 and body.get("status", "Succeeded") not in (
                "InProgress",
                "Accepted",
                "Running",
            )
            if done or time.monotonic() > deadline:
                return polled
            time.sleep(0.05)


def start_emulator(state_dir: Path, *options: str) -> tuple[subprocess.Popen[bytes], Emulator]:
    """Start ``coreos-lab emulator`` on a free loopback port; wait for connection.json."""
    state_dir.mkdir(parents=True, exist_ok=True)
    connection = state_dir / "connection.json"
    connection.unlink(missing_ok=True)
    command = [
        *emulator_command(),
        "--port",
        "0",
        "--state-dir",
        str(state_dir),
        "--latency-scale",
        "0.01",
        *options,
    ]
    log = open(state_dir / "emulator.log", "ab")  # noqa: SIM115 (closed by stop_emulator)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    log.close()
    deadline = time.monotonic() + START_TIMEOUT
    while not connection.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_emulator(process)
            tail = (state_dir / "emulator.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"The emulator did not start: {tail}")
        time.sleep(0.05)
    time.sleep(0.05)  # written atomically, but give the reader a settled file
    data = json.loads(connection.read_text())
    return process, Emulator(
        state_dir=state_dir,
        endpoint=data["endpoint"],
        ca_cert=data["ca_cert"],
        subscription_id=data["subscription_id"],
        token=data["token"],
    )


def stop_emulator(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
