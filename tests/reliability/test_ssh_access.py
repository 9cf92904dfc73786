"""SSH is never open to the whole Internet by accident, and what coreos-lab
writes for ssh is whole and survives paths with spaces (item 9).

ssh(1) itself checks the config blocks (`ssh -G` parses a config and connects nowhere).
"""

from __future__ import annotations

import json
import resource
import shlex
import shutil
import subprocess

import pytest

from tests.reliability.harness import BIN, Emulator, User, make_user, one_sentence


@pytest.mark.parametrize("source", ["0.0.0.0/0", "*", "10.0.0.0/7", "203.0.113.0/24,0.0.0.0/0"])
def test_ssh_open_to_the_internet_is_refused_before_anything_is_written(
    alice: User, source: str
) -> None:
    out = alice.run("up", "--ssh-from", source)
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "--ssh-from" in out.stderr and "'any'" in out.stderr
    assert alice.emulator.writes() == []
    assert not alice.key().exists() and not alice.state_file().exists()


def test_ssh_from_a_slash_8_is_still_accepted(alice: User) -> None:
    out = alice.run("plan", "--ssh-from", "10.0.0.0/8")
    assert out.returncode == 0, out.stderr
    assert "10.0.0.0/8" in out.stdout


def test_ssh_from_an_env_var_names_the_env_var(alice: User) -> None:
    out = alice.run("up", COREOS_LAB_SSH_FROM="0.0.0.0/0")
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "COREOS_LAB_SSH_FROM" in out.stderr and "--ssh-from" not in out.stderr
    assert alice.emulator.writes() == []


def test_ssh_from_any_warns_in_one_line_opens_the_rule_and_tags_the_nsg(alice: User) -> None:
    out = alice.up("--ssh-from", "any")
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "whole Internet" in warnings[0], out.stderr
    assert alice.emulator.nsg_rule(alice.lab)["sourceAddressPrefix"] == "*"
    (nsg,) = alice.emulator.resources(alice.lab, "Microsoft.Network/networkSecurityGroups")
    assert nsg["tags"].get("coreos-lab-ssh-open-to") == "any"


def test_several_ssh_sources_make_one_rule_kept_as_is_then_narrowed(alice: User) -> None:
    alice.up("--ssh-from", "203.0.113.0/24,198.51.100.7")
    rule = alice.emulator.nsg_rule(alice.lab)
    assert rule["sourceAddressPrefixes"] == ["203.0.113.0/24", "198.51.100.7/32"]
    assert not rule.get("sourceAddressPrefix")
    # The same sources again: the diff sees no change (the order and the /32 are kept).
    alice.emulator.admin.clear_requests()
    alice.up("--ssh-from", "203.0.113.0/24,198.51.100.7/32")
    assert alice.emulator.writes(alice.lab) == []
    # Back to one source: only the NSG is written.
    alice.up("--ssh-from", "203.0.113.0/24")
    puts = [r["path"] for r in alice.emulator.writes(alice.lab)]
    assert len(puts) == 1 and "/networkSecurityGroups/" in puts[0], puts
    assert alice.emulator.nsg_rule(alice.lab)["sourceAddressPrefix"] == "203.0.113.0/24"


# ---- files written whole; paths with spaces -------------------------------------------------


@pytest.fixture(scope="module")
def spaced(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> User:
    """One lab, built once for this module, whose key and state live under paths with spaces."""
    user = make_user(emulator, tmp_path_factory.mktemp("spaced") / "my home", "rl-spaced")
    user.env["COREOS_LAB_STATE_DIR"] = str(user.home / "lab state")
    (user.home / "my keys").mkdir(mode=0o700)
    user.env["COREOS_LAB_SSH_KEY"] = str(user.home / "my keys" / "lab key")
    user.up()
    return user


def test_ips_quotes_a_key_path_with_spaces_in_every_ssh_command(spaced: User) -> None:
    out = spaced.run("ips", "--json")
    assert out.returncode == 0, out.stderr
    for machine in json.loads(out.stdout):
        argv = shlex.split(machine["ssh"])
        assert argv[:3] == ["ssh", "-i", str(spaced.home / "my keys" / "lab key")], argv


def test_ssh_print_quotes_paths_with_spaces(spaced: User) -> None:
    out = spaced.run("ssh", "host0", "--print")
    assert out.returncode == 0, out.stderr
    argv = shlex.split(out.stdout)
    assert argv[argv.index("-i") + 1] == str(spaced.home / "my keys" / "lab key")
    assert f"UserKnownHostsFile={spaced.home / 'lab state'}" in " ".join(argv)


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH's ssh is not installed")
def test_ssh_config_block_with_spaces_is_read_by_ssh_as_meant(spaced: User) -> None:
    out = spaced.run("ssh-config")
    assert out.returncode == 0, out.stderr
    config = spaced.home / "block"
    config.write_text(out.stdout)
    parsed = subprocess.run(
        ["ssh", "-G", "-F", str(config), "host0"], capture_output=True, text=True, timeout=10
    )
    assert parsed.returncode == 0, parsed.stderr
    options = dict(line.split(" ", 1) for line in parsed.stdout.splitlines() if " " in line)
    assert options["identityfile"] == str(spaced.home / "my keys" / "lab key")
    assert (
        str(spaced.home / "lab state" / "labs" / "rl-spaced" / "known_hosts")
        in options["userknownhostsfile"]
    )


def test_ssh_config_write_keeps_the_rest_of_the_file_and_is_private(spaced: User) -> None:
    ssh_dir = spaced.home / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    config = ssh_dir / "config"
    config.write_text("Host elsewhere\n    User me\n")
    for _ in range(2):  # a second write replaces the lab's block, it does not add one
        out = spaced.run("ssh-config", "--write")
        assert out.returncode == 0, out.stderr
    text = config.read_text()
    assert text.count("# >>> coreos-lab rl-spaced >>>") == 1
    assert text.endswith("Host elsewhere\n    User me\n")
    assert config.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in ssh_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_ssh_config_write_keeps_a_symlinked_config_a_symlink(spaced: User) -> None:
    ssh_dir = spaced.home / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    real = spaced.home / "dotfiles-ssh-config"
    real.write_text("Host elsewhere\n")
    link = ssh_dir / "config"
    link.unlink(missing_ok=True)
    link.symlink_to(real)
    out = spaced.run("ssh-config", "--write")
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and "coreos-lab rl-spaced" in real.read_text()


def test_ssh_config_write_on_a_full_disk_leaves_the_old_config_whole(spaced: User) -> None:
    ssh_dir = spaced.home / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    config = ssh_dir / "config"
    config.unlink(missing_ok=True)
    old = "".join(f"Host old{i}\n    HostName 127.0.0.{i % 200 + 1}\n" for i in range(60))
    config.write_text(old)
    limit = len(old) + 200  # room for the old file, not for it plus the lab's block

    def small_disk() -> None:  # the kernel answers EFBIG past the limit, as a full disk would
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = subprocess.run(
        [str(BIN), "ssh-config", "--write"],
        capture_output=True,
        text=True,
        env=spaced.env,
        cwd=spaced.home,
        timeout=60,
        preexec_fn=small_disk,
    )
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert str(config) in out.stderr and "left as it was" in out.stderr
    assert config.read_text() == old, "the old config is whole"
    assert [p.name for p in ssh_dir.iterdir() if p.name.endswith(".tmp")] == []
