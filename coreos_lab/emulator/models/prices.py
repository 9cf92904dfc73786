"""The Azure Retail Prices API (``GET /api/retail/prices``), served from a dated sample.

The items are ``data/retail_prices.json`` (its ``_about`` says when and how it was written); a
``$filter`` of ``field eq 'value'`` clauses is answered a page at a time, anything else is a 400,
as the service answers: docs/emulator.md, "The Retail Prices API"."""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from importlib import resources
from typing import Any

PATH = "/api/retail/prices"
_CLAUSE = re.compile(r"^\s*(?P<field>[A-Za-z]+)\s+eq\s+'(?P<value>[^']*)'\s*$", re.I)
_ALIASES = {"pricetype": "type"}


class BadFilter(ValueError):
    """A ``$filter`` this emulator (and the service) cannot parse."""


@functools.cache
def sample() -> tuple[dict[str, Any], ...]:
    text = resources.files("coreos_lab.emulator").joinpath("data/retail_prices.json").read_text()
    return tuple(json.loads(text)["Items"])


def parse_filter(text: str) -> list[tuple[str, str]]:
    """``a eq 'x' and b eq 'y'`` → [(field, value)], field names lower-cased."""
    if not text.strip():
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        match = _CLAUSE.match(part)
        if match is None:
            raise BadFilter(f"Invalid OData filter clause: {part!r}")
        name = match["field"].lower()
        clauses.append((_ALIASES.get(name, name), match["value"].lower()))
    return clauses


def _matches(item: dict[str, Any], clauses: list[tuple[str, str]]) -> bool:
    fields = {k.lower(): str(v).lower() for k, v in item.items()}
    return all(fields.get(name) == value for name, value in clauses)


def answer(query: dict[str, str], base: str, page_size: int) -> tuple[int, dict[str, Any]]:
    """(status, body) for a GET with ``query`` (the raw query string's parameters)."""
    try:
        clauses = parse_filter(query.get("$filter", ""))
    except BadFilter as exc:
        return 400, {"Error": {"Code": "BadRequest", "Message": str(exc)}}
    skip_text = query.get("$skip", "0")
    skip = int(skip_text) if skip_text.isdigit() else 0
    found = [item for item in sample() if _matches(item, clauses)]
    page = found[skip : skip + page_size]
    next_link = None
    if skip + page_size < len(found):
        rest = {k: v for k, v in query.items() if k != "$skip"}
        rest["$skip"] = str(skip + page_size)
        encoded = urllib.parse.urlencode(rest, safe="$,'")
        next_link = f"{base}{PATH}?{encoded}"
    return 200, {
        "BillingCurrency": "USD",
        "CustomerEntityId": "Default",
        "CustomerEntityType": "Retail",
        "Items": page,
        "NextPageLink": next_link,
        "Count": len(page),
    }
