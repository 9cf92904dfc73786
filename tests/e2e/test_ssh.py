"""`coreos-lab ssh` and `ssh-config`: checked by OpenSSH itself, and against a real sshd."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Lab
from tests.local_user import core_user


@pytest.fixture
def built(lab: Lab) -> Lab:
    out = lab.run("up")
    assert out.returncode == 0, out.stdout + out.stderr
    return lab


def _machines(lab: Lab) -> dict[str, dict[str, str]]:
    return {m["name"]: m for m in json.loads(lab.run("ips", "--json").stdout)}


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH client not installed")
def test_ssh_config_is_accepted_by_ssh_for_every_machine(built: Lab) -> None:
    out = built.run("ssh-config")
    assert out.returncode == 0, out.stderr
    config = built.home / "lab_ssh_config"
    config.write_text(out.stdout)
    key = built.home / ".ssh" / "id_rsa_coreos_azure_lab"
    for name, machine in _machines(built).items():
        g = subprocess.run(
            ["ssh", "-G", "-F", str(config), name], capture_output=True, text=True, timeout=10
        )
        assert g.returncode == 0, g.stderr
        options = dict(line.split(" ", 1) for line in g.stdout.splitlines() if " " in line)
        assert options["hostname"] == machine["public_ip"]
        assert options["user"] == "core"
        assert options["identityfile"] == str(key)
        assert options["stricthostkeychecking"] == "accept-new"


def test_ssh_config_write_replaces_its_own_block_only(built: Lab) -> None:
    ssh_dir = built.home / ".ssh"
    (ssh_dir / "config").write_text("Host other\n    HostName example.invalid\n")
    for _ in range(2):
        assert built.run("ssh-config", "--write").returncode == 0
    text = (ssh_dir / "config").read_text()
    assert text.count("Host host0") == 1 and "Host other" in text
    assert (ssh_dir / "config").stat().st_mode & 0o777 == 0o600


def test_ssh_print_names_key_user_and_address(built: Lab) -> None:
    etcd1 = _machines(built)["etcd1"]
    out = built.run("ssh", "etcd1", "--print", "--", "etcdctl", "member", "list")
    argv = shlex.split(out.stdout)
    assert argv[0] == "ssh" and argv[-4:] == [
        f"core@{etcd1['public_ip']}",
        "etcdctl",
        "member",
        "list",
    ]
    assert argv[argv.index("-i") + 1].endswith("id_rsa_coreos_azure_lab")
    default = shlex.split(built.run("ssh", "--print").stdout)
    assert default[-1] == f"core@{_machines(built)['host0']['public_ip']}"


def test_ssh_to_an_unknown_machine_is_one_sentence(built: Lab) -> None:
    out = built.run("ssh", "host9", "--print")
    assert out.returncode == 2
    assert "no machine 'host9'" in out.stderr and "host0" in out.stderr


# ---- a real sshd on a loopback address, standing in for host0 -----------------------------

SSHD = Path("/usr/sbin/sshd")


@pytest.fixture(name="core_user")
def _core_user() -> Iterator[None]:
    """A local user `core` (the lab's admin user) for the test's sshd."""
    with core_user():
        yield


@pytest.mark.skipif(
    os.geteuid() != 0 or not SSHD.exists() or shutil.which("ssh") is None,
    reason="needs root, sshd and ssh",
)
def test_ssh_runs_a_command_on_a_real_sshd(
    lab: Lab, core_user: None, request: pytest.FixtureRequest
) -> None:
    # The emulator's public IPs are loopback (127.77.0.0/16 by default), so "host0" is an
    # address of this machine and nothing leaves it.
    assert lab.run("up").returncode == 0
    address = _machines(lab)["host0"]["public_ip"]
    assert address.startswith("127.77.")
    # sshd reads authorized_keys as `core`, who cannot enter pytest's 0700 folders.
    work = Path(tempfile.mkdtemp(prefix="coreos-lab-sshd-"))
    work.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(work, ignore_errors=True))
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "host_key")],
        check=True,
        timeout=30,
    )
    authorized = work / "authorized_keys"
    shutil.copy(lab.home / ".ssh" / "id_rsa_coreos_azure_lab.pub", authorized)
    authorized.chmod(0o644)
    config = work / "sshd_config"
    config.write_text(
        f"ListenAddress {address}:22\nHostKey {work / 'host_key'}\n"
        f"AuthorizedKeysFile {authorized}\nStrictModes no\nUsePAM no\n"
        f"PasswordAuthentication no\nPidFile {work / 'sshd.pid'}\nAllowUsers core\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
    sshd = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["ss", "-ltn", f"src {address}:22"], capture_output=True, text=True, timeout=5
            )
            if f"{address}:22" in probe.stdout:
                break
            time.sleep(0.1)
        out = lab.run("ssh", "host0", "--", "echo", "hello-from-$(id -un)", timeout=30)
        if out.returncode != 0:
            sshd.terminate()
            log = sshd.communicate(timeout=10)[1].decode(errors="replace")
            raise AssertionError(f"{out.stdout}{out.stderr}\nsshd said:\n{log}")
        assert "hello-from-core" in out.stdout
        assert f"connecting to host0 ({address}) as core…" in out.stderr
        known = lab.home / "state" / "labs" / "e2e-lab" / "known_hosts"
        host_key = (work / "host_key.pub").read_text().split()[1]
        assert host_key in known.read_text(), "the host key is recorded in the lab's own file"
    finally:
        sshd.terminate()
        try:
            sshd.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sshd.kill()
            sshd.wait()
