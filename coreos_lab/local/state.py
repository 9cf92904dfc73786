"""The lab's local state: one private JSON file per lab.

It keeps what a later ``up`` must not decide again, above all the etcd discovery token
(a token is single-use per cluster, so requesting a new one would split the cluster).
The file lives at ``<state_dir>/labs/<lab>/state.json``, in 0700 directories, mode 0600,
and is replaced atomically so a crash never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coreos_lab.errors import LabError, UsageError
from coreos_lab.local.files import atomic_write, make_private_dirs

STATE_DIR_ENV = "COREOS_LAB_STATE_DIR"
STATE_FILE = "state.json"
FORMAT_VERSION = 1

# A lab name becomes a directory name: no separators, no leading dot (so no "..").
_LAB = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass
class LabState:
    """What coreos-lab remembers about one lab between runs."""

    lab: str
    # The lab's identity, also a tag on its resource group (tags.check_identity).
    lab_id: str | None = None
    # The token is a capability: whoever holds it can join the cluster, so keep it out of repr.
    discovery_url: str | None = field(default=None, repr=False)
    discovery_size: int | None = None
    # The etcd cluster's size when it formed: fixed while any of its VMs exists (cluster.py).
    etcd_size: int | None = None
    # The lab's shape as `up` last built it: what `up`, `verify` and their hints converge to
    # when the user leaves the flags out (memory.recall).
    hosts: int | None = None
    storage_account: str | None = None
    provisioning: str | None = None
    subscription_id: str | None = None
    cloud: str | None = None
    etcd_image_version: str | None = None
    host_image_version: str | None = None
    # The private key `up` generated for this lab, so `down --delete-key` removes only that.
    generated_key: str | None = None
    # The key the lab's VMs trust, as given to `up` (absolute paths; lab_memory.py).
    ssh_key: str | None = None
    ssh_public_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, **dataclasses.asdict(self)}


_STR_FIELDS = (
    "lab_id",
    "discovery_url",
    "subscription_id",
    "cloud",
    "etcd_image_version",
    "host_image_version",
    "generated_key",
    "ssh_key",
    "ssh_public_key",
    "storage_account",
    "provisioning",
)
_INT_FIELDS = ("discovery_size", "etcd_size", "hosts")


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The base directory of all labs' state (XDG base directory rules)."""
    env = os.environ if environ is None else environ
    if env.get(STATE_DIR_ENV):
        return Path(env[STATE_DIR_ENV]).expanduser()
    if env.get("XDG_STATE_HOME"):
        return Path(env["XDG_STATE_HOME"]).expanduser() / "coreos-lab"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".local" / "state" / "coreos-lab"


def state_path(lab: str, base: Path | None = None) -> Path:
    """Where ``lab``'s state file is (whether or not it exists)."""
    if not _LAB.match(lab):
        raise UsageError(
            f"Lab name '{lab}' cannot name a state directory; use letters, digits, '.', '_' "
            "and '-', starting with a letter or digit."
        )
    return (state_dir() if base is None else base) / "labs" / lab / STATE_FILE


def load_state(lab: str, base: Path | None = None) -> LabState:
    """Read ``lab``'s state, or an empty state if the lab has none yet."""
    path = state_path(lab, base)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LabState(lab=lab)
    except (OSError, UnicodeDecodeError) as exc:
        raise LabError(
            f"Cannot read lab state {path} ({_reason(exc)}); fix its permissions or delete it."
        ) from None
    try:
        return _from_json(json.loads(text), lab)
    except (ValueError, TypeError) as exc:
        raise LabError(
            f"Lab state {path} is corrupt ({exc}); delete it, and the lab's next run starts "
            "afresh (a new discovery token means a new etcd cluster)."
        ) from None


def _from_json(data: Any, lab: str) -> LabState:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    data = dict(data)
    version = data.pop("version", None)
    if version != FORMAT_VERSION:
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise LabError(
                f"Lab '{lab}' state is format {version}, newer than this coreos-lab "
                f"understands ({FORMAT_VERSION}); upgrade coreos-lab."
            )
        raise ValueError(f"unknown format version {version!r}")
    if data.pop("lab", None) != lab:
        raise ValueError(f"it does not belong to lab '{lab}'")
    state = LabState(lab=lab)
    for name in _STR_FIELDS:
        value = data.pop(name, None)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} is not a string")
        setattr(state, name, value)
    for name in _INT_FIELDS:
        value = data.pop(name, None)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} is not a whole number")
        setattr(state, name, value)
    extra = data.pop("extra", {})
    if not isinstance(extra, dict):
        raise ValueError("extra is not an object")
    # Keys a newer coreos-lab wrote survive a round trip through this one.
    state.extra = {**data, **extra}
    if state.generated_key is None and isinstance(state.extra.get("generated_key"), str):
        # Written by versions that kept the generated key among the extra keys.
        state.generated_key = state.extra.pop("generated_key")
    return state


def has_state(lab: str, base: Path | None = None) -> bool:
    """Whether this machine keeps a state file for ``lab``, readable or not."""
    return state_path(lab, base).exists()


def all_labs(base: Path | None = None) -> list[str]:
    """The names of the labs this machine keeps state for."""
    labs = (state_dir() if base is None else base) / "labs"
    try:
        return sorted(p.name for p in labs.iterdir() if (p / STATE_FILE).is_file())
    except OSError:
        return []


def labs_using_key(private_key: str, but: str, base: Path | None = None) -> list[str]:
    """The labs other than ``but`` whose state records ``private_key`` (an absolute path)."""
    using = []
    for lab in all_labs(base):
        if lab == but:
            continue
        try:
            other = load_state(lab, base)
        except LabError:
            continue
        if private_key in (other.ssh_key, other.generated_key):
            using.append(lab)
    return using


def new_lab_id() -> str:
    """A random lab id: 128 bits, so two labs never share one by chance."""
    return secrets.token_hex(16)


def save_state(state: LabState, base: Path | None = None) -> Path:
    """Write ``state`` atomically, readable by its owner only; return the file's path."""
    path = state_path(state.lab, base)
    _make_private_dirs(path.parent)
    payload = json.dumps(state.to_json(), indent=2, sort_keys=True) + "\n"
    try:
        # 0600 from the first byte: the file holds the discovery token.
        atomic_write(path, payload.encode("utf-8"), 0o600)
    except OSError as exc:
        raise LabError(
            f"Cannot write lab state {path} ({_reason(exc)}); check that its directory is "
            f"writable or set {STATE_DIR_ENV} to one that is."
        ) from None
    return path


def remove_state(lab: str, base: Path | None = None) -> bool:
    """Delete ``lab``'s state (and its directory if now empty); False if there was none."""
    path = state_path(lab, base)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only succeeds when nothing else lives there
    return True


def class_record_path(prefix: str, base: Path | None = None) -> Path:
    """Where the record of the class of ``prefix`` is: beside the labs, one file a class."""
    state_path(prefix, base)  # the same rule for the name
    return (state_dir() if base is None else base) / "classes" / f"{prefix}.json"


def save_class_record(
    prefix: str, cloud: str, subscription_id: str, base: Path | None = None
) -> None:
    """Record where a class is built, so its commands look there for every lab, built or
    not. No secret in it; `class down` keeps it, so a second one still knows where to look."""
    path = class_record_path(prefix, base)
    _make_private_dirs(path.parent)
    payload = {"version": FORMAT_VERSION, "cloud": cloud, "subscription_id": subscription_id}
    try:
        atomic_write(path, (json.dumps(payload, indent=2) + "\n").encode("utf-8"), 0o600)
    except OSError as exc:
        raise LabError(
            f"Cannot write the class record {path} ({_reason(exc)}); check that its directory "
            f"is writable or set {STATE_DIR_ENV} to one that is."
        ) from None


def load_class_record(prefix: str, base: Path | None = None) -> LabState | None:
    """The class's cloud and subscription as a record, or None when none can be read."""
    try:
        data = json.loads(class_record_path(prefix, base).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    cloud, subscription = data.get("cloud"), data.get("subscription_id")
    return LabState(
        lab=prefix,
        cloud=cloud if isinstance(cloud, str) else None,
        subscription_id=subscription if isinstance(subscription, str) else None,
    )


def repair_modes(base: Path | None = None) -> list[str]:
    """Make the state's folders private again where others may open them; a warning each.

    The folders hold every lab's discovery token and every student's private key: a folder
    other users can list or write is made 0700 (as ssh-keygen keeps ~/.ssh), and one owned by
    another user is refused (LabError), since its owner can replace what is in it.
    """
    root = state_dir() if base is None else base
    folders = [root, root / "keys", root / "labs", root / "classes"]
    with contextlib.suppress(OSError):  # no labs yet
        folders += sorted(p for p in (root / "labs").iterdir() if p.is_dir())
    warnings = []
    for folder in folders:
        try:
            info = folder.stat()
        except OSError:
            continue
        if info.st_uid != os.geteuid():
            raise LabError(
                f"The state folder {folder} belongs to another user (uid {info.st_uid}), and it "
                f"holds private keys and tokens; set {STATE_DIR_ENV} to a folder of your own."
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode & stat.S_ISVTX:  # a shared folder such as /tmp: not ours to close
            raise LabError(
                f"The state folder {folder} is shared by every user (mode {mode:o}, like "
                f"/tmp); set {STATE_DIR_ENV} to a folder of your own."
            )
        if mode & 0o077:
            try:
                folder.chmod(0o700)
            except OSError as exc:
                raise LabError(
                    f"The state folder {folder} is open to other users (mode {mode:o}) and "
                    f"cannot be made private ({_reason(exc)}); run chmod 700 on it."
                ) from None
            warnings.append(
                f"{folder} was open to other users (mode {mode:o}); it holds private keys and "
                "tokens, so coreos-lab made it 0700."
            )
    return warnings


def _make_private_dirs(directory: Path) -> None:
    """Create the missing levels of ``directory`` with mode 0700; keep existing ones."""
    try:
        make_private_dirs(directory)
        # The lab's own directory is ours alone, whoever created it.
        directory.chmod(0o700)
    except OSError as exc:
        raise LabError(
            f"Cannot create the lab state directory {directory} ({_reason(exc)}); set "
            f"{STATE_DIR_ENV} to a writable directory."
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
