"""How a client finds a running emulator: ``connection.json`` in its state folder.

Stdlib only at import time, so coreos-lab can read it without loading the server.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from coreos_lab.errors import LabError

ENV_STATE_DIR = "COREOS_LAB_EMULATOR_DIR"
CONNECTION_FILE = "connection.json"
CREDENTIAL_SCOPES = ["https://management.azure.com/.default"]


def default_state_dir() -> Path:
    """``$COREOS_LAB_EMULATOR_DIR``, else ``~/.local/state/coreos-lab/emulator``."""
    env = os.environ.get(ENV_STATE_DIR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "state" / "coreos-lab" / "emulator"


@dataclass(frozen=True)
class Connection:
    """Where the emulator listens and how to talk to it."""

    endpoint: str
    ca_cert: str
    subscription_id: str
    tenant_id: str
    token: str

    def credential(self) -> StaticTokenCredential:
        return StaticTokenCredential(self.token)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any azure-mgmt client: base_url, scopes and the CA."""
        return {
            "base_url": self.endpoint,
            "credential_scopes": list(CREDENTIAL_SCOPES),
            "connection_verify": self.ca_cert,
        }

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def write_connection(state_dir: Path, connection: Connection) -> Path:
    """Write ``connection.json`` (mode 0600) atomically."""
    path = state_dir / CONNECTION_FILE
    tmp = state_dir / (CONNECTION_FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(connection.to_json(), handle, indent=2)
    os.replace(tmp, path)
    return path


def load_connection(state_dir: Path | None = None) -> Connection:
    """Read the running emulator's connection file; LabError if there is none."""
    path = (state_dir or default_state_dir()) / CONNECTION_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise LabError("No emulator is running: start one with `coreos-lab emulator`.") from None
    except (OSError, ValueError) as exc:
        raise LabError(
            f"The emulator connection file {path} is unreadable ({exc}): restart the emulator."
        ) from None
    try:
        return Connection(**{k: str(data[k]) for k in Connection.__dataclass_fields__})
    except (KeyError, TypeError):
        raise LabError(
            f"The emulator connection file {path} is incomplete: restart the emulator."
        ) from None


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
