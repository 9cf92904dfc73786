"""A reader that went away: `coreos-lab up | head -c 700` closes the pipe long before up ends.

Writing then fails with EPIPE (Python ignores SIGPIPE). The output is no longer wanted, the
work still is: whoever hits the closed pipe points the stream at /dev/null, so every later
write (from any thread, and the interpreter's last flush) succeeds silently and the command
finishes as it would have, its exit status telling how the work went.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import TextIO


def is_closed_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno == errno.EPIPE
    )


def discard_output(stream: TextIO) -> None:
    """From now on, what is written to ``stream`` goes to /dev/null."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


class Lines:
    """Lines to ``stream``, for the plain views: once its reader has gone away, nothing more
    is written (the stream points at /dev/null) and the command's work goes on."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.closed = False

    def print(self, line: str) -> None:
        if self.closed:
            return
        try:
            print(line, file=self.stream, flush=True)
        except OSError as exc:
            if not is_closed_pipe(exc):
                raise
            self.closed = True
            discard_output(self.stream)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            if not is_closed_pipe(exc):
                raise
            discard_output(self.stream)
