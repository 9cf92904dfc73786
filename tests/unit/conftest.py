"""What the unit tests that need Azure share: an emulator per test module, over HTTPS on
loopback, reached through the real SDK clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coreos_lab.emulator.client import AdminClient, Connection, running_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    with running_emulator(Path(tmp_path_factory.mktemp("emulator")), latency_scale=0.01) as conn:
        yield conn


@pytest.fixture
def admin(emulator: Connection) -> AdminClient:
    """The emulator as it started: no resources, no log, its first config."""
    admin = AdminClient(emulator)
    admin.reset()
    return admin
