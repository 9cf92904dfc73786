"""Lists answer in pages, as ARM's do: ``{"value": [...], "nextLink": ...}``.

Every list operation served is ``x-ms-pageable`` in azure-rest-api-specs, so a client that reads
only the first page would pass against one-page answers and fail on Azure: pages are small by
default (``page_size``) and ``nextLink`` carries a ``$skiptoken`` (docs/emulator.md, "What it
emulates")."""

from __future__ import annotations

import re
import urllib.parse

from .backend import Call
from .envelope import Reply

UNPAGED = re.compile(r"^/subscriptions/[^/]+/locations/?$", re.I)
SKIPTOKEN = "$skiptoken"


def _size(call: Call, default: int) -> int:
    top = call.query.get("$top", "")
    return int(top) if top.isdigit() and int(top) > 0 else default


def page(call: Call, reply: Reply, default_size: int) -> Reply:
    """The page of a list reply the call asks for, with ``nextLink`` when more follow."""
    body = reply.body
    if (
        call.method != "GET"
        or reply.status != 200
        or not isinstance(body, dict)
        or set(body) != {"value"}
        or not isinstance(body["value"], list)
        or UNPAGED.match(call.path)
    ):
        return reply
    token = call.query.get(SKIPTOKEN, "0")
    start = int(token) if token.isdigit() else 0
    size = _size(call, default_size)
    items = body["value"]
    paged: dict[str, object] = {"value": items[start : start + size]}
    if start + size < len(items):
        query = {k: v for k, v in call.raw_query.items() if k.lower() != SKIPTOKEN}
        query[SKIPTOKEN] = str(start + size)
        encoded = urllib.parse.urlencode(query, safe="$,")
        paged["nextLink"] = f"{call.base}{call.path}?{encoded}"
    return Reply(reply.status, paged, reply.headers)
