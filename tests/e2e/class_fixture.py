"""Building a class for the tests of the class commands, in one place.

A class's lab is exactly the lab `up --name <prefix>-<student>` builds with that student's
settings (coreos_lab/classroom.py): its own key in <state dir>/keys/<lab>. Until `class up`
exists this runs those `up`s side by side; then it becomes one `class up` call.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.conftest import BIN, Lab


def write_roster(lab: Lab, students: list[str], name: str = "roster.csv") -> Path:
    path = lab.home / name
    path.write_text("student\n" + "".join(f"{s}\n" for s in students), encoding="utf-8")
    return path


def build_class(lab: Lab, students: list[str], prefix: str = "lab", *args: str) -> None:
    """Every student's lab, built against the emulator; fails the test if one is not."""
    keys = Path(lab.env["COREOS_LAB_STATE_DIR"]) / "keys"
    runs = [
        (
            s,
            subprocess.Popen(
                [
                    str(BIN),
                    "up",
                    "--json",
                    "--name",
                    f"{prefix}-{s}",
                    "--ssh-key",
                    str(keys / f"{prefix}-{s}"),
                    *args,
                ],
                env=lab.env,
                cwd=lab.home,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for s in students
    ]
    for student, run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, f"{student}: {out}{err}"
