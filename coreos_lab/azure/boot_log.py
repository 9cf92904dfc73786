"""A machine's serial console from boot diagnostics: ARM hands out a SAS URL, then the log is a
plain HTTPS GET of that blob (docs/facts.md, "Boot diagnostics").

The SAS URL grants read access to whoever holds it, so it is a secret: it never leaves this
module (not in a message, a repr or a chained exception, which ``--debug`` would print).
"""

from __future__ import annotations

import datetime as dt
import http.client
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.errors import LabError

# A link lasts this long (ARM takes 1 to 1440, 120 when not given); --follow asks for a new
# one shortly before it ends, so it can run for hours.
LINK_MINUTES = 60
FETCH_TIMEOUT = 20.0  # seconds for one GET of the blob: a serial log is at most a few MB
MAX_BYTES = 16 * 1024 * 1024


class LinkRefused(Exception):
    """Blob storage refused the SAS (403 AuthenticationFailed): expired, or no longer valid."""


def _verify_context(verify: str | bool) -> ssl.SSLContext:
    """TLS as the SDK clients do it: the emulator's CA file, else the system's trust store."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    context = ssl.create_default_context()
    if verify is False:  # pragma: no cover - only if a target ever turns verification off
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class SerialLog:
    """Reads one VM's serial log, getting a new link before the old one ends, or once after
    storage refuses it."""

    def __init__(self, clients: Clients, resource_group: str, vm: str) -> None:
        self._clients = clients
        self._group = resource_group
        self._vm = vm
        self._url = ""
        self._expires = 0.0
        self._lifetime = 0.0
        self._context = _verify_context(clients.target.verify)

    def __repr__(self) -> str:  # never the URL
        return f"SerialLog({self._group}/{self._vm})"

    @property
    def host(self) -> str:
        """The storage host the log lives on (no path, no SAS): safe to show."""
        return urllib.parse.urlsplit(self._url).hostname or ""

    @property
    def link_expires(self) -> float:
        return self._expires

    def _refresh(self) -> None:
        result: Any = self._clients.compute.virtual_machines.retrieve_boot_diagnostics_data(
            self._group, self._vm, sas_uri_expiration_time_in_minutes=LINK_MINUTES
        )
        url = str(result.serial_console_log_blob_uri or "")
        if not url:
            raise LabError(
                f"Azure keeps no serial log for {self._vm} yet; a machine writes it as it boots, "
                "so try again in a minute."
            )
        self._url = url
        now = time.time()
        self._expires = _expiry(url) or now + LINK_MINUTES * 60
        self._lifetime = max(self._expires - now, 0.0)

    def read(self) -> bytes:
        """The whole log as it is now."""
        margin = min(60.0, self._lifetime / 5)
        if not self._url or time.time() > self._expires - margin:
            self._refresh()
        try:
            return self._get()
        except LinkRefused:
            self._refresh()  # once: a link that ended between the two calls
        try:
            return self._get()
        except LinkRefused:
            raise LabError(
                f"The storage that holds {self._vm}'s serial log refused a link Azure had just "
                "handed out (expired or not valid); check this computer's clock and try again."
            ) from None

    def _get(self) -> bytes:
        request = urllib.request.Request(self._url, headers={"x-ms-version": "2022-11-02"})
        try:
            with urllib.request.urlopen(
                request, timeout=FETCH_TIMEOUT, context=self._context
            ) as answer:
                data: bytes = answer.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            code = exc.headers.get("x-ms-error-code", "") if exc.headers else ""
            if exc.code == 403 and code == "AuthenticationFailed":
                raise LinkRefused() from None
            if exc.code == 404:
                raise LabError(
                    f"Azure keeps no serial log for {self._vm} yet (its boot diagnostics blob "
                    "is not there); a machine writes it as it boots, so try again in a minute."
                ) from None
            raise LabError(
                f"The storage {self.host} answered HTTP {exc.code} {code or exc.reason} for "
                f"{self._vm}'s serial log; try again in a minute."
            ) from None
        except ValueError:  # a URL urllib cannot use: say so without it (it is a secret)
            raise LabError(
                f"Azure handed out a serial log link for {self._vm} that cannot be read; "
                "try again in a minute."
            ) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise LabError(
                f"Cannot reach the storage {self.host} that holds {self._vm}'s serial log "
                f"({reason}); check this computer's network and try again."
            ) from None
        return data[-MAX_BYTES:]


def _expiry(url: str) -> float | None:
    """When the SAS ends: its ``se`` (UTC, to the second)."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("se")
    if not values:
        return None
    try:
        moment = dt.datetime.strptime(values[0], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC).timestamp()


def boot_diagnostics_on(clients: Clients, resource_group: str, vm: str) -> bool:
    """Whether the VM has boot diagnostics: without them Azure keeps no serial log."""
    found: Any = clients.compute.virtual_machines.get(resource_group, vm)
    profile = getattr(found, "diagnostics_profile", None)
    boot = getattr(profile, "boot_diagnostics", None)
    return bool(getattr(boot, "enabled", False))
