"""The ARM sub-app: its middleware and the one dispatcher.

Middleware, outermost first: request log -> ARM error bodies -> auth -> throttling -> faults
-> latency; then one catch-all handler dispatches through ``urls.py`` to the provider models.
The admin API is a sub-app of its own (admin.py), so none of this applies to it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from typing import Any

from aiohttp import web

from . import api_versions, paging, types, urls
from .appstate import HandlerFn, arm_errors, authenticate, emulator_of, log
from .backend import Backend, Call
from .envelope import Reply, format_seconds, now_iso
from .errors import (
    InternalServerError,
    InvalidRequestContent,
    InvalidResourceType,
    MissingApiVersionParameter,
    ServiceUnavailable,
    TooManyRequests,
)

LOG_LIMIT = 100_000


@web.middleware
async def log_requests(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    emulator = emulator_of(request)
    started = time.perf_counter()
    status = 0
    try:
        response = await handler(request)
        status = 0 if request.get("fault") == "dropped" else response.status
        return response
    finally:
        entry = {
            "time": now_iso(),
            "method": request.method,
            "path": request.path,
            "query": request.query_string,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "kind": urls.kind_of(request.method, request.path),
            "fault": request.get("fault"),
        }
        emulator.requests.append(entry)
        del emulator.requests[:-LOG_LIMIT]


@web.middleware
async def throttle(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    throttler = emulator_of(request).settings.throttler
    kind = urls.kind_of(request.method, request.path)
    granted, header, remaining, wait = throttler.take(kind)
    if not granted:
        request["fault"] = "throttling"
        raise TooManyRequests(
            f"Number of '{kind}' requests for subscription exceeded the limit. Please try "
            f"again after {wait} seconds.",
            code="SubscriptionRequestsThrottled",
            headers={"Retry-After": str(wait), header: "0"},
        )
    response = await handler(request)
    response.headers[header] = str(remaining)
    return response


@web.middleware
async def inject_faults(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    settings = emulator_of(request).settings
    fault = settings.faults.request_fault()
    if fault is None:
        return await handler(request)
    request["fault"] = fault
    retry = {"Retry-After": format_seconds(settings.latency.retry_after(types.RESOURCES))}
    if fault == "throttled":
        raise TooManyRequests(
            "The request is being throttled (emulated fault).", headers=dict(retry)
        )
    if fault == "server_error":
        raise InternalServerError("An internal server error occurred (emulated fault).")
    if fault == "unavailable":
        raise ServiceUnavailable(
            "The service is temporarily unavailable (emulated fault).", headers=dict(retry)
        )
    # dropped: close the connection without an answer. Returning (not raising) lets aiohttp
    # meet the closed transport quietly: one log line here instead of its traceback.
    log.warning("dropped the connection of %s %s (emulated fault)", request.method, request.path)
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=503)  # never sent: the transport is closed


@web.middleware
async def add_latency(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    await asyncio.sleep(emulator_of(request).settings.latency.request_delay())
    return await handler(request)


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidRequestContent(
            "The request content was invalid and could not be deserialized."
        ) from exc


def _reply_to_response(request: web.Request, reply: Reply) -> web.Response:
    headers = {
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-correlation-request-id": request.headers.get(
            "x-ms-client-request-id", str(uuid.uuid4())
        ),
        "Cache-Control": "no-cache",
        **reply.headers,
    }
    if reply.body is None or request.method == "HEAD":
        return web.Response(status=reply.status, headers=headers)
    return web.json_response(reply.body, status=reply.status, headers=headers)


def _location(backend: Backend, params: dict[str, str], body: Any) -> str | None:
    """The location an api-version refusal names: the request's, else its group's."""
    if isinstance(body, dict) and isinstance(body.get("location"), str):
        return str(body["location"])
    group = backend.store.group(params["rg"]) if "rg" in params else None
    return str(group.body["location"]) if group is not None else None


async def dispatch(request: web.Request) -> web.Response:
    """The one ARM handler: settle due operations, route, call the model, persist."""
    emulator = emulator_of(request)
    backend = emulator.backend
    changed = backend.store.settle()
    found = urls.match(request.method, request.path)
    if found is None or found == "method":
        raise InvalidResourceType(
            api_versions.unknown_type_message(request.path, request.query.get("api-version", "")),
            status=404 if found is None else 405,
        )
    assert not isinstance(found, str)
    handler, params = found
    api_version = request.query.get("api-version", "")
    if not api_version:
        raise MissingApiVersionParameter(
            "The api-version query parameter (?api-version=) is required for all requests."
        )
    body = await _body(request)
    api_versions.check(request.path, api_version, _location(backend, params, body))
    call = Call(
        method=request.method,
        path=request.path,
        params=params,
        query={k.lower(): v for k, v in request.query.items()},
        body=body,
        base=f"https://{request.host}",
        api_version=api_version,
        raw_query=dict(request.query),
    )
    try:
        reply = paging.page(call, handler(call, backend), backend.settings.cloud.page_size)
    finally:
        if changed or request.method not in ("GET", "HEAD"):
            backend.store.save()
    return _reply_to_response(request, reply)


MIDDLEWARES = (log_requests, arm_errors, authenticate, throttle, inject_faults, add_latency)


def arm_handler() -> HandlerFn:
    """ARM as one handler: the middleware chain, outermost first, around the dispatcher.

    Composed here rather than as aiohttp app middleware so that it wraps ARM alone: app.py
    routes the admin sub-app's paths past it.
    """
    handler: HandlerFn = dispatch
    for middleware in reversed(MIDDLEWARES):
        handler = functools.partial(middleware, handler=handler)
    return handler
