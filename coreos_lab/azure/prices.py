"""A client of the Azure Retail Prices API: the hourly prices an estimate needs, or a note.

One query per (location, VM size) and one per location for the public IP, all at once and
bounded by a few seconds: a price is a nicety, so a slow or failing service ends as
``CostEstimate.note``, never as an error. The API: docs/facts.md, "Quota and prices"; with
``--cloud emulator`` the emulator serves its dated sample (docs/emulator.md)."""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from coreos_lab.azure.clients import Target
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.costs import (
    IP_KEY,
    CostEstimate,
    PriceBook,
    estimate,
    price_needs,
    unavailable,
    vm_key,
)
from coreos_lab.lab.settings import LabSettings

PUBLIC_ENDPOINT = "https://prices.azure.com"
ENV_URL = "COREOS_LAB_PRICES_URL"
PATH = "/api/retail/prices"
DEADLINE = 5.0  # seconds for the whole estimate, however many queries
MAX_PAGES = 10  # a query here matches a handful of items; more pages means a wrong filter
_BYTES = 4 << 20

IP_METER = "Standard IPv4 Static Public IP"


class PricesUnavailable(Exception):
    """The price list could not be read; the message completes "prices unavailable: …"."""


@dataclass(frozen=True)
class PriceService:
    """Where the price list is: its base URL and, for the emulator, the CA to trust."""

    endpoint: str
    cafile: str | None = None

    @property
    def url(self) -> str:
        return self.endpoint.rstrip("/") + PATH


def service_for(cloud: str, environ: Mapping[str, str] | None = None) -> PriceService:
    """The price list of ``cloud``: the running emulator's, or Azure's public one (or the
    mirror ``COREOS_LAB_PRICES_URL`` names: a proxy, or loopback in tests)."""
    row = cloud_of(cloud)
    if row.local:
        from coreos_lab.emulator.client import EmulatorError, load_connection

        try:
            conn = load_connection()
        except EmulatorError as exc:
            raise PricesUnavailable(str(exc).rstrip(".")) from None
        return PriceService(conn.endpoint, conn.ca_cert)
    if row.unpriced:
        raise PricesUnavailable(row.unpriced)
    environ = os.environ if environ is None else environ
    return PriceService(environ.get(ENV_URL) or PUBLIC_ENDPOINT)


def service_of(target: Target) -> PriceService | None:
    """The price list beside clients' target: the emulator's own; None for a real cloud."""
    if not target.row.local:
        return None
    return PriceService(target.endpoint, target.verify if isinstance(target.verify, str) else None)


def _get(url: str, service: PriceService, timeout: float) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=service.cafile)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
            body = answer.read(_BYTES)
    except urllib.error.HTTPError as exc:
        raise PricesUnavailable(f"{service.url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PricesUnavailable(f"cannot reach {service.url} ({reason})") from None
    try:
        data = json.loads(body)
    except ValueError:
        raise PricesUnavailable(f"{service.url} answered something other than JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("Items"), list):
        raise PricesUnavailable(f"{service.url} answered without an Items list")
    return data


def _next(service: PriceService, link: object) -> str | None:
    """The next page's URL; only on the service's own host (the real one adds ``:443``)."""
    if not isinstance(link, str) or not link:
        return None
    if urllib.parse.urlsplit(link).hostname != urllib.parse.urlsplit(service.url).hostname:
        raise PricesUnavailable(f"{service.url} sent a next page on another host")
    return link


def query(service: PriceService, odata_filter: str, until: float) -> list[dict[str, Any]]:
    """Every item matching ``odata_filter``, following NextPageLink; by ``until`` (monotonic)."""
    url = f"{service.url}?{urllib.parse.urlencode({'$filter': odata_filter})}"
    items: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        left = until - time.monotonic()
        if left <= 0:
            raise PricesUnavailable(f"{service.url} did not answer in time")
        page = _get(url, service, left)
        items += [i for i in page["Items"] if isinstance(i, dict)]
        following = _next(service, page.get("NextPageLink"))
        if following is None:
            return items
        url = following
    raise PricesUnavailable(f"{service.url} answered more than {MAX_PAGES} pages for one price")


def _hourly(items: Sequence[dict[str, Any]]) -> float | None:
    """The pay-as-you-go Linux hourly price among a size's items: not Windows, Spot, Low
    Priority, dev/test or reservation; the latest if several."""
    chosen = [
        i
        for i in items
        if i.get("type") == "Consumption"
        and i.get("unitOfMeasure") == "1 Hour"
        and not str(i.get("productName", "")).endswith("Windows")
        and not any(w in str(i.get("skuName", "")) for w in ("Spot", "Low Priority"))
    ]
    if not chosen:
        return None
    latest = max(chosen, key=lambda i: str(i.get("effectiveStartDate", "")))
    return float(latest["retailPrice"])


def _vm_filter(location: str, size: str) -> str:
    return (
        f"serviceName eq 'Virtual Machines' and armRegionName eq '{location}' and "
        f"armSkuName eq '{size}' and priceType eq 'Consumption'"
    )


def _ip_filter(location: str) -> str:
    return (
        f"serviceName eq 'Virtual Network' and armRegionName eq '{location}' and "
        f"meterName eq '{IP_METER}' and priceType eq 'Consumption'"
    )


def price_book(service: PriceService, needs: dict[str, set[str]], deadline: float) -> PriceBook:
    """The prices of every (location, size) in ``needs`` and each location's public IP."""
    until = time.monotonic() + deadline
    asks: dict[tuple[str, str], str] = {}
    for location, sizes in needs.items():
        asks[(IP_KEY, location)] = _ip_filter(location)
        for size in sorted(sizes):
            asks[(vm_key(size), location)] = _vm_filter(location, size)
    pool = ThreadPoolExecutor(max_workers=min(8, len(asks) or 1), thread_name_prefix="prices")
    try:
        futures = {key: pool.submit(query, service, f, until) for key, f in asks.items()}
        _, pending = wait(futures.values(), timeout=deadline + 0.5)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if pending:
        raise PricesUnavailable(f"{service.url} did not answer within {deadline:.0f} s")
    prices: dict[tuple[str, str], float] = {}
    for key, future in futures.items():
        price = _hourly(future.result())  # re-raises PricesUnavailable
        if price is not None:
            prices[key] = price
    return PriceBook(prices, "USD", service.url)


def estimate_cost(
    labs: Sequence[LabSettings],
    *,
    service: PriceService | None = None,
    deadline: float = DEADLINE,
) -> CostEstimate:
    """The hourly price of each lab in ``labs`` (the first is "a lab"), or why there is none."""
    if not labs:
        return unavailable("no lab to price")
    try:
        service = service or service_for(labs[0].cloud)
        book = price_book(service, price_needs(labs), deadline)
    except PricesUnavailable as exc:
        return unavailable(str(exc))
    return estimate(labs, book)
