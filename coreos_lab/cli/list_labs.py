"""`coreos-lab list`: every lab this machine knows and every coreos-lab group in Azure.

A lab known only here (deleted outside coreos-lab, or in another subscription) or only in
Azure (built by another machine, or this machine's state lost) is marked as such.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from coreos_lab.cli.options import settings_command
from coreos_lab.lab.settings import LabSettings


@settings_command
def list_labs(
    settings: LabSettings,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts instead of the rich view.")
    ] = False,
) -> None:
    """List every lab: those this machine keeps state for and those in the subscription.

    For each: its student (a class lab), where it is known, its machines, their state and
    the lab's age (its oldest VM). Two list calls however many labs there are.
    """
    from coreos_lab.engine.list_labs import known_labs
    from coreos_lab.views import list_labs as list_view

    labs = known_labs(settings)
    if json_output:
        typer.echo(json.dumps(list_view.labs_as_list(labs), indent=2))
    elif sys.stdout.isatty():
        from rich.console import Console

        list_view.render_list(labs, Console())
    else:
        list_view.render_list_plain(labs, sys.stdout)
