"""How `coreos-lab plan` shows a plan: a rich tree for people, JSON for scripts."""

from __future__ import annotations

import copy
from typing import Any

from rich.console import Console
from rich.tree import Tree

from coreos_lab.boot import formats
from coreos_lab.lab.costs import CostEstimate
from coreos_lab.lab.plan import LabPlan, Resource
from coreos_lab.views.cost import cost_as_dict, render_cost


def _redacted_body(resource: Resource) -> dict[str, Any]:
    """The PUT body with the custom data replaced: it embeds the discovery token."""
    body = copy.deepcopy(resource.body)
    os_profile = body.get("properties", {}).get("osProfile")
    if os_profile and "customData" in os_profile:
        data = os_profile["customData"]
        os_profile["customData"] = f"<{formats.label(data)}, {len(data)} base64 chars>"
    return body


def plan_as_dict(plan: LabPlan, cost: CostEstimate | None = None) -> dict[str, Any]:
    return {
        "lab": plan.settings.name,
        "resource_group": plan.settings.resource_group,
        "location": plan.settings.location,
        "complete": plan.complete,
        "unknowns": list(plan.unknowns),
        "machines": [
            {
                "name": m.name,
                "role": m.role,
                "private_ip": m.private_ip,
                "vm_size": m.vm_size,
                "image_version": m.image_version,
            }
            for m in plan.machines
        ],
        "resources": [
            {
                "kind": r.kind,
                "type": r.kind.arm_type,
                "name": r.name,
                "id": r.id,
                "depends_on": list(r.depends_on),
                "settings": r.summary,
                "body": _redacted_body(r),
            }
            for r in plan.resources
        ],
        **({"cost": cost_as_dict(cost)} if cost is not None else {}),
    }


def render_plan(plan: LabPlan, console: Console, cost: CostEstimate | None = None) -> None:
    s = plan.settings
    root = Tree(
        f"[bold]Lab [cyan]{s.name}[/cyan][/bold] in {s.location}: "
        f"{s.etcd} etcd members, {s.hosts} container hosts, {len(plan.resources)} resources"
    )
    for r in plan.resources:
        label = f"[green]{r.kind.arm_type}[/green] [bold]{r.name}[/bold]"
        if r.depends_on:
            label += f"  [dim]after {', '.join(d.split('/', 1)[1] for d in r.depends_on)}[/dim]"
        node = root.add(label)
        for key, value in r.summary.items():
            node.add(f"[dim]{key}:[/dim] {value}")
    console.print(root)
    if plan.unknowns:
        console.print("[bold]Known only when up runs:[/bold]")
        for note in plan.unknowns:
            console.print(f"  • {note}")
    if cost is not None:
        render_cost(cost, console)
