"""The one door to the terminal: the console, JSON, and which view a command shows.

Every command prints through here, so the choice json | live | plain is made once, and a
reader that went away (`| head`) changes no command's exit status (views/pipes.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console

from coreos_lab.views.pipes import Lines, discard_output

if TYPE_CHECKING:
    from coreos_lab.views.progress import LiveProgress, PlainProgress, SilentProgress

# Into a pipe or a log, long lines (SSH commands) read better whole than wrapped at 80.
PIPE_WIDTH = 200


class Mode(Enum):
    JSON = "json"  # --json: one document for scripts
    LIVE = "live"  # a terminal: rich, redrawn in place
    PLAIN = "plain"  # a pipe or a log: one line per change


def mode(json_output: bool = False) -> Mode:
    if json_output:
        return Mode.JSON
    return Mode.LIVE if sys.stdout.isatty() else Mode.PLAIN


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich would exit 1; a reader that went away changes no exit status.
        discard_output(sys.stdout)


def console() -> Console:
    """The rich console on stdout: the terminal's width, or whole lines into a pipe."""
    return _Console() if sys.stdout.isatty() else _Console(width=PIPE_WIDTH)


def print_json(data: Any) -> None:
    """``data`` as an indented JSON document on stdout."""
    Lines(sys.stdout).print(json.dumps(data, indent=2))


def progress(json_output: bool, title: str) -> LiveProgress | PlainProgress | SilentProgress:
    """The progress view of a long command: none for --json, live in a terminal, else lines."""
    from coreos_lab.views.progress import LiveProgress, PlainProgress, SilentProgress

    chosen = mode(json_output)
    if chosen is Mode.JSON:
        return SilentProgress()
    if chosen is Mode.LIVE:
        return LiveProgress(console(), title)
    return PlainProgress(sys.stdout)


def show(
    json_output: bool,
    as_json: Callable[[], Any],
    live: Callable[[Console], None],
    plain: Callable[[TextIO], None],
) -> None:
    """A command's result in the one form this run asks for: JSON, rich, or plain lines."""
    chosen = mode(json_output)
    if chosen is Mode.JSON:
        print_json(as_json())
    elif chosen is Mode.LIVE:
        live(console())
    else:
        plain(sys.stdout)
