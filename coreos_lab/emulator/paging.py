"""Lists answer in pages, as ARM's do: ``{"value": [...], "nextLink": ...}``.

Every list operation the emulator serves is ``x-ms-pageable`` with ``nextLinkName: nextLink``
in azure-rest-api-specs (a client follows ``nextLink`` until it is absent), so a client that
reads only the first page passes against one-page answers and fails on Azure. The page size is
the config's ``page_size`` (small by default, so that tests page), or ``$top`` where the
operation takes it as the page size (Resources_ListByResourceGroup, ResourceGroups_List). The
``nextLink`` repeats the request's query (api-version, ``$filter``, ``$expand``, ``$top``) with a
``$skiptoken`` offset, the way ARM's links carry an opaque ``$skiptoken``.

Not paged: bare JSON arrays (image versions) and subscription locations, whose operation
declares ``nextLinkName: null`` (Subscriptions_ListLocations).
"""

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
