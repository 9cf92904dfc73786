"""The emulator's client side: find a running emulator, talk to it, start one for tests.

:func:`load_connection` reads ``connection.json``; :func:`cli_env` points the CLI at an emulator;
:func:`running_emulator` starts one in a subprocess and :class:`AdminClient` drives it. Stdlib
only at import time and nothing from the rest of coreos_lab, so the CLI can read the
connection file without loading the server."""

from __future__ import annotations

import json
import os
import shlex
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ENV_STATE_DIR = "COREOS_LAB_EMULATOR_DIR"
CONNECTION_FILE = "connection.json"
# The emulator accepts any scope; the SDK needs one, and this is ARM's in the public cloud.
CREDENTIAL_SCOPE = "https://management.azure.com/.default"
START_TIMEOUT = 30.0


class EmulatorError(Exception):
    """No emulator, an unreadable connection file, or a failed admin call: one sentence."""


def default_state_dir() -> Path:
    """``$COREOS_LAB_EMULATOR_DIR``, else ``~/.local/state/coreos-lab/emulator``."""
    env = os.environ.get(ENV_STATE_DIR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "state" / "coreos-lab" / "emulator"


@dataclass(frozen=True)
class Connection:
    """Where the emulator listens and how to talk to it (the content of ``connection.json``)."""

    endpoint: str
    ca_cert: str
    subscription_id: str
    tenant_id: str
    token: str  # ARM's bearer token, and the admin API's
    pid: int = 0  # the emulator's process, so a caller can tell a stale file from its own

    def credential(self) -> StaticTokenCredential:
        return StaticTokenCredential(self.token)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any azure-mgmt client: base_url, scopes and the CA."""
        return {
            "base_url": self.endpoint,
            "credential_scopes": [CREDENTIAL_SCOPE],
            "connection_verify": self.ca_cert,
        }

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def write_connection(state_dir: Path, connection: Connection) -> Path:
    """Write ``connection.json`` (mode 0600) atomically."""
    path = state_dir / CONNECTION_FILE
    tmp = state_dir / f"{CONNECTION_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(connection.to_json(), handle, indent=2)
    os.replace(tmp, path)
    return path


def load_connection(state_dir: Path | None = None) -> Connection:
    """Read the running emulator's connection file; EmulatorError if there is none."""
    folder = state_dir or default_state_dir()
    path = folder / CONNECTION_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        if state_dir is not None:
            where = "the folder given"
        elif os.environ.get(ENV_STATE_DIR):
            where = f"set by {ENV_STATE_DIR}"
        else:
            where = f"the default; set {ENV_STATE_DIR} to look elsewhere"
        raise EmulatorError(
            f"No emulator is running: there is no {CONNECTION_FILE} in {folder} ({where}); "
            "start one with `coreos-lab emulator`."
        ) from None
    except (OSError, ValueError) as exc:
        raise EmulatorError(
            f"The emulator connection file {path} is unreadable ({exc}): restart the emulator."
        ) from None
    try:
        fields = {k: str(data[k]) for k in ("endpoint", "ca_cert", "subscription_id")}
        return Connection(
            **fields,
            tenant_id=str(data["tenant_id"]),
            token=str(data["token"]),
            pid=int(data.get("pid", 0)),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise EmulatorError(
            f"The emulator connection file {path} is incomplete: restart the emulator."
        ) from None


def cli_env(state_dir: Path) -> dict[str, str]:
    """The environment that points ``coreos-lab`` at the emulator whose folder is ``state_dir``."""
    return {ENV_STATE_DIR: str(Path(state_dir).resolve()), "COREOS_LAB_CLOUD": "emulator"}


class StaticTokenCredential:
    """An azure-core token credential that always hands out the emulator's static token."""

    def __init__(self, token: str, lifetime: int = 3600) -> None:
        self._token = token
        self._lifetime = lifetime

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + self._lifetime)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self._token, int(time.time()) + self._lifetime)

    def close(self) -> None:
        return None

    def __enter__(self) -> StaticTokenCredential:
        return self

    def __exit__(self, *args: object) -> None:
        return None


# -- a subprocess emulator for tests and benchmarks ------------------------------------------
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

    ``**options`` are the ``coreos-lab emulator`` options in Python spelling
    (``fault_dropped=0.1`` becomes ``--fault-dropped 0.1``; booleans ``--flag``/``--no-flag``).
    Its output goes to ``<state_dir>/emulator.log``. EmulatorError if it is not listening
    within 30 s.
    """
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
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
            raise EmulatorError(f"The emulator exited with status {process.returncode}: {tail}")
        try:
            connection = load_connection(state_dir)
        except EmulatorError:
            connection = None
        if connection is not None and _owned_by(connection, process):
            return connection
        time.sleep(0.05)
    raise EmulatorError(f"The emulator did not start within {START_TIMEOUT:.0f} s: see its log.")


def _owned_by(connection: Connection, process: subprocess.Popen[bytes]) -> bool:
    """Whether this connection file was written by ``process``, not left by an earlier one.

    The harness never deletes connection.json itself: it may belong to a running emulator.
    """
    return connection.pid == process.pid


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
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.connection.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, context=self._context, timeout=self.timeout) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as err:
            raise EmulatorError(f"Emulator admin {method} {path} failed: {err.read()!r}") from None

    def requests_log(self) -> list[dict[str, Any]]:
        """ARM requests so far: time, method, path, query, status, duration_ms, kind, fault."""
        result: list[dict[str, Any]] = self._call("GET", "/requests")
        return result

    def stats(self) -> dict[str, Any]:
        """The emulator's CPU time so far and the ARM requests in its log."""
        result: dict[str, Any] = self._call("GET", "/stats")
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


def main(argv: list[str] | None = None) -> int:
    """``python -m coreos_lab.emulator.client STATE_DIR``: shell exports of :func:`cli_env`."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else default_state_dir()
    for key, value in cli_env(folder).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
