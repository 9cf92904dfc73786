"""Microsoft.Compute virtual machines.

A VM PUT is checked the way compute checks it (size, vCPU quota, image, plan, NICs, admin name,
SSH keys, custom data; docs/emulator.md, "Rejections"), then created as a long-running
operation with its OS disk. Custom data is write-only: checked, never stored or returned."""

from __future__ import annotations

import base64
import binascii
import copy
import re
import uuid

from .. import types
from ..backend import Backend, Call, check_location
from ..echo import echo
from ..envelope import Json, Reply, now_iso, resource_id
from ..errors import BadRequest, NotFound
from ..store import Record
from . import disks, operations
from .catalog_api import check_image, check_quota, check_size
from .common import begin_delete, lookup
from .network_interfaces import nic_user

VM, NIC = types.VM, types.NIC
VM_NAME = re.compile(r"^[A-Za-z0-9_](?:[\w.-]{0,62}[\w])?$")
RESERVED_ADMINS = {
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1",
    "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest",
    "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2",
    "test3", "user4", "user5",
}  # fmt: skip
CUSTOM_DATA_MAX = 87380
POWER_ACTIONS = ("powerOff", "deallocate", "start", "restart")
SSH_KEY = re.compile(r"^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) ([A-Za-z0-9+/=]+)( .*)?$")


def _invalid(message: str, target: str) -> BadRequest:
    return BadRequest(message, code="InvalidParameter", target=target)


# -- checks ----------------------------------------------------------------------------------
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
    profile.pop("adminPassword", None)  # write-only, like custom data
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
    managed["id"] = f"{group_rid}/providers/{types.DISK}/{name}"
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
    size = check_size(backend, props, location)
    image = (
        check_image(backend, body, props, rid)
        if existing is None
        else existing.properties["storageProfile"]["imageReference"]
    )
    os_profile = _os_profile(props, name, existing)
    nics = _nics(backend, props, rid, location)
    check_quota(backend, size, location, rid)
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
    # Compute's etag is a quoted counter, new on every change (VirtualMachine_Get.json: "\"1\"").
    # securityType: from api-version 2025-11-01 a VM created without one reads "Standard"
    # (Azure Compute Blog, "Upcoming Compute API change: always return non-null securityType").
    security = dict(properties.get("securityProfile") or {})
    security.setdefault("securityType", "Standard")
    properties["securityProfile"] = security
    generation = int(existing.body.get("etag", '"0"').strip('"')) if existing else 0
    new_body: Json = {
        "name": name,
        "id": rid,
        "etag": f'"{generation + 1}"',
        "type": VM,
        "location": location,
        "tags": body.get("tags") or {},
        "properties": properties,
    }
    for key in ("plan", "zones", "identity"):
        if key in body:
            new_body[key] = body[key]
    new_body = echo(body, new_body)
    record = Record(id=rid, type=VM, group=group.body["name"], body=new_body)
    if existing is not None:  # an update keeps the power state (vm_actions.py)
        record.meta = dict(existing.meta)
    backend.store.add(record)
    cascade = []
    disk_id = os_disk["managedDisk"]["id"]
    if existing is None or backend.store.get(disk_id) is None:
        disk = disks.os_disk_record(record, os_disk)
        backend.store.add(disk)
        cascade.append(disk.id)
    else:
        # The OS disk follows the VM's operation: a re-PUT of a VM whose create failed
        # provisions its disk again too.
        cascade.append(disk_id)
    op = backend.begin(record, types.COMPUTE, location, "update" if existing else "create")
    op.cascade.extend(cascade)
    for rid_ in cascade:
        target = backend.store.get(rid_)
        if target is not None:
            target.operation = op.id
    headers = operations.put_headers(call, backend, op)
    return Reply(200 if existing else 201, render_vm(backend, record), headers)


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
        "Succeeded": "running",
        "Creating": "starting",
        "Updating": "running",
        "Deleting": "stopping",
    }.get(state)
    if op is not None and op.action in POWER_ACTIONS:  # vm_actions.py: powerOff, start, ...
        power = record.meta.get("power_pending", power)
    elif power == "running":
        power = record.meta.get("power", power)
    if power:
        statuses.append(
            {"code": f"PowerState/{power}", "level": "Info", "displayStatus": f"VM {power}"}
        )
    image = record.properties["storageProfile"]["imageReference"]
    disk_status = {  # VirtualMachine_Get_InstanceView.json: each disk has its own statuses
        "code": f"ProvisioningState/{code}",
        "level": statuses[0]["level"],
        "displayStatus": statuses[0]["displayStatus"],
        "time": statuses[0]["time"],
    }
    return {
        "computerName": record.properties["osProfile"].get("computerName"),
        "osName": "flatcar",
        "osVersion": image.get("exactVersion"),
        "hyperVGeneration": "V2",
        "disks": [
            {
                "name": record.properties["storageProfile"]["osDisk"]["name"],
                "statuses": [disk_status],
            }
        ],
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
    return begin_delete(call, backend, record, types.COMPUTE, cascade=cascade)


def render(backend: Backend, record: Record) -> Json:
    """The VM as a GET without ``$expand`` returns it."""
    return render_vm(backend, record)
