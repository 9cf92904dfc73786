"""A class's labs side by side: grouped by the session that reaches them, a few at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from coreos_lab.classroom.labs import StudentLab

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
