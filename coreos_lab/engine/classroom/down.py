"""`class down`: what it would delete, lab by lab, then every lab deleted side by side.

Each lab goes through the same `down` as `coreos-lab down --name <lab>` (teardown.py): the
group's tags and the lab id are checked before anything is deleted, so a group coreos-lab
did not create for that lab is never deleted, and the lab's lock and log are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.lab_contents import read_contents
from coreos_lab.azure.operations import get_group
from coreos_lab.classroom.labs import StudentLab
from coreos_lab.classroom.results import ClassDownResult, ClassLabDown, ClassLabPreview
from coreos_lab.engine.classroom.fanout import by_session, each_lab, in_parallel
from coreos_lab.engine.down import down
from coreos_lab.engine.session import lab_session
from coreos_lab.errors import LabError
from coreos_lab.lab.events import EventSink
from coreos_lab.lab.hints import lab_command

# Deleting a group is one long-running operation that ARM works on by itself; the threads
# only poll it, so a class's labs are deleted all at once up to this many.
MAX_PARALLEL_DELETES = 32


def class_down_preview(
    labs: Sequence[StudentLab], *, clients: Clients | None = None
) -> list[ClassLabPreview]:
    """What `class down` would delete, per lab in the roster's order."""
    return each_lab(labs, clients, _preview)


def _preview(session: Clients, lab: StudentLab) -> ClassLabPreview:
    entry = ClassLabPreview(lab.student.name, lab.name)
    try:
        return replace(entry, preview=read_contents(session, lab.settings))
    except LabError as exc:
        return replace(entry, problem=str(exc))


def class_down(
    labs: Sequence[StudentLab], sink: EventSink, *, clients: Clients | None = None
) -> ClassDownResult:
    """Delete every lab side by side and wait; then count the groups still there.

    ``sink`` gets every lab's events (thread-safe views; each event names its group).
    """
    results = in_parallel(labs, lambda lab: _down(lab, sink), limit=MAX_PARALLEL_DELETES)
    left: list[str] = []
    for group in by_session(labs).values():
        with lab_session(group[0].settings, clients, "the class") as session:
            present = in_parallel(
                group, lambda lab: get_group(session, lab.settings.resource_group) is not None
            )
            pairs = zip(group, present, strict=True)
            left += [lab.settings.resource_group for lab, here in pairs if here]
    return ClassDownResult(tuple(results), tuple(left))


def _down(lab: StudentLab, sink: EventSink) -> ClassLabDown:
    """One lab's `down` (its lock and run log are down's own)."""
    settings = lab.settings
    entry = ClassLabDown(lab.student.name, lab.name, again=lab_command("down", settings))
    try:
        result = down(settings, sink)
    except LabError as exc:
        return replace(entry, problem=str(exc))
    return replace(entry, deleted=result.deleted)
