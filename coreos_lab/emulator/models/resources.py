"""Microsoft.Resources: resource groups and the generic per-group resource listing.

A group PUT is synchronous (201 created / 200 updated); its DELETE is a 202 + ``Location``
LRO that removes everything inside when it ends (azure-rest-api-specs
``specification/resources/resource-manager/Microsoft.Resources/stable/*/resources.json``,
``ResourceGroups_Delete``).
"""

from __future__ import annotations

import copy
import re

from .. import types
from ..backend import Backend, Call, check_location, check_not_deleting
from ..echo import echo
from ..envelope import Json, Reply
from ..errors import BadRequest, Conflict, ResourceGroupNotFound
from ..store import Record
from . import operations

GROUP_NAME = re.compile(r"^[-\w.()]{1,90}$")
TAG_FILTER = re.compile(
    r"^\s*tagName\s+eq\s+'(?P<k>[^']*)'(\s+and\s+tagValue\s+eq\s+'(?P<v>[^']*)')?\s*$", re.I
)
TYPE_FILTER = re.compile(r"^\s*resourceType\s+eq\s+'(?P<t>[^']*)'\s*$", re.I)


def _render_group(record: Record) -> Json:
    return copy.deepcopy(record.body)


def put_group(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    name = call.params["rg"]
    if not GROUP_NAME.match(name) or name.endswith("."):
        raise BadRequest(
            f"Resource group name '{name}' is invalid. It can include alphanumeric, underscore, "
            "parentheses, hyphen, period (except at end), and Unicode characters.",
            code="InvalidResourceGroupName",
        )
    body = call.json_body()
    location = check_location(body.get("location"))
    tags = body.get("tags") or {}
    existing = backend.store.group(name)
    if existing is not None:
        check_not_deleting(existing)
        if existing.body["location"] != location:
            raise Conflict(
                f"Invalid resource group location '{location}'. The Resource group already "
                f"exists in location '{existing.body['location']}'.",
                code="InvalidResourceGroupLocation",
            )
        existing.body["tags"] = tags
        return Reply(200, _render_group(existing))
    record = backend.store.group_record(call.sub, name, location, tags)
    record.body = echo(body, record.body)  # e.g. managedBy, stored as sent
    backend.store.groups[name.lower()] = record
    return Reply(201, _render_group(record))


def get_group(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    record = backend.store.group(call.params["rg"])
    if record is None:
        raise ResourceGroupNotFound(call.params["rg"])
    return Reply(200, _render_group(record))


def head_group(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    return Reply(204 if backend.store.group(call.params["rg"]) else 404)


def delete_group(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    record = backend.store.group(call.params["rg"])
    if record is None:
        raise ResourceGroupNotFound(call.params["rg"])
    op = backend.store.pending(record.id)
    if op is None:
        vms = len(backend.store.of_type(types.VM, record.group))
        record.properties["provisioningState"] = "Deleting"
        op = backend.begin(record, types.RESOURCES, record.body["location"], "delete", vms=vms)
    return Reply(202, None, operations.group_delete_headers(call, backend, op))


def tag_matches(tags: Json | None, flt: str | None) -> bool:
    if not flt:
        return True
    match = TAG_FILTER.match(flt)
    if not match:
        raise BadRequest(f"Invalid $filter '{flt}'.", code="InvalidFilterInQueryString")
    key, value = match.group("k"), match.group("v")
    lowered = {k.lower(): v for k, v in (tags or {}).items()}
    if key.lower() not in lowered:
        return False
    return value is None or lowered[key.lower()] == value


def list_groups(call: Call, backend: Backend) -> Reply:
    backend.check_subscription(call.sub)
    flt = call.query.get("$filter")
    groups = [
        _render_group(g) for g in backend.store.groups.values() if tag_matches(g.body["tags"], flt)
    ]
    return Reply(200, {"value": groups})  # paged by paging.py ($top is the page size)


def generic_view(record: Record) -> Json:
    """The generic shape ``resources.list_by_resource_group`` returns."""
    view: Json = {
        "id": record.id,
        "name": record.body["name"],
        "type": record.type,
        "location": record.body.get("location"),
        "tags": record.body.get("tags") or {},
    }
    for key in ("sku", "kind", "managedBy", "plan", "zones"):
        if key in record.body:
            view[key] = copy.deepcopy(record.body[key])
    return view


def list_group_resources(call: Call, backend: Backend) -> Reply:
    group = backend.group(call, writing=False)
    flt = call.query.get("$filter")
    wanted_type = None
    tag_filter = None
    if flt:
        type_match = TYPE_FILTER.match(flt)
        if type_match:
            wanted_type = type_match.group("t").lower()
        else:
            tag_filter = flt
    expand = call.query.get("$expand", "").lower()
    items = []
    for record in backend.store.in_group(group.body["name"]):
        if record.type.count("/") != 1:  # child resources (subnets) are not listed
            continue
        if wanted_type and record.type.lower() != wanted_type:
            continue
        if not tag_matches(record.body.get("tags"), tag_filter):
            continue
        view = generic_view(record)
        items.append(_expanded(view, record, expand))
    return Reply(200, {"value": items})  # paged by paging.py ($top is the page size)


def _expanded(view: Json, record: Record, expand: str) -> Json:
    """``$expand``: "createdTime, changedTime and provisioningState" (GenericResourceExpanded)."""
    for key in ("createdTime", "changedTime", "provisioningState"):
        if key.lower() not in expand:
            continue
        if key == "provisioningState":
            view[key] = record.properties.get("provisioningState")
        else:
            view[key] = record.created if key == "createdTime" else record.changed
    return view
