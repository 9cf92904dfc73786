"""The composition root: one aiohttp application from the ARM side and the admin sub-app.

``/_emulator/...`` goes to the admin sub-app (admin.py), ``/_blob/...`` to the boot diagnostics
blobs (blobs.py), ``/api/retail/prices`` to the public price list (models/prices.py); every
other path to ARM (server.py: its middleware chain around the dispatcher), which therefore
never sees an admin, blob or price request.
"""

from __future__ import annotations

from aiohttp import web

from .admin import build_admin_app
from .appstate import EMULATOR, Emulator, emulator_of
from .blobs import get_blob
from .models import prices
from .server import arm_handler

ADMIN_PREFIX = "/_emulator"
BLOB_PREFIX = "/_blob"  # Blob storage's side of boot diagnostics (blobs.py): SAS, not ARM
MAX_BODY = 4 * 1024 * 1024


async def _to_admin_root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(ADMIN_PREFIX + "/")


async def retail_prices(request: web.Request) -> web.Response:
    """The public price list: no token, not throttled, not in the ARM request log."""
    page_size = emulator_of(request).settings.cloud.page_size
    status, body = prices.answer(dict(request.query), f"https://{request.host}", page_size)
    return web.json_response(body, status=status)


def build_app(emulator: Emulator) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[EMULATOR] = emulator
    app.router.add_get(ADMIN_PREFIX, _to_admin_root)  # before the sub-app, which owns "/..."
    app.add_subapp(ADMIN_PREFIX, build_admin_app())
    app.router.add_get(BLOB_PREFIX + "/{blob:.+}", get_blob)
    app.router.add_get(prices.PATH, retail_prices)  # the Retail Prices API, not ARM
    app.router.add_route("*", "/{tail:.*}", arm_handler())  # what the admin app does not own
    return app
