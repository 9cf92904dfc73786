"""How `class check` shows a class preflight: a table per region, the problems, the price;
and the same as a dict for --json."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from coreos_lab.classroom.results import ClassReport
from coreos_lab.views.cost import cost_as_dict, render_cost


def class_check_as_dict(report: ClassReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "labs": len(report.labs),
        "fitting": report.fitting,
        "unplaced": list(report.unplaced),
        "problems": list(report.problems),
        "placement": [
            {"lab": lab.name, "student": lab.student.name, "location": lab.settings.location}
            for lab in report.labs
            if lab.name not in report.unplaced
        ],
        "regions": [
            {
                "location": r.location,
                "labs": r.labs,
                "images": r.images,
                "usages": [
                    {
                        "name": u.name,
                        "label": u.label,
                        "needed": u.needed,
                        "used": u.used,
                        "limit": u.limit,
                        "free": u.free,
                        "ok": u.ok,
                    }
                    for u in r.usages
                ],
            }
            for r in report.regions
        ],
        "cost": cost_as_dict(report.cost),
        "seconds": round(report.seconds, 3),
    }


def _table(report: ClassReport) -> Table:
    table = Table(title="Quota of the class, per region", title_justify="left", expand=False)
    for name, justify in (("region", "left"), ("labs", "right"), ("quota", "left")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for name in ("needed", "used", "limit", "free"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for region in report.regions:
        first = True
        for u in region.usages:
            limit = "-" if u.limit is None else str(u.limit)
            free = "-" if u.free is None else str(u.free)
            mark = Text("✓", style="green") if u.ok else Text("✗ too small", style="bold red")
            table.add_row(
                region.location if first else "",
                str(region.labs) if first else "",
                u.label,
                str(u.needed),
                str(u.used),
                limit,
                free,
                mark,
            )
            first = False
    return table


def render_class_check(report: ClassReport, console: Console) -> None:
    console.print(_table(report))
    for region in report.regions:
        console.print(f"Flatcar in {region.location}: {escape(region.images)}")
    if report.ok:
        where = ", ".join(f"{r.location} ({r.labs})" for r in report.regions if r.labs)
        console.print(f"[green]All {len(report.labs)} labs fit[/green]: {where}.")
    else:
        for problem in report.problems:
            console.print(f"[bold red]✗[/bold red] {escape(problem)}")
    render_cost(report.cost, console, whole_class=True)
    console.print(f"Checked in {report.seconds:.2f} s (wall time); nothing was written.")
