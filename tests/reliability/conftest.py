"""One emulator for the whole reliability suite; each test gets its own lab name and users.

Tests do not reset the emulator: every test names its own lab (so its own resource group),
and the request log is cleared when a test starts, so "writes" are that test's alone. A test
that changes the emulator's config (latency, faults) gets it restored afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coreos_lab.emulator.client import AdminClient, running_emulator
from tests.reliability.harness import DiscoveryService, Emulator, User, make_user, serve_discovery


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    state_dir = tmp_path_factory.mktemp("reliability-emulator")
    with running_emulator(state_dir, latency_scale=0.002) as conn:
        admin = AdminClient(conn)
        admin.configure(quotas={"cores": 1000, "*": 1000})
        yield Emulator(conn, admin, state_dir)


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    before = emulator.admin.config()
    emulator.admin.clear_requests()
    yield emulator
    emulator.admin.configure(latency_scale=before["latency_scale"], faults=before["faults"])


@pytest.fixture
def lab_name(request: pytest.FixtureRequest) -> str:
    """A lab name of this test's own: its resource group is nobody else's."""
    return "rl-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:10]


@pytest.fixture
def new_user(emu: Emulator, tmp_path: Path, lab_name: str) -> Callable[[str], User]:
    """``new_user("bob")``: another HOME and state folder on the same emulator, same lab name."""

    def make(who: str) -> User:
        return make_user(emu, tmp_path / who, lab_name)

    return make


@pytest.fixture
def alice(new_user: Callable[[str], User]) -> User:
    return new_user("alice")


@pytest.fixture
def bob(new_user: Callable[[str], User]) -> User:
    return new_user("bob")


@pytest.fixture
def discovery() -> Iterator[DiscoveryService]:
    yield from serve_discovery()
