"""Keys are shared knowingly, and key files are private and whole.

A lab remembers its key: later commands use it without the flag.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess

from tests.reliability.harness import User, no_temp_files, one_sentence


def test_up_generates_a_private_key_0600_in_a_0700_folder(alice: User) -> None:
    alice.up()
    key = alice.key()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert key.with_name(key.name + ".pub").read_text().startswith("ssh-ed25519 ")
    assert no_temp_files(alice.home)


def test_down_delete_key_removes_the_key_it_generated_for_this_lab(alice: User) -> None:
    alice.up()
    out = alice.run("down", "--yes", "--delete-key")
    assert out.returncode == 0, out.stderr
    assert f"removed {alice.key()}" in out.stdout
    assert not alice.key().exists() and not alice.key().with_suffix(".pub").exists()


def test_down_delete_key_keeps_a_key_coreos_lab_did_not_generate(alice: User) -> None:
    (alice.home / ".ssh").mkdir(mode=0o700)
    mine = alice.home / ".ssh" / "mine"
    # A key the user brings, made before up: coreos-lab finds it, so it is not its to delete.
    keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(mine)]
    subprocess.run(keygen, check=True, capture_output=True)
    assert alice.run("up", "--ssh-key", str(mine)).returncode == 0
    # down without --ssh-key: the lab remembers its key, and still keeps it.
    out = alice.run("down", "--yes", "--delete-key")
    assert out.returncode == 0, out.stderr
    assert "SSH key kept" in out.stdout
    assert mine.exists() and mine.with_name("mine.pub").exists() and not alice.key().exists()


def test_down_delete_key_keeps_a_key_another_lab_uses_and_says_so(alice: User) -> None:
    alice.up()
    second = alice.lab + "-b"
    assert alice.run("up", "--name", second).returncode == 0
    out = alice.run("down", "--yes", "--delete-key")
    assert out.returncode == 0, out.stderr
    assert alice.key().exists(), "lab b's VMs still trust this key"
    assert second in out.stdout


def test_up_never_generates_a_new_key_for_vms_that_exist(alice: User) -> None:
    alice.up()
    alice.key().unlink()
    alice.key().with_name(alice.key().name + ".pub").unlink()
    alice.emulator.admin.clear_requests()
    out = alice.run("up")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout[-1500:] + out.stderr
    assert "SHA256:" in out.stderr, "it names the key the VMs trust"
    assert not alice.key().exists(), "no new key for VMs that trust the old one"
    assert alice.emulator.writes(alice.lab) == []


def test_ips_uses_the_key_recorded_for_the_lab(alice: User) -> None:
    (alice.home / "keys").mkdir(mode=0o700)
    alice.up("--ssh-key", str(alice.home / "keys" / "lab"))
    out = alice.run("ips", "--json")
    assert out.returncode == 0, out.stderr
    for machine in json.loads(out.stdout):
        argv = shlex.split(machine["ssh"])
        assert argv[argv.index("-i") + 1] == str(alice.home / "keys" / "lab"), argv
    assert "id_rsa_coreos_azure_lab" not in alice.run("ips").stdout


def test_ssh_config_uses_the_key_recorded_for_the_lab(alice: User) -> None:
    (alice.home / "keys").mkdir(mode=0o700)
    alice.up("--ssh-key", str(alice.home / "keys" / "lab"))
    out = alice.run("ssh-config")
    assert out.returncode == 0, out.stderr
    assert f"IdentityFile {alice.home}/keys/lab\n" in out.stdout


def test_a_private_key_others_can_read_is_refused_before_any_write(alice: User) -> None:
    (alice.home / ".ssh").mkdir(mode=0o700)
    key = alice.home / ".ssh" / "open"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o644)
    out = alice.run("up", "--ssh-key", str(key))
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "chmod 600" in out.stderr
    assert alice.emulator.writes() == []
    assert not alice.state_file().exists()


def test_a_fifo_public_key_does_not_hang(alice: User) -> None:
    fifo = alice.home / "lab.pub"
    os.mkfifo(fifo)
    out = alice.run("up", "--ssh-public-key", str(fifo), timeout=15)
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "not a regular file" in out.stderr and str(fifo) in out.stderr
    assert alice.emulator.writes() == []


def test_a_fifo_as_private_key_does_not_hang(alice: User) -> None:
    fifo = alice.home / "lab"
    os.mkfifo(fifo)
    out = alice.run("up", "--ssh-key", str(fifo), timeout=15)
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "not a file" in out.stderr
    assert alice.emulator.writes() == []


def test_a_public_key_of_binary_garbage_is_one_sentence(alice: User) -> None:
    pub = alice.home / "garbage.pub"
    pub.write_bytes(bytes(range(256)))
    out = alice.run("up", "--ssh-public-key", str(pub))
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "not an OpenSSH public key" in out.stderr
    assert not alice.state_file().parent.exists(), "a refused up leaves no lab folder"
