"""What the `class` commands share: the roster argument, ``--prefix``, and reading the roster
into each student's lab settings. Nothing here imports the engine, the SDKs or rich at
start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from coreos_lab.classroom.labs import DEFAULT_PREFIX, StudentLab, class_labs
from coreos_lab.classroom.roster import parse_roster
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings

RosterArgument = Annotated[
    Path,
    typer.Argument(
        metavar="ROSTER",
        help="CSV file, one student per line, header: student[,ssh_from,public_key,location].",
    ),
]
PrefixOption = Annotated[
    str,
    typer.Option(
        "--prefix",
        help="Prefix of every lab's name: student alice gets lab (resource group) <prefix>-alice.",
    ),
]

_REGION = re.compile(r"^[a-z][a-z0-9]{1,39}$")

LocationsOption = Annotated[
    str,
    typer.Option(
        "--locations",
        metavar="A,B,C",
        help="Regions to spread the class over, in order: each lab without a roster location "
        "goes to the first one whose quota still has room for it.",
    ),
]


def parse_locations(text: str) -> list[str]:
    """``"westeurope, NorthEurope"`` → ["westeurope", "northeurope"]; one sentence if bad."""
    found: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if not _REGION.match(name):
            raise UsageError(
                f"--locations: '{part.strip()}' is not an Azure region name; give names like "
                "westeurope,northeurope (az account list-locations -o table lists them)."
            )
        if name not in found:
            found.append(name)
    return found


_MAX_ROSTER_BYTES = 1 << 20


def read_class(roster_path: Path, prefix: str, settings: LabSettings) -> list[StudentLab]:
    """Every student's lab, from the roster file and the class's settings; one sentence if not."""
    from coreos_lab.local.files import read_small_file
    from coreos_lab.local.state import state_dir

    try:
        data = read_small_file(roster_path, _MAX_ROSTER_BYTES)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise UsageError(f"Cannot read the roster {roster_path} ({reason}).") from None
    if len(data) > _MAX_ROSTER_BYTES:
        raise UsageError(f"The roster {roster_path} is larger than 1 MiB; is it a roster?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"The roster {roster_path} is not UTF-8 text; save it as CSV UTF-8."
        ) from None
    roster = parse_roster(text, str(roster_path), roster_path.parent)
    return class_labs(roster, settings, prefix, state_dir() / "keys")


__all__ = [
    "DEFAULT_PREFIX",
    "LocationsOption",
    "PrefixOption",
    "RosterArgument",
    "parse_locations",
    "read_class",
]


def remembered_labs(
    roster: Path, prefix: str, settings: LabSettings, given: Mapping[str, str]
) -> list[StudentLab]:
    """The roster's labs, each with what it remembers (its key), all in the class's cloud and
    subscription: those given, else the ones its built labs were built in."""
    from coreos_lab.engine.classroom.read import remembered_class

    return remembered_class(read_class(roster, prefix, settings), given, prefix)
