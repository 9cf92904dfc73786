"""VMs, OS disks, usages, resource SKUs and Flatcar image versions."""

from __future__ import annotations

import time
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.compute import models as cm

from . import lab
from .conftest import RG_PATH

VM_PATH = RG_PATH + "/providers/Microsoft.Compute/virtualMachines/"


def _lab(resource: Any, network: Any, n: int = 1) -> list[str]:
    lab.group(resource)
    return lab.network_for_vm(network, n=n)


def test_vm_create_get_list_shapes(resource: Any, network: Any, compute: Any) -> None:
    [nic_id] = _lab(resource, network)
    vm = compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(nic_id)).result()
    assert vm.provisioning_state == "Succeeded" and vm.vm_id
    assert vm.type == "Microsoft.Compute/virtualMachines" and vm.location == "westeurope"
    assert vm.hardware_profile.vm_size == "Standard_B2ats_v2"
    image = vm.storage_profile.image_reference
    assert (image.version, image.exact_version) == ("latest", "4593.2.5")
    assert vm.os_profile.custom_data is None  # write-only
    assert vm.network_profile.network_interfaces[0].id == nic_id
    got = compute.virtual_machines.get("lab", "vm1", expand="instanceView")
    codes = [s.code for s in got.instance_view.statuses]
    assert codes == ["ProvisioningState/succeeded", "PowerState/running"]
    assert compute.virtual_machines.get("lab", "vm1").instance_view is None
    listed = list(compute.virtual_machines.list("lab", expand="instanceView"))
    assert [v.instance_view.statuses[-1].code for v in listed] == ["PowerState/running"]
    disk_id = vm.storage_profile.os_disk.managed_disk.id
    assert "/providers/Microsoft.Compute/disks/vm1_OsDisk_1_" in disk_id
    assert network.network_interfaces.get("lab", "vm1-nic").virtual_machine.id == vm.id


def test_vm_put_and_delete_lro_headers(resource: Any, network: Any, raw: Any) -> None:
    [nic_id] = _lab(resource, network)
    body = lab.vm_body(nic_id).as_dict()
    created = raw("PUT", VM_PATH + "vm1", body, api_version="2026-04-01")
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["provisioningState"] == "Creating"
    status_url = created.headers["Azure-AsyncOperation"]
    assert "/providers/Microsoft.Compute/locations/westeurope/operations/" in status_url
    assert created.headers["Retry-After"].isdigit()
    status = raw("GET", "", url=status_url).json()
    assert status["status"] == "InProgress" and {"startTime", "name"} <= set(status)
    view = raw("GET", VM_PATH + "vm1?$expand=instanceView&api-version=2026-04-01").json()
    assert view["properties"]["instanceView"]["statuses"][0]["code"] == "ProvisioningState/creating"
    deadline = time.monotonic() + 20
    while status["status"] == "InProgress" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = raw("GET", "", url=status_url).json()
    assert status["status"] == "Succeeded" and "endTime" in status
    deleted = raw("DELETE", VM_PATH + "vm1", api_version="2026-04-01")
    assert deleted.status_code == 202
    assert "monitor=true" in deleted.headers["Location"]
    assert "/operations/" in deleted.headers["Azure-AsyncOperation"]
    assert raw("GET", "", url=deleted.headers["Location"]).status_code == 202


def test_vm_delete_keeps_or_removes_disk_and_nic(resource: Any, network: Any, compute: Any) -> None:
    nic1, nic2 = _lab(resource, network, n=2)
    compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(nic1)).result()
    kept = lab.vm_body(nic2)
    kept.storage_profile.os_disk.delete_option = "Detach"
    vm2 = compute.virtual_machines.begin_create_or_update("lab", "vm2", kept).result()
    compute.virtual_machines.begin_delete("lab", "vm1").result()
    compute.virtual_machines.begin_delete("lab", "vm2").result()
    with pytest.raises(ResourceNotFoundError):
        compute.virtual_machines.get("lab", "vm1")
    disks = list(compute.disks.list_by_resource_group("lab"))
    assert [d.id for d in disks] == [vm2.storage_profile.os_disk.managed_disk.id]
    assert disks[0].disk_state == "Unattached" and disks[0].managed_by is None
    assert network.network_interfaces.get("lab", "vm1-nic").virtual_machine is None
    compute.virtual_machines.begin_delete("lab", "vm1").result()  # absent: 204


def test_vm_rejections(resource: Any, network: Any, compute: Any, admin: Any) -> None:
    [nic_id] = _lab(resource, network)

    def create(body: Any, name: str = "vm1") -> None:
        compute.virtual_machines.begin_create_or_update("lab", name, body).result()

    with pytest.raises(ResourceNotFoundError) as no_nic:
        create(lab.vm_body(nic_id.replace("vm1-nic", "nope")))
    assert no_nic.value.error.code == "NotFound"
    with pytest.raises(ResourceNotFoundError) as no_image:
        create(lab.vm_body(nic_id, version="1.2.3"))
    assert no_image.value.error.code == "PlatformImageNotFound"
    with pytest.raises(HttpResponseError) as no_plan:
        create(lab.vm_body(nic_id, offer="flatcar-container-linux"))
    assert no_plan.value.error.code == "VMMarketplaceInvalidInput"
    with_plan = lab.vm_body(nic_id, offer="flatcar-container-linux")
    with_plan.plan = cm.Plan(
        name="stable-gen2", product="flatcar-container-linux", publisher="kinvolk"
    )
    create(with_plan, "planned")
    compute.virtual_machines.begin_delete("lab", "planned").result()
    admin_body = lab.vm_body(nic_id)
    admin_body.os_profile.admin_username = "root"
    with pytest.raises(HttpResponseError) as reserved:
        create(admin_body)
    assert (reserved.value.status_code, reserved.value.error.code) == (400, "InvalidParameter")
    big = lab.vm_body(nic_id)
    big.os_profile.custom_data = "A" * 87384
    with pytest.raises(HttpResponseError) as too_big:
        create(big)
    assert "87380" in too_big.value.error.message
    bad_key = lab.vm_body(nic_id)
    bad_key.os_profile.linux_configuration.ssh.public_keys[0].key_data = "ssh-rsa AAAAnotakey"
    with pytest.raises(HttpResponseError) as key:
        create(bad_key)
    assert key.value.error.code == "InvalidParameter"
    admin.configure(sku_restrictions={"Standard_D2s_v5": ["westeurope"]})
    with pytest.raises(ResourceExistsError) as sku:
        create(_sized(nic_id))
    assert (sku.value.status_code, sku.value.error.code) == (409, "SkuNotAvailable")


def _sized(nic_id: str, size: str = "Standard_D2s_v5") -> Any:
    body = lab.vm_body(nic_id)
    body.hardware_profile.vm_size = size
    return body


def test_vcpu_quota(resource: Any, network: Any, compute: Any, admin: Any) -> None:
    nic1, nic2 = _lab(resource, network, n=2)
    admin.configure(quotas={"cores": 20, "standardBasv2Family": 2})
    compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(nic1)).result()
    usage = {u.name.value: u for u in compute.usage.list("westeurope")}
    assert (usage["cores"].current_value, usage["cores"].limit) == (2, 20)
    family = usage["standardBasv2Family"]
    assert (family.current_value, family.limit) == (2, 2)
    assert usage["standardDSv5Family"].current_value == 0
    with pytest.raises(ResourceExistsError) as quota:
        compute.virtual_machines.begin_create_or_update("lab", "vm2", lab.vm_body(nic2)).result()
    assert quota.value.error.code == "OperationNotAllowed"
    assert "standardBasv2Family" in quota.value.error.message
    admin.configure(quotas={"cores": 3, "*": 10})
    with pytest.raises(ResourceExistsError) as regional:
        compute.virtual_machines.begin_create_or_update("lab", "vm2", _sized(nic2)).result()
    assert "Total Regional Cores" in regional.value.error.message
    # the same VM again is an update: its own cores do not count twice
    compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(nic1)).result()


def test_resource_skus(compute: Any, admin: Any) -> None:
    admin.configure(sku_restrictions={"Standard_B2ats_v2": ["northeurope"]})
    skus = list(compute.resource_skus.list(filter="location eq 'northeurope'"))
    by_name = {s.name: s for s in skus}
    assert {"Standard_B2ats_v2", "Standard_B2als_v2", "Standard_B2s", "Standard_D2s_v5"} <= set(
        by_name
    )
    b2ats = by_name["Standard_B2ats_v2"]
    assert b2ats.family == "standardBasv2Family" and b2ats.locations == ["northeurope"]
    assert {c.name: c.value for c in b2ats.capabilities}["vCPUs"] == "2"
    assert b2ats.restrictions[0].reason_code == "NotAvailableForSubscription"
    assert by_name["Standard_B2s"].family == "standardBSFamily"
    assert by_name["Standard_B2s"].restrictions == []
    everywhere = {s.locations[0] for s in compute.resource_skus.list()}
    assert {"westeurope", "northeurope", "eastus", "westus2"} <= everywhere


def test_image_versions(compute: Any, admin: Any) -> None:
    images = compute.virtual_machine_images
    offer = "flatcar-container-linux-corevm-amd64"
    versions = [v.name for v in images.list("westeurope", "kinvolk", offer, "stable-gen2")]
    assert versions == ["4459.2.1", "4459.2.2", "4593.2.3", "4593.2.4", "4593.2.5"]
    newest = images.list("westeurope", "kinvolk", offer, "stable-gen2", top=1, orderby="name desc")
    assert [v.name for v in newest] == ["4593.2.5"]
    one = images.get("westeurope", "kinvolk", offer, "stable-gen2", "4593.2.5")
    assert one.name == "4593.2.5" and one.plan is None and one.hyper_v_generation == "V2"
    planned = images.get(
        "westeurope", "kinvolk", "flatcar-container-linux", "stable-gen2", "4593.2.5"
    )
    assert planned.plan.product == "flatcar-container-linux"
    with pytest.raises(ResourceNotFoundError):
        images.get("westeurope", "kinvolk", offer, "stable-gen2", "9.9.9")
    admin.configure(image_versions={offer: {"stable-gen2": ["5000.0.0"]}})
    assert [v.name for v in images.list("eastus", "kinvolk", offer, "stable-gen2")] == ["5000.0.0"]
