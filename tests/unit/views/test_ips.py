"""The machines table at every width a terminal has: each ssh command stays on one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from coreos_lab.lab.results import MachineAccess, MachineInfo
from coreos_lab.views.ips import render_machines, ssh_line

ACCESS = MachineAccess(
    (
        MachineInfo("etcd0", "etcd", "127.77.0.10", "10.0.0.4", "running"),
        MachineInfo("host0", "host", "127.77.0.15", "10.0.1.4", "running"),
        MachineInfo("host1", "host", None, None, "creating"),
    ),
    str(Path.home() / ".ssh/id_rsa_coreos_azure_lab"),
    str(Path.home() / ".local/state/coreos-lab/labs/coreos-lab/known_hosts"),
)


def _render(width: int) -> list[str]:
    out = io.StringIO()
    render_machines(ACCESS, Console(file=out, width=width, force_terminal=False))
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", range(60, 251, 10))
def test_every_ssh_command_is_one_line_at_any_width(width: int) -> None:
    lines = _render(width)
    for m in ACCESS.machines[:2]:
        command = ssh_line(m, ACCESS, short=True)
        assert command is not None
        assert any(command in line for line in lines), (width, "\n".join(lines))
    assert "1 machine" not in lines[0] and lines[0].startswith("3 machines")


def test_the_column_goes_when_it_does_not_fit() -> None:
    narrow, wide = _render(80), _render(250)
    assert "Log in with:" in narrow and "Log in with:" not in wide
    assert "host1: no public IP yet" in "\n".join(narrow)
    assert all(len(line) <= 80 for line in narrow if "ssh " not in line)
