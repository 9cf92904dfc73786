"""The lab's admin user `core` on this machine, for the tests that log in to a real sshd.

`make test` runs two halves of the suite at once, and both have such tests: each holds a
shared lock while it uses the user, and only the last one out deletes it, and only when the
tests created it (a marker file says so), never a `core` that was there before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

USER = "core"
LOCK = Path("/tmp/coreos-lab-tests-core-user.lock")
MARKER = Path("/tmp/coreos-lab-tests-core-user.created")


def _exists() -> bool:
    return subprocess.run(["id", USER], capture_output=True, timeout=30).returncode == 0


@contextlib.contextmanager
def core_user() -> Iterator[None]:
    """Make sure `core` exists while the block runs; remove it after if the tests made it."""
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # Shared first: a test already holding the user (even in this process) lets us in.
        fcntl.flock(fd, fcntl.LOCK_SH)
        if not _exists():
            fcntl.flock(fd, fcntl.LOCK_EX)
        if not _exists():
            subprocess.run(
                ["useradd", "--no-create-home", "--shell", "/bin/sh", "-p", "*", USER],
                check=True,
                timeout=30,
            )
            MARKER.touch()
        fcntl.flock(fd, fcntl.LOCK_SH)  # others may use it too from now on
        try:
            yield
        finally:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # only when no one else holds it
            except BlockingIOError:
                pass  # still in use elsewhere: the last one out cleans up
            else:
                if MARKER.exists():
                    subprocess.run(["userdel", USER], timeout=30, check=False)
                    MARKER.unlink()
    finally:
        os.close(fd)
