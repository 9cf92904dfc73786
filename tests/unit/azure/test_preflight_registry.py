"""A preflight check is one decorated function: registering it is all it takes to run it,
and a check whose precondition failed is reported as skipped, naming the cause."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coreos_lab.azure.clients import Clients, emulator_target
from coreos_lab.azure.preflight import SUBSCRIPTION, checks, run_preflight
from coreos_lab.azure.preflight.context import CheckFailed, Context
from coreos_lab.emulator.client import Connection
from coreos_lab.lab.results import Outcome
from coreos_lab.lab.settings import LabSettings

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def clients(emulator: Connection) -> Iterator[Clients]:
    clients = Clients(emulator_target(emulator), retry_total=1)
    yield clients
    clients.close()


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations in a test stay in the test."""
    monkeypatch.setattr(checks, "_REGISTRY", list(checks._REGISTRY))


@pytest.mark.usefixtures("registry")
def test_a_registered_check_runs_after_the_others_and_its_dependant_is_skipped(
    clients: Clients,
) -> None:
    @checks.check("hosts file", needs=(SUBSCRIPTION,), about=lambda ctx: "hosts")
    def check_hosts(ctx: Context) -> str:
        raise CheckFailed(f"{ctx.settings.hosts} hosts are too many for this test.")

    @checks.check("after hosts", needs=("hosts file",), about=lambda ctx: "nothing")
    def check_after(ctx: Context) -> str:
        raise CheckFailed("This sentence must not reach the report.")

    report = run_preflight(clients, LabSettings(), deadline=20)
    by_name = {c.name: c for c in report.checks}
    assert list(by_name)[-2:] == ["hosts file", "after hosts"]
    assert by_name["hosts file"].outcome is Outcome.FAILED
    assert by_name["hosts file"].message == "2 hosts are too many for this test."
    assert by_name["after hosts"].outcome is Outcome.SKIPPED
    assert by_name["after hosts"].message == "Not checked: the hosts file check failed."
    assert [c.name for c in report.failures] == ["hosts file"]
