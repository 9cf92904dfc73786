"""The Azure Retail Prices API as the emulator serves it, read by coreos-lab's own client
(azure/prices.py), and that client facing a service that is closed or silent."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator

import pytest

from coreos_lab.azure.prices import PriceService, PricesUnavailable, estimate_cost, query
from coreos_lab.emulator.client import AdminClient, Connection
from coreos_lab.lab.settings import LabSettings


def _service(conn: Connection) -> PriceService:
    return PriceService(conn.endpoint, conn.ca_cert)


def test_pages_are_followed_through_next_page_link(
    connection: Connection, admin: AdminClient
) -> None:
    where = "serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope'"
    whole = query(_service(connection), where, time.monotonic() + 5)
    admin.configure(page_size=3)
    paged = query(_service(connection), where, time.monotonic() + 5)
    assert len(whole) == 8  # 2 sizes: Linux, Windows, Spot and Low Priority each
    assert [i["meterId"] for i in paged] == [i["meterId"] for i in whole]
    # A query is a handful of items: pages without end are refused, not followed forever.
    admin.configure(page_size=1)
    with pytest.raises(PricesUnavailable, match="more than 10 pages"):
        query(_service(connection), "", time.monotonic() + 5)


def test_a_lab_is_priced_from_linux_pay_as_you_go_vms_and_its_public_ips(
    connection: Connection,
) -> None:
    cost = estimate_cost([LabSettings()], service=_service(connection))
    assert cost.available, cost.note
    # The sample's West Europe figures: 3 × B2ats_v2, 2 × B2als_v2, 5 Standard static IPs.
    assert cost.lab_per_hour == pytest.approx(3 * 0.0104 + 2 * 0.0416 + 5 * 0.005)
    uksouth = dataclasses.replace(LabSettings(), location="uksouth", etcd=5, hosts=1, name="b")
    both = estimate_cost([LabSettings(), uksouth], service=_service(connection))
    assert both.class_per_hour == pytest.approx(0.1394 + 5 * 0.0106 + 0.0424 + 6 * 0.005)
    # A region the sample does not hold: every line named as unpriced, nothing invented.
    far = estimate_cost(
        [dataclasses.replace(LabSettings(), location="centralus")], service=_service(connection)
    )
    assert not far.available and far.note.endswith(
        "/api/retail/prices lists no price for centralus"
    )


def test_a_filter_the_service_cannot_parse_is_a_note(connection: Connection) -> None:
    settings = dataclasses.replace(LabSettings(), etcd_vm_size="Standard_B2ats_v2' or 'x")
    cost = estimate_cost([settings], service=_service(connection))
    assert not cost.available and "answered HTTP 400" in cost.note


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


def test_an_unreachable_price_service_is_a_note_not_a_failure(closed_port: int) -> None:
    began = time.monotonic()
    cost = estimate_cost([LabSettings()], service=PriceService(f"https://127.0.0.1:{closed_port}"))
    assert not cost.available and cost.lab_per_hour is None
    assert cost.note.startswith("prices unavailable: cannot reach https://127.0.0.1:")
    assert time.monotonic() - began < 2


def test_a_silent_price_service_is_given_up_on_by_the_deadline(silent_port: int) -> None:
    began = time.monotonic()
    cost = estimate_cost(
        [LabSettings()], service=PriceService(f"https://127.0.0.1:{silent_port}"), deadline=1.0
    )
    assert not cost.available and cost.note.startswith("prices unavailable: ")
    assert 0.9 < time.monotonic() - began < 3, cost.note
