"""A machine of the lab as its users know it: what `ips` shows and `ssh` connects to. Pure."""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass
from typing import Any

from coreos_lab.plan import ADMIN_USER


def shell_path(path: str) -> str:
    """``path`` as a shell word: quoted when it needs it, a leading ``~/`` left to expand."""
    if path.startswith("~/"):
        return "~/" + shlex.quote(path[2:])
    return shlex.quote(path)


@dataclass(frozen=True)
class MachineInfo:
    name: str
    role: str
    public_ip: str | None
    private_ip: str | None
    state: str

    def ssh_command(self, key_path: str) -> str | None:
        if not self.public_ip:
            return None
        return f"ssh -i {shell_path(key_path)} {ADMIN_USER}@{self.public_ip}"

    def as_dict(self, key_path: str) -> dict[str, Any]:
        return {**asdict(self), "ssh": self.ssh_command(key_path)}
