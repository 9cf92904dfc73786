"""One `up` or `down` at a time per lab on this machine: a lock file in the lab's state folder.

The lock is ``flock(2)`` on ``<state folder>/labs/<lab>/lock``: the kernel releases it when
the holder exits, however it exits, so a crashed run never leaves a stale lock behind. The
file records the holder's pid and command so that the one refused can say who holds it.
Across machines (another HOME, another computer) the lab's identity in Azure is the guard.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coreos_lab.errors import LabError
from coreos_lab.local.files import make_private_dirs
from coreos_lab.local.state import state_path

LOCK_FILE = "lock"


class LabBusy(LabError):
    """Another coreos-lab process is working on the same lab."""


def lock_path(lab: str) -> Path:
    return state_path(lab).with_name(LOCK_FILE)


@contextmanager
def lab_lock(lab: str, command: str) -> Iterator[None]:
    """Hold ``lab``'s lock while the block runs; raise LabBusy at once if another holds it."""
    path = lock_path(lab)
    try:
        make_private_dirs(path.parent)
        fd = _acquire(path, lab)
    except OSError as exc:
        raise LabError(
            f"Cannot lock lab '{lab}' at {path} ({(exc.strerror or str(exc)).lower()}); check "
            "that the state folder is writable."
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {command} {int(time.time())}\n".encode())
        yield
    finally:
        # Unlink before unlocking: a process that opened the old file then finds it gone.
        with contextlib.suppress(OSError):
            path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when `down` left nothing else there
        os.close(fd)


def _acquire(path: Path, lab: str) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise LabBusy(
                f"Lab '{lab}' is busy: {holder} is working on it; wait for it to finish "
                f"(or stop it), then run this again."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder before us may have unlinked the file between our open and our flock:
        # a lock on a file no longer at ``path`` guards nothing, so start over.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def _holder(fd: int) -> str:
    """'`coreos-lab up` (pid 123, since 18:02:11)', from what the holder wrote."""
    with contextlib.suppress(OSError, ValueError):
        fields = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
        pid, command, since = int(fields[0]), fields[1], int(fields[2])
        clock = time.strftime("%H:%M:%S", time.localtime(since))
        return f"`coreos-lab {command}` (pid {pid}, since {clock})"
    return "another coreos-lab process"
