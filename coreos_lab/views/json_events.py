"""`up --json-events`: one JSON object per line for every event, then the result.

For scripts and CI logs that want progress and a result they can parse, line by line.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO

from coreos_lab.lab.events import Event, PhaseEvent, PlanEvent
from coreos_lab.views.pipes import Lines


def event_as_dict(event: Event) -> dict[str, Any]:
    if isinstance(event, PlanEvent):
        return {
            "event": "plan",
            "at": event.at,
            "resources": [
                {"key": k, "kind": str(kind), "name": n} for k, kind, n in event.resources
            ],
        }
    if isinstance(event, PhaseEvent):
        return {
            "event": "phase",
            "at": event.at,
            "phase": event.phase,
            "message": event.message,
            "done": event.done,
            "ok": event.ok,
        }
    return {
        "event": "resource",
        "at": event.at,
        "key": event.key,
        "kind": str(event.kind),
        "name": event.name,
        "step": event.step.value,
        "elapsed": round(event.elapsed, 3),
        "message": event.message,
    }


class JsonEvents:
    """An event sink writing JSON lines; ``result`` writes the last one."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.out = Lines(stream or sys.stdout)  # `up --json-events | head` ends quietly
        self.lock = threading.Lock()

    def __enter__(self) -> JsonEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.out.print(json.dumps(data))

    def __call__(self, event: Event) -> None:
        self.write(event_as_dict(event))

    def result(self, data: dict[str, Any]) -> None:
        self.write({"event": "result", **data})
