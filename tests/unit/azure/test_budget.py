"""The client-side budget through the real SDK clients against the emulator's throttling:
requests slow down before ARM answers 429, and a smaller bucket than Azure's is learned."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from coreos_lab.azure.budget import Budget, kind_of
from coreos_lab.azure.clients import Clients, emulator_target
from coreos_lab.emulator.client import AdminClient, Connection

pytestmark = pytest.mark.timeout(90)

READS = 60


def _read_many(emulator: Connection, budget: Budget) -> tuple[float, Budget]:
    """READS group lists from 8 threads through the SDK; the seconds they took."""
    clients = Clients(emulator_target(emulator), budget=budget)
    try:
        began = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: list(clients.resource.resource_groups.list()), range(READS)))
        return time.monotonic() - began, clients.budget
    finally:
        clients.close()


def _throttled(admin: AdminClient) -> int:
    return sum(1 for r in admin.requests_log() if r["status"] == 429)


def test_reads_wait_for_tokens_instead_of_meeting_429(
    emulator: Connection, admin: AdminClient
) -> None:
    # ARM's read bucket at a tenth of its size: 25 tokens refilled at 10 per second.
    admin.configure(throttling={"enabled": True, "reads": [25, 10]})
    seconds, budget = _read_many(emulator, Budget({"reads": (25, 10), "writes": (200, 10)}))
    assert _throttled(admin) == 0
    assert budget.throttled == 0 and budget.sent["reads"] == READS
    # 35 reads beyond the bucket, at 10 per second.
    assert seconds >= (READS - 25) / 10 * 0.9

    # The same reads without a budget that matches are answered 429 (the test can fail).
    admin.reset()
    admin.configure(throttling={"enabled": True, "reads": [25, 10]})
    _read_many(emulator, Budget({"reads": (10_000, 10_000), "writes": (200, 10)}))
    assert _throttled(admin) > 0


def test_a_smaller_bucket_than_azures_is_learned_from_the_headers(
    emulator: Connection, admin: AdminClient
) -> None:
    # A busy subscription: 20 reads left, refilled at 10 per second; the budget starts at
    # Azure's documented 250 at 25/s and must learn better from the answers.
    admin.configure(throttling={"enabled": True, "reads": [20, 10]})
    _, budget = _read_many(emulator, Budget())
    assert budget.sent["reads"] >= READS
    throttled = _throttled(admin)
    assert throttled <= 5, f"{throttled} answers 429: a handful while the refill is learned"


def test_requests_are_charged_to_the_bucket_arm_charges() -> None:
    assert kind_of("GET", "/subscriptions/x/resourcegroups") == "reads"
    assert kind_of("PUT", "/subscriptions/x/resourcegroups/g") == "writes"
    assert kind_of("DELETE", "/subscriptions/x/resourcegroups/g") == "deletes"
    assert (
        kind_of("POST", "/subscriptions/x/providers/Microsoft.Storage/checkNameAvailability")
        == "reads"
    )
    assert (
        kind_of(
            "POST",
            "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v/start",
        )
        == "writes"
    )


def test_a_providers_429s_slow_only_their_own_requests(
    emulator: Connection, admin: AdminClient
) -> None:
    # Emulated 429s without the subscription's remaining count, as a resource provider's own
    # limit answers: each such request waits its Retry-After, the pace stays Azure's.
    admin.configure(seed=5, faults={"throttled": 0.2})
    try:
        _, budget = _read_many(emulator, Budget())
    finally:
        admin.configure(faults={"throttled": 0.0})
    assert budget.others_throttled > 0 and budget.sent["reads"] > READS
    assert budget.pace("reads") == 25.0


def test_the_pace_halved_by_arms_429_climbs_back_when_the_bucket_refills() -> None:
    budget = Budget()
    budget.take("reads")
    budget.answered("reads", 0, 0.01)  # the subscription's bucket is empty
    assert budget.pace("reads") == 12.5
    for _ in range(3):
        budget.take("reads")
        budget.answered("reads", 240, None)  # ARM says it is about full again
    assert budget.pace("reads") == 25.0


def test_the_view_hears_why_requests_back_off_and_when_the_pace_is_back(
    emulator: Connection, admin: AdminClient
) -> None:
    said: list[tuple[str, bool]] = []
    budget = Budget()
    budget.notify = lambda text, done: said.append((text, done))
    admin.configure(seed=5, faults={"server_error": 0.2})
    try:
        _read_many(emulator, budget)
    finally:
        admin.configure(faults={"server_error": 0.0})
    assert said and said[0] == (
        "backing off: a read failed (ARM answered 500); it is sent again after a short backoff",
        False,
    )
    assert len(said) <= 1 + int(budget.sent["reads"] / 25)  # a line, not one per answer
    # The subscription's own limit: said with the pace, and said again when it is back.
    said.clear()
    budget = Budget({"reads": (250, 25), "writes": (200, 10)})
    budget.notify = lambda text, done: said.append((text, done))
    admin.configure(throttling={"enabled": True, "reads": [5, 10]})
    try:
        _read_many(emulator, budget)
        clients = Clients(emulator_target(emulator), budget=budget)
        try:
            for _ in range(12):  # each answer of a full bucket doubles the pace, up to Azure's
                time.sleep(0.6)  # ARM's bucket fills up again; 3 s pass without trouble
                list(clients.resource.resource_groups.list())
                if said[-1][1]:
                    break
        finally:
            clients.close()
    finally:
        admin.configure(throttling={"enabled": False})
    texts = [t for t, _ in said]
    limit = "the subscription's reads limit is reached (ARM answered 429 Too Many Requests)"
    assert any(limit in t for t in texts), texts
    assert said[-1] == ("Azure answers at full pace again", True), said
