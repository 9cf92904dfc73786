"""A plain log of each `up`, `down`, `class up` and `class down` of a lab, for support.

Appended to the lab's state folder: one line per event with a full UTC timestamp, the
command's settings at the top and its outcome at the bottom. No secrets: the settings written
are the lab's shape, and a discovery URL in a message is cut to its host. The file is 0600 in
the lab's 0700 folder and survives `down`, which removes only state.json.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from pathlib import Path
from types import TracebackType

from coreos_lab import __version__
from coreos_lab.errors import LabError
from coreos_lab.lab.events import Event, EventSink, PhaseEvent, PlanEvent, Step
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local import state
from coreos_lab.local.files import make_private_dirs

LOG_FILE = "coreos-lab.log"
_SHAPE = ("cloud", "location", "resource_group", "etcd", "hosts", "bootstrap", "ssh_from")
_TOKEN = re.compile(r"(https?://[^/\s]+/)[0-9A-Za-z]{16,}")


def log_path(lab: str) -> Path:
    return state.state_path(lab).parent / LOG_FILE


def redact(text: str, settings: LabSettings) -> str:
    if settings.discovery_url:
        text = text.replace(settings.discovery_url, "<discovery URL>")
    return _TOKEN.sub(r"\1<token>", text)


def _stamp(at: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


class RunLog:
    """Context manager and event sink: ``with RunLog(settings, "up") as log: ...log.tee(view)``.

    The file is opened when the run first reaches the cloud (any event but the plan and the
    local key); until then lines wait in memory, so a run refused on its inputs leaves no
    file and no lab folder behind. A LabError leaving the block after that is raised again
    with the log's path in its sentence, unless ``tells`` is False (a class's many logs).
    """

    def __init__(self, settings: LabSettings, command: str, *, tells: bool = True) -> None:
        self.settings = settings
        self.command = command
        self.tells = tells
        self.path = log_path(settings.name)
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.opened = False
        self.pending: list[bytes] = []

    def __enter__(self) -> RunLog:
        shape = " ".join(f"{k}={getattr(self.settings, k)}" for k in _SHAPE)
        self.write(f"{self.command} lab={self.settings.name} {shape} (coreos-lab {__version__})")
        return self

    def _open(self) -> None:
        self.opened = True
        try:
            make_private_dirs(self.path.parent)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError:
            self.fd = None  # a log that cannot be written must not stop the lab
        for data in self.pending:
            self._append(data)
        self.pending.clear()

    def _append(self, data: bytes) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.write(self.fd, data)

    def write(self, line: str, at: float | None = None) -> None:
        data = f"{_stamp(at)} {redact(line, self.settings)}\n".encode()
        with self.lock:
            if self.opened:
                self._append(data)
            else:
                self.pending.append(data)

    def __call__(self, event: Event) -> None:
        local = isinstance(event, PlanEvent) or (
            isinstance(event, PhaseEvent) and event.phase == "key"
        )
        if not local and not self.opened:
            with self.lock:
                if not self.opened:
                    self._open()
        if isinstance(event, PlanEvent):
            self.write(f"plan {len(event.resources)} resources", event.at)
        elif isinstance(event, PhaseEvent):
            mark = ("done" if event.ok else "FAIL") if event.done else "start"
            self.write(f"{mark} {event.phase}: {event.message}", event.at)
        elif event.step is not Step.WAITING:  # the plan line said it; one line per change
            line = f"{event.step.value} {event.key}"
            if event.elapsed:
                line += f" ({event.elapsed:.1f}s)"
            if event.message:
                line += f": {event.message}"
            self.write(line, event.at)

    def tee(self, sink: EventSink) -> EventSink:
        def both(event: Event) -> None:
            self(event)
            sink(event)

        return both

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.write(f"{self.command} finished")
        elif isinstance(exc, KeyboardInterrupt):
            self.write(f"{self.command} interrupted")
        else:
            self.write(f"{self.command} failed: {type(exc).__name__}: {exc}")
        written = self.fd is not None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if isinstance(exc, LabError) and written and self.tells:
            told = type(exc)(f"{str(exc).rstrip('.')}; the log is {self.path}.")
            raise told from exc
