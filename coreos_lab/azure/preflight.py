"""Preflight: everything that would make `up` fail half-way, checked before its first write.

Each check reads from Azure only (GETs, plus the storage name check, a POST that changes
nothing) and ends in one sentence that names the value, the limit and the fix. The checks run
concurrently: the reads several of them share (resource SKUs, usages) start once, up front,
so the whole preflight takes about as long as its slowest check.

A check whose precondition failed (no token, an unknown location) is reported as skipped
rather than failing a second time with the same cause.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.errors import describe, is_azure_error
from coreos_lab.azure.images import (
    image_plan,
    image_urn,
    lab_versions,
    list_versions,
    version_key,
    versions_in_inventory,
)
from coreos_lab.azure.inventory import Inventory
from coreos_lab.errors import LabError
from coreos_lab.events import EventSink, PhaseEvent, discard
from coreos_lab.kinds import STORAGE, VM, Kind
from coreos_lab.reports import CheckResult, ImageVersions, Outcome, PreflightReport
from coreos_lab.roles import ROLES, Role, storage_account_name
from coreos_lab.settings import FLATCAR_OFFER, FLATCAR_PUBLISHER, LabSettings

# Every call is bounded: a check that has not answered by then fails with a sentence.
DEADLINE = 120.0
# Per-request socket timeouts (seconds); the SKU list of a real region is a few MB.
CALL_TIMEOUTS: dict[str, Any] = {"connection_timeout": 15, "read_timeout": 60}

SUBSCRIPTION = "subscription"
LOCATION = "location"
REGIONAL_QUOTA = "regional vCPU quota"
FAMILY_QUOTA = "family vCPU quota"
STORAGE_NAME = "storage account name"
IMAGES = "Flatcar images"

QUOTA_FIX = (
    "request more quota (Azure portal > Quotas > Compute, or az quota create), use a smaller "
    "--etcd-vm-size/--host-vm-size, fewer --hosts, or another --location"
)


class CheckFailed(Exception):
    """A precondition does not hold; the message is the sentence for the user."""


class NotChecked(Exception):
    """A check could not be made because another one failed."""


# ---- the reads checks share --------------------------------------------------------------


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
class _Context:
    clients: Clients
    settings: LabSettings
    existing: Inventory | None
    pinned: ImageVersions | None
    pool: ThreadPoolExecutor
    skus: Future[dict[str, Sku]]
    usages: Future[dict[str, Usage]]
    images: list[ImageVersions] = field(default_factory=list)

    @property
    def location(self) -> str:
        return self.settings.location

    def exists(self, kind: Kind, name: str) -> bool:
        return self.existing is not None and self.existing.get(f"{kind}/{name}") is not None

    def missing_vms(self, role: Role) -> int:
        return sum(1 for name in role.vm_names(self.settings) if not self.exists(VM, name))

    def sizes(self) -> dict[str, str]:
        """VM size → the flag that sets it (one entry when both roles share a size)."""
        sizes: dict[str, str] = {}
        for role in ROLES:
            flag, key = role.size_flag(), role.size(self.settings).lower()
            sizes[key] = f"{sizes[key]}/{flag}" if key in sizes else flag
        return sizes


# ---- the checks --------------------------------------------------------------------------


def check_subscription(ctx: _Context) -> str:
    sub = ctx.clients.subscriptions.subscriptions.get(ctx.clients.subscription_id, **CALL_TIMEOUTS)
    state = str(getattr(sub.state, "value", sub.state) or "Enabled")
    name = f"'{sub.display_name}' ({sub.subscription_id})" if sub.display_name else sub.id
    if state.lower() != "enabled":
        raise CheckFailed(
            f"Subscription {name} is {state}, so Azure creates nothing in it; re-enable it in "
            "the Azure portal or pick another with --subscription."
        )
    return f"Subscription {name} is reachable and enabled."


def check_location(ctx: _Context) -> str:
    names = sorted(
        loc.name
        for loc in ctx.clients.subscriptions.subscriptions.list_locations(
            ctx.clients.subscription_id, **CALL_TIMEOUTS
        )
        if loc.name
    )
    if ctx.location.lower() in (n.lower() for n in names):
        return f"Location {ctx.location} is available to the subscription."
    close = difflib.get_close_matches(ctx.location.lower(), names, n=3, cutoff=0.6)
    hint = ", ".join(close or names[:5])
    raise CheckFailed(
        f"Location '{ctx.location}' is not available to subscription "
        f"{ctx.clients.subscription_id}; use --location with one of {hint} "
        "(az account list-locations -o table lists them all)."
    )


def _alternatives(skus: dict[str, Sku], like: Sku | None, exclude: str) -> str:
    usable = [s for s in skus.values() if not s.restricted and s.name.lower() != exclude]
    if like is not None:
        same = [s for s in usable if s.family == like.family] or [
            s for s in usable if s.vcpus == like.vcpus
        ]
        usable = same or usable
    names = sorted(s.name for s in usable)[:2]
    return f" (e.g. {' or '.join(names)})" if names else ""


def size_check(size: str, flag: str) -> Callable[[_Context], str]:
    def check(ctx: _Context) -> str:
        skus = ctx.skus.result()
        sku = skus.get(size.lower())
        if sku is None:
            # Suggest sizes like the defaults (small, burstable), not the catalogue's first.
            like = skus.get(LabSettings.etcd_vm_size.lower()) or skus.get(
                LabSettings.host_vm_size.lower()
            )
            raise CheckFailed(
                f"VM size {size} is not offered in {ctx.location}; pick another {flag}"
                f"{_alternatives(skus, like, size.lower())} or another --location."
            )
        if sku.restricted:
            raise CheckFailed(
                f"VM size {size} is restricted in {ctx.location} for this subscription "
                f"({sku.restricted}); pick another {flag}"
                f"{_alternatives(skus, sku, size.lower())}, another --location, or ask Azure "
                "support to lift the restriction."
            )
        return f"{sku.name} ({sku.vcpus} vCPUs, {sku.family}) is offered in {ctx.location}."

    return check


@dataclass(frozen=True)
class _Need:
    """vCPUs the missing VMs need, with how the number came about."""

    vcpus: int
    how: str


def _needs(ctx: _Context, family: str | None = None) -> _Need:
    skus = ctx.skus.result()
    total, parts = 0, []
    for role in ROLES:
        size = role.size(ctx.settings)
        sku = skus.get(size.lower())
        if sku is None or sku.restricted:
            raise NotChecked(f"Not checked: VM size {size} cannot be used in {ctx.location}.")
        if family is not None and sku.family.lower() != family.lower():
            continue
        count = ctx.missing_vms(role)
        if count:
            total += count * sku.vcpus
            parts.append(f"{count} {role.counted} × {sku.vcpus}")
    return _Need(total, " + ".join(parts) or "all VMs exist")


def _quota(ctx: _Context, usage: Usage, need: _Need, what: str) -> str:
    free = usage.limit - usage.used
    if need.vcpus > free:
        raise CheckFailed(
            f"{what} in {ctx.location} is too small: the lab needs {need.vcpus} more vCPUs "
            f"({need.how}) but {usage.used} of the {usage.limit} allowed are in use; {QUOTA_FIX}."
        )
    return (
        f"{what} in {ctx.location}: the lab needs {need.vcpus} ({need.how}), "
        f"{usage.used} of {usage.limit} in use."
    )


def check_regional_quota(ctx: _Context) -> str:
    need = _needs(ctx)
    usage = ctx.usages.result().get("cores")
    if usage is None:
        return f"Azure reports no regional vCPU limit in {ctx.location}."
    return _quota(ctx, usage, need, "The regional vCPU quota")


def check_family_quota(ctx: _Context) -> str:
    _needs(ctx)  # both sizes usable, else not checked
    skus, usages = ctx.skus.result(), ctx.usages.result()
    families = sorted({skus[r.size(ctx.settings).lower()].family for r in ROLES})
    passed, failed = [], []
    for family in families:
        usage = usages.get(family.lower())
        if usage is None:
            passed.append(f"Azure reports no {family} limit in {ctx.location}.")
            continue
        try:
            passed.append(_quota(ctx, usage, _needs(ctx, family), f"The {usage.label} quota"))
        except CheckFailed as exc:
            failed.append(str(exc))
    if failed:
        raise CheckFailed(" ".join(failed))
    return " ".join(passed)


def check_storage_name(ctx: _Context) -> str:
    name = storage_account_name(ctx.settings, ctx.clients.subscription_id)
    if ctx.exists(STORAGE, name):
        return f"Storage account {name} already exists in the lab."
    answer = ctx.clients.storage.storage_accounts.check_name_availability(
        {"name": name, "type": "Microsoft.Storage/storageAccounts"}, **CALL_TIMEOUTS
    )
    if answer.name_available:
        return f"Storage account name {name} is available."
    reason = str(getattr(answer.reason, "value", answer.reason) or "")
    if reason == "AccountNameInvalid":
        raise CheckFailed(
            f"Storage account name '{name}' is not valid ({answer.message or reason}); pass "
            "--storage-account with 3-24 lowercase letters and digits."
        )
    if _ours(ctx, name):
        return f"Storage account {name} already exists in the lab."
    raise CheckFailed(
        f"Storage account name '{name}' is already taken (names are global across Azure); "
        "choose another with --storage-account, 3-24 lowercase letters and digits."
    )


def _ours(ctx: _Context, name: str) -> bool:
    """Whether the taken name is the lab's own account (asked when no inventory was given)."""
    if ctx.existing is not None:
        return False
    try:
        ctx.clients.storage.storage_accounts.get_properties(
            ctx.settings.resource_group, name, **CALL_TIMEOUTS
        )
    except Exception as exc:
        if is_azure_error(exc):
            return False
        raise
    return True


def check_images(ctx: _Context, offer: str = FLATCAR_OFFER) -> str:
    """Resolve the versions, check each one that new VMs will use exists and needs no plan."""
    where = f"in {ctx.location} ({offer}, {ctx.settings.image_sku})"
    keep = versions_in_inventory(ctx.existing.resources) if ctx.existing else {}
    if ctx.pinned is not None:
        keep = {**{r.name: ctx.pinned.of(r.name) for r in ROLES}, **keep}
    try:
        available = list_versions(ctx.clients, ctx.settings, offer)
    except Exception as exc:
        if is_azure_error(exc) and getattr(exc, "status_code", None) == 404:
            raise CheckFailed(
                f"Azure lists no Flatcar images {where}; try another --channel or --location."
            ) from None
        raise
    try:
        images = lab_versions(available, ctx.settings, keep, where)
    except LabError as exc:
        raise CheckFailed(str(exc)) from None
    ctx.images.append(images)
    # Only versions that new VMs will boot must still be offered and plan-free.
    needed = sorted(
        {images.of(role.name) for role in ROLES if ctx.missing_vms(role)}, key=version_key
    )
    for version in needed:
        if version not in available:
            role_title = next(r.title for r in ROLES if images.of(r.name) == version)
            raise CheckFailed(
                f"Flatcar {version}, which this lab's {role_title} run, is no longer offered "
                f"{where}; "
                "finish the lab with the VMs it has, or rebuild it (coreos-lab down, then up)."
            )
    plans = ctx.pool.map(lambda v: image_plan(ctx.clients, ctx.settings, v, offer), needed)
    for version, plan in zip(needed, plans, strict=True):
        if plan is not None:
            urn = image_urn(ctx.settings, version, offer)
            raise CheckFailed(
                f"Flatcar image {urn} needs purchase plan '{getattr(plan, 'name', plan)}' whose "
                f"terms must be accepted; accept them with 'az vm image terms accept --urn {urn}' "
                f"or use the {FLATCAR_OFFER} offer, which needs none."
            )
    kept = [role.name for role in ROLES if role.name in keep]
    note = f" (kept from the existing lab: {', '.join(kept)})" if kept else ""
    return (
        f"etcd members get Flatcar {images.etcd}, hosts {images.host}{note}, from "
        f"{FLATCAR_PUBLISHER}:{offer}:{ctx.settings.image_sku} in {ctx.location}."
    )


# ---- running them ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    name: str
    run: Callable[[_Context], str]
    needs: tuple[str, ...]  # checks whose failure makes this one "not checked"
    what: str  # for describe(): the thing a failed call was about


def _checks(ctx: _Context, offer: str) -> list[_Check]:
    s = ctx.settings
    checks = [
        _Check(SUBSCRIPTION, check_subscription, (), f"subscription {ctx.clients.subscription_id}"),
        _Check(LOCATION, check_location, (SUBSCRIPTION,), f"location {s.location}"),
    ]
    for size, flag in ctx.sizes().items():
        name = next(r.size(s) for r in ROLES if r.size(s).lower() == size)
        checks.append(
            _Check(
                f"VM size {name}",
                size_check(name, flag),
                (SUBSCRIPTION, LOCATION),
                f"VM sizes in {s.location}",
            )
        )
    checks += [
        _Check(
            REGIONAL_QUOTA,
            check_regional_quota,
            (SUBSCRIPTION, LOCATION),
            f"vCPU usage in {s.location}",
        ),
        _Check(
            FAMILY_QUOTA,
            check_family_quota,
            (SUBSCRIPTION, LOCATION),
            f"vCPU usage in {s.location}",
        ),
        _Check(STORAGE_NAME, check_storage_name, (SUBSCRIPTION,), "storage account name"),
        _Check(
            IMAGES,
            lambda c: check_images(c, offer),
            (SUBSCRIPTION, LOCATION),
            f"Flatcar images in {s.location}",
        ),
    ]
    return checks


def _run_one(check: _Check, ctx: _Context) -> CheckResult:
    began = time.monotonic()
    try:
        message, outcome = check.run(ctx), Outcome.PASSED
    except CheckFailed as exc:
        message, outcome = str(exc), Outcome.FAILED
    except NotChecked as exc:
        message, outcome = str(exc), Outcome.SKIPPED
    except Exception as exc:
        if not is_azure_error(exc):
            raise
        message = describe(exc, check.what, ctx.clients.target.endpoint)
        outcome = Outcome.FAILED
    return CheckResult(check.name, outcome, message, time.monotonic() - began)


def _settle(checks: list[_Check], results: dict[str, CheckResult]) -> list[CheckResult]:
    """Turn failures caused by a failed precondition into 'skipped', naming the cause."""
    settled = []
    for check in checks:
        result = results[check.name]
        cause = next((n for n in check.needs if results[n].outcome is Outcome.FAILED), None)
        if result.outcome is not Outcome.PASSED and cause is not None:
            result = CheckResult(
                check.name,
                Outcome.SKIPPED,
                f"Not checked: the {cause} check failed.",
                result.seconds,
            )
        settled.append(result)
    return settled


def run_preflight(
    clients: Clients,
    settings: LabSettings,
    *,
    existing: Inventory | None = None,
    pinned: ImageVersions | None = None,
    sink: EventSink = discard,
    deadline: float = DEADLINE,
    offer: str = FLATCAR_OFFER,
) -> PreflightReport:
    """Check, concurrently and without writing anything, that `up` can build ``settings``.

    ``existing`` is the lab's inventory when it exists: VMs already there need no quota, its
    storage account is not "taken", and its VMs' image versions are kept. ``pinned`` are the
    versions the lab's state file recorded; they win over 'latest'/'previous' too. ``offer``
    exists for tests of the purchase-plan path; `up` always uses the CoreVM offer.
    """
    began = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="preflight")
    try:
        ctx = _Context(
            clients,
            settings,
            existing,
            pinned,
            pool,
            skus=pool.submit(list_skus, clients, settings.location),
            usages=pool.submit(list_usages, clients, settings.location),
        )
        checks = _checks(ctx, offer)
        sink(PhaseEvent("preflight", f"Checking {len(checks)} preconditions"))
        futures = {c.name: pool.submit(_run_one, c, ctx) for c in checks}
        done, _ = wait(futures.values(), timeout=deadline)
        results: dict[str, CheckResult] = {}
        for check in checks:
            future = futures[check.name]
            if future in done:
                results[check.name] = future.result()
            else:
                results[check.name] = CheckResult(
                    check.name,
                    Outcome.FAILED,
                    f"Azure did not answer the {check.name} check within {deadline:.0f} s; "
                    "check the network and run the command again.",
                    deadline,
                )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    report = PreflightReport(
        tuple(_settle(checks, results)),
        ctx.images[0] if ctx.images else None,
        time.monotonic() - began,
        settings.location,
        clients.subscription_id,
    )
    failed = len(report.failures)
    sink(
        PhaseEvent(
            "preflight",
            f"{len(checks)} checks passed in {report.seconds:.1f} s"
            if report.ok
            else f"{failed} of {len(checks)} checks failed",
            done=True,
        )
    )
    return report
