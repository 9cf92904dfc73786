"""`coreos-lab class check ROSTER`: the class preflight alone, read only, with its price.

Registered by cli_class.py. Nothing here imports the engine, the SDKs or rich until it runs.
"""

from __future__ import annotations

import typer

from coreos_lab.cli.classroom.options import (
    DEFAULT_PREFIX,
    LocationsOption,
    PrefixOption,
    RosterArgument,
    parse_locations,
    read_class,
)
from coreos_lab.cli.options import JsonOption, settings_command
from coreos_lab.lab.settings import LabSettings


@settings_command
def class_check(
    settings: LabSettings,
    roster: RosterArgument,
    prefix: PrefixOption = DEFAULT_PREFIX,
    locations: LocationsOption = "",
    json_output: JsonOption = False,
) -> None:
    """Check, without writing anything, that the whole class fits: each region's vCPU
    quota (regional and per family) and public IPs for N labs, its VM sizes and Flatcar
    images; and what a lab and the class cost per hour. Exits 1 when the class does not
    fit, saying how many labs do and what to do.
    """
    from coreos_lab import engine
    from coreos_lab.views import output

    wanted = parse_locations(locations)
    labs = read_class(roster, prefix, settings)
    report = engine.class_check(labs, locations=wanted)
    if json_output:
        from coreos_lab.views.classroom.check import class_check_as_dict

        output.print_json(class_check_as_dict(report))
    else:
        from coreos_lab.views.classroom.check import render_class_check

        render_class_check(report, output.console())
    if not report.ok:
        raise typer.Exit(1)
