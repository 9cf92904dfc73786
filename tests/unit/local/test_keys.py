"""SSH keys: generated with the right modes, reused as they are, refused when ssh or Azure would."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from coreos_lab.errors import KeyFileError
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local.keys import (
    SshKey,
    ensure_keypair,
    key_fingerprint,
    load_public_key,
    resolve_ssh_key,
)

needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="no ssh-keygen")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(path: Path) -> tuple[int, int, bytes]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, path.read_bytes()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh HOME, and the loosest umask, so modes come from the code and not the umask."""
    monkeypatch.setenv("HOME", str(tmp_path))
    old = os.umask(0o000)
    try:
        yield tmp_path
    finally:
        os.umask(old)


def write_private(path: Path, key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def public_line(
    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey,
) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


# ---- generation -----------------------------------------------------------------------------


def test_default_key_is_generated_rsa_4096_with_private_modes(home: Path) -> None:
    key = ensure_keypair(LabSettings().ssh_key)  # ~/.ssh/id_rsa_coreos_azure_lab
    private = home / ".ssh" / "id_rsa_coreos_azure_lab"
    public = home / ".ssh" / "id_rsa_coreos_azure_lab.pub"
    assert key == SshKey(key.public_key, private, generated=True)
    assert mode(home / ".ssh") == 0o700
    assert mode(private) == 0o600
    assert mode(public) == 0o644
    assert private.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    loaded = serialization.load_ssh_private_key(private.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey) and loaded.key_size == 4096
    assert public.read_text() == key.public_key + "\n"
    assert key.public_key.startswith("ssh-rsa ") and key.public_key.endswith(" coreos-lab")
    assert key.public_key.split()[1] == public_line(loaded).split()[1]
    assert load_public_key(public) == key.public_key
    # No temp files are left beside the keys.
    assert sorted(p.name for p in (home / ".ssh").iterdir()) == [private.name, public.name]


def test_existing_key_is_reused_and_not_rewritten(home: Path) -> None:
    first = ensure_keypair(home / "k", "ed25519")
    before = snapshot(home / "k"), snapshot(home / "k.pub")
    # Asking for another type does not replace an existing key either.
    second = ensure_keypair(home / "k", "rsa")
    assert second.public_key == first.public_key
    assert second.generated is False
    assert (snapshot(home / "k"), snapshot(home / "k.pub")) == before


def test_ed25519_key(home: Path) -> None:
    key = ensure_keypair(home / "keys" / "lab", "ed25519", comment="me@lab")
    assert key.public_key.startswith("ssh-ed25519 ") and key.public_key.endswith(" me@lab")
    loaded = serialization.load_ssh_private_key((home / "keys" / "lab").read_bytes(), None)
    assert isinstance(loaded, ed25519.Ed25519PrivateKey)
    assert mode(home / "keys") == 0o700


def test_an_existing_ssh_dir_keeps_its_mode(home: Path) -> None:
    (home / ".ssh").mkdir(mode=0o750)
    (home / ".ssh").chmod(0o750)
    ensure_keypair(home / ".ssh" / "k", "ed25519")
    assert mode(home / ".ssh") == 0o750
    assert mode(home / ".ssh" / "k") == 0o600


@needs_ssh_keygen
def test_ssh_keygen_reads_the_generated_key_and_agrees_on_the_fingerprint(home: Path) -> None:
    key = ensure_keypair(home / "k", "ed25519")
    derived = subprocess.run(
        ["ssh-keygen", "-y", "-f", str(home / "k")], capture_output=True, text=True, check=True
    ).stdout
    assert derived.split()[:2] == key.public_key.split()[:2]
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(home / "k.pub")], capture_output=True, text=True, check=True
    ).stdout
    assert listed.split()[1] == key_fingerprint(key.public_key) == key.fingerprint


# ---- existing keys ------------------------------------------------------------------------


def test_private_key_readable_by_others_is_refused(home: Path) -> None:
    ensure_keypair(home / "k", "ed25519")
    (home / "k").chmod(0o644)
    with pytest.raises(KeyFileError) as err:
        ensure_keypair(home / "k", "ed25519")
    message = str(err.value)
    assert "Permissions 0644" in message and "too open" in message
    assert f"chmod 600 '{home / 'k'}'" in message
    assert "\n" not in message


def test_missing_pub_is_derived_from_the_private_key_and_written(home: Path) -> None:
    private_key = ed25519.Ed25519PrivateKey.generate()
    write_private(home / "k", private_key)
    key = ensure_keypair(home / "k")
    assert key.generated is False
    assert key.public_key == public_line(private_key)
    assert (home / "k.pub").read_text() == key.public_key + "\n"
    assert mode(home / "k.pub") == 0o644


def test_pub_that_does_not_match_the_private_key_is_refused(home: Path) -> None:
    write_private(home / "k", ed25519.Ed25519PrivateKey.generate())
    (home / "k.pub").write_text(public_line(ed25519.Ed25519PrivateKey.generate()) + "\n")
    with pytest.raises(KeyFileError, match="is not the public half of"):
        ensure_keypair(home / "k")


def test_passphrase_protected_key_is_used_through_its_pub(home: Path) -> None:
    private_key = ed25519.Ed25519PrivateKey.generate()
    (home / "k").write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    (home / "k").chmod(0o600)
    with pytest.raises(KeyFileError, match=r"passphrase-protected and has no \.pub"):
        ensure_keypair(home / "k")
    (home / "k.pub").write_text(public_line(private_key) + " me\n")
    assert ensure_keypair(home / "k").public_key == public_line(private_key) + " me"


def test_pub_without_private_key_is_refused(home: Path) -> None:
    (home / "k.pub").write_text(public_line(ed25519.Ed25519PrivateKey.generate()) + "\n")
    with pytest.raises(KeyFileError, match="--ssh-public-key"):
        ensure_keypair(home / "k")
    assert not (home / "k").exists()


def test_garbage_where_the_private_key_should_be_is_refused(home: Path) -> None:
    (home / "k").write_text("not a key\n")
    (home / "k").chmod(0o600)
    with pytest.raises(KeyFileError, match="not an OpenSSH or PEM private key"):
        ensure_keypair(home / "k")
    assert (home / "k").read_text() == "not a key\n"  # never overwritten


# ---- --ssh-public-key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "hello world\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGarbage comment\n",
        "ssh-rsa notbase64!!\n",
        'command="ls" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI me\n',
    ],
)
def test_malformed_public_key_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "k.pub").write_text(content)
    with pytest.raises(KeyFileError) as err:
        load_public_key(tmp_path / "k.pub")
    assert "is not an OpenSSH public key (expected a line like 'ssh-ed25519 AAAA" in str(err.value)


def test_empty_and_multi_key_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.pub").write_text("\n")
    with pytest.raises(KeyFileError, match="is empty"):
        load_public_key(tmp_path / "empty.pub")
    line = public_line(ed25519.Ed25519PrivateKey.generate())
    (tmp_path / "two.pub").write_text(f"{line} a\n{line} b\n")
    with pytest.raises(KeyFileError, match="holds 2 lines"):
        load_public_key(tmp_path / "two.pub")


def test_short_rsa_key_is_refused(tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    (tmp_path / "weak.pub").write_text(public_line(weak) + " old\n")
    with pytest.raises(KeyFileError, match="1024-bit RSA key: Azure accepts only RSA"):
        load_public_key(tmp_path / "weak.pub")


def test_ecdsa_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ec.pub").write_text(public_line(ec.generate_private_key(ec.SECP256R1())) + "\n")
    with pytest.raises(KeyFileError, match="ecdsa-sha2-nistp256 key: Azure accepts only"):
        load_public_key(tmp_path / "ec.pub")


def test_private_key_given_as_public_key_is_refused(home: Path) -> None:
    ensure_keypair(home / "k", "ed25519")
    with pytest.raises(KeyFileError) as err:
        resolve_ssh_key(LabSettings(ssh_public_key=home / "k"))
    assert "is a private key, not a public one" in str(err.value)
    # The message names the file and the way out, never the key material.
    assert (home / "k").read_text().splitlines()[1] not in str(err.value)


def test_missing_public_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        load_public_key(tmp_path / "nope.pub")


def test_public_key_is_normalised_and_keeps_its_comment(tmp_path: Path) -> None:
    line = public_line(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    (tmp_path / "k.pub").write_text(f"  {line}   alice@laptop  \n")
    assert load_public_key(tmp_path / "k.pub") == f"{line} alice@laptop"


def test_resolve_prefers_ssh_public_key_and_finds_its_private_half(home: Path) -> None:
    ensure_keypair(home / "mine", "ed25519")
    settings = LabSettings(ssh_key=home / "never", ssh_public_key=Path("~/mine.pub"))
    key = resolve_ssh_key(settings)
    assert key.private_key_path == home / "mine"
    assert key.generated is False
    assert key.public_key == (home / "mine.pub").read_text().strip()
    assert not (home / "never").exists()  # no key generated at --ssh-key
    (home / "mine").unlink()
    assert resolve_ssh_key(settings).private_key_path is None


def test_resolve_generates_at_ssh_key_with_its_type(home: Path) -> None:
    key = resolve_ssh_key(LabSettings(ssh_key=Path("~/lab/key"), ssh_key_type="ed25519"))
    assert key.generated and key.private_key_path == home / "lab" / "key"
    assert key.public_key.startswith("ssh-ed25519 ")
    assert resolve_ssh_key(LabSettings(ssh_key=Path("~/lab/key"))).generated is False


def test_fingerprint_of_a_malformed_line_is_refused() -> None:
    with pytest.raises(KeyFileError):
        key_fingerprint("ssh-ed25519")


def test_two_runs_generating_the_same_key_at_once_both_use_one_pair(tmp_path: Path) -> None:
    """Two labs built at once share the default key: the run that loses the race to write
    it uses the pair the other wrote, as a second run would, instead of failing."""
    import threading

    from coreos_lab.local.keys import ensure_keypair

    for attempt in range(20):
        path = tmp_path / f"k{attempt}" / "id_lab"
        start = threading.Barrier(2)
        got: list[object] = []

        def run(path: Path, start: threading.Barrier, got: list[object]) -> None:
            start.wait()
            got.append(ensure_keypair(path, "ed25519"))

        threads = [threading.Thread(target=run, args=(path, start, got)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert len(got) == 2, "both runs returned a key"
        blobs = {k.public_key.split()[1] for k in got}  # type: ignore[attr-defined]
        assert len(blobs) == 1
        assert sorted(k.generated for k in got) == [False, True]  # type: ignore[attr-defined]
        assert path.with_name("id_lab.pub").read_text().split()[1] in blobs
