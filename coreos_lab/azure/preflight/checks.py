"""The preflight checks, one decorated function each: a new check is one function here.

:func:`check` registers a check with its name, the checks it needs (when one of them failed,
this one is reported as skipped, not failed again for the same cause) and what a failed Azure
call in it was about. A check returns the sentence for a pass, or raises :class:`CheckFailed`
or :class:`NotChecked`; the registration order is the report's order."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coreos_lab.azure.errors import is_azure_error
from coreos_lab.azure.images import (
    image_plan,
    image_urn,
    lab_versions,
    list_versions,
    version_key,
    versions_in_inventory,
)
from coreos_lab.azure.preflight.context import CheckFailed, Context, NotChecked
from coreos_lab.azure.preflight.reads import CALL_TIMEOUTS, READ_POST, Sku, Usage
from coreos_lab.errors import LabError
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.kinds import STORAGE
from coreos_lab.lab.roles import ROLES, storage_account_name
from coreos_lab.lab.settings import FLATCAR_OFFER, FLATCAR_PUBLISHER, LabSettings

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


@dataclass(frozen=True)
class Check:
    """One check to run: its name in the report, its function, and what it depends on."""

    name: str
    run: Callable[[Context], str]
    needs: tuple[str, ...]  # checks whose failure makes this one "not checked"
    about: str  # for describe(): the thing a failed call was about


@dataclass(frozen=True)
class _Registered:
    name: str
    fn: Callable[..., str]
    needs: tuple[str, ...]
    about: Callable[[Context], str]
    each: Callable[[Context], Mapping[str, str]] | None


_REGISTRY: list[_Registered] = []


def check(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    about: Callable[[Context], str],
    each: Callable[[Context], Mapping[str, str]] | None = None,
) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register a check. With ``each``, one check per item: ``name`` is formatted with the
    item's key and the function called as ``fn(ctx, key, value)``."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        _REGISTRY.append(_Registered(name, fn, needs, about, each))
        return fn

    return register


def checks_for(ctx: Context) -> list[Check]:
    """The checks of this preflight, in the order they were registered."""
    found: list[Check] = []
    for r in _REGISTRY:
        if r.each is None:
            found.append(Check(r.name, r.fn, r.needs, r.about(ctx)))
            continue
        for key, value in r.each(ctx).items():
            found.append(Check(r.name.format(key), _bound(r.fn, key, value), r.needs, r.about(ctx)))
    return found


def _bound(fn: Callable[..., str], key: str, value: str) -> Callable[[Context], str]:
    return lambda ctx: fn(ctx, key, value)


# ---- the checks --------------------------------------------------------------------------


@check(SUBSCRIPTION, about=lambda ctx: f"subscription {ctx.clients.subscription_id}")
def check_subscription(ctx: Context) -> str:
    clients = ctx.clients
    sub = ctx.shared.once(
        "subscription",
        lambda: clients.subscriptions.subscriptions.get(clients.subscription_id, **CALL_TIMEOUTS),
    )
    state = str(getattr(sub.state, "value", sub.state) or "Enabled")
    name = f"'{sub.display_name}' ({sub.subscription_id})" if sub.display_name else sub.id
    if state.lower() != "enabled":
        raise CheckFailed(
            f"Subscription {name} is {state}, so Azure creates nothing in it; re-enable it in "
            "the Azure portal or pick another with --subscription."
        )
    return f"Subscription {name} is reachable and enabled."


@check(LOCATION, needs=(SUBSCRIPTION,), about=lambda ctx: f"location {ctx.location}")
def check_location(ctx: Context) -> str:
    group = ctx.existing.resource_group if ctx.existing else None
    built_in = str((group or {}).get("location") or "")
    if built_in and built_in.lower() != ctx.location.lower():
        # A resource's location never changes: every PUT of the lab would fail half-way.
        raise CheckFailed(
            f"Lab '{ctx.settings.name}' exists in {built_in}, not {ctx.location}, and Azure "
            f"cannot move it; use --location {built_in}, or another --name for a lab in "
            f"{ctx.location}."
        )
    clients = ctx.clients
    names: list[str] = ctx.shared.once(
        "locations",
        lambda: sorted(
            loc.name
            for loc in clients.subscriptions.subscriptions.list_locations(
                clients.subscription_id, **CALL_TIMEOUTS
            )
            if loc.name
        ),
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


@check(
    "VM size {}",
    needs=(SUBSCRIPTION, LOCATION),
    about=lambda ctx: f"VM sizes in {ctx.location}",
    each=lambda ctx: ctx.sizes(),
)
def check_size(ctx: Context, size: str, flag: str) -> str:
    """One check per VM size the lab uses; ``flag`` names the option(s) that set it."""
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


@dataclass(frozen=True)
class _Need:
    """vCPUs the missing VMs need, with how the number came about."""

    vcpus: int
    how: str


def _needs(ctx: Context, family: str | None = None) -> _Need:
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


def _usage(ctx: Context) -> str:
    return f"vCPU usage in {ctx.location}"


def _quota(ctx: Context, usage: Usage, need: _Need, what: str) -> str:
    free = max(usage.limit - usage.used, 0)
    if need.vcpus > free:
        # "in total" and "available": the figures a person compares with the portal's quota page.
        raise CheckFailed(
            f"{what} in {ctx.location} is too small: the lab needs {need.vcpus} vCPUs in total "
            f"({need.how}), {free} available ({usage.used} of {usage.limit} in use); "
            f"{QUOTA_FIX}."
        )
    return (
        f"{what} in {ctx.location}: the lab needs {need.vcpus} ({need.how}), "
        f"{usage.used} of {usage.limit} in use."
    )


@check(
    REGIONAL_QUOTA,
    needs=(SUBSCRIPTION, LOCATION),
    about=lambda ctx: f"vCPU usage in {ctx.location}",
)
def check_regional_quota(ctx: Context) -> str:
    need = _needs(ctx)
    usage = ctx.usages.result().get("cores")
    if usage is None:
        return f"Azure reports no regional vCPU limit in {ctx.location}."
    return _quota(ctx, usage, need, "The regional vCPU quota")


@check(FAMILY_QUOTA, needs=(SUBSCRIPTION, LOCATION), about=lambda ctx: _usage(ctx))
def check_family_quota(ctx: Context) -> str:
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


@check(STORAGE_NAME, needs=(SUBSCRIPTION,), about=lambda ctx: "storage account name")
def check_storage_name(ctx: Context) -> str:
    name = storage_account_name(ctx.settings, ctx.clients.subscription_id)
    if ctx.exists(STORAGE, name):
        return f"Storage account {name} already exists in the lab."
    answer = ctx.clients.storage.storage_accounts.check_name_availability(
        {"name": name, "type": "Microsoft.Storage/storageAccounts"}, **READ_POST
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


def _ours(ctx: Context, name: str) -> bool:
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


@check(
    IMAGES, needs=(SUBSCRIPTION, LOCATION), about=lambda ctx: f"Flatcar images in {ctx.location}"
)
def check_images(ctx: Context) -> str:
    """Resolve the versions, check each one that new VMs will use exists and needs no plan.

    Reports the versions chosen through ``ctx.images``, for `up` to build with.
    """
    offer = ctx.offer
    where = f"in {ctx.location} ({offer}, {ctx.settings.image_sku})"
    keep = versions_in_inventory(ctx.existing.resources) if ctx.existing else {}
    if ctx.pinned is not None:
        keep = {**{r.name: ctx.pinned.of(r.name) for r in ROLES}, **keep}
    try:
        available = ctx.shared.once(
            ("versions", ctx.location, ctx.settings.image_sku, offer),
            lambda: list_versions(ctx.clients, ctx.settings, offer),
        )
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
                "finish the lab with the VMs it has, or rebuild it "
                f"(`{lab_command('down', ctx.settings)}`, then up)."
            )
    plans = ctx.pool.map(
        lambda v: ctx.shared.once(
            ("plan", ctx.location, ctx.settings.image_sku, offer, v),
            lambda: image_plan(ctx.clients, ctx.settings, v, offer),
        ),
        needed,
    )
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
