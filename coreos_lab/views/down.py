"""What `down` shows: what it is about to delete before it asks, and how the deletion ended."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Console
from rich.markup import escape

from coreos_lab.lab.results import DownPreview, DownResult
from coreos_lab.wording import plural


def preview_as_dict(preview: DownPreview) -> dict[str, Any]:
    return dataclasses.asdict(preview)


def render_preview(preview: DownPreview, lab: str, console: Console) -> None:
    if not preview.exists:
        return
    console.print(
        f"Lab {escape(lab)}: resource group [bold]{escape(preview.resource_group)}[/bold] in "
        f"subscription {preview.subscription_id}, with {plural(len(preview.machines), 'machine')}:",
        highlight=False,
    )
    for m in preview.machines:
        console.print(
            f"  {m.name:<8} {m.public_ip or '-':<16} {m.private_ip or '-':<12} {m.role}",
            highlight=False,
        )
    if preview.foreign:
        console.print(
            f"[bold yellow]Also in the group, not created by coreos-lab "
            f"({plural(len(preview.foreign), 'resource')}), deleted with it:[/bold yellow]"
        )
        for item in preview.foreign:
            console.print(f"  {escape(item)}", highlight=False)


def down_as_dict(result: DownResult) -> dict[str, Any]:
    return dataclasses.asdict(result)


def render_down(result: DownResult, lab: str, resource_group: str, console: Console) -> None:
    if not result.deleted:
        console.print(f"There is no lab '{lab}' to delete; nothing was done.")
    elif not result.waited:
        console.print(
            f"Azure is deleting resource group {resource_group}; "
            "run `coreos-lab down` again to wait for it."
        )
    else:
        console.print(f"[bold green]Lab {lab} deleted.[/bold green]")
    for path in result.key_removed:
        console.print(f"removed {path}")
    if result.key_kept:
        console.print(f"SSH key kept: {result.key_kept}.")
