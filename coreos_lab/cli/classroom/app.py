"""`coreos-lab class …`: one lab per student of a roster, built, shown, checked and removed.

This module is the sub-app and its table of commands; each command lives in the module of
its name (what they share: options.py). Like cli/app.py, nothing here imports the engine, the
SDKs or rich until a command runs.
"""

from __future__ import annotations

import typer

from coreos_lab.cli.classroom.check import class_check
from coreos_lab.cli.classroom.down import class_down
from coreos_lab.cli.classroom.handouts import class_handouts
from coreos_lab.cli.classroom.ips import class_ips
from coreos_lab.cli.classroom.up import class_up
from coreos_lab.cli.help import LabCommand

class_app = typer.Typer(
    name="class",
    help=(
        "A class: one lab per student of a roster (a CSV file with a 'student' column, and "
        "optional ssh_from, public_key and location columns), built in one run.\n\n"
        "Student alice's lab is named <prefix>-alice, with its own resource group, key and "
        "state; every lab command (ips, ssh, verify, down) also works on it with --name."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)

# The class's commands, in the order a class goes through them.
class_app.command("check", cls=LabCommand)(class_check)
class_app.command("up", cls=LabCommand)(class_up)
class_app.command("ips", cls=LabCommand)(class_ips)
class_app.command("down", cls=LabCommand)(class_down)
class_app.command("handouts", cls=LabCommand)(class_handouts)
