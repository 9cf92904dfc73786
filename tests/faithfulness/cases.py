"""How each stored example is replayed here: prerequisites, adapted request, answer to compare.

Adaptations keep a request valid against this emulator (its images, sizes, the lab's single
region) without changing what is compared; each is said next to the case and, where it removes
keys from the comparison, listed in ``ADAPTED`` with the reason.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from . import lab
from .emulator import LOCATION, Emulator
from .replay import load, localise


@dataclass
class Replayed:
    request: Any  # the body sent, after adaptation (None for GET/DELETE)
    first: requests.Response  # the first answer
    body: Any  # the body compared with the example's (the first, or the operation's result)
    expected: Any  # the example's response body for that status
    responses: list[Any]  # all the example's response bodies (for the echo check)
    statuses: list[int]  # the example's status codes


def _example(name: str, emu: Emulator) -> tuple[dict[str, Any], dict[str, Any]]:
    example = localise(load(name)["example"], emu.subscription_id)
    return example["parameters"], example["responses"]


def _bodies(responses: dict[str, Any]) -> list[Any]:
    return [r["body"] for r in responses.values() if "body" in r]


def _replayed(
    request: Any, first: requests.Response, body: Any, responses: dict[str, Any]
) -> Replayed:
    code = str(first.status_code)
    fallback = next((r["body"] for r in responses.values() if "body" in r), None)
    expected = responses.get(code, {}).get("body", fallback)
    return Replayed(request, first, body, expected, _bodies(responses), [int(c) for c in responses])


def nsg_create(emu: Emulator) -> Replayed:
    params, responses = _example("NetworkSecurityGroupCreate.json", emu)
    lab.group(emu)
    body = copy.deepcopy(params["parameters"])
    first = emu.call(
        "PUT", f"{lab.NET}/networkSecurityGroups/testnsg", body, api_version=lab.NETWORK
    )
    return _replayed(body, first, first.json(), responses)


def vnet_create(emu: Emulator) -> Replayed:
    params, responses = _example("VirtualNetworkCreate.json", emu)
    lab.group(emu)
    body = copy.deepcopy(params["parameters"])
    first = emu.call("PUT", f"{lab.NET}/virtualNetworks/test-vnet", body, api_version=lab.NETWORK)
    return _replayed(body, first, first.json(), responses)


def pip_create(emu: Emulator) -> Replayed:
    params, responses = _example("PublicIpAddressCreateDefaults.json", emu)
    lab.group(emu)
    body = copy.deepcopy(params["parameters"])
    first = emu.call("PUT", f"{lab.NET}/publicIPAddresses/test-ip", body, api_version=lab.NETWORK)
    return _replayed(body, first, first.json(), responses)


def nic_create(emu: Emulator) -> Replayed:
    params, responses = _example("NetworkInterfaceCreate.json", emu)
    lab.group(emu)
    lab.vnet(emu, "rg1-vnet")
    lab.pip(emu, "test-ip")
    body = copy.deepcopy(params["parameters"])
    # Adapted: the second ipconfig asks for a private IP prefix (privateIPAddressPrefixLength,
    # a /28 on one NIC), a feature outside the lab; the first ipconfig is replayed as is.
    del body["properties"]["ipConfigurations"][1]
    first = emu.call("PUT", f"{lab.NET}/networkInterfaces/test-nic", body, api_version=lab.NETWORK)
    return _replayed(body, first, first.json(), responses)


def nic_delete(emu: Emulator) -> Replayed:
    _, responses = _example("NetworkInterfaceDelete.json", emu)
    lab.group(emu)
    lab.nic(emu, "test-nic")
    first = emu.call("DELETE", f"{lab.NET}/networkInterfaces/test-nic", api_version=lab.NETWORK)
    return _replayed(None, first, None, responses)


def vm_create(emu: Emulator) -> Replayed:
    params, responses = _example(
        "VirtualMachine_Create_LinuxVmWithPatchSettingModeOfImageDefault.json", emu
    )
    lab.group(emu)
    nic_id = lab.nic(emu, "test-nic")
    body = copy.deepcopy(params["parameters"])
    body["location"] = LOCATION
    props = body["properties"]
    # Adapted: the emulator serves Flatcar images and the lab's sizes only (Canonical's 16.04
    # image and Standard_D2s_v3 are not in its catalog); the NIC is the one created above.
    props["hardwareProfile"]["vmSize"] = "Standard_D2s_v5"
    props["storageProfile"]["imageReference"] = {
        "publisher": "kinvolk",
        "offer": lab.OFFER,
        "sku": "stable-gen2",
        "version": "latest",
    }
    props["networkProfile"]["networkInterfaces"][0]["id"] = nic_id
    props["osProfile"]["adminUsername"] = "core"
    props["osProfile"]["adminPassword"] = "Lab-password-0123"
    first = emu.call("PUT", f"{lab.CMP}/virtualMachines/myVM", body, api_version=lab.COMPUTE)
    return _replayed(body, first, first.json(), responses)


def vm_get(emu: Emulator) -> Replayed:
    _, responses = _example("VirtualMachine_Get.json", emu)
    lab.group(emu)
    path = lab.vm(emu, "myVM")
    first = emu.call("GET", path, api_version=lab.COMPUTE, params={"$expand": "userData"})
    return _replayed(None, first, first.json(), responses)


def vm_instance_view_expand(emu: Emulator) -> Replayed:
    """The instance view through ``$expand=instanceView`` (what the emulator serves today)."""
    _, responses = _example("VirtualMachine_Get_InstanceView.json", emu)
    lab.group(emu)
    path = lab.vm(emu, "myVM")
    first = emu.call("GET", path, api_version=lab.COMPUTE, params={"$expand": "instanceView"})
    view = first.json().get("properties", {}).get("instanceView")
    return _replayed(None, first, view, responses)


def vm_boot_diagnostics(emu: Emulator) -> Replayed:
    """``POST .../retrieveBootDiagnosticsData`` of a VM whose boot diagnostics are on."""
    params, responses = _example("VirtualMachine_RetrieveBootDiagnosticsData.json", emu)
    lab.group(emu)
    nic_id = lab.nic(emu, "myVM-nic")
    body = lab.vm_body(nic_id)
    body["properties"]["diagnosticsProfile"] = {  # the example's VM must have them on
        "bootDiagnostics": {"enabled": True, "storageUri": "https://labdiag.blob.core.windows.net/"}
    }
    path = f"{lab.CMP}/virtualMachines/myVM"
    lab.put(emu, path, body, lab.COMPUTE)
    minutes = str(params["sasUriExpirationTimeInMinutes"])
    first = emu.call(
        "POST",
        path + "/retrieveBootDiagnosticsData",
        api_version=lab.COMPUTE,
        params={"sasUriExpirationTimeInMinutes": minutes},
    )
    return _replayed(None, first, first.json(), responses)


def vm_instance_view(emu: Emulator) -> Replayed:
    """``GET .../virtualMachines/{vm}/instanceView``: the operation the example documents."""
    _, responses = _example("VirtualMachine_Get_InstanceView.json", emu)
    lab.group(emu)
    path = lab.vm(emu, "myVM")
    first = emu.call("GET", path + "/instanceView", api_version=lab.COMPUTE)
    return _replayed(None, first, first.json(), responses)


def storage_create(emu: Emulator) -> Replayed:
    params, responses = _example("StorageAccountCreate.json", emu)
    lab.group(emu)
    body = copy.deepcopy(params["parameters"])
    # Adapted: no Edge Zones here (one plain region); the account is otherwise as published.
    del body["extendedLocation"]
    path = f"{lab.STO}/storageAccounts/sto4445"
    first = emu.call("PUT", path, body, api_version=lab.STORAGE)
    final = emu.wait(first) if first.status_code == 202 else first
    result = final.json() if final.content else None
    replayed = _replayed(body, first, result, responses)
    replayed.expected = responses["200"]["body"]
    return replayed


def storage_delete(emu: Emulator) -> Replayed:
    _, responses = _example("StorageAccountDelete.json", emu)
    lab.group(emu)
    path = f"{lab.STO}/storageAccounts/sto2434"
    body = {"location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}
    lab.put(emu, path, body, lab.STORAGE)
    first = emu.call("DELETE", path, api_version=lab.STORAGE)
    return _replayed(None, first, None, responses)


def group_delete(emu: Emulator) -> Replayed:
    _, responses = _example("ForceDeleteVMsInResourceGroup.json", emu)
    lab.group(emu)
    first = emu.call("DELETE", lab.RG, api_version=lab.RESOURCES)
    return _replayed(None, first, None, responses)


def skus_list(emu: Emulator) -> Replayed:
    _, responses = _example("ListAvailableResourceSkusForARegion.json", emu)
    first = emu.call(
        "GET",
        "/subscriptions/{sub}/providers/Microsoft.Compute/skus",
        api_version=lab.SKUS,
        params={"$filter": f"location eq '{LOCATION}'"},
    )
    body = first.json()
    # Compared: the first virtual machine size against the example's first (same resourceType).
    vms = [s for s in body.get("value", []) if s.get("resourceType") == "virtualMachines"]
    compared = {"value": vms[:1], **{k: v for k, v in body.items() if k != "value"}}
    return _replayed(None, first, compared, responses)


def image_version_get(emu: Emulator) -> Replayed:
    _, responses = _example("VirtualMachineImage_Get_MaximumSet_Gen.json", emu)
    versions = emu.call("GET", lab.IMAGES.replace("OFFER", lab.PLAN_OFFER), api_version=lab.COMPUTE)
    name = versions.json()[-1]["name"]
    first = emu.call(
        "GET", lab.IMAGES.replace("OFFER", lab.PLAN_OFFER) + "/" + name, api_version=lab.COMPUTE
    )
    return _replayed(None, first, first.json(), responses)


def image_versions_list(emu: Emulator) -> Replayed:
    _, responses = _example("VirtualMachineImage_List_MinimumSet_Gen.json", emu)
    first = emu.call("GET", lab.IMAGES.replace("OFFER", lab.OFFER), api_version=lab.COMPUTE)
    return _replayed(None, first, first.json(), responses)


def subnet_get(emu: Emulator) -> Replayed:
    _, responses = _example("SubnetGet.json", emu)
    lab.group(emu)
    lab.vnet(emu, "vnetname")
    first = emu.call(
        "GET", f"{lab.NET}/virtualNetworks/vnetname/subnets/default", api_version=lab.NETWORK
    )
    return _replayed(None, first, first.json(), responses)


def usages_list(emu: Emulator) -> Replayed:
    _, responses = _example("Usage_List_MaximumSet_Gen.json", emu)
    first = emu.call(
        "GET",
        f"/subscriptions/{{sub}}/providers/Microsoft.Compute/locations/{LOCATION}/usages",
        api_version=lab.COMPUTE,
    )
    return _replayed(None, first, first.json(), responses)


def _os_disk(emu: Emulator) -> str:
    disks = emu.call("GET", f"{lab.CMP}/disks", api_version=lab.DISKS).json()["value"]
    return f"{lab.CMP}/disks/{disks[0]['name']}"


def disk_get(emu: Emulator) -> Replayed:
    _, responses = _example("Disk_Get.json", emu)
    lab.group(emu)
    lab.vm(emu, "myVM")
    first = emu.call("GET", _os_disk(emu), api_version=lab.DISKS)
    return _replayed(None, first, first.json(), responses)


def disk_delete(emu: Emulator) -> Replayed:
    _, responses = _example("Disk_Delete.json", emu)
    lab.group(emu)
    vm = lab.vm(emu, "myVM", disk_delete="Detach")
    emu.wait(emu.call("DELETE", vm, api_version=lab.COMPUTE))
    first = emu.call("DELETE", _os_disk(emu), api_version=lab.DISKS)
    return _replayed(None, first, None, responses)


def locations_list(emu: Emulator) -> Replayed:
    _, responses = _example("GetLocations.json", emu)
    first = emu.call("GET", "/subscriptions/{sub}/locations", api_version=lab.SUBSCRIPTIONS)
    body = first.json()
    # Compared: the example's location (eastus), which the emulator serves too.
    compared = {"value": [v for v in body.get("value", []) if v.get("name") == LOCATION]}
    return _replayed(None, first, compared, responses)


def vnet_get(emu: Emulator) -> Replayed:
    _, responses = _example("VirtualNetworkGet.json", emu)
    lab.group(emu)
    subnet = lab.vnet(emu, "test-vnet")
    lab.nic(emu, "n1", subnet)  # so the subnet has an ipConfiguration, as in the example
    first = emu.call("GET", f"{lab.NET}/virtualNetworks/test-vnet", api_version=lab.NETWORK)
    return _replayed(None, first, first.json(), responses)


def pip_get(emu: Emulator) -> Replayed:
    _, responses = _example("PublicIpAddressGet.json", emu)
    lab.group(emu)
    pip_id = lab.pip(emu, "testDNS-ip")
    subnet = lab.vnet(emu)
    body = {
        "location": LOCATION,
        "properties": {
            "ipConfigurations": [
                {
                    "name": "ipconfig1",
                    "properties": {"subnet": {"id": subnet}, "publicIPAddress": {"id": pip_id}},
                }
            ]
        },
    }
    lab.put(emu, f"{lab.NET}/networkInterfaces/testDNS649", body, lab.NETWORK)
    first = emu.call("GET", f"{lab.NET}/publicIPAddresses/testDNS-ip", api_version=lab.NETWORK)
    return _replayed(None, first, first.json(), responses)


def storage_check_name(emu: Emulator) -> Replayed:
    params, responses = _example("StorageAccountCheckNameAvailability.json", emu)
    body = params["accountName"]
    first = emu.call(
        "POST",
        "/subscriptions/{sub}/providers/Microsoft.Storage/checkNameAvailability",
        body,
        api_version=lab.STORAGE,
    )
    return _replayed(None, first, first.json(), responses)


def nic_get(emu: Emulator) -> Replayed:
    """The example's NIC: public IP, NSG, accelerated networking, attached to VM ``vm1``."""
    _, responses = _example("NetworkInterfaceGet.json", emu)
    lab.group(emu)
    subnet = lab.vnet(emu, "rg1-vnet")
    pip_id = lab.pip(emu, "test-ip")
    nsg = lab.put(emu, f"{lab.NET}/networkSecurityGroups/nsg", {"location": LOCATION}, lab.NETWORK)
    body = {
        "location": LOCATION,
        "properties": {
            "disableTcpStateTracking": True,
            "enableAcceleratedNetworking": True,
            "networkSecurityGroup": {"id": nsg["id"]},
            "ipConfigurations": [
                {
                    "name": "ipconfig1",
                    "properties": {"subnet": {"id": subnet}, "publicIPAddress": {"id": pip_id}},
                }
            ],
        },
    }
    nic = lab.put(emu, f"{lab.NET}/networkInterfaces/test-nic", body, lab.NETWORK)
    lab.put(emu, f"{lab.CMP}/virtualMachines/vm1", lab.vm_body(nic["id"], "vm1"), lab.COMPUTE)
    first = emu.call("GET", f"{lab.NET}/networkInterfaces/test-nic", api_version=lab.NETWORK)
    return _replayed(None, first, first.json(), responses)


def storage_list_by_group(emu: Emulator) -> Replayed:
    _, responses = _example("StorageAccountListByResourceGroup.json", emu)
    lab.group(emu)
    body = {
        "location": LOCATION,
        "kind": "Storage",
        "sku": {"name": "Standard_GRS"},
        "tags": {"key1": "value1"},
        "properties": {"isHnsEnabled": True},
    }
    lab.put(emu, f"{lab.STO}/storageAccounts/sto4036", body, lab.STORAGE)
    first = emu.call("GET", f"{lab.STO}/storageAccounts", api_version=lab.STORAGE)
    return _replayed(None, first, first.json(), responses)


def vm_list_all(emu: Emulator) -> Replayed:
    _, responses = _example("VirtualMachine_ListAll_MinimumSet_Gen.json", emu)
    lab.group(emu)
    lab.vm(emu, "vm1")
    lab.vm(emu, "vm2")
    first = emu.call(
        "GET",
        "/subscriptions/{sub}/providers/Microsoft.Compute/virtualMachines",
        api_version=lab.COMPUTE,
    )
    return _replayed(None, first, first.json(), responses)


CASES: dict[str, Callable[[Emulator], Replayed]] = {
    "NetworkSecurityGroupCreate.json": nsg_create,
    "VirtualNetworkCreate.json": vnet_create,
    "PublicIpAddressCreateDefaults.json": pip_create,
    "NetworkInterfaceCreate.json": nic_create,
    "NetworkInterfaceDelete.json": nic_delete,
    "VirtualMachine_Create_LinuxVmWithPatchSettingModeOfImageDefault.json": vm_create,
    "VirtualMachine_Get.json": vm_get,
    "VirtualMachine_Get_InstanceView.json": vm_instance_view_expand,
    "VirtualMachine_RetrieveBootDiagnosticsData.json": vm_boot_diagnostics,
    "StorageAccountCreate.json": storage_create,
    "StorageAccountDelete.json": storage_delete,
    "ForceDeleteVMsInResourceGroup.json": group_delete,
    "ListAvailableResourceSkusForARegion.json": skus_list,
    "VirtualMachineImage_Get_MaximumSet_Gen.json": image_version_get,
    "VirtualMachineImage_List_MinimumSet_Gen.json": image_versions_list,
    "SubnetGet.json": subnet_get,
    "Usage_List_MaximumSet_Gen.json": usages_list,
    "Disk_Get.json": disk_get,
    "Disk_Delete.json": disk_delete,
    "GetLocations.json": locations_list,
    "VirtualNetworkGet.json": vnet_get,
    "PublicIpAddressGet.json": pip_get,
    "StorageAccountCheckNameAvailability.json": storage_check_name,
    "NetworkInterfaceGet.json": nic_get,
    "StorageAccountListByResourceGroup.json": storage_list_by_group,
    "VirtualMachine_ListAll_MinimumSet_Gen.json": vm_list_all,
}
