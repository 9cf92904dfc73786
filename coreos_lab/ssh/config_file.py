"""The lab's block in the user's ~/.ssh/config, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

from coreos_lab.errors import LabError
from coreos_lab.local.files import atomic_write
from coreos_lab.ssh.config import alias, labs_in, merge_block


def install_block(path: Path, lab: str, block: str) -> Path:
    """Put this lab's block into the ssh config at ``path``, whole or not at all.

    A symlinked config (dotfile managers) is updated where it points, so the link stays.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        old = target.read_bytes().decode("utf-8", "surrogateescape") if target.exists() else ""
        text = merge_block(old, lab, block)
        atomic_write(target, text.encode("utf-8", "surrogateescape"), 0o600)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise LabError(
            f"Cannot write {target} ({reason}); it was left as it was, so print the block "
            "with `coreos-lab ssh-config` and add it by hand."
        ) from None
    return target


def written_alias(path: Path, lab: str, machine: str) -> str:
    """The alias ``machine`` of ``lab`` has in the config at ``path`` after install_block."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return alias(lab, machine, prefixed=len(labs_in(text)) > 1)
