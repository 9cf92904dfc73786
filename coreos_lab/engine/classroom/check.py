"""The class preflight: does the whole class fit, region by region, before any write.

``class_check`` reads (never writes) each region the class may use: its VM sizes, its
quotas (regional and per-family vCPUs, public IPs), its Flatcar images; it places each lab
(class_quota.spread) and prices the class. ``require_room`` is the same and raises
LabError when the class cannot be built, which is what `class up` calls before its first write.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence

from coreos_lab.azure.clients import Clients, connect
from coreos_lab.azure.errors import map_errors
from coreos_lab.azure.images import lab_versions
from coreos_lab.azure.prices import DEADLINE, estimate_cost, service_of
from coreos_lab.azure.region_reads import RegionReads, read_regions, read_subscription
from coreos_lab.classroom.labs import StudentLab
from coreos_lab.classroom.quota import (
    PUBLIC_IPS,
    REGIONAL,
    Need,
    Placement,
    Room,
    candidates,
    lab_need,
    spread,
)
from coreos_lab.classroom.results import ClassReport, RegionReport, UsageRow
from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.costs import CostEstimate
from coreos_lab.lab.roles import ROLES
from coreos_lab.lab.settings import FLATCAR_OFFER, LabSettings
from coreos_lab.local import keys

_LABELS = {n.lower(): n for n in PUBLIC_IPS}  # when Azure does not report them
REQUEST_QUOTA = "request more quota (Azure portal > Quotas > Compute, or az quota create)"


def _need(
    settings: LabSettings, reads: RegionReads, vms: Mapping[tuple[str, str], str]
) -> Need | None:
    """What the lab's missing VMs take from the region; None if a size cannot be used there."""
    missing: list[tuple[str, int]] = []
    group = settings.resource_group.lower()
    for role in ROLES:
        sku = reads.skus.get(role.size(settings).lower())
        if sku is None or sku.restricted:
            return None
        missing += [
            (sku.family, sku.vcpus) for n in role.vm_names(settings) if (group, n) not in vms
        ]
    return lab_need(missing, len(missing))


def _room(reads: RegionReads) -> Room:
    return Room({k: max(u.limit - u.used, 0) for k, u in reads.usages.items()})


def _size_problems(labs: Sequence[StudentLab], reads: RegionReads) -> list[str]:
    problems: dict[str, None] = {}
    for lab in labs:
        for role in ROLES:
            size = role.size(lab.settings)
            sku = reads.skus.get(size.lower())
            if sku is None:
                problems[
                    f"VM size {size} is not offered in {reads.location}; pick another "
                    f"{role.size_flag()} or another region (--location, --locations)."
                ] = None
            elif sku.restricted:
                problems[
                    f"VM size {size} is restricted in {reads.location} for this "
                    f"subscription ({sku.restricted}); pick another {role.size_flag()} or "
                    "another region (--location, --locations)."
                ] = None
    return list(problems)


def _images(settings: LabSettings, reads: RegionReads) -> tuple[str, str | None]:
    """(what the region row shows, the problem or None)."""
    where = f"in {reads.location} ({FLATCAR_OFFER}, {settings.image_sku})"
    if not reads.versions:
        problem = f"Azure lists no Flatcar images {where}; try another --channel or region."
        return "none", problem
    try:
        images = lab_versions(reads.versions, settings, {}, where)
    except LabError as exc:
        return "none", str(exc)
    return f"etcd {images.etcd}, hosts {images.host}", None


def _rows(
    reads: RegionReads, placed: Sequence[StudentLab], needs: dict[tuple[str, str], Need | None]
) -> tuple[UsageRow, ...]:
    total = Need()
    for lab in placed:
        total = total + (needs.get((lab.name, reads.location)) or Need())
    rows = []
    for key, amount in sorted(total.amounts.items(), key=lambda kv: (kv[0] != REGIONAL, kv[0])):
        if not amount and key != REGIONAL:
            continue
        usage = reads.usages.get(key)
        label = usage.label if usage else _LABELS.get(key, key)
        rows.append(
            UsageRow(
                usage.name if usage else key,
                label,
                amount,
                usage.used if usage else 0,
                usage.limit if usage else None,
            )
        )
    return tuple(rows)


def _not_fit(
    labs: Sequence[StudentLab],
    placement: Placement,
    cands: dict[str, tuple[str, ...]],
    needs: dict[tuple[str, str], Need | None],
    reads: dict[str, RegionReads],
    locations: Sequence[str],
) -> str:
    first = next(n for n in placement.unplaced if any(needs.get((n, r)) for r in cands[n]))
    short = []
    for region in cands[first]:
        need, room = needs.get((first, region)), placement.left.get(region)
        if need is None or room is None:
            continue
        for key in room.short(need):
            usage = reads[region].usages.get(key)
            name = usage.label if usage else key
            short.append(f"{name} in {region}: {room.free[key]} free, {need.get(key)} per lab")
    fit = len(labs) - len(placement.unplaced)
    what = "; ".join(short) or "no region of the lab has room"
    regions = list(dict.fromkeys(r for c in cands.values() for r in c))
    spread_hint = (
        "or add regions to --locations"
        if locations
        else f"or spread the class with --locations {','.join(regions)},<another region>"
    )
    return (
        f"Only {fit} of {len(labs)} labs fit the vCPU and public IP quotas ({what}); "
        f"{REQUEST_QUOTA}, {spread_hint}."
    )


def _wanted_by(labs: Sequence[StudentLab], region: str) -> str:
    """ " (roster.csv:3, student ann)": the roster rows that name ``region``, if any."""
    rows = [
        f"{lab.student.where}, student {lab.student.name}"
        for lab in labs
        if lab.student.location == region
    ]
    if not rows:
        return ""
    more = f" and {len(rows) - 2} more" if len(rows) > 2 else ""
    return f" ({'; '.join(rows[:2])}{more})"


def _key_problems(labs: Sequence[StudentLab]) -> list[str]:
    """What `class up` would refuse of the students' own public keys, every row at once."""
    problems = []
    for lab in labs:
        path = lab.settings.ssh_public_key
        if path is None:
            continue
        try:
            keys.load_public_key(path)
        except LabError as exc:
            problems.append(f"{lab.student.where}: student {lab.student.name}: {exc}")
    return problems


def class_check(
    labs: Sequence[StudentLab],
    *,
    locations: Sequence[str] = (),
    clients: Clients | None = None,
    price_deadline: float = DEADLINE,
) -> ClassReport:
    """Read-only preflight of a whole class: where each lab goes, whether it all fits, and
    what it costs per hour. ``locations`` spreads the labs without a roster location."""
    if not labs:
        raise UsageError("The roster names no student; add one line per student.")
    began = time.monotonic()
    first = labs[0].settings
    problems = _key_problems(labs)
    own = clients is None  # clients given (class up's) stay open for their owner
    session = clients or connect(first.cloud, first.subscription)
    try:
        target = session.target
        with map_errors("the class", target.endpoint, cloud=target.row):
            sub = read_subscription(session)
            # A lab with VMs already stays where they are: a resource never changes region.
            cands = {
                lab.name: candidates(
                    sub.built_in(lab.settings.resource_group) or lab.student.location,
                    locations,
                    lab.settings.location,
                )
                for lab in labs
            }
            wanted = list(dict.fromkeys(r for c in cands.values() for r in c))
            for region in wanted:
                if region not in sub.locations:
                    problems.append(
                        f"Location '{region}'{_wanted_by(labs, region)} is not available to "
                        f"subscription {session.subscription_id}; use regions `az account "
                        "list-locations -o table` lists."
                    )
            usable = [r for r in wanted if r in sub.locations]
            service = service_of(target)
            reads = read_regions(session, [dataclasses.replace(first, location=r) for r in usable])
    finally:
        if own:
            session.close()
    needs = {
        (lab.name, r): _need(lab.settings, reads[r], sub.vms)
        for lab in labs
        for r in cands[lab.name]
        if r in reads
    }
    images: dict[str, str] = {}
    for region in usable:
        users = [lab for lab in labs if region in cands[lab.name]]
        problems += _size_problems(users, reads[region])
        images[region], problem = _images(first, reads[region])
        problems += [problem] if problem else []
    placement = spread(
        [(lab.name, cands[lab.name]) for lab in labs], needs, {r: _room(reads[r]) for r in usable}
    )
    # Labs left out for want of room (not only for a size or region that cannot be used).
    crowded = [n for n in placement.unplaced if any(needs.get((n, r)) for r in cands[n])]
    if crowded:
        problems.append(_not_fit(labs, placement, cands, needs, reads, locations))
    placed = tuple(
        dataclasses.replace(
            lab,
            settings=dataclasses.replace(
                lab.settings, location=placement.regions.get(lab.name, lab.settings.location)
            ),
        )
        for lab in labs
    )
    # A region's rows: the labs placed there, and those left out that wanted it first, so
    # the quota a class outgrows shows as too small.
    wants = {
        lab.name: placement.regions.get(lab.name)
        or next((r for r in cands[lab.name] if r in reads), "")
        for lab in placed
    }
    regions = tuple(
        RegionReport(
            r,
            sum(1 for lab in placed if wants[lab.name] == r),
            _rows(reads[r], [lab for lab in placed if wants[lab.name] == r], needs),
            images[r],
        )
        for r in usable
    )
    if len(usable) < len(wanted):
        # A region Azure does not offer has no price: refused above, not priced as 0.
        cost = CostEstimate(note="not priced: the class names a region Azure does not offer")
    else:
        cost = estimate_cost(
            [lab.settings for lab in placed], service=service, deadline=price_deadline
        )
    return ClassReport(
        placed, regions, placement.unplaced, tuple(problems), cost, time.monotonic() - began
    )


def require_room(
    labs: Sequence[StudentLab],
    *,
    locations: Sequence[str] = (),
    clients: Clients | None = None,
) -> ClassReport:
    """:func:`class_check`, raising LabError (every problem, one sentence each) when the class
    cannot be built; the report's ``labs`` carry the region each lab was given."""
    report = class_check(labs, locations=locations, clients=clients)
    report.raise_if_failed()
    return report
