"""Building a class for the tests of the class commands, in one place.

The labs are built by `class up`, as an instructor builds them: each is the lab
`up --name <prefix>-<student>` would build with that student's settings
(coreos_lab/classroom/labs.py), with its own key in <state dir>/keys/<lab>.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.conftest import BIN, Lab


def write_roster(lab: Lab, students: list[str], name: str = "roster.csv") -> Path:
    path = lab.home / name
    path.write_text("student\n" + "".join(f"{s}\n" for s in students), encoding="utf-8")
    return path


def build_class(lab: Lab, students: list[str], prefix: str = "lab", *args: str) -> None:
    """Every student's lab, built by one `class up` against the emulator; fails the test if
    one is not. ``students`` may be part of the roster the test uses (its own file here)."""
    roster = write_roster(lab, students, "built.csv")
    run = subprocess.run(
        [str(BIN), "class", "up", str(roster), "--prefix", prefix, "--json", *args],
        env=lab.env,
        cwd=lab.home,
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert all(r["complete"] for r in json.loads(run.stdout)["labs"])
