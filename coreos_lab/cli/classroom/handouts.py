"""`class handouts`: each student's handout folder, and the instructor's roster sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coreos_lab.classroom.labs import DEFAULT_PREFIX
from coreos_lab.cli.classroom.options import PrefixOption, RosterArgument, remembered_labs
from coreos_lab.cli.options import Given, settings_command
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings


@settings_command
def class_handouts(
    settings: LabSettings,
    given: Given,
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

    entries = class_machines(remembered_labs(roster, prefix, settings, given))
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
