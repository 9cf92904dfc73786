"""The api-versions served, per resource type: ARM refuses the others, in ARM's words.

Each version is published (a ``stable/`` folder of Azure/azure-rest-api-specs) and marked with
how it is known (**py**, **js**, **ex**); the refusals ARM gives and what the marks mean:
docs/emulator.md, "api-versions"."""

from __future__ import annotations

import re

from .catalog import LOCATIONS
from .errors import BadRequest

# type key -> {version: source}
SERVED: dict[str, dict[str, str]] = {
    "Microsoft.Resources": {
        "2025-04-01": "py azure-mgmt-resource 26.0.0; ex ForceDeleteVMsInResourceGroup.json",
        "2025-03-01": "js @azure/arm-resources 6.1.0",
    },
    "Microsoft.Resources/subscriptions": {
        "2022-12-01": "py azure-mgmt-resource-subscriptions 1.0.0; ex GetLocations.json",
    },
    "Microsoft.Network": {
        "2026-03-01": "py azure-mgmt-network 33.1.0; ex NetworkSecurityGroupCreate.json",
        "2025-07-01": "ex NetworkInterfaceCreate.json, NetworkInterfaceGet.json",
        "2024-05-01": "js @azure/arm-network 33.5.0",
    },
    "Microsoft.Compute": {  # virtual machines, usages, VM images, operation status
        "2026-04-01": "py azure-mgmt-compute 39.0.0; ex VirtualMachine_Get.json",
        "2024-11-01": "js @azure/arm-compute 22.4.0",
    },
    "Microsoft.Compute/disks": {
        "2026-03-02": "py azure-mgmt-compute 39.0.0",
        "2025-01-02": "ex Disk_Get.json, Disk_Delete.json",
        "2024-03-02": "js @azure/arm-compute 22.4.0",
    },
    "Microsoft.Compute/skus": {
        "2021-07-01": "py azure-mgmt-compute 39.0.0; ex ListAvailableResourceSkusForARegion.json",
    },
    "Microsoft.Storage": {
        "2026-09-01": "py azure-mgmt-storage 25.3.0; ex StorageAccountCreate.json",
        "2025-06-01": "ex StorageAccountCheckNameAvailability.json",
        "2024-01-01": "js @azure/arm-storage 18.5.0",
    },
}
# A compute operation status URL carries the api-version of the call that started it (a VM's
# or a disk's), so it takes both.
SERVED["Microsoft.Compute/operations"] = {
    **SERVED["Microsoft.Compute"],
    **SERVED["Microsoft.Compute/disks"],
}

PROVIDER = re.compile(
    r"/providers/(?P<ns>Microsoft\.\w+)/(?P<type>[^/]+)(?:/[^/]+/(?P<sub>\w+))?", re.I
)
SUBSCRIPTIONS = re.compile(r"^/subscriptions(/[^/]+(/locations)?)?/?$", re.I)


def type_of(path: str) -> tuple[str, str]:
    """(type key of SERVED, the type name ARM's message uses) for a request path."""
    if SUBSCRIPTIONS.match(path):
        return "Microsoft.Resources/subscriptions", "subscriptions"
    found = PROVIDER.search(path)
    if found is None:
        return "Microsoft.Resources", "resourceGroups"
    namespace = next((ns for ns in SERVED if ns.lower() == found["ns"].lower()), found["ns"])
    rtype = found["type"]
    if namespace == "Microsoft.Compute":
        if rtype.lower() in ("disks", "skus"):
            return f"Microsoft.Compute/{rtype.lower()}", rtype
        if rtype.lower() == "locations" and (found["sub"] or "").lower() == "operations":
            return "Microsoft.Compute/operations", "locations/operations"
    return namespace, rtype


def unknown_type_message(path: str, version: str) -> str:
    """ARM's 404 ``InvalidResourceType`` sentence: "The resource type '<type>' could not be
    found in the namespace '<ns>' for api version '<v>'." (Azure/acs-engine#4037,
    Azure/azure-sdk-for-js#15460, cloudquery/cloudquery#6629)."""
    found = PROVIDER.search(path)
    if found is None:
        return f"The resource type could not be found for path '{path}'."
    return (
        f"The resource type '{found['type']}' could not be found in the namespace "
        f"'{found['ns']}' for api version '{version}'."
    )


def check(path: str, version: str, location: str | None) -> None:
    """400 as ARM answers when ``version`` is not served for the path's resource type."""
    key, rtype = type_of(path)
    served = SERVED.get(key)
    if served is None or version in served:
        return
    versions = ", ".join(sorted(served, reverse=True))
    if key.startswith("Microsoft.Resources"):
        raise BadRequest(
            f"The api-version '{version}' is invalid. The supported versions are '{versions}'.",
            code="InvalidApiVersionParameter",
        )
    raise BadRequest(
        f"No registered resource provider found for location '{location or 'westeurope'}' and "
        f"API version '{version}' for type '{rtype}'. The supported api-versions are "
        f"'{versions}'. The supported locations are '{', '.join(LOCATIONS)}'.",
        code="NoRegisteredProviderFound",
    )
