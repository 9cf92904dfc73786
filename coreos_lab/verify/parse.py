"""Reading each section of the probe's output into facts. Pure.

Each parser takes what one command printed and its exit status and returns plain values; a
command that failed gives ``None`` (or an error text), never an exception, because a machine
half booted prints half of what a ready one does.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from coreos_lab.verify.probe import Section


def key_values(text: str) -> dict[str, str]:
    """``KEY=value`` lines as in os-release(5), update.conf and flannel's subnet.env.

    Quoted values are unquoted as a shell would; comments and blank lines are skipped.
    """
    found: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value]
        found[key.strip()] = " ".join(words)
    return found


def unit_states(section: Section | None, units: tuple[str, ...]) -> dict[str, str]:
    """``systemctl is-active A B …`` prints one state per unit, in order (systemctl(1)).

    Exit status 3 only says that some unit is not active; the lines say which.
    """
    if section is None:
        return {}
    lines = [line.strip() for line in section.text.splitlines() if line.strip()]
    if len(lines) != len(units):
        return {}
    return dict(zip(units, lines, strict=True))


@dataclass(frozen=True)
class EtcdStatus:
    cluster_id: str
    member_id: str
    leader: str
    version: str


def etcd_status(section: Section | None) -> EtcdStatus | None:
    """The v3 maintenance status (gRPC gateway JSON: 64-bit ids are strings)."""
    data = _json(section)
    if not isinstance(data, dict) or "header" not in data:
        return None
    header = data["header"]
    return EtcdStatus(
        cluster_id=str(header.get("cluster_id", "")),
        member_id=str(header.get("member_id", "")),
        leader=str(data.get("leader", "0") or "0"),
        version=str(data.get("version", "")),
    )


@dataclass(frozen=True)
class Member:
    member_id: str
    name: str
    peer_urls: tuple[str, ...]
    client_urls: tuple[str, ...]


def etcd_members(section: Section | None) -> list[Member] | None:
    data = _json(section)
    if not isinstance(data, dict) or "members" not in data:
        return None
    return [
        Member(
            member_id=str(m.get("ID", "")),
            name=str(m.get("name", "")),
            peer_urls=tuple(m.get("peerURLs", [])),
            client_urls=tuple(m.get("clientURLs", [])),
        )
        for m in data["members"]
    ]


def healthy(section: Section | None) -> bool:
    """``/health`` says ``{"health":"true"}`` when the member has a leader and answers."""
    data = _json(section)
    return isinstance(data, dict) and str(data.get("health")) == "true"


@dataclass(frozen=True)
class V2Key:
    """A v2 key's GET: present with its value, absent (errorCode 100), or no answer."""

    answered: bool
    present: bool = False
    value: str = ""


def v2_key(section: Section | None) -> V2Key:
    data = _json(section)
    if not isinstance(data, dict):
        return V2Key(answered=False)
    if "node" in data:
        return V2Key(answered=True, present=True, value=str(data["node"].get("value", "")))
    # {"errorCode":100,"message":"Key not found",...} (etcd v2 API)
    return V2Key(answered=data.get("errorCode") == 100)


@dataclass(frozen=True)
class Semaphore:
    """locksmith's reboot lock: how many may reboot at once, and who holds it (machine ids)."""

    available: int
    maximum: int
    holders: tuple[str, ...] = field(default_factory=tuple)


def semaphore(value: str) -> Semaphore | None:
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return Semaphore(
        available=int(data.get("semaphore", 0)),
        maximum=int(data.get("max", 0)),
        holders=tuple(str(h) for h in data.get("holders") or []),
    )


def text_of(section: Section | None) -> str | None:
    """A file's text, or None when it could not be read."""
    if section is None or section.rc != 0:
        return None
    return section.text


def _json(section: Section | None) -> Any:
    if section is None or section.rc != 0:
        return None
    try:
        return json.loads(section.text)
    except ValueError:
        return None
