"""Microsoft.Storage: storage accounts and the global name check.

Names are 3-24 lowercase letters and digits and unique across Azure: the emulator treats as
taken the accounts it holds and the names configured as ``taken_storage_names`` (owned by
"other subscriptions"). Create is 202 + ``Location`` polled to 200 with the account; delete is
synchronous (azure-rest-api-specs
``specification/storage/resource-manager/Microsoft.Storage/stable/*/storage.json``).
"""

from __future__ import annotations

import copy
import re

from .. import types
from ..backend import Backend, Call, check_location
from ..catalog import PAIRED_REGION
from ..echo import echo
from ..envelope import Json, Reply, now_iso, resource_id
from ..errors import BadRequest, Conflict
from ..store import Record
from . import operations
from .common import lookup

ACCOUNT = types.ACCOUNT
NAME = re.compile(r"^[a-z0-9]{3,24}$")
SKUS = {
    "Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS",
    "Premium_ZRS", "Standard_GZRS", "Standard_RAGZRS",
}  # fmt: skip


def _invalid_message(name: str) -> str:
    return (
        f"{name} is not a valid storage account name. Storage account name must be between 3 "
        "and 24 characters in length and use numbers and lower-case letters only."
    )


def _taken_message(name: str) -> str:
    return f"The storage account named {name} is already taken."


def _holder(backend: Backend, name: str) -> Record | None:
    for record in backend.store.of_type(ACCOUNT):
        if record.body["name"] == name:
            return record
    return None


def _taken_elsewhere(backend: Backend, name: str) -> bool:
    return name in backend.settings.cloud.taken_storage_names


def check_name_availability(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    name = str(call.json_body().get("name", ""))
    if not NAME.match(name):
        answer: Json = {
            "nameAvailable": False,
            "reason": "AccountNameInvalid",
            "message": _invalid_message(name),
        }
    elif _taken_elsewhere(backend, name) or _holder(backend, name) is not None:
        answer = {
            "nameAvailable": False,
            "reason": "AlreadyExists",
            "message": _taken_message(name),
        }
    else:
        answer = {"nameAvailable": True}
    return Reply(200, answer)


def render(backend: Backend, record: Record) -> Json:
    return copy.deepcopy(record.body)


def _endpoints(name: str, props: Json) -> Json:
    """Primary endpoints, with the routing-specific ones ``routingPreference`` publishes
    (StorageAccountCreate.json: ``<name>-internetrouting`` for blob, dfs, file, web;
    ``<name>-microsoftrouting`` for all six)."""
    out: Json = {
        kind: f"https://{name}.{kind}.core.windows.net/"
        for kind in ("blob", "queue", "table", "file", "dfs", "web")
    }
    routing = props.get("routingPreference") or {}
    if routing.get("publishInternetEndpoints"):
        out["internetEndpoints"] = {
            kind: f"https://{name}-internetrouting.{kind}.core.windows.net/"
            for kind in ("blob", "file", "dfs", "web")
        }
    if routing.get("publishMicrosoftEndpoints"):
        out["microsoftEndpoints"] = {
            kind: f"https://{name}-microsoftrouting.{kind}.core.windows.net/"
            for kind in ("blob", "queue", "table", "file", "dfs", "web")
        }
    return out


def _replication(sku: str, location: str, now: str) -> Json:
    """Read-only fields StorageAccountCreate.json shows: key creation times, and for a
    geo-redundant SKU the paired region as ``secondaryLocation`` (Azure's region pairs)."""
    out: Json = {"keyCreationTime": {"key1": now, "key2": now}}
    if "GRS" in sku or "GZRS" in sku:
        out["secondaryLocation"] = PAIRED_REGION.get(location, location)
        out["statusOfSecondary"] = "available"
    return out


def create(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=True)
    name = call.params["name"]
    if not NAME.match(name):
        raise BadRequest(_invalid_message(name), code="AccountNameInvalid")
    rid = resource_id(call.sub, group.body["name"], ACCOUNT, name)
    body = call.json_body()
    location = check_location(body.get("location"), ACCOUNT)
    sku = str((body.get("sku") or {}).get("name", ""))
    if sku not in SKUS:
        raise BadRequest(
            f"Values for request parameters are invalid: sku.name '{sku}'.",
            code="InvalidValuesForRequestParameters",
        )
    holder = _holder(backend, name)
    if holder is not None and holder.key != rid.lower():
        raise Conflict(
            f"The account {name} is already in another resource group in this subscription.",
            code="StorageAccountInAnotherResourceGroup",
        )
    if holder is None and _taken_elsewhere(backend, name):
        raise Conflict(_taken_message(name), code="StorageAccountAlreadyTaken")
    backend.check_idle(rid)
    if holder is not None and holder.properties.get("provisioningState") == "Failed":
        # A PUT of an account whose create failed provisions it again, asynchronously.
        holder.body["tags"] = body.get("tags") or holder.body.get("tags") or {}
        holder.properties["provisioningState"] = "Creating"
        op = backend.begin(holder, types.STORAGE, location, "create")
        return Reply(202, None, operations.storage_create_headers(call, backend, op))
    if holder is not None:  # same account, same group: a synchronous update
        holder.body["tags"] = body.get("tags") or holder.body.get("tags") or {}
        return Reply(200, render(backend, holder))
    props = body.get("properties") or {}
    built = _account_body(rid, name, sku, location, body, props)
    record = Record(id=rid, type=ACCOUNT, group=group.body["name"], body=echo(body, built))
    backend.store.add(record)
    op = backend.begin(record, types.STORAGE, location, "create")
    return Reply(202, None, operations.storage_create_headers(call, backend, op))


def _account_body(rid: str, name: str, sku: str, location: str, body: Json, props: Json) -> Json:
    """The account as the model builds it (the request's other keys are echoed around it)."""
    now = now_iso()
    service = {"enabled": True, "keyType": "Account", "lastEnabledTime": now}
    return {
        "sku": {"name": sku, "tier": sku.split("_")[0]},
        "kind": body.get("kind", "StorageV2"),
        "id": rid,
        "name": name,
        "type": ACCOUNT,
        "location": location,
        "tags": body.get("tags") or {},
        "properties": {
            "provisioningState": "Creating",
            "creationTime": now,
            **_replication(sku, location, now),
            "primaryEndpoints": _endpoints(name, props),
            "primaryLocation": location,
            "statusOfPrimary": "available",
            "accessTier": props.get("accessTier", "Hot"),
            "supportsHttpsTrafficOnly": props.get("supportsHttpsTrafficOnly", True),
            "minimumTlsVersion": props.get("minimumTlsVersion", "TLS1_2"),
            "allowBlobPublicAccess": props.get("allowBlobPublicAccess", False),
            "allowSharedKeyAccess": props.get("allowSharedKeyAccess", True),
            "networkAcls": {
                "bypass": "AzureServices",
                "virtualNetworkRules": [],
                "ipRules": [],
                "defaultAction": "Allow",
            },
            "encryption": {
                "services": {"blob": dict(service), "file": dict(service)},
                "keySource": "Microsoft.Storage",
            },
        },
    }


def get(call: Call, backend: Backend) -> Reply:
    return Reply(200, render(backend, lookup(backend, call, ACCOUNT)))


def list_in_group(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=False)
    records = backend.store.of_type(ACCOUNT, group.body["name"])
    return Reply(200, {"value": [render(backend, r) for r in records]})


def list_all(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    return Reply(200, {"value": [render(backend, r) for r in backend.store.of_type(ACCOUNT)]})


def delete(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=True)
    rid = resource_id(call.sub, group.body["name"], ACCOUNT, call.params["name"])
    if backend.store.get(rid) is None:
        return Reply(204)
    backend.check_idle(rid)
    backend.store.resources.pop(rid.lower(), None)
    return Reply(200)
