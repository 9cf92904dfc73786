"""Blob storage's side of boot diagnostics: ``GET /_blob/{account}/{container}/{blob}``.

Not ARM: no bearer token (the SAS in the query authorizes), Blob storage's XML errors with
``x-ms-error-code``, and not in ARM's request log, throttling or faults. The rules (SAS check,
the emulated serial log) live in models/boot_diagnostics.py; app.py routes ``/_blob/`` here.
"""

from __future__ import annotations

import uuid

from aiohttp import web

from .appstate import emulator_of
from .models.boot_diagnostics import BlobError, blob_text


async def get_blob(request: web.Request) -> web.Response:
    backend = emulator_of(request).backend
    headers = {"x-ms-request-id": str(uuid.uuid4()), "x-ms-version": "2022-11-02"}
    try:
        text = blob_text(backend, request.path, dict(request.query))
    except BlobError as err:
        return web.Response(
            status=err.status,
            text=err.xml(),
            content_type="application/xml",
            headers={**headers, "x-ms-error-code": err.code},
        )
    return web.Response(
        text=text, content_type="text/plain", headers={**headers, "x-ms-blob-type": "AppendBlob"}
    )
