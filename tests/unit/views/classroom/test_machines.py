"""What a person sees of `class ips` in a terminal too narrow for the ssh column."""

from __future__ import annotations

import io

from rich.console import Console

from coreos_lab.classroom.results import ClassLabMachines
from coreos_lab.lab.results import MachineAccess, MachineInfo
from coreos_lab.views.classroom.machines import render_class_machines


def test_narrow_terminal_puts_named_ssh_lines_below_and_reasons_last() -> None:
    host0 = MachineInfo("host0", "host", "127.77.0.9", "10.0.1.4", "running")
    access = MachineAccess((host0,), "/keys/cs1-alice", "/state/labs/cs1-alice/known_hosts")
    entries = [
        ClassLabMachines("alice", "cs1-alice", "cs1-alice", access=access),
        ClassLabMachines("bob", "cs1-bob", "cs1-bob", missing=True),
        ClassLabMachines("carol", "cs1-carol", "cs1-carol", problem="It is another lab."),
    ]
    out = io.StringIO()
    render_class_machines(entries, Console(file=out, width=100, color_system=None))
    text = out.getvalue()
    assert "3 labs, 1 built, 1 machine" in text
    line = next(x for x in text.splitlines() if x.lstrip().startswith("ssh "))
    # Whole, unwrapped, and still a pastable command: the name is a shell comment.
    assert line.endswith("core@127.77.0.9  # alice host0")
    assert "cs1-bob (bob): no resource group cs1-bob; the lab is not built" in text
    assert text.rstrip().endswith("cs1-carol (carol): It is another lab.")
