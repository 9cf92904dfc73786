"""What `up` prints at the end: a few lines for people, a dict for --json."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from coreos_lab.lab.results import UpResult
from coreos_lab.views.guide import guide_location
from coreos_lab.views.ips import machines_as_list, render_machines


def up_as_dict(result: UpResult) -> dict[str, Any]:
    settings = result.plan.settings
    return {
        "lab": settings.name,
        "resource_group": settings.resource_group,
        "subscription_id": result.plan.subscription_id,
        "writes": result.applied.writes,
        "seconds": round(result.applied.seconds, 2),
        "steps": {k: v.value for k, v in result.applied.steps.items()},
        "images": {"etcd": result.images.etcd, "host": result.images.host},
        "machines": machines_as_list(result.access),
    }


def render_up(result: UpResult, console: Console) -> None:
    for key in result.applied.drifted:
        console.print(f"[yellow]note:[/yellow] {key} differs from the plan and was left alone.")
    verb = "built" if result.applied.writes else "already complete; nothing was written"
    console.print(f"[bold green]Lab {result.plan.settings.name} {verb}.[/bold green]")
    render_machines(result.access, console)
    render_next_step(result, console)


def render_next_step(result: UpResult, console: Console) -> None:
    """What a student does next: log in to the first host, open the guide."""
    hosts = [m for m in result.access.machines if m.role == "host" and m.public_ip]
    if not hosts:
        return
    name = result.plan.settings.name
    flag = "" if name == "coreos-lab" else f" --name {name}"
    console.print(
        f"Next: [bold]coreos-lab ssh {hosts[0].name}{flag}[/bold] logs in to the first "
        f"container host; the exercises are in the lab guide, {guide_location()}.",
        highlight=False,
    )
