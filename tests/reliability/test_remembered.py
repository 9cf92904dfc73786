"""A lab remembers its settings, and takeovers are deliberate: later commands reach the lab
with its recorded key, cloud and subscription without the flags repeated; a setting that
contradicts the record is one sentence; `--adopt` takes over another user's lab and nothing
else.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from tests.reliability.harness import User, one_sentence


def _keygen(path: Path) -> None:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)]
    subprocess.run(keygen, check=True, capture_output=True)


# COREOS_LAB_CLOUD and COREOS_LAB_NAME emptied: the lab is named by flags only.
FLAGS_ONLY = {"COREOS_LAB_CLOUD": "", "COREOS_LAB_NAME": ""}


def test_later_commands_use_the_recorded_key_cloud_and_name_only(alice: User) -> None:
    key = alice.home / "keys" / "lab"
    env = FLAGS_ONLY
    up = alice.run("up", "--ssh-key", str(key), "--cloud", "emulator", "--name", alice.lab, **env)
    assert up.returncode == 0, up.stdout[-1500:] + up.stderr
    ips = alice.run("ips", "--name", alice.lab, "--json", **env)
    assert ips.returncode == 0, ips.stderr
    for machine in json.loads(ips.stdout):
        argv = shlex.split(machine["ssh"])
        assert argv[argv.index("-i") + 1] == str(key), argv
    ssh = alice.run("ssh", "--name", alice.lab, "--print", "host0", **env)
    assert ssh.returncode == 0, ssh.stderr
    assert shlex.split(ssh.stdout)[shlex.split(ssh.stdout).index("-i") + 1] == str(key)
    config = alice.run("ssh-config", "--name", alice.lab, **env)
    assert config.returncode == 0 and f"IdentityFile {key}\n" in config.stdout, config.stderr
    down = alice.run("down", "--name", alice.lab, "--yes", **env)
    assert down.returncode == 0, down.stderr
    assert alice.emulator.group(alice.lab) is None and not alice.state_file().exists()


def test_a_key_flag_that_contradicts_the_record_is_one_sentence(alice: User) -> None:
    _keygen(alice.home / "keys" / "other")
    alice.up()
    alice.emulator.admin.clear_requests()
    other = str(alice.home / "keys" / "other")
    for args in (("ips",), ("up",), ("ssh-config",), ("down", "--yes")):
        out = alice.run(*args, "--ssh-key", other)
        assert out.returncode == 2 and one_sentence(out.stderr), out.stdout[-1500:] + out.stderr
        assert "--ssh-key" in out.stderr and str(alice.key()) in out.stderr, out.stderr
    assert alice.emulator.writes(alice.lab) == []


def test_a_cloud_flag_that_contradicts_the_record_is_one_sentence(alice: User) -> None:
    alice.up()
    out = alice.run("ips", "--cloud", "azure")
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "--cloud emulator" in out.stderr, out.stderr


def test_up_with_another_key_than_the_vms_trust_ends_non_zero_and_writes_nothing(
    alice: User,
) -> None:
    other = alice.home / "keys" / "other"
    _keygen(other)
    alice.up()
    trusted = alice.run("ips", "--json")
    alice.state_file().unlink()  # no record: only the VMs know which key they trust
    alice.emulator.admin.clear_requests()
    out = alice.run("up", "--adopt", "--ssh-key", str(other))
    assert out.returncode == 1 and one_sentence(out.stderr), out.stdout[-1500:] + out.stderr
    assert out.stderr.count("SHA256:") == 2 and "already complete" not in out.stdout
    assert alice.emulator.writes(alice.lab) == []
    assert trusted.returncode == 0


def test_down_adopt_deletes_another_users_lab_deliberately(alice: User, bob: User) -> None:
    alice.up()
    refused = bob.run("down", "--yes")
    assert refused.returncode == 1 and "--adopt" in refused.stderr, refused.stderr
    out = bob.run("down", "--yes", "--adopt")
    assert out.returncode == 0, out.stdout + out.stderr
    assert alice.emulator.group(alice.lab) is None


def test_ips_adopt_records_the_lab_id_and_writes_nothing(alice: User, bob: User) -> None:
    alice.up()
    alice.emulator.admin.clear_requests()
    out = bob.run("ips", "--adopt")
    assert out.returncode == 0, out.stderr
    assert bob.state()["lab_id"] == alice.state()["lab_id"]
    assert alice.emulator.writes() == []
    assert bob.run("ips").returncode == 0, "adopted: no --adopt needed any more"


def test_a_group_from_before_lab_ids_is_tagged_by_the_next_up(alice: User) -> None:
    alice.up()
    state = alice.state()
    del state["lab_id"]
    alice.state_file().write_text(json.dumps(state))
    group = alice.emulator.sdk("resource").resource_groups.get(alice.lab)
    tags = {k: v for k, v in (group.tags or {}).items() if k != "coreos-lab-id"}
    alice.emulator.sdk("resource").resource_groups.create_or_update(
        alice.lab, {"location": group.location, "tags": tags}
    )
    alice.emulator.admin.clear_requests()
    alice.up()
    lab_id = alice.state()["lab_id"]
    assert alice.emulator.group(alice.lab)["tags"]["coreos-lab-id"] == lab_id
    writes = alice.emulator.writes(alice.lab)
    assert len(writes) == 1 and writes[0]["method"] == "PUT", writes


def test_a_class_keeps_its_cloud_when_a_lab_has_no_readable_state(alice: User) -> None:
    """A class's cloud is the class's: with one lab not built, one state file truncated, and
    after class down (no lab state left), the class commands still look in the emulator the
    class was built in, and name the missing lab as missing."""
    import subprocess

    from tests.reliability.harness import BIN

    prefix = alice.lab
    built = alice.home / "built.csv"
    built.write_text("student\nann\nbea\n")
    roster = alice.home / "roster.csv"
    roster.write_text("student\nann\nbea\ncid\n")
    up = alice.run("class", "up", str(built), "--prefix", prefix, "--cloud", "emulator")
    assert up.returncode == 0, up.stdout[-1500:] + up.stderr
    env = {k: v for k, v in alice.env.items() if k != "COREOS_LAB_CLOUD"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args], capture_output=True, text=True, env=env, cwd=alice.home, timeout=120
        )

    ips = run("class", "ips", str(roster), "--prefix", prefix)
    assert ips.returncode == 0, ips.stdout + ips.stderr
    assert "No Azure subscription" not in ips.stderr
    assert any(line.startswith(f"cid\t{prefix}-cid\t-") for line in ips.stdout.splitlines())
    truncated = alice.state_root / "labs" / f"{prefix}-bea" / "state.json"
    whole = truncated.read_text()
    truncated.write_text(whole[:20])
    ips = run("class", "ips", str(roster), "--prefix", prefix)
    assert "No Azure subscription" not in ips.stderr, ips.stderr
    assert f"{prefix}-ann" in ips.stdout and f"{prefix}-bea" in ips.stdout, ips.stdout
    truncated.write_text(whole)
    for _ in range(2):  # the second finds nothing, in the same emulator
        down = run("class", "down", str(built), "--prefix", prefix, "--yes")
        assert down.returncode == 0, down.stdout + down.stderr
        assert "No Azure subscription" not in down.stderr
    assert alice.emulator.group(f"{prefix}-ann") is None
