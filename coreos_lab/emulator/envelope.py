"""ARM's envelope: resource ids, etags, timestamps, replies and long-running-operation headers.

Every provider answers through these helpers, so the wire format lives in one place.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass
class Reply:
    """What a handler answers: status, JSON body (``None`` for an empty body), headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def now_iso(at: float | None = None) -> str:
    """An ISO 8601 UTC timestamp with 7 fractional digits, as ARM writes them."""
    moment = dt.datetime.fromtimestamp(time.time() if at is None else at, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def new_etag() -> str:
    """A network-style weak etag, new on every change."""
    return f'W/"{uuid.uuid4()}"'


def group_id(sub: str, group: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}"


def resource_id(sub: str, group: str, rtype: str, name: str) -> str:
    """The id of a top-level resource, ``rtype`` being ``Namespace/type``."""
    return f"{group_id(sub, group)}/providers/{rtype}/{name}"


def ref(rid: str) -> Json:
    """A reference to another resource, as ARM embeds it: ``{"id": ...}``."""
    return {"id": rid}


def format_seconds(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, as Azure sends them.

    The SDK parses some of these headers as ``int``, so no fractions: below half a second
    (tests at a small latency scale) this is ``0`` and the client's ``polling_interval`` applies.
    """
    return str(max(0, round(seconds)))
