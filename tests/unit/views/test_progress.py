"""The progress views as a person reads them: counts that agree, a failure marked as one."""

from __future__ import annotations

import io

from rich.console import Console

from coreos_lab.lab.events import PhaseEvent, PlanEvent, ResourceEvent, Step
from coreos_lab.lab.kinds import Kind
from coreos_lab.views.progress import LiveProgress, PlainProgress

KIND = next(iter(Kind))
PLAN = PlanEvent(tuple((f"k/{i}", KIND, f"r{i}") for i in range(4)))


def _screen(progress: LiveProgress) -> str:
    out = io.StringIO()
    Console(file=out, width=120, height=40).print(progress._render())
    return out.getvalue()


def _live() -> LiveProgress:
    return LiveProgress(Console(file=io.StringIO(), width=120, height=40), "Lab t")


def test_first_frame_is_blank_then_every_resource_of_the_plan() -> None:
    progress = _live()
    assert _screen(progress).strip() == ""
    progress(PLAN)
    screen = _screen(progress)
    assert all(f"r{i}" in screen for i in range(4)) and "0/4" in screen and "0/?" not in screen


def test_the_bar_counts_what_exists_and_a_replanned_row_goes() -> None:
    progress = _live()
    progress(PLAN)
    progress(ResourceEvent("k/0", KIND, "r0", Step.DONE))
    progress(ResourceEvent("k/1", KIND, "r1", Step.SKIPPED, message="interrupted"))
    progress(ResourceEvent("k/2", KIND, "r2", Step.EXISTS))
    progress(PlanEvent((*PLAN.resources[:3], ("k/x", KIND, "rx"))))
    screen = _screen(progress)
    assert "2/4" in screen and "r3" not in screen and "rx" in screen


def test_a_failed_preflight_is_a_cross_not_a_check() -> None:
    progress = _live()
    progress(PhaseEvent("preflight", "1 of 8 checks failed", done=True, ok=False))
    assert "✗ 1 of 8 checks failed" in _screen(progress)
    out = io.StringIO()
    PlainProgress(out)(PhaseEvent("preflight", "1 of 8 checks failed", done=True, ok=False))
    assert "FAIL  1 of 8 checks failed" in out.getvalue()


def test_a_short_terminal_keeps_the_bar() -> None:
    progress = LiveProgress(Console(file=io.StringIO(), width=120, height=12), "Lab t")
    progress(PlanEvent(tuple((f"k/{i}", KIND, f"r{i}") for i in range(30))))
    out = io.StringIO()
    Console(file=out, width=120, height=12).print(progress._render())
    lines = out.getvalue().splitlines()
    assert len(lines) <= 12 and "0/30" in lines[-1] and "waiting" in out.getvalue()
