"""A class: the roster's students, each with a lab derived from the class's settings. Pure.

Student ``alice`` with prefix ``cs101`` gets lab (and resource group) ``cs101-alice``, with
the class's settings except where the roster says otherwise: her ``ssh_from``, her own
public key, her location. A student without a public key gets a key of her own, generated in
the class's key folder, so handing one student's key to another opens nothing.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coreos_lab.classroom.roster import Roster, Student, raise_mistakes
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings, validate

DEFAULT_PREFIX = "lab"
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,14}$")
# Azure keeps resource group names to 90 characters; a lab name to 40 (settings.py).
_MAX_LAB_NAME = 40


@dataclass(frozen=True)
class StudentLab:
    """One student's lab: who it is for and the settings it is built with."""

    student: Student
    settings: LabSettings

    @property
    def name(self) -> str:
        return self.settings.name


def lab_name(prefix: str, student: str) -> str:
    return f"{prefix}-{student}"


def check_prefix(prefix: str) -> None:
    if not _PREFIX.match(prefix) or prefix.endswith("-"):
        raise UsageError(
            f"--prefix '{prefix}' is not usable: use up to 15 lowercase letters, digits and "
            "hyphens, starting with a letter and not ending with a hyphen."
        )


def class_labs(roster: Roster, base: LabSettings, prefix: str, key_dir: Path) -> list[StudentLab]:
    """Every student's lab settings, validated; ``key_dir`` holds the keys coreos-lab makes.

    Raises UsageError naming every student whose lab cannot be built as asked.
    """
    check_prefix(prefix)
    labs = []
    mistakes: list[str] = []
    for student in roster.students:
        name = lab_name(prefix, student.name)
        where = student.where
        if len(name) > _MAX_LAB_NAME:
            mistakes.append(
                f"{where}: the lab name '{name}' is longer than {_MAX_LAB_NAME} characters; "
                "use a shorter --prefix or student name."
            )
            continue
        changes: dict[str, Any] = {"name": name}
        if student.ssh_from:
            changes["ssh_from"] = student.ssh_from
        if student.location:
            changes["location"] = student.location
        if student.public_key is not None:
            # Her own key: coreos-lab never holds her private key, only installs the public one.
            changes["ssh_public_key"] = student.public_key
            changes["ssh_key"] = key_dir / name
        else:
            changes["ssh_key"] = key_dir / name
            changes["ssh_public_key"] = None
        # A shared storage account name would collide between labs: each derives its own.
        changes["storage_account"] = ""
        settings = dataclasses.replace(base, **changes)
        try:
            validate(settings)
        except UsageError as exc:
            mistakes.append(f"{where}: {exc}")
            continue
        labs.append(StudentLab(student, settings))
    raise_mistakes(mistakes, f"The roster {roster.source}")
    return labs
