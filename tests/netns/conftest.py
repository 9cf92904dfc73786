"""Fixtures for the lab tests: real etcd 3.5 in network namespaces, removed after each test.

These tests need root (network namespaces) and the ``ip`` tool. Without them they skip, except
under CI (``CI=true``), where the proof must run and a missing prerequisite is a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .cluster import Binaries, EtcdLab, find_binaries
from .netns import Lab, list_namespaces

RUN_PREFIX = f"cl-{os.getpid()}-"
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "lab: runs real etcd in network namespaces (needs root and `ip`)"
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the lab tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def binaries() -> Binaries:
    if os.geteuid() != 0:
        _unavailable("the lab tests need root to create network namespaces")
    if shutil.which("ip") is None:
        _unavailable("the lab tests need iproute2's `ip` command")
    found = find_binaries()
    if isinstance(found, str):
        _unavailable(found)
    assert isinstance(found, Binaries)
    return found


@pytest.fixture(scope="session")
def _no_leftovers(binaries: Binaries) -> Iterator[None]:
    yield
    left = list_namespaces(RUN_PREFIX)
    assert not left, f"namespaces left behind: {left}"


@pytest.fixture
def elab(binaries: Binaries, _no_leftovers: None, tmp_path: Path) -> Iterator[EtcdLab]:
    """An empty lab: add machines with start_member/start_host/start_discovery."""
    prefix = f"{RUN_PREFIX}{next(_counter)}-"
    lab = Lab(prefix=prefix, workdir=tmp_path)
    try:
        yield EtcdLab(lab=lab, bins=binaries)
    finally:
        lab.close()
        left = list_namespaces(prefix)
        assert not left, f"namespaces left behind: {left}"
