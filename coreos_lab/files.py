"""Files only their owner may read: the folders that hold keys and lab state."""

from __future__ import annotations

import contextlib
from pathlib import Path


def make_private_dirs(directory: Path) -> None:
    """Create the missing levels of ``directory`` with mode 0700, as ssh-keygen does for ~/.ssh.

    Levels that exist keep their mode; raises OSError when a level cannot be created.
    """
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process got there first
            level.mkdir(mode=0o700)
            level.chmod(0o700)  # mkdir's mode is filtered through the umask
