"""A class roster: one lab per student, read from a CSV file with a header line. Pure.

Columns: ``student`` (required: letters, digits and hyphens; it names the student's lab),
and optional ``ssh_from`` (CIDR blocks, comma-separated inside quotes), ``public_key`` (a
path to the student's own OpenSSH public key; without it coreos-lab generates a key for that
student) and ``location`` (an Azure region; the class's ``--location`` otherwise). Column
names are matched case-insensitively; an empty cell means "the class default". Every
mistake is named by its line, so an instructor fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from coreos_lab.errors import UsageError
from coreos_lab.lab.ssh_from import source_prefixes

COLUMNS = ("student", "ssh_from", "public_key", "location")
MAX_STUDENTS = 200  # a class, not a fleet: the quota check and the live view are sized for it

_STUDENT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]{1,39}$")


@dataclass(frozen=True)
class Student:
    """One roster line; ``name`` is lower-cased, as it names Azure resources."""

    name: str
    ssh_from: str = ""
    public_key: Path | None = None
    location: str = ""
    line: int = 0
    source: str = "roster"  # the roster file, so that a later check names file:line too

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class Roster:
    source: str
    students: tuple[Student, ...]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.students]


def parse_roster(text: str, source: str = "roster", base: Path | None = None) -> Roster:
    """The roster in ``text``; ``base`` resolves relative ``public_key`` paths (the file's folder).

    Raises UsageError naming the file and line of every mistake (the header's first).
    """
    text = text.lstrip("\ufeff")  # spreadsheets save CSV with a byte-order mark
    reader = csv.reader(io.StringIO(text))
    rows = [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    if not rows:
        raise UsageError(f"The roster {source} is empty; its first line is the header: student.")
    header_line, header = rows[0]
    columns = [c.strip().lower().replace("-", "_").replace(" ", "_") for c in header]
    if "student" not in columns:
        raise UsageError(
            f"{source}:{header_line}: the header has no 'student' column; the first line "
            f"names the columns, e.g. {','.join(COLUMNS)}."
        )
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise UsageError(
            f"{source}:{header_line}: unknown column '{unknown[0]}'; the columns are "
            f"{', '.join(COLUMNS)}."
        )
    repeated = [c for c in columns if columns.count(c) > 1]
    if repeated:
        raise UsageError(f"{source}:{header_line}: the column '{repeated[0]}' appears twice.")
    students: list[Student] = []
    seen: dict[str, int] = {}
    mistakes: list[str] = []
    for line, row in rows[1:]:
        if len(row) > len(columns):
            mistakes.append(
                f"{source}:{line}: {len(row)} cells for {len(columns)} columns; quote a cell "
                'that holds commas, e.g. "203.0.113.0/24,198.51.100.7".'
            )
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns)}
        try:
            student = _student(cells, f"{source}:{line}", line, base, source)
        except UsageError as exc:
            mistakes.append(str(exc))
            continue
        if student.name in seen:
            mistakes.append(
                f"{source}:{line}: student '{student.name}' is also on line "
                f"{seen[student.name]}; each student has one lab, so names must differ."
            )
            continue
        seen[student.name] = line
        students.append(student)
    raise_mistakes(mistakes, f"The roster {source}")
    if not students:
        raise UsageError(f"The roster {source} has a header but no students.")
    if len(students) > MAX_STUDENTS:
        raise UsageError(
            f"The roster {source} has {len(students)} students; coreos-lab builds at most "
            f"{MAX_STUDENTS} labs in one class: split it into several rosters and prefixes."
        )
    return Roster(source, tuple(students))


def raise_mistakes(mistakes: list[str], what: str) -> None:
    """One UsageError for every mistake found: one as it is, several listed, one a line."""
    if len(mistakes) == 1:
        raise UsageError(mistakes[0])
    if mistakes:
        lines = [f"{what} has {len(mistakes)} mistakes; fix them and run again:"]
        raise UsageError("\n".join([*lines, *(f"  {m}" for m in mistakes)]))


def _student(
    cells: dict[str, str], where: str, line: int, base: Path | None, source: str
) -> Student:
    name = cells.get("student", "")
    if not name:
        raise UsageError(f"{where}: the student cell is empty; every line names a student.")
    if not _STUDENT.match(name):
        raise UsageError(
            f"{where}: student '{name}' is not usable as a lab name: use up to 32 letters, "
            "digits and hyphens, not starting or ending with a hyphen."
        )
    ssh_from = cells.get("ssh_from", "")
    if ssh_from:
        source_prefixes(ssh_from, flag=f"{where}: ssh_from")
    public_key: Path | None = None
    if cells.get("public_key"):
        public_key = Path(cells["public_key"]).expanduser()
        if base is not None and not public_key.is_absolute():
            public_key = base / public_key
    location = cells.get("location", "").lower()
    if location and not _LOCATION.match(location):
        raise UsageError(
            f"{where}: location '{cells['location']}' is not an Azure region name; use one "
            "like 'westeurope'."
        )
    return Student(name.lower(), ssh_from, public_key, location, line, source)
