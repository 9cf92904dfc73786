"""Long-running operations as each provider does them, and their status URLs.

Network, compute, storage and resource-group operations each answer with their provider's
headers and status URLs (``x-ms-long-running-operation-options`` in azure-rest-api-specs), all
with ``Retry-After``: docs/emulator.md, "Long-running operations"."""

from __future__ import annotations

from .. import types
from ..backend import Backend, Call
from ..envelope import Json, Reply, format_seconds, now_iso
from ..errors import NotFound
from ..store import Operation


def _provider_base(call: Call, op: Operation) -> str:
    return f"{call.base}/subscriptions/{call.sub}/providers/{op.provider}/locations/{op.location}"


def _retry(backend: Backend, op: Operation) -> dict[str, str]:
    return {"Retry-After": format_seconds(backend.retry_after(op.provider))}


def async_operation_url(call: Call, op: Operation) -> str:
    return f"{_provider_base(call, op)}/operations/{op.id}?api-version={call.api_version}"


def put_headers(call: Call, backend: Backend, op: Operation) -> dict[str, str]:
    """Network and compute PUT: ``Azure-AsyncOperation``."""
    return {"Azure-AsyncOperation": async_operation_url(call, op), **_retry(backend, op)}


def delete_headers(call: Call, backend: Backend, op: Operation) -> dict[str, str]:
    """Network and compute DELETE: ``Location`` and ``Azure-AsyncOperation``."""
    if op.provider == types.COMPUTE:
        location = (
            f"{_provider_base(call, op)}/operations/{op.id}"
            f"?monitor=true&api-version={call.api_version}"
        )
    else:
        location = (
            f"{_provider_base(call, op)}/operationResults/{op.id}?api-version={call.api_version}"
        )
    return {
        "Location": location,
        "Azure-AsyncOperation": async_operation_url(call, op),
        **_retry(backend, op),
    }


def storage_create_headers(call: Call, backend: Backend, op: Operation) -> dict[str, str]:
    location = (
        f"{_provider_base(call, op)}/asyncoperations/{op.id}"
        f"?monitor=true&api-version={call.api_version}"
    )
    return {"Location": location, **_retry(backend, op)}


def group_delete_headers(call: Call, backend: Backend, op: Operation) -> dict[str, str]:
    location = (
        f"{call.base}/subscriptions/{call.sub}/operationresults/{op.id}"
        f"?api-version={call.api_version}"
    )
    return {"Location": location, **_retry(backend, op)}


def _operation(call: Call, backend: Backend) -> Operation:
    backend.check_subscription(call.sub)
    op = backend.store.operations.get(call.params["op"])
    if op is None:
        raise NotFound(f"The operation '{call.params['op']}' could not be found.")
    return op


def status_body(op: Operation) -> Json:
    status = op.status()
    body: Json = {"name": op.id, "status": status, "startTime": now_iso(op.start)}
    if status != "InProgress":
        body["endTime"] = now_iso(op.end)
    if status == "Failed" and op.error is not None:
        body["error"] = op.error
    return body


def get_async_operation(call: Call, backend: Backend) -> Reply:
    """``GET .../locations/{loc}/operations/{id}``: the operation status resource.

    Compute also uses this URL with ``monitor=true`` as the ``Location`` of a delete.
    """
    op = _operation(call, backend)
    if call.query.get("monitor", "").lower() == "true":
        return _location_answer(backend, op, done_status=200)
    headers = _retry(backend, op) if op.status() == "InProgress" else {}
    return Reply(200, status_body(op), headers)


def get_operation_result(call: Call, backend: Backend) -> Reply:
    """Network ``operationResults`` and resource-group ``operationresults``: 202 until done."""
    op = _operation(call, backend)
    return _location_answer(backend, op, done_status=204 if op.provider == types.NETWORK else 200)


def get_storage_operation(call: Call, backend: Backend) -> Reply:
    """Storage ``asyncoperations``: 202 while creating, then 200 with the account."""
    op = _operation(call, backend)
    status = op.status()
    if status == "InProgress":
        return Reply(202, None, _retry(backend, op))
    if status == "Failed":
        return Reply(op.error_status, {"error": op.error})
    record = backend.store.get(op.resource_id)
    if record is None:
        return Reply(204)
    return Reply(200, backend.render(record))


def _location_answer(backend: Backend, op: Operation, done_status: int) -> Reply:
    status = op.status()
    if status == "InProgress":
        return Reply(202, None, _retry(backend, op))
    if status == "Failed":
        return Reply(op.error_status, {"error": op.error})
    return Reply(done_status)
