"""Microsoft.Compute managed disks: the OS disk each VM brings, ``managedBy`` and ``diskState``
following the VM it belongs to.
"""

from __future__ import annotations

import copy
import uuid

from .. import types
from ..backend import Backend, Call
from ..envelope import Json, Reply, now_iso, resource_id
from ..errors import BadRequest
from ..store import Record
from .common import begin_delete, lookup

VM, DISK = types.VM, types.DISK


def os_disk_record(vm: Record, os_disk: Json) -> Record:
    """The managed OS disk a new VM brings into its group."""
    disk_id = os_disk["managedDisk"]["id"]
    sku = os_disk["managedDisk"]["storageAccountType"]
    image = vm.properties["storageProfile"]["imageReference"]
    body: Json = {
        "id": disk_id,
        "name": os_disk["name"],
        "type": DISK,
        "location": vm.body["location"],
        "tags": {},
        "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
        "properties": {
            "osType": "Linux",
            "hyperVGeneration": "V2",
            "creationData": {
                "createOption": "FromImage",
                "imageReference": {
                    "id": (
                        f"/Subscriptions/{vm.id.split('/')[2]}/Providers/Microsoft.Compute/"
                        f"Locations/{vm.body['location']}/Publishers/{image['publisher']}/"
                        f"ArtifactTypes/VMImage/Offers/{image['offer']}/Skus/{image['sku']}/"
                        f"Versions/{image['exactVersion']}"
                    )
                },
            },
            "diskSizeGB": os_disk["diskSizeGB"],
            # Disk_Get.json (DiskRP 2025-01-02): platform-key encryption, and when the disk was
            # last attached or detached (here: attached at creation; a detach does not move it)
            "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
            "LastOwnershipUpdateTime": now_iso(),
            "provisioningState": "Updating",
            "timeCreated": now_iso(),
            "uniqueId": str(uuid.uuid4()),
        },
    }
    return Record(id=disk_id, type=DISK, group=vm.group, body=body)


def disk_holder(backend: Backend, disk: Record) -> Record | None:
    for vm in backend.store.of_type(VM):
        managed = vm.properties["storageProfile"]["osDisk"]["managedDisk"]
        if managed["id"].lower() == disk.key:
            return vm
    return None


def render(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    holder = disk_holder(backend, record)
    body["properties"]["diskState"] = "Attached" if holder else "Unattached"
    if holder is not None:
        body["managedBy"] = holder.id
    return body


def get(call: Call, backend: Backend) -> Reply:
    return Reply(200, render(backend, lookup(backend, call, DISK)))


def list_all(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=False)
    records = backend.store.of_type(DISK, group.body["name"])
    return Reply(200, {"value": [render(backend, r) for r in records]})


def delete(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=True)
    record = backend.store.get(resource_id(call.sub, group.body["name"], DISK, call.params["name"]))
    if record is None:
        return Reply(204)

    def check(disk: Record) -> None:
        holder = disk_holder(backend, disk)
        if holder is not None:
            raise BadRequest(
                f"Disk {disk.body['name']} is attached to VM {holder.id}.",
                code="OperationNotAllowed",
                status=409,
            )

    return begin_delete(call, backend, record, types.COMPUTE, check)
