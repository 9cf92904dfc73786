"""Helpers the provider models share: names, lookups, references, the PUT/DELETE skeletons."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from .. import types
from ..backend import Backend, Call, check_location
from ..echo import echo
from ..envelope import Json, Reply, new_etag, resource_id
from ..errors import (
    BadRequest,
    InvalidResourceReference,
    ProviderNotFound,
    ResourceNotFound,
)
from ..store import Operation, Record
from . import operations

NETWORK_NAME = re.compile(r"^[A-Za-z0-9_](?:[\w.-]{0,78}[\w])?$")


def check_network_name(name: str) -> None:
    if not NETWORK_NAME.match(name):
        raise BadRequest(
            f"Resource name {name} is invalid. The name can be up to 80 characters long. It must "
            "begin with a word character, and it must end with a word character or with '_'. "
            "The name may contain word characters or '.', '-', '_'.",
            code="InvalidResourceName",
        )


def lookup(backend: Backend, call: Call, rtype: str) -> Record:
    """The resource the call names (404 ``ResourceNotFound`` when missing)."""
    group = backend.group(call, writing=False)
    rid = resource_id(call.sub, group.body["name"], rtype, call.params["name"])
    record = backend.store.get(rid)
    if record is None:
        raise ResourceNotFound(rtype, call.params["name"], group.body["name"])
    return record


def resolve(backend: Backend, value: object, rtype: str, referrer: str) -> str | None:
    """Resolve ``{"id": ...}`` to the canonical id of an existing ``rtype`` resource.

    A missing one is network's 400 ``InvalidResourceReference``.
    """
    if not value:
        return None
    rid = value.get("id") if isinstance(value, dict) else None
    if not isinstance(rid, str):
        raise BadRequest(f"A reference in {referrer} has no id.", code="InvalidRequestFormat")
    record = backend.store.get(rid)
    if record is None or record.type.lower() != rtype.lower():
        # A subnet of a VNet that does not exist: the VNet is named, with the provider's
        # NotFound in details (Azure/azure-quickstart-templates#2824, CiscoDevNet/cisco-ftdv#30);
        # a missing subnet of an existing VNet is named itself, without details
        # (MicrosoftDocs/azure-docs#81734).
        missing, details = rid, []
        cut = rid.lower().rfind("/subnets/")
        parent = rid[:cut] if cut > 0 else None
        if rtype == types.SUBNET and parent and backend.store.get(parent) is None:
            missing, details = parent, [ProviderNotFound(parent).detail()]
        raise InvalidResourceReference(
            f"Resource {missing} referenced by resource {referrer} was not found. Please make "
            "sure that the referenced resource exists, and that both resources are in the same "
            "region.",
            details=details,
        )
    return record.id


def list_of_type(call: Call, backend: Backend, rtype: str) -> Reply:
    group = backend.group(call, writing=False)
    records = backend.store.of_type(rtype, group.body["name"])
    return Reply(200, {"value": [backend.render(r) for r in records]})


def get_of_type(call: Call, backend: Backend, rtype: str) -> Reply:
    return Reply(200, backend.render(lookup(backend, call, rtype)))


def network_put(
    call: Call,
    backend: Backend,
    rtype: str,
    build: Callable[[Json, Record | None, str], Json],
    extra: Callable[[Record, Operation], None] | None = None,
) -> Reply:
    """A network PUT: validate, store with provisioningState Updating, 201/200 + async header.

    ``build(body, existing, id)`` validates the request and returns the new ``properties``;
    it must not change state. ``extra`` runs after the record is stored (child records).
    """
    group = backend.group(call, writing=True)
    name = call.params["name"]
    check_network_name(name)
    rid = resource_id(call.sub, group.body["name"], rtype, name)
    existing = backend.store.get(rid)
    backend.check_idle(rid)
    body = call.json_body()
    location = check_location(body.get("location"), rtype)
    properties = build(body, existing, rid)
    properties["provisioningState"] = "Updating"
    properties.setdefault(
        "resourceGuid",
        existing.properties.get("resourceGuid") if existing else str(uuid.uuid4()),
    )
    new_body: Json = {
        "name": name,
        "id": rid,
        "etag": new_etag(),
        "type": rtype,
        "location": location,
        "tags": body.get("tags") or {},
        "properties": properties,
    }
    for key in ("sku", "zones"):
        if key in body:
            new_body[key] = body[key]
    new_body = echo(body, new_body)
    record = Record(id=rid, type=rtype, group=group.body["name"], body=new_body)
    backend.store.add(record)
    op = backend.begin(record, types.NETWORK, location, "update" if existing else "create")
    if extra is not None:
        extra(record, op)
    reply = put_answer(backend.render(record))
    return Reply(200 if existing else 201, reply, operations.put_headers(call, backend, op))


def put_answer(body: Json) -> Json:
    """The body of a network PUT's 200/201: ``provisioningState: Succeeded`` throughout.

    Every create example of the kinds served (NetworkSecurityGroupCreate.json,
    VirtualNetworkCreate.json, PublicIpAddressCreateDefaults.json, SubnetCreate.json, network
    2026-03-01; NetworkInterfaceCreate.json, 2025-07-01) shows Succeeded in the 201 body, child
    resources included, while the Azure-AsyncOperation still runs; a GET during the operation
    shows the stored ``Updating``. The client's poller follows the header, not this body.
    """

    def settled(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: "Succeeded" if k == "provisioningState" and v == "Updating" else settled(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [settled(v) for v in value]
        return value

    result = settled(body)
    assert isinstance(result, dict)
    return result


def network_delete(
    call: Call, backend: Backend, rtype: str, check: Callable[[Record], None] | None = None
) -> Reply:
    """A network DELETE: 204 if absent, else 202 + Location/Azure-AsyncOperation."""
    group = backend.group(call, writing=True)
    rid = resource_id(call.sub, group.body["name"], rtype, call.params["name"])
    record = backend.store.get(rid)
    if record is None:
        return Reply(204)
    return begin_delete(call, backend, record, types.NETWORK, check)


def begin_delete(
    call: Call,
    backend: Backend,
    record: Record,
    provider: str,
    check: Callable[[Record], None] | None = None,
    cascade: list[str] | None = None,
    location: str | None = None,
) -> Reply:
    backend.check_idle(record.id)
    if check is not None:
        check(record)
    location = location or record.body.get("location") or ""
    op = backend.begin(record, provider, location, "delete", cascade=cascade)
    record.properties["provisioningState"] = "Deleting"
    return Reply(202, None, operations.delete_headers(call, backend, op))
