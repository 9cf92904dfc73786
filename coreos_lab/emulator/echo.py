"""Valid request properties the emulator does not model come back as sent.

Every PUT: the model's body wins for the keys it builds; every other key of the request is
added as sent, into objects both have and arrays of named objects item by item; write-only
secrets (``WRITE_ONLY``) are never stored. Why and the evidence: docs/emulator.md, "Per class",
class 1."""

from __future__ import annotations

import copy
from typing import Any

# Never returned by Azure (VirtualMachines_Get omits them; userData only with $expand=userData).
WRITE_ONLY = frozenset({"customData", "adminPassword", "userData"})


def echo(sent: Any, built: Any) -> Any:
    """``built`` with the request's keys it lacks added as sent (see the module doc)."""
    if isinstance(sent, dict) and isinstance(built, dict):
        merged = dict(built)
        for key, value in sent.items():
            if key in WRITE_ONLY or value is None:
                continue
            if key in built:
                merged[key] = echo(value, built[key])
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(sent, list) and isinstance(built, list) and _named(sent) and _named(built):
        by_name = {str(item["name"]).lower(): item for item in sent}
        return [echo(by_name.get(str(item["name"]).lower()), item) for item in built]
    return built


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)
