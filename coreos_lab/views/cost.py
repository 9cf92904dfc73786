"""How an estimated price is shown: a few lines under `plan`, `check` and `class check`, and
the ``cost`` object of their --json."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from coreos_lab.lab.costs import NOT_PRICED, NOT_PRICED_PARTS, CostEstimate, money


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def cost_as_dict(cost: CostEstimate) -> dict[str, Any]:
    lab = cost.labs[0] if cost.available else None
    return {
        "available": cost.available,
        "note": cost.note or None,
        "currency": cost.currency,
        "source": cost.source or None,
        "labs": len(cost.labs),
        "lab_per_hour": _round(cost.lab_per_hour),
        "class_per_hour": _round(cost.class_per_hour),
        "lines": [
            {
                "what": line.what,
                "count": line.count,
                "location": line.location,
                "unit_per_hour": line.unit_price,
                "per_hour": _round(line.per_hour),
            }
            for line in (lab.lines if lab else ())
        ],
        "not_priced": [*cost.unpriced, *NOT_PRICED_PARTS] if cost.available else [],
    }


def render_cost(cost: CostEstimate, console: Console, *, whole_class: bool = False) -> None:
    if not cost.available:
        console.print(f"[yellow]Note:[/yellow] {escape(cost.note)}")
        return
    lab, cur = cost.labs[0], cost.currency
    parts = ", ".join(
        f"{line.count} × {line.what} at {money(line.unit_price, cur)}"
        if line.unit_price is not None
        else f"{line.count} × {line.what} (no price found)"
        for line in lab.lines
    )
    # Lines without a price make the sum a lower bound, and it says so.
    least = "at least " if lab.unpriced else ""
    per_lab = money(lab.per_hour, cur)
    console.print(
        f"[bold]Estimated price:[/bold] {least}{per_lab} per hour for a lab ({escape(parts)})"
    )
    least = "at least " if cost.unpriced else ""
    if whole_class:
        total = money(cost.class_per_hour or 0.0, cur)
        console.print(
            f"[bold]For the class of {len(cost.labs)} labs:[/bold] {least}{total} per hour"
        )
    missing = "; ".join(cost.unpriced)
    console.print(
        f"[dim]Retail pay-as-you-go Linux prices from {escape(cost.source)}; {NOT_PRICED}"
        + (f"; no price was found for {escape(missing)}" if missing else "")
        + ".[/dim]"
    )
