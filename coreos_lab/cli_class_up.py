"""`coreos-lab class up ROSTER`: build (or finish) one lab per student, in one run.

Like cli.py, nothing here imports the engine, the SDKs or rich until the command runs.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from coreos_lab.cli_class_options import (
    DEFAULT_PREFIX,
    LocationsOption,
    PrefixOption,
    RosterArgument,
    parse_locations,
    read_class,
)
from coreos_lab.cli_options import settings_command
from coreos_lab.errors import LabError
from coreos_lab.settings import LabSettings

if TYPE_CHECKING:
    from pathlib import Path

    from coreos_lab.classroom import StudentLab


@settings_command
def class_up(
    settings: LabSettings,
    roster: RosterArgument,
    prefix: PrefixOption = DEFAULT_PREFIX,
    locations: LocationsOption = "",
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts instead of the live view.")
    ] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Take over labs another machine built (or whose local state was lost).",
        ),
    ] = False,
) -> None:
    """Build one lab per student of ROSTER, all at once; or finish the labs not complete.

    Every lab is read and checked before the first write; then every resource of every
    lab is created as soon as what it needs exists. Student alice's lab is <prefix>-alice:
    `coreos-lab ips --name <prefix>-alice` shows it. A second run of a complete class
    writes nothing; Ctrl-C stops cleanly, and running the command again finishes.
    """
    from coreos_lab.ssh_source import WARNING, is_open_to_all

    labs = read_class(roster, prefix, settings)
    if any(is_open_to_all(lab.settings.ssh_from) for lab in labs):
        typer.secho("warning: ", fg="yellow", bold=True, err=True, nl=False)
        typer.echo(WARNING, err=True)
    _run(labs, roster, prefix, parse_locations(locations), json_output, adopt)


def _run(
    labs: list[StudentLab],
    roster: Path,
    prefix: str,
    locations: list[str],
    json_output: bool,
    adopt: bool,
) -> None:
    from coreos_lab import engine
    from coreos_lab.views.class_view import (
        LiveClass,
        PlainClass,
        class_up_as_dict,
        render_class_up,
    )
    from coreos_lab.views.progress import SilentProgress

    again = engine.class_command("up", str(roster), prefix, labs[0] if labs else None)
    if locations:
        again += f" --locations {','.join(locations)}"
    view: LiveClass | PlainClass | SilentProgress
    if json_output:
        view = SilentProgress()
    elif sys.stdout.isatty():
        from rich.console import Console

        view = LiveClass(Console(), f"Class of {len(labs)}")
    else:
        view = PlainClass(sys.stdout)
    with view as progress:
        result = engine.class_up(labs, progress, again=again, locations=locations, adopt=adopt)
    if json_output:
        typer.echo(json.dumps(class_up_as_dict(result), indent=2))
    else:
        from rich.console import Console

        render_class_up(result, Console() if sys.stdout.isatty() else Console(width=200))
    if result.failed and json_output:
        raise typer.Exit(1)  # the JSON above says which labs and why
    if result.failed:
        names = ", ".join(lab.lab for lab in result.failed)
        raise LabError(
            f"{len(result.failed)} of {len(result.labs)} labs did not finish ({names}); what "
            f"was created stays: run `{again}` again to finish them."
        )
