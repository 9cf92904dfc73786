"""`coreos-lab list`: every lab this machine knows and every coreos-lab group in Azure.

A lab known only here (deleted outside coreos-lab, or in another subscription) or only in
Azure (built by another machine, or this machine's state lost) is marked as such.
"""

from __future__ import annotations

from coreos_lab.cli.options import JsonOption, settings_command
from coreos_lab.lab.settings import LabSettings


@settings_command
def list_labs(
    settings: LabSettings,
    json_output: JsonOption = False,
) -> None:
    """List every lab: those this machine keeps state for and those in the subscription.

    For each: its student (a class lab), where it is known, its machines, their state and
    the lab's age (its oldest VM). Two list calls however many labs there are.
    """
    from coreos_lab.engine.list_labs import known_labs
    from coreos_lab.views import list_labs as list_view
    from coreos_lab.views import output

    labs = known_labs(settings)
    output.show(
        json_output,
        lambda: list_view.labs_as_list(labs),
        lambda console: list_view.render_list(labs, console),
        lambda stream: list_view.render_list_plain(labs, stream),
    )
