"""Valid request properties the emulator does not model come back as sent.

Azure returns what a PUT sent (validated) plus what it computes: a property the emulator does
not model (a NIC's ``disableTcpStateTracking``, a storage account's ``isSftpEnabled`` or
``encryption.requireInfrastructureEncryption``) must be stored and returned unchanged, or a
differ sees drift Azure would not show (docs/emulator.md, "Per class", class 1; evidence:
the request/response pairs of NetworkInterfaceCreate.json and StorageAccountCreate.json in
azure-rest-api-specs).

The rule, applied by every PUT: the model's body wins for the keys it builds (those are
validated or computed); every other key of the request is added as sent, recursing into
objects both have, and into arrays of named objects (security rules, subnets, IP
configurations) item by item. Write-only secrets (``customData``, ``adminPassword``) are never
stored; the models drop them before they build, and ``WRITE_ONLY`` keeps them out here too.
"""

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
