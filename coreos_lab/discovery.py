"""The etcd discovery token: requested once per lab, then reused from the lab's state.

A discovery token bootstraps exactly one cluster of a fixed size. Asking for a second one
on a later ``up`` would start a second, empty cluster, so the first is stored with the
lab's state (mode 0600) and every later run reuses it without asking the service.

The token URL lets anyone join the cluster, so it never appears in an error message.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from coreos_lab.errors import DiscoveryError, UsageError
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local.state import LabState, save_state

WAYS_OUT = "pass --discovery-url with a token you already have, or --bootstrap static"
_MAX_ANSWER_BYTES = 4096  # a token URL is under 100 bytes; anything much longer is not one
_MAX_DELAY = 10.0  # never wait longer than this between attempts, whatever Retry-After says

TokenRequest = Callable[[str, int], str]


class _Transient(Exception):
    """A failure worth another attempt; ``cause`` says what happened, in a few words."""

    def __init__(self, cause: str, retry_after: float | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after


def request_token(
    service: str,
    size: int,
    *,
    timeout: float = 10.0,
    attempts: int = 3,
    backoff: float = 1.0,
) -> str:
    """Ask ``service`` for a new token for a cluster of ``size`` members; return its URL.

    Transient failures (timeouts, dropped connections, HTTP 5xx and 429) are retried up to
    ``attempts`` times in all, waiting ``backoff``, then twice that, and so on.
    """
    base = urllib.parse.urlsplit(service)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise UsageError(
            f"--discovery-service '{service}' must be a URL like https://discovery.etcd.io."
        )
    if size < 1:
        raise UsageError(f"A discovery token needs a cluster size of at least 1, not {size}.")
    url = f"{service.rstrip('/')}/new?{urllib.parse.urlencode({'size': size})}"
    attempts = max(1, attempts)
    cause, delay = "no attempt was made", 0.0
    for attempt in range(attempts):
        if attempt:
            time.sleep(delay)
        try:
            answer = _get(url, timeout, service)
        except _Transient as exc:
            cause = exc.cause
            delay = min(_MAX_DELAY, max(backoff * 2**attempt, exc.retry_after or 0.0))
            continue
        _check_answer(answer, base, service)
        return answer
    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
    raise DiscoveryError(
        f"Could not get an etcd discovery token from {service} ({cause}, after {tries}); "
        f"{WAYS_OUT}."
    )


def discovery_url_for(
    settings: LabSettings,
    state: LabState,
    *,
    request: TokenRequest = request_token,
    base: Path | None = None,
    renew: bool = False,
) -> tuple[str, bool]:
    """The discovery URL for ``settings``' lab and whether it was newly requested.

    Order: ``--discovery-url``; else the token stored in the lab's state (no request); else
    a new token from the service. ``state`` is updated and saved (under ``base``, default
    :func:`~coreos_lab.local.state.state_dir`) whenever the token it records changes. Only for
    ``--bootstrap discovery``: a static cluster needs no token. ``renew``: the stored
    token's cluster is gone, so a new one is requested.
    """
    if state.lab != settings.name:
        raise ValueError(f"state of lab '{state.lab}' given for lab '{settings.name}'")
    if renew:
        # The stored token's cluster is gone (cluster.token_for): its token is spent.
        state.discovery_url, state.discovery_size = None, None
    if settings.discovery_url:
        if (state.discovery_url, state.discovery_size) != (settings.discovery_url, settings.etcd):
            state.discovery_url, state.discovery_size = settings.discovery_url, settings.etcd
            save_state(state, base)
        return settings.discovery_url, False
    if state.discovery_url:
        if state.discovery_size not in (None, settings.etcd):
            raise UsageError(
                f"Lab '{settings.name}' already has a discovery token for {state.discovery_size} "
                f"etcd members, so its cluster size is fixed at {state.discovery_size}; use "
                f"--etcd {state.discovery_size}, or run `{lab_command('down', settings)}` first "
                "to start over."
            )
        if state.discovery_size is None:
            state.discovery_size = settings.etcd
            save_state(state, base)
        return state.discovery_url, False
    url = request(settings.discovery_service, settings.etcd)
    state.discovery_url, state.discovery_size = url, settings.etcd
    save_state(state, base)
    return url, True


# ---- one request ---------------------------------------------------------------------------


def _get(url: str, timeout: float, service: str) -> str:
    """GET ``url`` and return its body as text; raise _Transient or DiscoveryError."""
    request = urllib.request.Request(url, headers={"Accept": "text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read(_MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        retry_after = _retry_after(exc.headers.get("Retry-After"))
        exc.close()
        if exc.code == 429 or exc.code >= 500:
            raise _Transient(f"HTTP {exc.code}", retry_after) from None
        raise DiscoveryError(
            f"The etcd discovery service {service} refused the request (HTTP {exc.code}); "
            f"check --discovery-service, or {WAYS_OUT}."
        ) from None
    except urllib.error.URLError as exc:
        _raise_for_connection(exc.reason, service)
    except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as exc:
        _raise_for_connection(exc, service)
    if len(body) > _MAX_ANSWER_BYTES:
        raise _not_a_token(service, "a long document")
    try:
        return body.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _not_a_token(service, "binary data") from None


def _raise_for_connection(reason: object, service: str) -> NoReturn:
    """Classify a failure to talk to the service: retry the passing ones, stop at the rest."""
    if isinstance(reason, socket.gaierror):
        # A name that does not resolve is a typo or an offline machine: retrying won't help.
        raise DiscoveryError(
            f"The etcd discovery service {service} cannot be found (its host name does not "
            f"resolve); check --discovery-service and the network, or {WAYS_OUT}."
        )
    if isinstance(reason, ConnectionRefusedError) or (
        isinstance(reason, OSError) and reason.errno == errno.ECONNREFUSED
    ):
        # Refused means nothing listens there: an immediate, definite answer, not a hiccup.
        raise DiscoveryError(
            f"The etcd discovery service {service} refused the connection (nothing listens "
            f"there); check --discovery-service, or {WAYS_OUT}."
        )
    if isinstance(reason, TimeoutError | socket.timeout):
        raise _Transient("timed out")
    if isinstance(reason, OSError) and reason.strerror:
        raise _Transient(reason.strerror.lower())
    raise _Transient(str(reason) or type(reason).__name__)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: fall back to our own backoff
    return max(0.0, when.timestamp() - time.time())


# ---- the answer ----------------------------------------------------------------------------


def _check_answer(answer: str, base: urllib.parse.SplitResult, service: str) -> None:
    """A token is a URL on the service itself, e.g. https://discovery.etcd.io/<32 hex>."""
    if not answer:
        raise _not_a_token(service, "an empty answer")
    if answer.startswith("<"):
        # A captive portal, a proxy's error page, or a web site at the wrong address.
        raise _not_a_token(service, "an HTML page")
    got = urllib.parse.urlsplit(answer)
    if any(c.isspace() for c in answer) or got.scheme not in ("http", "https") or not got.netloc:
        raise _not_a_token(service, "text that is not a URL")
    same_origin = (got.scheme, got.hostname, _port(got)) == (
        base.scheme,
        base.hostname,
        _port(base),
    )
    if not same_origin:
        raise _not_a_token(service, "a URL on another host")
    prefix = base.path.rstrip("/") + "/"
    if not got.path.startswith(prefix) or got.path == prefix or got.query or got.fragment:
        raise _not_a_token(service, "a URL that does not name a token")


def _not_a_token(service: str, what: str) -> DiscoveryError:
    # The answer itself stays out of the message: it may be somebody's token.
    return DiscoveryError(
        f"The etcd discovery service {service} answered with {what} instead of a token URL "
        f"under {service}; check --discovery-service, or {WAYS_OUT}."
    )


def _port(url: urllib.parse.SplitResult) -> int | None:
    try:
        return url.port or {"http": 80, "https": 443}.get(url.scheme)
    except ValueError:
        return None
