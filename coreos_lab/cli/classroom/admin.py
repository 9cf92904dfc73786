"""`class ips`, `class down` and `class handouts`: a built class, shown, handed out, removed.

Each student's lab is the lab `up --name <prefix>-<student>` builds, and each remembers its
key, cloud and subscription as any lab does; these commands read it that way.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass

from coreos_lab.classroom.labs import DEFAULT_PREFIX, StudentLab
from coreos_lab.cli.classroom.options import PrefixOption, RosterArgument, read_class
from coreos_lab.cli.options import JsonOption, YesOption, settings_command
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings


def class_labs(roster: Path, prefix: str, settings: LabSettings) -> list[StudentLab]:
    """The roster's labs, each with what it remembers (its key, cloud, subscription)."""
    from coreos_lab import engine

    return [
        dataclasses.replace(lab, settings=engine.remembered(lab.settings, {}))
        for lab in read_class(roster, prefix, settings)
    ]


@settings_command
def class_ips(
    settings: LabSettings,
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

    entries = class_machines(class_labs(roster, prefix, settings))
    chosen = output.mode(json_output)
    if chosen is output.Mode.JSON:
        output.print_json(view.class_machines_as_list(entries))
    elif chosen is output.Mode.LIVE:
        view.render_class_machines(entries, output.console())
    else:
        view.render_class_plain(entries, sys.stdout)


@settings_command
def class_down(
    settings: LabSettings,
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
    labs = class_labs(roster, prefix, settings)
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


@settings_command
def class_handouts(
    settings: LabSettings,
    roster: RosterArgument,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the handouts into (created, mode 0700).")
    ],
    prefix: PrefixOption = DEFAULT_PREFIX,
) -> None:
    """Write each student's handout folder and the instructor's roster sheet.

    Per student, a folder named after her lab: her private key (only when coreos-lab
    generated it), an ssh config with aliases <lab>-etcd0, <lab>-host0 (paths relative to
    the folder: run ssh inside it), and a one-page sheet (handout.html: her machines, how to
    log in from Linux, macOS or Windows, the first steps of the lab). Plus roster.html with
    every lab. Every lab must be built first.
    """
    from coreos_lab.classroom.handout_files import read_key, write_handouts
    from coreos_lab.classroom.handouts import Handout
    from coreos_lab.engine.classroom.read import class_machines
    from coreos_lab.local import state

    entries = class_machines(class_labs(roster, prefix, settings))
    unready = [e for e in entries if not e.access]
    if unready:
        first = unready[0]
        why = first.problem or f"there is no resource group {first.resource_group}"
        raise UsageError(
            f"{len(unready)} of the class's labs cannot be handed out, first {first.lab} "
            f"({why}); build the class first, or leave those students out of the roster."
        )
    keys: dict[str, tuple[bytes, bytes | None]] = {}
    for e in entries:
        generated = state.load_state(e.lab).generated_key
        if generated:
            keys[e.lab] = read_key(Path(generated))
    handouts = [Handout(e.student, e.lab, e.machines, e.lab in keys) for e in entries]
    written = write_handouts(out, handouts, keys, prefix)
    for path in written[:-1]:
        typer.echo(f"{path}/")
    typer.echo(f"{written[-1]}  (the instructor's sheet: every lab)")
