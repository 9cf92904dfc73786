"""Run an emulator in a subprocess for tests and benchmarks, and talk to its admin API.

    with running_emulator(tmp_path, latency_scale=0.01, fault_lro_failed=0.1) as conn:
        admin = AdminClient(conn)
        ...

``**options`` are the ``coreos-lab emulator`` options in Python spelling (``fault_dropped=0.1``
becomes ``--fault-dropped 0.1``; booleans become ``--flag``/``--no-flag``).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coreos_lab.errors import LabError

from .connection import CONNECTION_FILE, Connection, load_connection

START_TIMEOUT = 30.0


def _arguments(options: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            args.append(flag if value else "--no-" + key.replace("_", "-"))
        elif value is not None:
            args += [flag, str(value)]
    return args


@contextmanager
def running_emulator(
    state_dir: Path, latency_scale: float = 0.01, **options: Any
) -> Iterator[Connection]:
    """Start ``python -m coreos_lab.emulator`` on 127.0.0.1 (a free port); stop it on exit.

    Its output goes to ``<state_dir>/emulator.log``. Raises LabError if it is not listening
    within 30 s.
    """
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / CONNECTION_FILE).unlink(missing_ok=True)
    options.setdefault("port", 0)
    command = [
        sys.executable,
        "-m",
        "coreos_lab.emulator",
        "--state-dir",
        str(state_dir),
        "--latency-scale",
        str(latency_scale),
        *_arguments(options),
    ]
    log = open(state_dir / "emulator.log", "ab")  # noqa: SIM115 (closed in finally)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        yield _wait_for_connection(process, state_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_for_connection(process: subprocess.Popen[bytes], state_dir: Path) -> Connection:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (state_dir / "emulator.log").read_text(errors="replace")[-2000:]
            raise LabError(f"The emulator exited with status {process.returncode}: {tail}")
        if (state_dir / CONNECTION_FILE).exists():
            return load_connection(state_dir)
        time.sleep(0.05)
    raise LabError(f"The emulator did not start within {START_TIMEOUT:.0f} s: see its log.")


class AdminClient:
    """The emulator's admin API (``/_emulator/``) over HTTPS, with the stdlib only."""

    def __init__(self, connection: Connection, timeout: float = 10.0) -> None:
        self.connection = connection
        self.timeout = timeout
        self._context = ssl.create_default_context(cafile=connection.ca_cert)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.connection.endpoint}/_emulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=self._context, timeout=self.timeout) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as err:
            raise LabError(f"Emulator admin {method} {path} failed: {err.read()!r}") from None

    def requests_log(self) -> list[dict[str, Any]]:
        """ARM requests so far: time, method, path, query, status, duration_ms, kind, fault."""
        result: list[dict[str, Any]] = self._call("GET", "/requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def reset(self) -> None:
        """Forget every resource and the log; config back to the start values."""
        self._call("POST", "/reset")

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/state")
        return result

    def config(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/config")
        return result

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change settings at run time, e.g. ``configure(faults={"throttled": 0.2})``,
        ``configure(latency_scale=1.0)``, ``configure(quotas={"cores": 4})``,
        ``configure(throttling={"enabled": True, "reads": [5, 1]})``."""
        result: dict[str, Any] = self._call("PUT", "/config", changes)
        return result
