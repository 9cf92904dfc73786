"""The reads a class preflight makes: per region, and once for the subscription. Read only.

Per region: its VM sizes (resource SKUs), its compute usages (regional and per-family
vCPUs), its network usages (public IPs; a cloud that does not answer them leaves public IPs
unchecked) and its Flatcar versions. Once: the subscription's locations, and every VM of the
subscription (one paged list), so the VMs a half-built class already has need no quota again.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.errors import is_azure_error
from coreos_lab.azure.images import list_versions
from coreos_lab.azure.preflight.reads import CALL_TIMEOUTS, Sku, Usage, list_skus, list_usages
from coreos_lab.lab.settings import LabSettings


@dataclass(frozen=True)
class RegionReads:
    location: str
    skus: dict[str, Sku]  # lower-cased size name → Sku
    usages: dict[str, Usage]  # lower-cased usage name → Usage, compute and network
    versions: list[str]  # Flatcar versions of the class's image sku; [] if none


@dataclass(frozen=True)
class SubscriptionReads:
    locations: set[str]  # lower-cased
    vms: dict[tuple[str, str], str]  # (resource group, VM name) → location, lower-cased

    def built_in(self, resource_group: str) -> str:
        """The region of a group's VMs, "" when it has none."""
        group = resource_group.lower()
        return next((loc for (rg, _), loc in self.vms.items() if rg == group), "")


def _network_usages(clients: Clients, location: str) -> dict[str, Usage]:
    try:
        found = list(clients.network.usages.list(location, **CALL_TIMEOUTS))
    except Exception as exc:
        if is_azure_error(exc):
            return {}  # not answered: public IPs are counted but not checked
        raise
    return {
        u.name.value.lower(): Usage(
            u.name.value, u.name.localized_value or u.name.value, int(u.current_value), int(u.limit)
        )
        for u in found
        if u.name and u.name.value
    }


def _versions(clients: Clients, settings: LabSettings) -> list[str]:
    try:
        return list_versions(clients, settings)
    except Exception as exc:
        if is_azure_error(exc) and getattr(exc, "status_code", None) == 404:
            return []
        raise


def read_region(clients: Clients, settings: LabSettings) -> RegionReads:
    """Everything about ``settings.location`` a class check needs, the reads side by side."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="class-region") as pool:
        skus = pool.submit(list_skus, clients, settings.location)
        usages = pool.submit(list_usages, clients, settings.location)
        network = pool.submit(_network_usages, clients, settings.location)
        versions = pool.submit(_versions, clients, settings)
        return RegionReads(
            settings.location.lower(),
            skus.result(),
            {**network.result(), **usages.result()},
            versions.result(),
        )


def read_subscription(clients: Clients) -> SubscriptionReads:
    locations = {
        loc.name.lower()
        for loc in clients.subscriptions.subscriptions.list_locations(
            clients.subscription_id, **CALL_TIMEOUTS
        )
        if loc.name
    }
    vms = {}
    for vm in clients.compute.virtual_machines.list_all(**CALL_TIMEOUTS):
        parts = str(vm.id or "").split("/")
        if len(parts) > 4 and vm.name:
            vms[(parts[4].lower(), str(vm.name).lower())] = str(vm.location or "").lower()
    return SubscriptionReads(locations, vms)


def read_regions(clients: Clients, settings: Sequence[LabSettings]) -> dict[str, RegionReads]:
    """Each region's reads (one LabSettings per region, in it), all regions at once."""
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="class-reads") as pool:
        regions = {s.location.lower(): pool.submit(read_region, clients, s) for s in settings}
        return {loc: f.result() for loc, f in regions.items()}
