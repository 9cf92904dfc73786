"""Writing `class handouts`: a private folder per student, and the instructor's roster sheet.

Every folder is 0700 and every file 0600: a folder holds a private key, and one student's
folder opened by another would hand her the key. The private key is copied only when
coreos-lab generated it (the lab's state records it): a student who sent her own public key
keeps her private key, and coreos-lab never had it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coreos_lab.classroom import handouts as text
from coreos_lab.classroom.handouts import Handout
from coreos_lab.errors import LabError
from coreos_lab.local.files import (
    NotAFolder,
    atomic_write,
    make_private_dirs,
    own_private_dir,
    read_small_file,
)

_MAX_KEY_BYTES = 64 * 1024


def read_key(private: Path) -> tuple[bytes, bytes | None]:
    """The generated key pair's bytes (the public half may be missing)."""
    try:
        data = read_small_file(private, _MAX_KEY_BYTES)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise LabError(f"Cannot read the lab's key {private} ({reason}).") from None
    try:
        public: bytes | None = read_small_file(Path(f"{private}.pub"), _MAX_KEY_BYTES)
    except OSError:
        public = None
    return data, public


def write_handouts(
    out: Path,
    handouts: Sequence[Handout],
    keys: dict[str, tuple[bytes, bytes | None]],
    prefix: str,
) -> list[Path]:
    """Write every student's folder and the roster sheet under ``out``; the paths written.

    ``keys`` maps a lab to its generated key pair; a lab without one gets no key file.
    """
    written: list[Path] = []
    try:
        make_private_dirs(out)
        for h in handouts:
            folder = out / text.folder_name(h)
            own_private_dir(folder)
            files = {
                text.CONFIG_FILE: text.ssh_config_text(h).encode(),
                text.SHEET_FILE: text.student_sheet(h).encode(),
            }
            if h.lab in keys:
                private, public = keys[h.lab]
                files[text.KEY_FILE] = private
                if public is not None:
                    files[f"{text.KEY_FILE}.pub"] = public
            for name, data in files.items():
                atomic_write(folder / name, data, 0o600)
            if h.lab not in keys:
                # An earlier handout's key, from before she sent her own: not hers to keep.
                for stale in (text.KEY_FILE, f"{text.KEY_FILE}.pub"):
                    (folder / stale).unlink(missing_ok=True)
            written.append(folder)
        sheet = out / text.ROSTER_SHEET
        atomic_write(sheet, text.roster_sheet(handouts, prefix).encode(), 0o600)
        written.append(sheet)
    except NotAFolder as exc:
        raise LabError(
            f"Cannot write the handouts: {exc.filename} is {exc.strerror}, and a student's "
            "folder holds her private key; remove it and run again."
        ) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        where = exc.filename or out
        raise LabError(f"Cannot write the handouts in {where} ({reason}).") from None
    return written
