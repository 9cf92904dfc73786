"""Microsoft.Resources subscriptions: the one emulated subscription and its locations.

Shapes from azure-mgmt-resource-subscriptions 1.0.0 (api-version 2022-12-01): ``Subscription``
and ``Location`` models.
"""

from __future__ import annotations

from ..backend import Backend, Call
from ..catalog import LOCATIONS, REGION_METADATA
from ..envelope import Json, Reply

DISPLAY_NAME = "coreos-lab emulator"


def subscription_body(backend: Backend) -> Json:
    sub = backend.store.subscription_id
    return {
        "id": f"/subscriptions/{sub}",
        "subscriptionId": sub,
        "tenantId": backend.store.tenant_id,
        "displayName": DISPLAY_NAME,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": {},
    }


def list_subscriptions(call: Call, backend: Backend) -> Reply:
    return Reply(
        200, {"value": [subscription_body(backend)], "count": {"type": "Total", "value": 1}}
    )


def get_subscription(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    return Reply(200, subscription_body(backend))


def _metadata(sub: str, name: str, display: str, geo: str) -> Json:
    geography, latitude, longitude, paired = REGION_METADATA[name]
    return {
        "regionType": "Physical",
        "regionCategory": "Recommended",
        "geography": geography,
        "geographyGroup": geo,
        "longitude": longitude,
        "latitude": latitude,
        "physicalLocation": display,
        "pairedRegion": [{"name": paired, "id": f"/subscriptions/{sub}/locations/{paired}"}],
    }


def list_locations(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    sub = backend.store.subscription_id
    value = [
        {
            "id": f"/subscriptions/{sub}/locations/{name}",
            "name": name,
            "displayName": display,
            "regionalDisplayName": f"({geo}) {display}",
            "type": "Region",
            "metadata": _metadata(sub, name, display, geo),
        }
        for name, (display, geo) in LOCATIONS.items()
    ]
    return Reply(200, {"value": value})
