"""How a preflight report is shown: a rich table for people, a dict for --json."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from coreos_lab.lab.results import Outcome, PreflightReport
from coreos_lab.views.cost import cost_as_dict, render_cost

_STYLE = {Outcome.PASSED: "green", Outcome.FAILED: "bold red", Outcome.SKIPPED: "yellow"}
_MARK = {Outcome.PASSED: "✓ passed", Outcome.FAILED: "✗ failed", Outcome.SKIPPED: "- skipped"}


def preflight_as_dict(report: PreflightReport) -> dict[str, Any]:
    slowest = report.slowest
    return {
        "ok": report.ok,
        "location": report.location,
        "subscription_id": report.subscription_id,
        "seconds": round(report.seconds, 3),
        "slowest": slowest.name if slowest else None,
        "images": (
            {"etcd": report.images.etcd, "host": report.images.host} if report.images else None
        ),
        "checks": [
            {
                "name": c.name,
                "outcome": c.outcome.value,
                "message": c.message,
                "seconds": round(c.seconds, 3),
            }
            for c in report.checks
        ],
        **({"cost": cost_as_dict(report.cost)} if report.cost is not None else {}),
    }


def preflight_table(report: PreflightReport) -> Table:
    table = Table(
        title=f"Preflight in {report.location}" if report.location else "Preflight",
        title_justify="left",
        expand=False,
    )
    table.add_column("check", style="bold", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("message", overflow="fold")
    table.add_column("time", justify="right", no_wrap=True)
    for c in report.checks:
        table.add_row(
            c.name,
            Text(_MARK[c.outcome], style=_STYLE[c.outcome]),
            c.message,
            f"{c.seconds:.2f} s",
        )
    return table


def render_preflight(report: PreflightReport, console: Console) -> None:
    console.print(preflight_table(report))
    if report.images is not None:
        console.print(
            f"Flatcar: etcd members [cyan]{report.images.etcd}[/cyan], "
            f"container hosts [cyan]{report.images.host}[/cyan]"
        )
    failed = len(report.failures)
    summary = (
        f"[green]All {len(report.checks)} checks passed[/green]"
        if report.ok
        else f"[red]{failed} of {len(report.checks)} checks failed[/red]"
    )
    console.print(f"{summary} in {report.seconds:.2f} s (wall time).")
    if report.cost is not None:
        render_cost(report.cost, console)
