"""`--help` as a person reads it: own options first, the lab's settings under one heading,
examples that paste; shell completion offered."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.unit.cli.test_app import BIN, COMMANDS, run


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("emulator", "class")])
def test_own_options_then_which_lab_then_settings_then_examples(
    command: str, tmp_path: Path
) -> None:
    out = run([command, "--help"], tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")]
    order = [h for h in headings if h.endswith(":") and not h.startswith("Usage")]
    assert order[-3:] == ["Which lab:", "Lab settings (how up builds the lab):", "Examples:"]
    assert order[0] in ("Options:", "Arguments:")
    settings, examples_text = text.split("Lab settings (how up builds the lab):\n", 1)[1].split(
        "Examples:\n"
    )
    examples = examples_text.splitlines()
    assert 2 <= len(examples) <= 3
    assert all(e.startswith(f"  coreos-lab {command}") for e in examples)
    if command in ("ips", "down", "ssh", "ssh-config", "logs", "list"):
        assert "--etcd-vm-size" not in text and "plan --help" in settings
    else:
        assert "--etcd-vm-size" in settings and "--json" not in settings


def test_shell_completion_is_offered(tmp_path: Path) -> None:
    out = run(["--help"], tmp_path)
    assert "--install-completion" in out.stdout and "--show-completion" in out.stdout
    # typer finds the shell from the process that started coreos-lab, as for a person typing
    # it: so a real bash runs it (`; true` keeps bash from exec-ing it away).
    script = subprocess.run(
        ["bash", "-c", f"{shlex.quote(str(BIN))} --show-completion; true"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert script.returncode == 0 and "_COREOS_LAB_COMPLETE" in script.stdout, script.stderr
