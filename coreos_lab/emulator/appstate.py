"""What the ARM and admin sides share: the emulator the application holds, the error
middleware that turns an :class:`~.errors.ArmError` into ARM's error body, and the bearer-token
check (the admin API needs the same token as ARM: connection.json's).

Below both server.py (ARM) and admin.py; app.py composes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from .backend import Backend
from .config import EmulatorSettings
from .envelope import Json
from .errors import ArmError, AuthenticationFailed, InternalServerError

log = logging.getLogger("coreos_lab.emulator")

HandlerFn = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Emulator:
    """What the application holds: the backend, its initial config and the request log."""

    backend: Backend
    initial_config: Json
    requests: list[Json] = field(default_factory=list)

    @property
    def settings(self) -> EmulatorSettings:
        return self.backend.settings

    def reset(self) -> None:
        self.backend.store.clear()
        self.requests.clear()
        self.settings.update(self.initial_config)
        self.settings.faults.reseed()
        self.backend.store.save()


EMULATOR = web.AppKey("emulator", Emulator)


def emulator_of(request: web.Request) -> Emulator:
    """The emulator, from whichever sub-app answers the request."""
    return request.config_dict[EMULATOR]


def error_response(err: ArmError) -> web.Response:
    headers = {"x-ms-failure-cause": "gateway", **err.headers}
    return web.json_response(err.body(), status=err.status, headers=headers)


@web.middleware
async def arm_errors(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    """Turn ArmError (and anything unexpected) into ARM's error body."""
    try:
        return await handler(request)
    except ArmError as err:
        return error_response(err)
    except web.HTTPException:
        raise
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("emulator bug while answering %s %s", request.method, request.path)
        return error_response(InternalServerError("An internal error occurred in the emulator."))


@web.middleware
async def authenticate(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
    store = emulator_of(request).backend.store
    header = request.headers.get("Authorization", "")
    challenge = (
        f'Bearer authorization_uri="https://login.microsoftonline.com/{store.tenant_id}", '
        'error="invalid_token", error_description="The authentication failed because of '
        "missing 'Authorization' header.\""
    )
    if not header:
        raise AuthenticationFailed(
            "Authentication failed. The 'Authorization' header is missing.",
            headers={"WWW-Authenticate": challenge},
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or token.strip() != store.token:
        raise AuthenticationFailed(
            "The access token is invalid.",
            code="InvalidAuthenticationToken",
            headers={"WWW-Authenticate": challenge.replace("missing", "invalid")},
        )
    return await handler(request)
