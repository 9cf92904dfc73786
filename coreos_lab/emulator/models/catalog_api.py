"""Microsoft.Compute catalogue reads a preflight makes: usages, resource SKUs, image versions.

Shapes follow azure-mgmt-compute 39 models ``Usage``, ``ResourceSku`` (api 2021-07-01) and
``VirtualMachineImageResource`` / ``VirtualMachineImage``.
"""

from __future__ import annotations

import re

from ..backend import Backend, Call
from ..catalog import (
    FAMILY_NAMES,
    FLATCAR_OFFERS,
    FLATCAR_PUBLISHER,
    LOCATIONS,
    VM_SIZES,
    VmSize,
    version_key,
)
from ..envelope import Json, Reply
from ..errors import NotFound
from .resources import check_location

VM = "Microsoft.Compute/virtualMachines"
LOCATION_FILTER = re.compile(r"location\s+eq\s+'(?P<loc>[^']+)'", re.I)


def cores_in_use(backend: Backend, location: str, except_id: str = "") -> dict[str, int]:
    """vCPUs held by the VMs in a location, regional total under ``cores`` and per family."""
    usage: dict[str, int] = {"cores": 0, "virtualMachines": 0}
    for vm in backend.store.of_type(VM):
        if vm.body["location"] != location or vm.key == except_id.lower():
            continue
        size = VM_SIZES.get(vm.properties["hardwareProfile"]["vmSize"].lower())
        if size is None:
            continue
        usage["cores"] += size.vcpus
        usage["virtualMachines"] += 1
        usage[size.family] = usage.get(size.family, 0) + size.vcpus
    return usage


def list_usages(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    location = check_location(call.params["location"], VM)
    used = cores_in_use(backend, location)
    cloud = backend.settings.cloud

    def row(name: str, localized: str, limit: int) -> Json:
        return {
            "unit": "Count",
            "currentValue": used.get(name, 0),
            "limit": limit,
            "name": {"value": name, "localizedValue": localized},
        }

    rows = [
        row("availabilitySets", "Availability Sets", 2500),
        row("cores", "Total Regional vCPUs", cloud.limit(location, "cores")),
        row("virtualMachines", "Virtual Machines", 25000),
        row("virtualMachineScaleSets", "Virtual Machine Scale Sets", 2500),
    ]
    rows += [row(f, label, cloud.limit(location, f)) for f, label in FAMILY_NAMES.items()]
    return Reply(200, {"value": rows})


def _sku_entry(backend: Backend, size: VmSize, location: str) -> Json:
    restrictions = []
    if backend.settings.cloud.restricted(size.name, location):
        restrictions.append(
            {
                "type": "Location",
                "values": [location],
                "restrictionInfo": {"locations": [location]},
                "reasonCode": "NotAvailableForSubscription",
            }
        )
    capabilities = {
        "MaxResourceVolumeMB": "0",
        "OSVhdSizeMB": "1047552",
        "vCPUs": str(size.vcpus),
        "MemoryGB": f"{size.memory_gb:g}",
        "HyperVGenerations": "V1,V2",
        "CpuArchitectureType": "x64",
        "vCPUsAvailable": str(size.vcpus),
        "PremiumIO": "True",
        "AcceleratedNetworkingEnabled": "True",
        "MaxNetworkInterfaces": "2",
    }
    return {
        "resourceType": "virtualMachines",
        "name": size.name,
        "tier": "Standard",
        "size": size.size,
        "family": size.family,
        "locations": [location],
        "locationInfo": [{"location": location, "zones": ["1", "2", "3"], "zoneDetails": []}],
        "capabilities": [{"name": k, "value": v} for k, v in capabilities.items()],
        "restrictions": restrictions,
    }


def list_skus(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    match = LOCATION_FILTER.search(call.query.get("$filter", ""))
    locations = [match.group("loc").lower()] if match else list(LOCATIONS)
    value = [
        _sku_entry(backend, size, loc)
        for loc in locations
        if loc in LOCATIONS
        for size in VM_SIZES.values()
    ]
    return Reply(200, {"value": value})


def image_versions(backend: Backend, publisher: str, offer: str, sku: str) -> list[str]:
    """The configured versions of a Flatcar image, oldest first ([] when unknown)."""
    if publisher.lower() != FLATCAR_PUBLISHER:
        return []
    offers = {k.lower(): v for k, v in backend.settings.cloud.image_versions.items()}
    skus = {k.lower(): v for k, v in offers.get(offer.lower(), {}).items()}
    return sorted(skus.get(sku.lower(), []), key=version_key)


def offer_has_plan(offer: str) -> bool:
    return FLATCAR_OFFERS.get(offer.lower(), False)


def _image_not_found() -> NotFound:
    return NotFound("Artifact: VMImage was not found.")


def _image_id(call: Call, location: str, version: str) -> str:
    p = call.params
    return (
        f"/Subscriptions/{call.sub}/Providers/Microsoft.Compute/Locations/{location}/Publishers/"
        f"{p['publisher']}/ArtifactTypes/VMImage/Offers/{p['offer']}/Skus/{p['sku']}/Versions/"
        f"{version}"
    )


def list_image_versions(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    location = check_location(call.params["location"], VM)
    p = call.params
    versions = image_versions(backend, p["publisher"], p["offer"], p["sku"])
    if not versions:
        raise _image_not_found()
    if "desc" in call.query.get("$orderby", "").lower():
        versions = versions[::-1]
    top = call.query.get("$top", "")
    if top.isdigit():
        versions = versions[: int(top)]
    items = [
        {"location": location, "name": v, "id": _image_id(call, location, v)} for v in versions
    ]
    return Reply(200, items)


def get_image_version(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    location = check_location(call.params["location"], VM)
    p = call.params
    if p["version"] not in image_versions(backend, p["publisher"], p["offer"], p["sku"]):
        raise _image_not_found()
    properties: Json = {
        "osDiskImage": {"operatingSystem": "Linux", "sizeInGb": 30},
        "dataDiskImages": [],
        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": False},
        "hyperVGeneration": "V2",
        "architecture": "x64",
        "disallowed": {"vmDiskType": "Unmanaged"},
        "imageDeprecationStatus": {"imageState": "Active"},
    }
    if offer_has_plan(p["offer"]):
        properties["plan"] = {
            "publisher": FLATCAR_PUBLISHER,
            "name": p["sku"],
            "product": p["offer"],
        }
    body = {
        "location": location,
        "name": p["version"],
        "id": _image_id(call, location, p["version"]),
        "properties": properties,
    }
    return Reply(200, body)
