"""`coreos-lab class up ROSTER`: build (or finish) one lab per student, in one run.

Like cli.py, nothing here imports the engine, the SDKs or rich until the command runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from coreos_lab.cli.classroom.options import (
    DEFAULT_PREFIX,
    LocationsOption,
    PrefixOption,
    RosterArgument,
    parse_locations,
    read_class,
)
from coreos_lab.cli.options import AdoptOption, JsonOption, Until, Wait, settings_command
from coreos_lab.errors import LabError
from coreos_lab.lab.settings import LabSettings

if TYPE_CHECKING:
    from pathlib import Path

    from coreos_lab.classroom.labs import StudentLab
    from coreos_lab.classroom.results import ClassUpResult
    from coreos_lab.verify.findings import LabReadiness


@settings_command
def class_up(
    settings: LabSettings,
    roster: RosterArgument,
    prefix: PrefixOption = DEFAULT_PREFIX,
    locations: LocationsOption = "",
    json_output: JsonOption = False,
    adopt: AdoptOption = False,
    wait: Wait = False,
    wait_timeout: Until = 600.0,
) -> None:
    """Build one lab per student of ROSTER, all at once; or finish the labs not complete.

    Every lab is read and checked before the first write; then every resource of every
    lab is created as soon as what it needs exists. Student alice's lab is <prefix>-alice:
    `coreos-lab ips --name <prefix>-alice` shows it. A second run of a complete class
    writes nothing; Ctrl-C stops cleanly, and running the command again finishes.
    """
    from coreos_lab.lab.ssh_from import WARNING, is_open_to_all

    labs = read_class(roster, prefix, settings)
    if any(is_open_to_all(lab.settings.ssh_from) for lab in labs):
        typer.secho("warning: ", fg="yellow", bold=True, err=True, nl=False)
        typer.echo(WARNING, err=True)
    result = _run(labs, roster, prefix, parse_locations(locations), json_output, adopt, wait)
    if wait:
        _wait(labs, result, json_output, wait_timeout)


def _run(
    labs: list[StudentLab],
    roster: Path,
    prefix: str,
    locations: list[str],
    json_output: bool,
    adopt: bool,
    wait: bool,
) -> ClassUpResult:
    from coreos_lab import engine
    from coreos_lab.views import output
    from coreos_lab.views.classroom.up import (
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
    chosen = output.mode(json_output)
    if chosen is output.Mode.JSON:
        view = SilentProgress()
    elif chosen is output.Mode.LIVE:
        view = LiveClass(output.console(), f"Class of {len(labs)}")
    else:
        view = PlainClass(sys.stdout)
    with view as progress:
        result = engine.class_up(
            labs, progress, again=again, locations=locations, adopt=adopt, prefix=prefix
        )
    if json_output:
        if not (wait and not result.failed):  # with --wait, the JSON comes after the wait
            output.print_json(class_up_as_dict(result))
    else:
        render_class_up(result, output.console())
    if result.failed and json_output:
        raise typer.Exit(1)  # the JSON above says which labs and why
    if result.failed:
        names = ", ".join(lab.lab for lab in result.failed)
        raise LabError(
            f"{len(result.failed)} of {len(result.labs)} labs did not finish ({names}); what "
            f"was created stays: run `{again}` again to finish them."
        )
    return result


def _wait(labs: list[StudentLab], result: ClassUpResult, json_output: bool, timeout: float) -> None:
    """`class up --wait`: verify every lab until each is ready; non-zero if one is not."""
    from coreos_lab.engine.classroom.read import class_wait_ready
    from coreos_lab.views import output
    from coreos_lab.views.classroom.up import class_up_as_dict
    from coreos_lab.views.verify import readiness_as_dict

    stream = sys.stderr if json_output else sys.stdout
    seen: dict[str, int] = {}

    def on_round(report: LabReadiness) -> None:
        # One line when a lab's count of ready machines changes, not every round.
        ready = len(report.ready_names)
        if seen.get(report.lab) != ready:
            seen[report.lab] = ready
            print(f"{report.lab}: {ready} of {len(report.machines)} machines ready", file=stream)

    settings = {lab.name: lab.settings for lab in labs}
    built = [(settings[lab.lab], lab.access) for lab in result.labs]
    reports = class_wait_ready(built, timeout, on_round)
    if json_output:
        data = {**class_up_as_dict(result), "readiness": [readiness_as_dict(r) for r in reports]}
        output.print_json(data)
    else:
        for report in reports:
            typer.echo(report.summary())
    waiting = [r for r in reports if not r.ready]
    if waiting:
        raise LabError(
            f"{len(waiting)} of {len(reports)} labs not ready after {timeout:.0f} s of --wait "
            f"({', '.join(r.lab for r in waiting)}); `coreos-lab verify --name "
            f"{waiting[0].lab}` shows why. First: {waiting[0].summary()}"
        )
