"""The route table (moto's ``urls.py``): method + path pattern -> handler.

ARM matches paths case-insensitively (the SDKs send ``resourcegroups`` for Microsoft.Resources
and ``resourceGroups`` elsewhere), so patterns are compiled with ``re.IGNORECASE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .backend import Backend, Call
from .envelope import Reply
from .models import (
    boot_diagnostics,
    catalog_api,
    disks,
    network,
    network_interfaces,
    network_usages,
    operations,
    public_ips,
    resources,
    security_groups,
    storage,
    subscriptions,
    virtual_machines,
    vm_actions,
)

Handler = Callable[[Call, Backend], Reply]

SUB = r"/subscriptions/(?P<sub>[^/]+)"
RG = SUB + r"/resourcegroups/(?P<rg>[^/]+)"
NAME = r"(?P<name>[^/]+)"
NET = RG + r"/providers/Microsoft\.Network"
CMP = RG + r"/providers/Microsoft\.Compute"
LOC = SUB + r"/providers/Microsoft\.Compute/locations/(?P<location>[^/]+)"
IMAGE = (
    LOC + r"/publishers/(?P<publisher>[^/]+)/artifacttypes/vmimage/offers/(?P<offer>[^/]+)"
    r"/skus/(?P<sku>[^/]+)/versions"
)

ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/subscriptions", subscriptions.list_subscriptions),
    ("GET", SUB, subscriptions.get_subscription),
    ("GET", SUB + r"/locations", subscriptions.list_locations),
    # Microsoft.Resources
    ("GET", SUB + r"/resourcegroups", resources.list_groups),
    ("PUT", RG, resources.put_group),
    ("GET", RG, resources.get_group),
    ("HEAD", RG, resources.head_group),
    ("DELETE", RG, resources.delete_group),
    ("GET", RG + r"/resources", resources.list_group_resources),
    ("GET", SUB + r"/operationresults/(?P<op>[^/]+)", operations.get_operation_result),
    # operation status resources
    (
        "GET",
        SUB + r"/providers/Microsoft\.(?:Network|Compute)/locations/[^/]+/operations/(?P<op>[^/]+)",
        operations.get_async_operation,
    ),
    (
        "GET",
        SUB + r"/providers/Microsoft\.Network/locations/[^/]+/operationResults/(?P<op>[^/]+)",
        operations.get_operation_result,
    ),
    (
        "GET",
        SUB + r"/providers/Microsoft\.Storage/locations/[^/]+/asyncoperations/(?P<op>[^/]+)",
        operations.get_storage_operation,
    ),
    # Microsoft.Network
    ("GET", NET + r"/networkSecurityGroups", security_groups.list_all),
    ("PUT", NET + r"/networkSecurityGroups/" + NAME, security_groups.put),
    ("GET", NET + r"/networkSecurityGroups/" + NAME, security_groups.get),
    ("DELETE", NET + r"/networkSecurityGroups/" + NAME, security_groups.delete),
    ("GET", NET + r"/virtualNetworks", network.list_vnets),
    ("PUT", NET + r"/virtualNetworks/" + NAME, network.put_vnet),
    ("GET", NET + r"/virtualNetworks/" + NAME, network.get_vnet),
    ("DELETE", NET + r"/virtualNetworks/" + NAME, network.delete_vnet),
    ("GET", NET + r"/virtualNetworks/(?P<vnet>[^/]+)/subnets", network.list_subnets),
    ("PUT", NET + r"/virtualNetworks/(?P<vnet>[^/]+)/subnets/" + NAME, network.put_subnet),
    ("GET", NET + r"/virtualNetworks/(?P<vnet>[^/]+)/subnets/" + NAME, network.get_subnet),
    ("DELETE", NET + r"/virtualNetworks/(?P<vnet>[^/]+)/subnets/" + NAME, network.delete_subnet),
    ("GET", NET + r"/publicIPAddresses", public_ips.list_all),
    ("PUT", NET + r"/publicIPAddresses/" + NAME, public_ips.put),
    ("GET", NET + r"/publicIPAddresses/" + NAME, public_ips.get),
    ("DELETE", NET + r"/publicIPAddresses/" + NAME, public_ips.delete),
    ("GET", NET + r"/networkInterfaces", network_interfaces.list_all),
    ("PUT", NET + r"/networkInterfaces/" + NAME, network_interfaces.put),
    ("GET", NET + r"/networkInterfaces/" + NAME, network_interfaces.get),
    ("DELETE", NET + r"/networkInterfaces/" + NAME, network_interfaces.delete),
    # Microsoft.Storage
    (
        "POST",
        SUB + r"/providers/Microsoft\.Storage/checkNameAvailability",
        storage.check_name_availability,
    ),
    ("GET", SUB + r"/providers/Microsoft\.Storage/storageAccounts", storage.list_all),
    ("GET", RG + r"/providers/Microsoft\.Storage/storageAccounts", storage.list_in_group),
    ("PUT", RG + r"/providers/Microsoft\.Storage/storageAccounts/" + NAME, storage.create),
    ("GET", RG + r"/providers/Microsoft\.Storage/storageAccounts/" + NAME, storage.get),
    ("DELETE", RG + r"/providers/Microsoft\.Storage/storageAccounts/" + NAME, storage.delete),
    # Microsoft.Compute
    ("GET", SUB + r"/providers/Microsoft\.Compute/virtualMachines", virtual_machines.list_all_vms),
    ("GET", CMP + r"/virtualMachines", virtual_machines.list_vms),
    ("PUT", CMP + r"/virtualMachines/" + NAME, virtual_machines.put_vm),
    ("GET", CMP + r"/virtualMachines/" + NAME, virtual_machines.get_vm),
    ("DELETE", CMP + r"/virtualMachines/" + NAME, virtual_machines.delete_vm),
    ("GET", CMP + r"/virtualMachines/" + NAME + r"/instanceView", vm_actions.get_instance_view),
    (
        "POST",
        CMP + r"/virtualMachines/" + NAME + r"/(?P<action>powerOff|deallocate|start|restart)",
        vm_actions.power_action,
    ),
    (
        "POST",
        CMP + r"/virtualMachines/" + NAME + r"/retrieveBootDiagnosticsData",
        boot_diagnostics.retrieve,
    ),
    ("GET", CMP + r"/disks", disks.list_all),
    ("GET", CMP + r"/disks/" + NAME, disks.get),
    ("DELETE", CMP + r"/disks/" + NAME, disks.delete),
    ("GET", LOC + r"/usages", catalog_api.list_usages),
    (
        "GET",
        SUB + r"/providers/Microsoft\.Network/locations/(?P<location>[^/]+)/usages",
        network_usages.list_usages,
    ),
    ("GET", SUB + r"/providers/Microsoft\.Compute/skus", catalog_api.list_skus),
    ("GET", IMAGE, catalog_api.list_image_versions),
    ("GET", IMAGE + r"/(?P<version>[^/]+)", catalog_api.get_image_version),
]

COMPILED = [(m, re.compile(p + r"/?$", re.IGNORECASE), h) for m, p, h in ROUTES]

# POSTs that only read (ARM counts them as reads for throttling and in the request log).
READ_ONLY_POST = re.compile(r"/(checkNameAvailability|checkZonePeers|checkResourceName)$", re.I)


def match(method: str, path: str) -> tuple[Handler, dict[str, str]] | str | None:
    """The handler and path parameters; ``"method"`` if the path exists for other methods."""
    path_known = False
    for route_method, pattern, handler in COMPILED:
        found = pattern.match(path)
        if found is None:
            continue
        if route_method == method:
            return handler, found.groupdict()
        path_known = True
    return "method" if path_known else None


def kind_of(method: str, path: str) -> str:
    """``read``, ``write`` or ``delete``, as ARM's throttling counts the request."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read"
    if method == "DELETE":
        return "delete"
    if method == "POST" and READ_ONLY_POST.search(path.rstrip("/")):
        return "read"
    return "write"
