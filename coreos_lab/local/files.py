"""Files only their owner may read, written whole or not at all, and read without hanging."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
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


class NotAFolder(OSError):
    """A symbolic link, or something else, where a private folder of our own was expected."""


def own_private_dir(directory: Path) -> None:
    """``directory`` as a real folder of mode 0700, created if missing.

    A symbolic link planted there is refused (NotAFolder), never followed: the folder is
    about to hold a private key, and chmod would change the link's target.
    """
    make_private_dirs(directory)
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if directory.is_symlink():
            raise NotAFolder(0, "a symbolic link, not a folder", str(directory)) from None
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):
            raise NotAFolder(0, "not a folder", str(directory)) from None
        raise
    try:
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o600, *, exclusive: bool = False) -> None:
    """Put ``data`` at ``path`` whole or not at all: a temp file beside it, fsync, then rename.

    A full disk or a crash leaves the old file (or none) in place, never half of the new one;
    ``mode`` holds from the first byte, whatever the umask. With ``exclusive``, the file must
    not exist yet: it is hard-linked into place, so a name taken meanwhile raises
    FileExistsError instead of being replaced. Raises OSError otherwise.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have taken bits away; put exactly these
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            _link_new(tmp, path)
        else:
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _link_new(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        # Some filesystems (FAT, some network mounts) have no hard links.
        if path.exists():
            raise FileExistsError(path) from None
        os.rename(tmp, path)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable; best effort, some filesystems refuse it."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class NotARegularFile(OSError):
    """A device, a FIFO or a directory where a small file was expected."""


def read_small_file(path: Path, limit: int) -> bytes:
    """Read at most ``limit`` + 1 bytes of a regular file, never blocking on what is not one.

    Opening a FIFO waits for a writer and /dev/zero never ends, so the file is opened
    non-blocking and refused (NotARegularFile) unless it is a regular file; callers compare
    the length with ``limit`` to refuse what is too large. Raises OSError.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(0, "not a regular file", str(path))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
