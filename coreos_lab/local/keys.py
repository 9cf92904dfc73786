"""The SSH keypair the lab's VMs trust: found, checked, or generated once.

Rules, as ssh and Azure apply them: a private key others can read is refused (ssh would
refuse it too); Azure accepts only RSA (2048 bits or more) and ed25519 keys for Linux VMs;
an existing pair is never regenerated, because the lab's VMs already trust it.
Private key material never leaves this module: callers get the public line and a path.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from coreos_lab.errors import KeyFileError, LabError, UsageError
from coreos_lab.lab.settings import KEY_TYPES, LabSettings
from coreos_lab.local.files import atomic_write, make_private_dirs, read_small_file

RSA_BITS = 4096
RSA_MIN_BITS = 2048  # Azure refuses shorter RSA keys for Linux VMs
_ACCEPTED = "Azure accepts only RSA (2048 bits or more) and ed25519 keys for Linux VMs"
_EXAMPLE = "expected a line like 'ssh-ed25519 AAAA… comment'"
# Key types ssh knows but Azure does not take; named so the refusal can say which it was.
_OTHER_SSH_TYPE = re.compile(r"^(ssh-dss|ecdsa-sha2-\S+|sk-\S+|ssh-\S+-cert-v01@openssh\.com)$")
_MAX_PUBLIC_KEY_BYTES = 16 * 1024


@dataclass(frozen=True)
class SshKey:
    """The public half to install on the VMs, and where its private half is (if known)."""

    public_key: str  # one OpenSSH line: "ssh-rsa AAAA… comment"
    private_key_path: Path | None
    generated: bool

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)


def resolve_ssh_key(settings: LabSettings) -> SshKey:
    """The key the lab uses: ``--ssh-public-key`` if given, else ``--ssh-key``'s pair."""
    if settings.ssh_public_key is not None:
        public_path = settings.ssh_public_key.expanduser()
        line = load_public_key(public_path)
        return SshKey(line, _private_sibling(public_path), generated=False)
    return ensure_keypair(settings.ssh_key, settings.ssh_key_type)


def key_path_for(settings: LabSettings, key: SshKey | None = None) -> str:
    if key is not None and key.private_key_path is not None:
        return str(key.private_key_path)
    if settings.ssh_public_key is not None:
        return str(settings.ssh_public_key.expanduser()).removesuffix(".pub")
    return str(settings.ssh_key.expanduser())


def existing_public_key(settings: LabSettings) -> str | None:
    """The public key `up` would install, if it exists already; validated."""
    if settings.ssh_public_key is not None:
        return load_public_key(settings.ssh_public_key.expanduser())
    pub = Path(str(settings.ssh_key.expanduser()) + ".pub")
    return load_public_key(pub) if pub.is_file() else None


def ensure_keypair(
    private_path: Path, key_type: str = "rsa", comment: str = "coreos-lab"
) -> SshKey:
    """Reuse the pair at ``private_path`` (+ ``.pub``), or generate it if it does not exist.

    ``key_type`` and ``comment`` only matter when a key is generated.
    """
    if key_type not in KEY_TYPES:
        raise UsageError(f"--ssh-key-type '{key_type}' is not one of: {', '.join(KEY_TYPES)}.")
    if "\n" in comment or "\r" in comment:
        raise UsageError("An SSH key comment must be a single line.")
    private_path = private_path.expanduser()
    public_path = _pub_path(private_path)
    if private_path.exists():
        return SshKey(_existing_public_key(private_path, public_path), private_path, False)
    # Checked again: another coreos-lab may have written the pair since (see below).
    if public_path.exists() and not private_path.exists():
        raise KeyFileError(
            f"{public_path} exists but its private key {private_path} does not; pass "
            f"--ssh-public-key {public_path} to install only that public key, or move it away "
            "to have a new pair generated."
        )
    try:
        return SshKey(_generate(private_path, public_path, key_type, comment), private_path, True)
    except _KeyAppeared:
        # Another coreos-lab generated the same pair at this very moment (two labs built at
        # once share the default key): use it, as a second run would.
        return SshKey(_existing_public_key(private_path, public_path), private_path, False)


class _KeyAppeared(Exception):
    """The private key's name was taken while this run generated a key for it."""


def load_public_key(path: Path) -> str:
    """Read and check an OpenSSH public key file; return its key line, normalised."""
    path = path.expanduser()
    try:
        data = read_small_file(path, _MAX_PUBLIC_KEY_BYTES)
    except FileNotFoundError:
        raise KeyFileError(f"SSH public key {path} does not exist; check the path.") from None
    except OSError as exc:
        raise KeyFileError(f"Cannot read SSH public key {path} ({_reason(exc)}).") from None
    if b"PRIVATE KEY" in data or b"PuTTY-User-Key-File" in data:
        raise KeyFileError(
            f"{path} is a private key, not a public one; pass its .pub file instead "
            f"(ssh-keygen -y -f {path} prints the public key)."
        )
    if b"BEGIN SSH2 PUBLIC KEY" in data:
        raise KeyFileError(
            f"{path} is an SSH2 (RFC 4716) public key, not an OpenSSH one; convert it with "
            f"ssh-keygen -i -f {path}."
        )
    if len(data) > _MAX_PUBLIC_KEY_BYTES:
        raise KeyFileError(f"{path} is not an OpenSSH public key ({_EXAMPLE}): it is too large.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not an OpenSSH public key ({_EXAMPLE}).") from None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1:
        what = "is empty" if not lines else f"holds {len(lines)} lines"
        raise KeyFileError(f"{path} {what}; it must hold exactly one OpenSSH public key line.")
    return _check_public_line(lines[0], str(path))


def key_fingerprint(public_key: str) -> str:
    """``SHA256:…`` fingerprint of an OpenSSH public key line, as ``ssh-keygen -l`` shows it."""
    fields = public_key.split()
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (IndexError, binascii.Error):
        raise KeyFileError(f"Not an OpenSSH public key line ({_EXAMPLE}).") from None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


# ---- existing keys ------------------------------------------------------------------------


def _existing_public_key(private_path: Path, public_path: Path) -> str:
    if not private_path.is_file():
        raise KeyFileError(f"SSH key {private_path} is not a file; pass --ssh-key with a key file.")
    _check_private_mode(private_path)
    public_line = load_public_key(public_path) if public_path.exists() else None
    derived = _derive_public_key(private_path, have_public=public_line is not None)
    if public_line is None:
        assert derived is not None  # _derive_public_key raises when it cannot derive
        public_line = _check_public_line(derived, str(private_path))
        # Best effort: the key is usable without its .pub, so a read-only directory is no error.
        with contextlib.suppress(OSError):
            _write_new(public_path, (public_line + "\n").encode(), 0o644)
    elif derived is not None and _blob(derived) != _blob(public_line):
        raise KeyFileError(
            f"{public_path} is not the public half of {private_path}; regenerate it with "
            f"ssh-keygen -y -f {private_path} > {public_path}."
        )
    return public_line


def _check_private_mode(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"Permissions {mode:04o} for '{path}' are too open: ssh refuses a private key "
            f"others can read, so run chmod 600 '{path}'."
        )


def _derive_public_key(private_path: Path, *, have_public: bool) -> str | None:
    """The private key's public line, or None if it is passphrase-protected and a .pub exists."""
    try:
        data = private_path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"Cannot read SSH key {private_path} ({_reason(exc)}).") from None
    key: PrivateKeyTypes
    try:
        if b"BEGIN OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        # Passphrase-protected: ssh-agent or ssh will ask for it; we only need the public half.
        if have_public:
            return None
        raise KeyFileError(
            f"SSH key {private_path} is passphrase-protected and has no .pub beside it; "
            f"write one with ssh-keygen -y -f {private_path} > {private_path}.pub."
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(
            f"{private_path} exists but is not an OpenSSH or PEM private key; pass --ssh-key "
            "with another path to have a new pair generated there."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise KeyFileError(f"SSH key {private_path} is of a type Azure refuses: {_ACCEPTED}.")
    return _public_line(key.public_key(), "")


# ---- new keys -----------------------------------------------------------------------------


def _generate(private_path: Path, public_path: Path, key_type: str, comment: str) -> str:
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    if key_type == "rsa":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    else:
        private_key = ed25519.Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public_line = _public_line(private_key.public_key(), comment)
    try:
        make_private_dirs(private_path.parent)
        try:
            _write_new(private_path, pem, 0o600)
        except FileExistsError:
            raise _KeyAppeared() from None
        try:
            _write_new(public_path, (public_line + "\n").encode(), 0o644)
        except FileExistsError:
            # Written meanwhile by a run that found our private key: fine if it is its half.
            if _blob(load_public_key(public_path)) != _blob(public_line):
                raise KeyFileError(
                    f"{public_path} appeared while coreos-lab was generating its pair and is "
                    f"not the public half of {private_path}; move it away and run again."
                ) from None
    except OSError as exc:
        raise LabError(
            f"Cannot write SSH key {private_path} ({_reason(exc)}); pass --ssh-key with a "
            "writable path."
        ) from None
    return public_line


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet, with ``mode`` from its first byte.

    The final name never shows a half-written key, and a name taken meanwhile raises
    FileExistsError instead of being replaced.
    """
    atomic_write(path, data, mode, exclusive=True)


# ---- helpers ------------------------------------------------------------------------------


def _check_public_line(line: str, source: str) -> str:
    fields = line.split(None, 2)
    if len(fields) >= 1 and _OTHER_SSH_TYPE.match(fields[0]):
        raise KeyFileError(f"{source} is a {fields[0]} key: {_ACCEPTED}.")
    try:
        key = serialization.load_ssh_public_key(line.encode())
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"{source} is not an OpenSSH public key ({_EXAMPLE}).") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < RSA_MIN_BITS:
            raise KeyFileError(
                f"{source} is a {key.key_size}-bit RSA key: {_ACCEPTED}; generate a new one "
                "with ssh-keygen -t ed25519."
            )
    elif not isinstance(key, ed25519.Ed25519PublicKey):
        raise KeyFileError(f"{source} is a {fields[0]} key: {_ACCEPTED}.")
    return " ".join(fields)


def _public_line(key: PublicKeyTypes, comment: str) -> str:
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{line.decode()} {comment}".strip()


def _blob(line: str) -> str:
    return line.split()[1]


def _pub_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def _private_sibling(public_path: Path) -> Path | None:
    """The private key beside a ``.pub``, if it is there and ssh would accept its mode."""
    if public_path.suffix != ".pub":
        return None
    private_path = public_path.with_suffix("")
    try:
        mode = private_path.stat().st_mode
    except OSError:
        return None
    # A key ssh would refuse is no use for logging in; the VMs still get the public key.
    if not stat.S_ISREG(mode) or stat.S_IMODE(mode) & 0o077:
        return None
    return private_path


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def delete_generated_key(settings: LabSettings, generated_key: str | None) -> list[str]:
    """Delete ``--ssh-key`` and its .pub if `up` generated that key for the lab.

    ``generated_key`` is what the lab's state recorded. Returns the paths removed; raises
    :class:`LabError` (the message says why the key stays) when the key is not the lab's.
    """
    if not generated_key or Path(generated_key) != settings.ssh_key.expanduser():
        raise LabError("coreos-lab did not generate this key for the lab, so it stays")
    removed: list[str] = []
    for path in (Path(generated_key), Path(generated_key + ".pub")):
        if path.exists():
            path.unlink()
            removed.append(str(path))
    return removed
