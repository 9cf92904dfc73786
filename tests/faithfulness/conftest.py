"""Fixtures for the faithfulness suite: one emulator per module, emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulator import Emulator, start_emulator, stop_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    process, emu = start_emulator(tmp_path_factory.mktemp("faithful"), "--no-throttling")
    try:
        yield emu
    finally:
        stop_emulator(process)


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The module's emulator, emptied for this test."""
    emulator.reset()
    return emulator
