"""What can be changed while the emulator runs (``PUT /_emulator/config``) or set at start.

Latency scale, faults and throttling live in their own objects (latency.py, faults.py,
throttling.py); this module holds the cloud's catalogue knobs and applies a config update to
all of them, refusing unknown keys.
"""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from .catalog import DEFAULT_FAMILY_CORES, DEFAULT_IMAGE_VERSIONS, DEFAULT_REGIONAL_CORES
from .errors import BadRequest
from .faults import FaultInjector, FaultRates
from .latency import LatencyModel
from .throttling import Throttler

Json = dict[str, Any]

# Public IPs are handed out from loopback: an emulated machine's "public" address is one of this
# host's, so nothing ever dials an outside address for an emulator lab, and a test can put a real
# sshd on it. Any block inside 127.0.0.0/8 may be configured.
DEFAULT_PUBLIC_IP_PREFIX = "127.77.0.0/16"
LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
# Smaller than a lab's generic resource list (23 resources for 5 machines), so that it pages
# and every client run exercises nextLink; larger than one kind's list in the biggest lab (12
# VMs) and a location's SKUs or usages, so per-kind reads and preflight cost the round trips
# they cost on Azure, whose page sizes are not documented. Tests set smaller ones.
DEFAULT_PAGE_SIZE = 20


@dataclass
class CloudConfig:
    """Catalogue knobs: quotas, restrictions, names taken elsewhere, image versions."""

    # usage name ("cores" or a family such as "standardBasv2Family") -> limit, all locations
    quotas: dict[str, int] = field(
        default_factory=lambda: {"cores": DEFAULT_REGIONAL_CORES, "*": DEFAULT_FAMILY_CORES}
    )
    # location -> {usage name -> limit}; overrides ``quotas``
    quotas_by_location: dict[str, dict[str, int]] = field(default_factory=dict)
    # storage account names "taken" by other subscriptions
    taken_storage_names: list[str] = field(default_factory=lambda: ["coreoslab", "flatcar"])
    # VM size -> locations where the subscription may not use it (NotAvailableForSubscription)
    sku_restrictions: dict[str, list[str]] = field(default_factory=dict)
    # offer -> sku -> versions
    image_versions: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: copy.deepcopy(DEFAULT_IMAGE_VERSIONS)
    )
    # public IP addresses are handed out from this block (see DEFAULT_PUBLIC_IP_PREFIX)
    public_ip_prefix: str = DEFAULT_PUBLIC_IP_PREFIX
    # items per page of a list answer (paging.py); small, so that clients and tests page
    page_size: int = DEFAULT_PAGE_SIZE
    # the emulated serial log's pace: 1.0 reveals a boot over about 18 s after the VM's creation
    # (models/boot_diagnostics.py); smaller is faster
    boot_log_pace: float = 1.0
    # how long one minute of a boot diagnostics SAS lasts, in seconds: tests shorten it to see
    # a URL expire without touching the clock
    sas_minute_seconds: float = 60.0

    def limit(self, location: str, usage: str) -> int:
        local = self.quotas_by_location.get(location.lower(), {})
        for table in (local, self.quotas):
            if usage in table:
                return int(table[usage])
        for table in (local, self.quotas):
            if usage != "cores" and "*" in table:
                return int(table["*"])
        return DEFAULT_REGIONAL_CORES if usage == "cores" else DEFAULT_FAMILY_CORES

    def restricted(self, size: str, location: str) -> bool:
        for name, locations in self.sku_restrictions.items():
            if name.lower() == size.lower() and location.lower() in [x.lower() for x in locations]:
                return True
        return False


@dataclass
class EmulatorSettings:
    """Everything configurable, gathered: the server keeps one and the admin API edits it."""

    cloud: CloudConfig
    latency: LatencyModel
    faults: FaultInjector
    throttler: Throttler

    def to_json(self) -> Json:
        return {
            "latency_scale": self.latency.scale,
            "seed": self.faults.seed,
            "faults": self.faults.rates.as_dict(),
            "throttling": {
                "enabled": self.throttler.enabled,
                **{k: list(v) for k, v in self.throttler.sizes.items()},
            },
            "quotas": self.cloud.quotas,
            "quotas_by_location": self.cloud.quotas_by_location,
            "taken_storage_names": self.cloud.taken_storage_names,
            "sku_restrictions": self.cloud.sku_restrictions,
            "image_versions": self.cloud.image_versions,
            "public_ip_prefix": self.cloud.public_ip_prefix,
            "page_size": self.cloud.page_size,
            "boot_log_pace": self.cloud.boot_log_pace,
            "sas_minute_seconds": self.cloud.sas_minute_seconds,
        }

    def update(self, changes: Json) -> None:
        """Apply a partial config; unknown keys or bad values are a 400 InvalidParameter."""
        known = set(self.to_json())
        unknown = sorted(set(changes) - known)
        if unknown:
            raise BadRequest(f"Unknown config keys {unknown}; known keys are {sorted(known)}.")
        try:
            self._apply(changes)
        except (TypeError, ValueError, KeyError) as exc:
            raise BadRequest(f"Invalid emulator config: {exc}.") from exc

    def _apply(self, changes: Json) -> None:
        if "latency_scale" in changes:
            scale = float(changes["latency_scale"])
            if scale < 0:
                raise ValueError("latency_scale must be 0 or more")
            self.latency.scale = scale
        if "faults" in changes:
            rates = {**self.faults.rates.as_dict(), **changes["faults"]}
            parsed = FaultRates(**{k: float(v) for k, v in rates.items()})
            parsed.check()
            self.faults.rates = parsed
        if "seed" in changes:
            self.faults.reseed(int(changes["seed"]))
        if "throttling" in changes:
            spec = dict(changes["throttling"])
            enabled = spec.pop("enabled", None)
            buckets = {k: (float(v[0]), float(v[1])) for k, v in spec.items()}
            if set(buckets) - {"reads", "writes", "deletes"}:
                raise ValueError("throttling buckets are reads, writes and deletes")
            self.throttler.configure(None if enabled is None else bool(enabled), buckets)
        for table in (
            changes.get("quotas") or {},
            *(changes.get("quotas_by_location") or {}).values(),
        ):
            if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in table.values()):
                raise ValueError("a quota is a whole number of 0 or more")
        for key in (
            "quotas",
            "quotas_by_location",
            "taken_storage_names",
            "sku_restrictions",
            "image_versions",
        ):
            if key in changes:
                setattr(self.cloud, key, copy.deepcopy(changes[key]))
        if "public_ip_prefix" in changes:
            self.cloud.public_ip_prefix = loopback_block(changes["public_ip_prefix"])
        if "page_size" in changes:
            size = int(changes["page_size"])
            if size < 1:
                raise ValueError("page_size must be 1 or more")
            self.cloud.page_size = size
        for key in ("boot_log_pace", "sas_minute_seconds"):
            if key in changes:
                value = float(changes[key])
                if value < 0:
                    raise ValueError(f"{key} must be 0 or more")
                setattr(self.cloud, key, value)


def loopback_block(value: object) -> str:
    """A block of at least 16 addresses inside 127.0.0.0/8; ValueError otherwise."""
    block = ipaddress.ip_network(str(value), strict=False)
    if not isinstance(block, ipaddress.IPv4Network) or not block.subnet_of(LOOPBACK):
        raise ValueError(
            f"public_ip_prefix {value} is outside 127.0.0.0/8; the emulator hands out loopback "
            "addresses only, so that nothing dials an outside address"
        )
    if block.prefixlen > 28:
        raise ValueError(f"public_ip_prefix {value} is too small; use a /28 or larger")
    return str(block)
