"""The reads several preflight checks share, each made once per preflight.

Resource SKUs and vCPU usages of the location: the size checks and both quota checks read
them, so the runner starts both reads up front and the checks wait on their futures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coreos_lab.azure.clients import Clients

# Per-request socket timeouts (seconds); the SKU list of a real region is a few MB.
CALL_TIMEOUTS: dict[str, Any] = {"connection_timeout": 15, "read_timeout": 60}


@dataclass(frozen=True)
class Sku:
    name: str
    family: str
    vcpus: int
    restricted: str  # the reason code when this subscription may not use it here, else ""


@dataclass(frozen=True)
class Usage:
    name: str
    label: str
    used: int
    limit: int


def _restriction(sku: Any, location: str) -> str:
    for r in sku.restrictions or []:
        if str(r.type).lower().endswith("location"):
            info = r.restriction_info
            places = [*(r.values_property or []), *((info.locations or []) if info else [])]
            if not places or location.lower() in (p.lower() for p in places):
                code = getattr(r.reason_code, "value", r.reason_code)
                return str(code or "restricted")
    return ""


def _vcpus(sku: Any) -> int:
    for cap in sku.capabilities or []:
        if cap.name in ("vCPUsAvailable", "vCPUs"):
            try:
                return int(cap.value)
            except (TypeError, ValueError):
                continue
    return 0


def list_skus(clients: Clients, location: str) -> dict[str, Sku]:
    """The VM sizes of the location, lower-cased name → Sku."""
    found: dict[str, Sku] = {}
    for sku in clients.compute.resource_skus.list(
        filter=f"location eq '{location}'", **CALL_TIMEOUTS
    ):
        if sku.resource_type != "virtualMachines":
            continue
        if sku.locations and location.lower() not in (x.lower() for x in sku.locations):
            continue
        found[sku.name.lower()] = Sku(
            sku.name, sku.family or "", _vcpus(sku), _restriction(sku, location)
        )
    return found


def list_usages(clients: Clients, location: str) -> dict[str, Usage]:
    """vCPU usages of the location: 'cores' (regional) and one per family, by name."""
    return {
        u.name.value.lower(): Usage(
            u.name.value, u.name.localized_value or u.name.value, u.current_value, u.limit
        )
        for u in clients.compute.usage.list(location, **CALL_TIMEOUTS)
    }
