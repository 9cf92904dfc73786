"""Microsoft.Network's usages of a location (``az network list-usages``): what the class
preflight reads to count public IPs.

Current values are counted from the location's resources, limits from the config's quotas;
reported, not enforced (docs/emulator.md, "What it emulates")."""

from __future__ import annotations

from .. import types
from ..backend import Backend, Call, check_location
from ..envelope import Json, Reply

# name -> (localized name, resource type counted, default limit). Azure's defaults per
# subscription and region (Microsoft Learn, "Azure subscription and service limits":
# networking limits); a free trial's are lower.
USAGES: dict[str, tuple[str, str, int]] = {
    "VirtualNetworks": ("Virtual Networks", types.VNET, 1000),
    "StaticPublicIPAddresses": ("Static Public IP Addresses", types.PIP, 1000),
    "NetworkSecurityGroups": ("Network Security Groups", types.NSG, 5000),
    "PublicIPAddresses": ("Public IP Addresses", types.PIP, 1000),
    "NetworkInterfaces": ("Network Interfaces", types.NIC, 65536),
}


def _limit(backend: Backend, location: str, name: str, default: int) -> int:
    cloud = backend.settings.cloud
    for table in (cloud.quotas_by_location.get(location.lower(), {}), cloud.quotas):
        if name in table:
            return int(table[name])
    return default


def list_usages(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    location = check_location(call.params["location"], types.PIP)
    rows: list[Json] = []
    for name, (label, rtype, default) in USAGES.items():
        count = sum(1 for r in backend.store.of_type(rtype) if r.body["location"] == location)
        rows.append(
            {
                "id": f"/subscriptions/{call.sub}/providers/Microsoft.Network/locations/"
                f"{location}/usages/{name}",
                "name": {"value": name, "localizedValue": label},
                "currentValue": count,
                "limit": _limit(backend, location, name, default),
                "unit": "Count",
            }
        )
    return Reply(200, {"value": rows})
