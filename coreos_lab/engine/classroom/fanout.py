"""A class's labs side by side: grouped by the session that reaches them, a few at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from coreos_lab.azure.clients import Clients
from coreos_lab.classroom.labs import StudentLab
from coreos_lab.engine.session import lab_session

# Side by side, not all at once: each lab costs four reads, and the subscription's read
# bucket is shared with everything else the instructor runs.
MAX_PARALLEL_LABS = 8

T = TypeVar("T")
R = TypeVar("R")


def in_parallel(
    items: Sequence[T], work: Callable[[T], R], *, limit: int = MAX_PARALLEL_LABS
) -> list[R]:
    """``work`` of each item, side by side, results in the items' order."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        return list(pool.map(work, items))


def by_session(labs: Sequence[StudentLab]) -> dict[tuple[str, str], list[StudentLab]]:
    """The labs grouped by the cloud and subscription that reach them (usually one group)."""
    groups: dict[tuple[str, str], list[StudentLab]] = {}
    for lab in labs:
        groups.setdefault((lab.settings.cloud, lab.settings.subscription), []).append(lab)
    return groups


def each_lab(
    labs: Sequence[StudentLab],
    clients: Clients | None,
    work: Callable[[Clients, StudentLab], R],
) -> list[R]:
    """``work(session, lab)`` for every lab, side by side within the session that reaches
    it; the results in the labs' order."""
    found: dict[str, R] = {}
    for group in by_session(labs).values():
        with lab_session(group[0].settings, clients, "the class") as session:
            results = in_parallel(group, partial(work, session))
        found.update((lab.name, result) for lab, result in zip(group, results, strict=True))
    return [found[lab.name] for lab in labs]
