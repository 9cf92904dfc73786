"""`class down`: every student's lab deleted side by side, each through `down`'s checks."""

from __future__ import annotations

import sys

import typer

from coreos_lab.classroom.labs import DEFAULT_PREFIX
from coreos_lab.cli.classroom.options import PrefixOption, RosterArgument, remembered_labs
from coreos_lab.cli.options import Given, JsonOption, YesOption, settings_command
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings


@settings_command
def class_down(
    settings: LabSettings,
    given: Given,
    roster: RosterArgument,
    prefix: PrefixOption = DEFAULT_PREFIX,
    yes: YesOption = False,
    json_output: JsonOption = False,
) -> None:
    """Delete every student's lab (its resource group and everything in it), side by side.

    Lists every group and its machines first, and anything in a group that coreos-lab did
    not create. Each lab goes through `down`'s checks: a group coreos-lab did not create for
    that lab is never deleted. Waits until Azure has deleted them all; a lab already gone
    is skipped. Keeps each lab's key and log.
    """
    import shlex

    from coreos_lab.engine.classroom.down import class_down as delete_class
    from coreos_lab.engine.classroom.down import class_down_preview
    from coreos_lab.views import output
    from coreos_lab.views.classroom import machines as view

    if not yes and not sys.stdin.isatty():
        raise UsageError("class down needs --yes when it cannot ask for confirmation.")
    labs = remembered_labs(roster, prefix, settings, given)
    preview = class_down_preview(labs)
    console = output.console()
    if not json_output:
        view.render_class_preview(preview, console)
    doomed = view.to_delete(preview)
    if not yes and doomed:
        typer.confirm(
            f"Delete {len(doomed)} labs' resource groups and everything in them?", abort=True
        )
    again = shlex.join(["coreos-lab", "class", "down", str(roster), "--prefix", prefix, "--yes"])
    with output.progress(json_output, f"Deleting the class ({len(labs)} labs)") as progress:
        result = delete_class(labs, progress)
    if json_output:
        output.print_json(
            {**view.class_down_as_dict(result), "preview": view.class_preview_as_list(preview)}
        )
    else:
        view.render_class_down(result, again, console)
    if result.failed or result.left:
        raise typer.Exit(1)
