"""Microsoft.Compute's catalogue: the reads a preflight makes (usages, resource SKUs, image
versions) and the rules a VM PUT is checked against (size offered, vCPU quota, image present).

Shapes follow azure-mgmt-compute 39 models ``Usage``, ``ResourceSku`` (api 2021-07-01) and
``VirtualMachineImageResource`` / ``VirtualMachineImage``.
"""

from __future__ import annotations

import re

from .. import types
from ..backend import Backend, Call, check_location
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
from ..errors import (
    BadRequest,
    NotFound,
    PlatformImageNotFound,
    QuotaExceeded,
    SkuNotAvailable,
)

VM = types.VM
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
        # ListAvailableResourceSkusForARegion.json lists these for every VM size; the values for
        # the emulator's sizes are estimates (not confirmed against `az vm list-skus`)
        "MaxDataDiskCount": str(4 if size.vcpus <= 2 else 8),
        "vCPUsPerCore": "1" if size.family == "standardBSFamily" else "2",
        "LowPriorityCapable": "True",
        "EphemeralOSDiskSupported": "False",
        "ACUs": ACUS.get(size.family, "100"),
        "RdmaEnabled": "False",
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


# Azure compute units per family (Microsoft Learn, "Azure compute unit (ACU)"; from memory,
# not confirmed): the low bound of the documented range.
ACUS = {"standardDSv5Family": "195", "standardDASv5Family": "230"}


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
        # VirtualMachineImage_Get_MaximumSet_Gen.json lists {name, value} features; which ones
        # Azure lists for the Flatcar images is not confirmed: these two are what the
        # marketplace shows for Gen2 Linux images (accelerated networking, SCSI and NVMe).
        "features": [
            {"name": "IsAcceleratedNetworkSupported", "value": "True"},
            {"name": "DiskControllerTypes", "value": "SCSI, NVMe"},
        ],
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


# -- the rules a VM PUT is checked against --------------------------------------------------
def check_size(backend: Backend, props: Json, location: str) -> VmSize:
    """The VM size asked for, if offered here (400) and not restricted (409 SkuNotAvailable)."""
    name = str((props.get("hardwareProfile") or {}).get("vmSize", ""))
    size = VM_SIZES.get(name.lower())
    if size is None:
        raise BadRequest(
            f"The value {name!r} provided for the VM size is not valid.",
            code="InvalidParameter",
            target="hardwareProfile.vmSize",
        )
    if backend.settings.cloud.restricted(size.name, location):
        raise SkuNotAvailable(
            f"The requested VM size for resource 'Following SKUs have failed for Capacity "
            f"Restrictions: {size.name}' is currently not available in location '{location}'. "
            "Please try another size or deploy to a different location or different zone. See "
            "https://aka.ms/azureskunotavailable for details."
        )
    return size


def check_quota(backend: Backend, size: VmSize, location: str, vm_id: str) -> None:
    """409 QuotaExceeded when the VM would pass its family's or the regional vCPU limit."""
    used = cores_in_use(backend, location, except_id=vm_id)
    cloud = backend.settings.cloud
    for usage, label in ((size.family, f"{size.family} Cores"), ("cores", "Total Regional Cores")):
        limit = cloud.limit(location, usage)
        current = used.get(usage, 0)
        if current + size.vcpus > limit:
            raise QuotaExceeded(
                f"Operation could not be completed as it results in exceeding approved {label} "
                f"quota. Additional details - Deployment Model: Resource Manager, Location: "
                f"{location}, Current Limit: {limit}, Current Usage: {current}, Additional "
                f"Required: {size.vcpus}, (Minimum) New Limit Required: {current + size.vcpus}. "
                "Submit a request for Quota increase at https://aka.ms/ProdportalCRP by "
                "specifying parameters listed in the 'Details' section for deployment to succeed."
            )


def check_image(backend: Backend, body: Json, props: Json, vm_id: str) -> Json:
    """The image reference with its exact version; 404 if missing, 400 if a plan is missing."""
    image = dict((props.get("storageProfile") or {}).get("imageReference") or {})
    publisher, offer = str(image.get("publisher", "")), str(image.get("offer", ""))
    sku, version = str(image.get("sku", "")), str(image.get("version", "latest"))
    versions = image_versions(backend, publisher, offer, sku)
    exact = versions[-1] if version.lower() == "latest" and versions else version
    if exact not in versions:
        raise PlatformImageNotFound(
            f"The platform image '{publisher}:{offer}:{sku}:{version}' is not available. Verify "
            "that all fields in the storage profile are correct. For more details about storage "
            "profile information, please refer to https://aka.ms/storageprofile",
            target="imageReference",
        )
    if offer_has_plan(offer):
        plan = body.get("plan") or {}
        if (plan.get("name"), plan.get("product"), plan.get("publisher")) != (
            sku,
            offer,
            publisher,
        ):
            raise BadRequest(
                "Creating a virtual machine from Marketplace image or a custom image sourced from "
                f"a Marketplace image requires Plan information in the request. VM: '{vm_id}'.",
                code="VMMarketplaceInvalidInput",
            )
    return {
        "publisher": publisher,
        "offer": offer,
        "sku": sku,
        "version": version,
        "exactVersion": exact,
    }
