"""The reads several preflight checks share, each made once per preflight.

Resource SKUs and vCPU usages of the location: the size checks and both quota checks read
them, so the runner starts both reads up front and the checks wait on their futures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from coreos_lab.azure.clients import Clients

T = TypeVar("T")

# Per-request socket timeouts (seconds); the SKU list of a real region is a few MB.
CALL_TIMEOUTS: dict[str, Any] = {"connection_timeout": 15, "read_timeout": 60}
# A POST that only reads (a name check, ARM charges it as a read) is safe to send again, but
# azure-core's RetryPolicy retries a dropped connection only for the methods it is given:
# GET, PUT, DELETE... by default, not POST.
READ_POST: dict[str, Any] = {
    **CALL_TIMEOUTS,
    "retry_on_methods": frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE", "POST"}),
}


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


@dataclass
class SharedReads:
    """Reads made once however many preflights ask, at once or later: a region's VM sizes
    and usages, its Flatcar versions and plans, the subscription and its locations.

    `class up` checks every lab of a class before its first write, most of them in one
    region; one SharedReads for them all reads each answer once instead of once a lab. A
    single preflight gets its own. A failed read is not kept: the next caller reads again.
    """

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _answers: dict[Hashable, Future[Any]] = field(default_factory=dict)

    def once(self, key: Hashable, read: Callable[[], T]) -> T:
        with self._lock:
            future = self._answers.get(key)
            first = future is None
            if future is None:
                future = self._answers[key] = Future()
        if first:
            try:
                future.set_result(read())
            except BaseException as exc:
                with self._lock:
                    del self._answers[key]
                future.set_exception(exc)
                raise
        return cast(T, future.result())
