"""The administrative API under ``/_emulator/`` (the same bearer token as ARM; loopback only).

The request log, the stored state, reset, the config and the process's CPU time; admin
requests are not logged, throttled, faulted or delayed. Every route and config key:
docs/emulator.md, "Admin API"."""

from __future__ import annotations

import time

from aiohttp import web

from .appstate import arm_errors, authenticate, emulator_of
from .errors import InvalidRequestContent


async def info(request: web.Request) -> web.Response:
    store = emulator_of(request).backend.store
    return web.json_response(
        {
            "endpoint": f"https://{request.host}",
            "subscription_id": store.subscription_id,
            "tenant_id": store.tenant_id,
        }
    )


async def get_requests(request: web.Request) -> web.Response:
    return web.json_response(emulator_of(request).requests)


async def clear_requests(request: web.Request) -> web.Response:
    emulator = emulator_of(request)
    count = len(emulator.requests)
    emulator.requests.clear()
    return web.json_response({"cleared": count})


async def get_state(request: web.Request) -> web.Response:
    backend = emulator_of(request).backend
    if backend.store.settle():
        backend.store.save()
    return web.json_response(backend.store.to_json())


async def get_stats(request: web.Request) -> web.Response:
    requests = len(emulator_of(request).requests)
    cpu = time.process_time()
    return web.json_response(
        {
            "cpu_seconds": round(cpu, 3),
            "requests": requests,
            "cpu_ms_per_request": round(cpu * 1000 / requests, 3) if requests else None,
        }
    )


async def reset(request: web.Request) -> web.Response:
    emulator_of(request).reset()
    return web.json_response({"reset": True})


async def get_config(request: web.Request) -> web.Response:
    return web.json_response(emulator_of(request).settings.to_json())


async def put_config(request: web.Request) -> web.Response:
    settings = emulator_of(request).settings
    try:
        changes = await request.json()
    except ValueError as exc:
        raise InvalidRequestContent("The config must be a JSON object.") from exc
    if not isinstance(changes, dict):
        raise InvalidRequestContent("The config must be a JSON object.")
    settings.update(changes)
    return web.json_response(settings.to_json())


def build_admin_app() -> web.Application:
    """The admin sub-app; app.py mounts it under ``/_emulator``."""
    app = web.Application(middlewares=[arm_errors, authenticate])
    app.router.add_get("/", info)
    app.router.add_get("/requests", get_requests)
    app.router.add_delete("/requests", clear_requests)
    app.router.add_get("/state", get_state)
    app.router.add_get("/stats", get_stats)
    app.router.add_post("/reset", reset)
    app.router.add_get("/config", get_config)
    app.router.add_put("/config", put_config)
    app.router.add_patch("/config", put_config)
    return app
