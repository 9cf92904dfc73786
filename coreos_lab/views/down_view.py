"""What `down` shows before it asks and in its --yes output: what it is about to delete."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Console
from rich.markup import escape

from coreos_lab.lab.results import DownPreview
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
