"""Microsoft.Compute: virtual machines and their managed OS disks.

A VM PUT is checked the way compute checks it (contract §5): size offered here (409
``SkuNotAvailable``), vCPU quota per family and regional (409 ``QuotaExceeded``), image version
present (404 ``PlatformImageNotFound``), marketplace plan given when the offer needs one, NICs
present and free, admin name, SSH keys and custom data valid. Then 201 + ``Azure-AsyncOperation``
with ``provisioningState: Creating``, and an OS disk resource appears in the group. Custom data
is write-only: it is checked, never stored or returned.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import uuid
from typing import Any

from ..backend import Backend, Call
from ..catalog import VM_SIZES, VmSize
from ..envelope import Json, Reply, now_iso, ref, resource_id
from ..errors import (
    BadRequest,
    NotFound,
    PlatformImageNotFound,
    QuotaExceeded,
    SkuNotAvailable,
)
from ..store import Record
from . import operations
from .catalog_api import cores_in_use, image_versions, offer_has_plan
from .common import RENDERERS, begin_delete, lookup
from .interfaces import NIC, nic_user
from .resources import check_location

VM = "Microsoft.Compute/virtualMachines"
DISK = "Microsoft.Compute/disks"
VM_NAME = re.compile(r"^[A-Za-z0-9_](?:[\w.-]{0,62}[\w])?$")
RESERVED_ADMINS = {
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1",
    "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest",
    "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2",
    "test3", "user4", "user5",
}  # fmt: skip
CUSTOM_DATA_MAX = 87380
SSH_KEY = re.compile(r"^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) ([A-Za-z0-9+/=]+)( .*)?$")


def _invalid(message: str, target: str) -> BadRequest:
    return BadRequest(message, code="InvalidParameter", target=target)


# -- checks ----------------------------------------------------------------------------------
def _size(backend: Backend, props: Json, location: str) -> VmSize:
    name = str((props.get("hardwareProfile") or {}).get("vmSize", ""))
    size = VM_SIZES.get(name.lower())
    if size is None:
        raise _invalid(
            f"The value {name!r} provided for the VM size is not valid.", "hardwareProfile.vmSize"
        )
    if backend.settings.cloud.restricted(size.name, location):
        raise SkuNotAvailable(
            f"The requested VM size for resource 'Following SKUs have failed for Capacity "
            f"Restrictions: {size.name}' is currently not available in location '{location}'. "
            "Please try another size or deploy to a different location or different zone. See "
            "https://aka.ms/azureskunotavailable for details."
        )
    return size


def _check_quota(backend: Backend, size: VmSize, location: str, vm_id: str) -> None:
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


def _image(backend: Backend, body: Json, props: Json, vm_id: str) -> Json:
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


def _check_ssh_key(key: object) -> None:
    match = SSH_KEY.match(str(key).strip())
    valid = False
    if match:
        try:
            blob = base64.b64decode(match.group(2), validate=True)
            valid = blob[4 : 4 + len(match.group(1))] == match.group(1).encode()
            if match.group(1) == "ssh-rsa":
                valid = valid and len(blob) >= 256 + 20  # 2048-bit modulus or more
        except (binascii.Error, ValueError):
            valid = False
    if not valid:
        raise _invalid(
            "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
            "linuxConfiguration.ssh.publicKeys.keyData",
        )


def _os_profile(props: Json, name: str, existing: Record | None) -> Json:
    profile = dict(props.get("osProfile") or {})
    if existing is not None and not profile:
        return copy.deepcopy(existing.properties["osProfile"])
    admin = str(profile.get("adminUsername", ""))
    if not admin:
        raise _invalid("Required parameter 'adminUsername' is missing (null).", "adminUsername")
    if admin.lower() in RESERVED_ADMINS or not re.match(r"^[a-z_][a-z0-9_.-]{0,63}$", admin):
        raise _invalid("The Admin Username specified is not allowed.", "adminUsername")
    custom = profile.pop("customData", None)
    if custom is not None:
        text = str(custom)
        try:
            base64.b64decode(text, validate=True)
            ok = len(text) <= CUSTOM_DATA_MAX
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise _invalid(
                "Custom data in OSProfile must be in Base64 encoding and with a maximum length "
                f"of {CUSTOM_DATA_MAX} characters.",
                "customData",
            )
    linux = dict(profile.get("linuxConfiguration") or {})
    for key in (linux.get("ssh") or {}).get("publicKeys") or []:
        _check_ssh_key(key.get("keyData"))
    if linux.get("disablePasswordAuthentication") and profile.get("adminPassword"):
        profile.pop("adminPassword")
    profile.pop("adminPassword", None)  # write-only as well
    linux.setdefault("disablePasswordAuthentication", True)
    linux.setdefault("provisionVMAgent", True)
    linux.setdefault(
        "patchSettings", {"patchMode": "ImageDefault", "assessmentMode": "ImageDefault"}
    )
    profile["linuxConfiguration"] = linux
    profile.setdefault("computerName", name)
    profile.setdefault("secrets", [])
    profile.setdefault("allowExtensionOperations", True)
    profile.setdefault("requireGuestProvisionSignal", True)
    return profile


def _nics(backend: Backend, props: Json, vm_id: str, location: str) -> list[Json]:
    entries = (props.get("networkProfile") or {}).get("networkInterfaces") or []
    if not entries:
        raise _invalid(
            "At least one network interface is required: networkProfile.networkInterfaces is "
            "empty.",
            "networkProfile",
        )
    out = []
    for i, entry in enumerate(entries):
        target = f"networkProfile.networkInterfaces[{i}].id"
        nic = backend.store.get(str(entry.get("id", "")))
        if nic is None or nic.type != NIC:
            raise NotFound(f"Network interface {entry.get('id')} was not found.", target=target)
        holder = nic_user(backend, nic.id)
        if holder is not None and holder.key != vm_id.lower():
            raise BadRequest(
                f"Network interface {nic.id} is attached to virtual machine {holder.id}; a NIC "
                "can be attached to one VM only.",
                code="NicInUse",
                target=target,
            )
        if nic.body["location"] != location:
            raise BadRequest(
                f"Network interface {nic.id} is in location '{nic.body['location']}'; it must be "
                f"in the VM's location '{location}'.",
                code="NicLocationMismatch",
                target=target,
            )
        nic_props = dict(entry.get("properties") or {})
        nic_props.setdefault("primary", i == 0)
        nic_props.setdefault("deleteOption", "Detach")
        out.append({"id": nic.id, "properties": nic_props})
    return out


# -- the VM ----------------------------------------------------------------------------------
def _os_disk(props: Json, vm_name: str, group_rid: str, existing: Record | None) -> Json:
    if existing is not None:
        return copy.deepcopy(existing.properties["storageProfile"]["osDisk"])
    raw = dict((props.get("storageProfile") or {}).get("osDisk") or {})
    name = raw.get("name") or f"{vm_name}_OsDisk_1_{uuid.uuid4().hex}"
    managed = dict(raw.get("managedDisk") or {})
    managed.setdefault("storageAccountType", "Premium_LRS")
    managed["id"] = f"{group_rid}/providers/{DISK}/{name}"
    return {
        "osType": "Linux",
        "name": name,
        "createOption": raw.get("createOption", "FromImage"),
        "caching": raw.get("caching", "ReadWrite"),
        "managedDisk": managed,
        "deleteOption": raw.get("deleteOption", "Detach"),
        "diskSizeGB": int(raw.get("diskSizeGB") or 30),
    }


def put_vm(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=True)
    name = call.params["name"]
    if not VM_NAME.match(name):
        raise BadRequest(
            f"The resource name '{name}' is invalid: 1-64 letters, digits, '-', '_' and '.', "
            "starting with a letter or digit.",
            code="InvalidResourceName",
        )
    rid = resource_id(call.sub, group.body["name"], VM, name)
    existing = backend.store.get(rid)
    backend.check_idle(rid)
    body = call.json_body()
    location = check_location(body.get("location"), VM)
    props = body.get("properties") or {}
    size = _size(backend, props, location)
    image = (
        _image(backend, body, props, rid)
        if existing is None
        else existing.properties["storageProfile"]["imageReference"]
    )
    os_profile = _os_profile(props, name, existing)
    nics = _nics(backend, props, rid, location)
    _check_quota(backend, size, location, rid)
    group_rid = rid.split("/providers/")[0]
    os_disk = _os_disk(props, name, group_rid, existing)
    properties: Json = {
        "vmId": existing.properties["vmId"] if existing else str(uuid.uuid4()),
        "hardwareProfile": {"vmSize": size.name},
        "storageProfile": {
            "imageReference": image,
            "osDisk": os_disk,
            "dataDisks": [],
            "diskControllerType": "SCSI",
        },
        "osProfile": os_profile,
        "networkProfile": {"networkInterfaces": nics},
        "provisioningState": "Creating" if existing is None else "Updating",
        "timeCreated": existing.properties["timeCreated"] if existing else now_iso(),
    }
    for key in ("diagnosticsProfile", "securityProfile", "priority", "evictionPolicy"):
        if key in props:
            properties[key] = props[key]
    new_body: Json = {
        "name": name,
        "id": rid,
        "type": VM,
        "location": location,
        "tags": body.get("tags") or {},
        "properties": properties,
    }
    for key in ("plan", "zones", "identity"):
        if key in body:
            new_body[key] = body[key]
    record = Record(id=rid, type=VM, group=group.body["name"], body=new_body)
    backend.store.add(record)
    cascade = []
    disk_id = os_disk["managedDisk"]["id"]
    if existing is None or backend.store.get(disk_id) is None:
        disk = _disk_record(record, os_disk, size)
        backend.store.add(disk)
        cascade.append(disk.id)
    else:
        # The OS disk follows the VM's operation: a re-PUT of a VM whose create failed
        # provisions its disk again too.
        cascade.append(disk_id)
    op = backend.begin(record, "Microsoft.Compute", location, "update" if existing else "create")
    op.cascade.extend(cascade)
    for rid_ in cascade:
        target = backend.store.get(rid_)
        if target is not None:
            target.operation = op.id
    headers = operations.put_headers(call, backend, op)
    return Reply(200 if existing else 201, render_vm(backend, record), headers)


def _disk_record(vm: Record, os_disk: Json, size: VmSize) -> Record:
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
            "provisioningState": "Updating",
            "timeCreated": now_iso(),
            "uniqueId": str(uuid.uuid4()),
        },
    }
    return Record(id=disk_id, type=DISK, group=vm.group, body=body)


def instance_view(backend: Backend, record: Record) -> Json:
    state = str(record.properties.get("provisioningState", "Succeeded"))
    op = backend.store.pending(record.id)
    code = state.lower()
    if state == "Failed" and backend.store.operations:
        failures = [
            o for o in backend.store.operations.values() if o.resource_id == record.id and o.error
        ]
        if failures:
            code = f"failed/{failures[-1].error['code']}"  # type: ignore[index]
    statuses: list[Json] = [
        {
            "code": f"ProvisioningState/{code}",
            "level": "Error" if state == "Failed" else "Info",
            "displayStatus": f"Provisioning {state.lower()}",
            "time": now_iso(op.start if op else None),
        }
    ]
    power = {
        "Succeeded": ("running", "VM running"),
        "Creating": ("starting", "VM starting"),
        "Updating": ("running", "VM running"),
        "Deleting": ("stopping", "VM stopping"),
    }.get(state)
    if power:
        statuses.append(
            {"code": f"PowerState/{power[0]}", "level": "Info", "displayStatus": power[1]}
        )
    image = record.properties["storageProfile"]["imageReference"]
    return {
        "computerName": record.properties["osProfile"].get("computerName"),
        "osName": "flatcar",
        "osVersion": image.get("exactVersion"),
        "hyperVGeneration": "V2",
        "disks": [{"name": record.properties["storageProfile"]["osDisk"]["name"]}],
        "statuses": statuses,
    }


def render_vm(backend: Backend, record: Record, expand: str = "") -> Json:
    body = copy.deepcopy(record.body)
    if "instanceview" in expand.lower():
        body["properties"]["instanceView"] = instance_view(backend, record)
    return body


def get_vm(call: Call, backend: Backend) -> Reply:
    record = lookup(backend, call, VM)
    return Reply(200, render_vm(backend, record, call.query.get("$expand", "")))


def list_vms(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=False)
    expand = call.query.get("$expand", "")
    records = backend.store.of_type(VM, group.body["name"])
    return Reply(200, {"value": [render_vm(backend, r, expand) for r in records]})


def list_all_vms(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    expand = call.query.get("$expand", "")
    records = backend.store.of_type(VM)
    return Reply(200, {"value": [render_vm(backend, r, expand) for r in records]})


def delete_vm(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=True)
    record = backend.store.get(resource_id(call.sub, group.body["name"], VM, call.params["name"]))
    if record is None:
        return Reply(204)
    cascade: list[str] = []
    os_disk = record.properties["storageProfile"]["osDisk"]
    if os_disk.get("deleteOption") == "Delete":
        cascade.append(os_disk["managedDisk"]["id"])
    for entry in record.properties["networkProfile"]["networkInterfaces"]:
        if (entry.get("properties") or {}).get("deleteOption") == "Delete":
            cascade.append(entry["id"])
    return begin_delete(call, backend, record, "Microsoft.Compute", cascade=cascade)


# -- disks -----------------------------------------------------------------------------------
def _disk_holder(backend: Backend, disk: Record) -> Record | None:
    for vm in backend.store.of_type(VM):
        managed = vm.properties["storageProfile"]["osDisk"]["managedDisk"]
        if managed["id"].lower() == disk.key:
            return vm
    return None


def render_disk(backend: Backend, record: Record) -> Json:
    body = copy.deepcopy(record.body)
    holder = _disk_holder(backend, record)
    body["properties"]["diskState"] = "Attached" if holder else "Unattached"
    if holder is not None:
        body["managedBy"] = holder.id
    return body


def get_disk(call: Call, backend: Backend) -> Reply:
    return Reply(200, render_disk(backend, lookup(backend, call, DISK)))


def list_disks(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=False)
    records = backend.store.of_type(DISK, group.body["name"])
    return Reply(200, {"value": [render_disk(backend, r) for r in records]})


def delete_disk(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=True)
    record = backend.store.get(resource_id(call.sub, group.body["name"], DISK, call.params["name"]))
    if record is None:
        return Reply(204)

    def check(disk: Record) -> None:
        holder = _disk_holder(backend, disk)
        if holder is not None:
            raise BadRequest(
                f"Disk {disk.body['name']} is attached to VM {holder.id}.",
                code="OperationNotAllowed",
                status=409,
            )

    return begin_delete(call, backend, record, "Microsoft.Compute", check)


def _render_vm_default(backend: Backend, record: Record) -> Json:
    return render_vm(backend, record)


RENDERERS[VM] = _render_vm_default
RENDERERS[DISK] = render_disk
_ = (ref, Any)
