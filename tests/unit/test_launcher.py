"""The top-level help from coreos_lab/help.txt: the very text click prints, without importing it.

launcher.py answers `coreos-lab`, `--help` and `-h` from the file when click would print
the same text; these tests render click's own text beside it, so a changed command or
docstring that was not re-rendered (`make help-text`) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.unit.cli.test_app import BIN

CLICK_RENDER = (
    "import sys; sys.argv = ['coreos-lab', *sys.argv[1:]]; "
    "from coreos_lab.cli.app import main; main()"
)


def _env(columns: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COREOS_LAB_", "_COREOS"))}
    env["COLUMNS"] = str(columns)
    return env


def _launcher(args: list[str], columns: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=_env(columns), timeout=30
    )


def _click(args: list[str], columns: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLICK_RENDER, *args],
        capture_output=True,
        text=True,
        env=_env(columns),
        timeout=30,
    )


def test_help_file_is_what_click_renders_today() -> None:
    from coreos_lab.launcher import HELP_FILE

    with open(HELP_FILE, encoding="utf-8") as f:
        stored = f.read()
    assert stored == _click(["--help"], 80).stdout, (
        "coreos_lab/help.txt is stale: run `make help-text` and commit it"
    )


@pytest.mark.parametrize("columns", [60, 80, 120, 250])
@pytest.mark.parametrize("args", [[], ["--help"], ["-h"]])
def test_launcher_prints_what_click_prints(args: list[str], columns: int) -> None:
    ours, theirs = _launcher(args, columns), _click(args, columns)
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )
    assert "Usage: coreos-lab [OPTIONS] COMMAND [ARGS]..." in ours.stdout + ours.stderr


def test_top_level_help_imports_neither_typer_nor_click() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", str(BIN), "--help"],
        capture_output=True,
        text=True,
        env=_env(100),
        timeout=30,
    )
    assert out.returncode == 0 and "Commands:" in out.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()}
    assert not {"typer", "click", "coreos_lab.cli", "coreos_lab.cli.app"} & imported
    # ...while a command's help does need them (the test would see a broken importtime).
    sub = subprocess.run(
        [sys.executable, "-X", "importtime", str(BIN), "up", "--help"],
        capture_output=True,
        text=True,
        env=_env(100),
        timeout=30,
    )
    assert "typer" in {line.rsplit("|", 1)[-1].strip() for line in sub.stderr.splitlines()}
