"""`class ips`: every student's machines, one screen (or one line per machine) for the class."""

from __future__ import annotations

from coreos_lab.classroom.labs import DEFAULT_PREFIX
from coreos_lab.cli.classroom.options import PrefixOption, RosterArgument, remembered_labs
from coreos_lab.cli.options import Given, JsonOption, settings_command
from coreos_lab.lab.settings import LabSettings


@settings_command
def class_ips(
    settings: LabSettings,
    given: Given,
    roster: RosterArgument,
    prefix: PrefixOption = DEFAULT_PREFIX,
    json_output: JsonOption = False,
) -> None:
    """Show every student's machines: role, public and private IP, state, SSH command.

    A student whose lab does not exist (not built yet, or deleted) is shown as such; the
    others are shown all the same. Piped, one plain line per machine.
    """
    from coreos_lab.engine.classroom.read import class_machines
    from coreos_lab.views import output
    from coreos_lab.views.classroom import machines as view

    entries = class_machines(remembered_labs(roster, prefix, settings, given))
    output.show(
        json_output,
        lambda: view.class_machines_as_list(entries),
        lambda console: view.render_class_machines(entries, console),
        lambda stream: view.render_class_plain(entries, stream),
    )
