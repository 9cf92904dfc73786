"""What a lab and a class cost per hour, from a price book of retail prices. Pure.

The prices come from the Azure Retail Prices API (azure/prices.py); here they are only
multiplied and added. Priced: each VM (its size's Linux pay-as-you-go price in its region)
and each VM's Standard static public IP. Not priced, and said so in every estimate: the OS
disks (billed per month by size tier), the boot-diagnostics storage account, and traffic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coreos_lab.lab.roles import ROLES
from coreos_lab.lab.settings import LabSettings

PUBLIC_IP = "Standard static public IP"
NOT_PRICED_PARTS = (
    "OS disks (Standard SSD, billed per month by size)",
    "the boot-diagnostics storage account",
    "traffic",
)
NOT_PRICED = f"{', '.join(NOT_PRICED_PARTS[:-1])} and {NOT_PRICED_PARTS[-1]} are not included"


def vm_key(size: str) -> str:
    """The price book's key of a VM size's hourly price."""
    return f"vm:{size.lower()}"


IP_KEY = "ip:standard-static"


@dataclass(frozen=True)
class PriceBook:
    """Hourly prices by (key, location), in one currency, from one source (a URL)."""

    prices: Mapping[tuple[str, str], float]
    currency: str = "USD"
    source: str = ""

    def get(self, key: str, location: str) -> float | None:
        return self.prices.get((key, location.lower()))


@dataclass(frozen=True)
class CostLine:
    """count × what, each at unit_price per hour (None: not found in the price list)."""

    what: str
    count: int
    unit_price: float | None
    location: str

    @property
    def per_hour(self) -> float | None:
        return None if self.unit_price is None else self.count * self.unit_price


@dataclass(frozen=True)
class LabCost:
    location: str
    lines: tuple[CostLine, ...]

    @property
    def per_hour(self) -> float:
        """The sum of the lines that are priced."""
        return sum(line.per_hour or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> tuple[str, ...]:
        return tuple(
            f"{line.what} in {line.location}" for line in self.lines if line.per_hour is None
        )


@dataclass(frozen=True)
class CostEstimate:
    """The price per hour of one lab (the first) and of all ``labs``; or why there is none."""

    labs: tuple[LabCost, ...] = ()
    currency: str = "USD"
    source: str = ""
    note: str = ""  # "prices unavailable: …" when the price service could not be asked

    @property
    def available(self) -> bool:
        return bool(self.labs) and not self.note

    @property
    def lab_per_hour(self) -> float | None:
        return self.labs[0].per_hour if self.available else None

    @property
    def class_per_hour(self) -> float | None:
        return sum(lab.per_hour for lab in self.labs) if self.available else None

    @property
    def unpriced(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for lab in self.labs:
            seen.update(dict.fromkeys(lab.unpriced))
        return tuple(seen)


def price_needs(labs: Sequence[LabSettings]) -> dict[str, set[str]]:
    """location → the VM sizes whose prices an estimate of ``labs`` needs."""
    needs: dict[str, set[str]] = {}
    for s in labs:
        needs.setdefault(s.location.lower(), set()).update(role.size(s) for role in ROLES)
    return needs


def lab_cost(settings: LabSettings, book: PriceBook) -> LabCost:
    loc = settings.location.lower()
    lines = []
    for role in ROLES:
        size, count = role.size(settings), role.count(settings)
        lines.append(CostLine(f"{size} ({role.counted})", count, book.get(vm_key(size), loc), loc))
    vms = sum(role.count(settings) for role in ROLES)
    lines.append(CostLine(PUBLIC_IP, vms, book.get(IP_KEY, loc), loc))
    return LabCost(loc, tuple(lines))


def estimate(labs: Sequence[LabSettings], book: PriceBook) -> CostEstimate:
    found = CostEstimate(tuple(lab_cost(s, book) for s in labs), book.currency, book.source)
    if all(line.unit_price is None for lab in found.labs for line in lab.lines):
        # Nothing priced is no estimate: "0 USD" would read as free.
        regions = ", ".join(sorted({lab.location for lab in found.labs}))
        return unavailable(f"{book.source or 'the price list'} lists no price for {regions}")
    return found


def unavailable(reason: str) -> CostEstimate:
    return CostEstimate(note=f"prices unavailable: {reason}")


def money(amount: float, currency: str) -> str:
    """4 decimals under 1 (a VM costs cents an hour), 2 above."""
    return f"{amount:.4f} {currency}" if amount < 1 else f"{amount:,.2f} {currency}"
