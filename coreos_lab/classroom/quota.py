"""What a class needs of each region's quota, and which labs go where. Pure.

A class is summed per region (vCPUs per family and in total, public IPs), less the VMs that
exist already; with ``--locations a,b,c`` a lab without a roster location goes to the first
listed region that still has room for it. Azure's quotas: docs/facts.md, "Quota and prices"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

REGIONAL = "cores"  # the usage name of the regional vCPU total, as ARM's usages list it
# Microsoft.Network's usage names (`az network list-usages`): a lab's Standard static public
# IPs count against both.
PUBLIC_IPS = ("PublicIPAddresses", "StaticPublicIPAddresses")


@dataclass(frozen=True)
class Need:
    """What one lab (or several) takes from a region: usage name (lower-cased) → amount."""

    amounts: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: Need) -> Need:
        keys = set(self.amounts) | set(other.amounts)
        return Need({k: self.amounts.get(k, 0) + other.amounts.get(k, 0) for k in keys})

    def times(self, n: int) -> Need:
        return Need({k: v * n for k, v in self.amounts.items()})

    def get(self, usage: str) -> int:
        return self.amounts.get(usage.lower(), 0)


def lab_need(vms: Sequence[tuple[str, int]], public_ips: int) -> Need:
    """The need of a lab whose missing VMs are ``vms``: (family, vCPUs) each."""
    amounts: dict[str, int] = {REGIONAL: 0, **{n.lower(): public_ips for n in PUBLIC_IPS}}
    for family, vcpus in vms:
        amounts[REGIONAL] += vcpus
        amounts[family.lower()] = amounts.get(family.lower(), 0) + vcpus
    return Need(amounts)


@dataclass(frozen=True)
class Room:
    """What a region has free: usage name (lower-cased) → limit − used. A usage Azure does not
    report is not limited."""

    free: Mapping[str, int]

    def fits(self, need: Need) -> bool:
        return all(v <= self.free[k] for k, v in need.amounts.items() if v and k in self.free)

    def less(self, need: Need) -> Room:
        return Room({k: v - need.get(k) for k, v in self.free.items()})

    def short(self, need: Need) -> list[str]:
        """The usages ``need`` exceeds."""
        return sorted(k for k, v in need.amounts.items() if k in self.free and v > self.free[k])


def labs_that_fit(need: Need, room: Room) -> int:
    """How many labs of ``need`` each fit in ``room`` (a large number when nothing limits)."""
    counts = [room.free[k] // v for k, v in need.amounts.items() if v and k in room.free]
    return max(0, min(counts, default=10**6))


@dataclass(frozen=True)
class Placement:
    """Where each lab goes (lab name → region), the labs no region had room for, and the
    room each region has left."""

    regions: Mapping[str, str]
    unplaced: tuple[str, ...]
    left: Mapping[str, Room] = field(default_factory=dict)


def spread(
    labs: Sequence[tuple[str, Sequence[str]]],
    needs: Mapping[tuple[str, str], Need | None],
    rooms: Mapping[str, Room],
) -> Placement:
    """Assign each lab (its name, the regions it may go to in order) to a region.

    ``needs[(lab, region)]`` is the lab's need there, None (or absent) where it cannot be built.
    Labs with one region (a roster location, or no --locations) take their room first, in
    roster order; then each other lab goes to the first of its regions with room left.
    """
    left = dict(rooms)
    placed: dict[str, str] = {}
    unplaced: list[str] = []
    ordered = [lab for lab in labs if len(lab[1]) == 1] + [lab for lab in labs if len(lab[1]) != 1]
    for name, regions in ordered:
        for region in regions:
            need = needs.get((name, region))
            if need is not None and region in left and left[region].fits(need):
                placed[name] = region
                left[region] = left[region].less(need)
                break
        else:
            unplaced.append(name)
    order = {name: i for i, (name, _) in enumerate(labs)}
    return Placement(placed, tuple(sorted(unplaced, key=order.__getitem__)), left)


def candidates(roster_location: str, locations: Sequence[str], default: str) -> tuple[str, ...]:
    """The regions a lab may go to: its roster's, else --locations in order, else the class's."""
    if roster_location:
        return (roster_location.lower(),)
    return tuple(loc.lower() for loc in locations) or (default.lower(),)
