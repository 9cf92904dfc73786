"""Bad settings, files and services cost one sentence, exit 1 or 2, and no writes (the
state file's own cases too).

The engine-level low ones too: AZURE_SUBSCRIPTION_ID and the emulator, a 401 from it,
--location of an existing lab, a corrupt state and down, the hints that name the lab.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid

import pytest

from tests.reliability.harness import BIN, User, one_sentence


def _refused(out: subprocess.CompletedProcess[str], user: User, code: int = 2) -> str:
    assert out.returncode == code, out.stdout[-1500:] + out.stderr
    assert one_sentence(out.stderr), out.stderr
    assert user.emulator.writes() == []
    assert not user.state_file().exists()
    return out.stderr


def _toml(user: User, text: str) -> None:
    (user.home / "coreos-lab.toml").write_text("[lab]\n" + text + "\n")


def test_toml_hosts_2_9_is_refused_not_truncated(alice: User) -> None:
    _toml(alice, "hosts = 2.9")
    err = _refused(alice.run("up", COREOS_LAB_HOSTS=""), alice)
    assert re.search(r"hosts in \S*coreos-lab\.toml", err) and "2.9" in err


def test_toml_ssh_key_5_is_refused_not_a_key_file_named_5(alice: User) -> None:
    _toml(alice, "ssh_key = 5")
    err = _refused(alice.run("up"), alice)
    assert re.search(r"ssh_key in \S*coreos-lab\.toml", err)
    assert not (alice.home / "5").exists()


def test_a_toml_value_that_fails_validation_names_the_file_not_a_flag(alice: User) -> None:
    _toml(alice, 'address_space = "10.0.0.0/33"')
    err = _refused(alice.run("up"), alice)
    assert re.search(r"address_space in \S*coreos-lab\.toml", err)
    assert "--address-space" not in err


def test_an_env_var_that_fails_validation_names_the_variable(alice: User) -> None:
    err = _refused(alice.run("up", COREOS_LAB_HOSTS="0"), alice)
    assert "COREOS_LAB_HOSTS" in err and "--hosts" not in err


def test_a_flag_that_fails_validation_still_names_the_flag(alice: User) -> None:
    err = _refused(alice.run("up", "--hosts", "0"), alice)
    assert "--hosts 0" in err


def test_config_dev_zero_does_not_hang(alice: User) -> None:
    err = _refused(alice.run("up", "--config", "/dev/zero", timeout=15), alice)
    assert "/dev/zero" in err and "not a regular file" in err


def test_config_fifo_does_not_hang(alice: User) -> None:
    fifo = alice.home / "settings.toml"
    os.mkfifo(fifo)
    err = _refused(alice.run("up", "--config", str(fifo), timeout=15), alice)
    assert str(fifo) in err


def test_config_of_binary_garbage_is_one_sentence(alice: User) -> None:
    (alice.home / "bad.toml").write_bytes(b"\xff\xfe[lab]\x00")
    err = _refused(alice.run("up", "--config", str(alice.home / "bad.toml")), alice)
    assert "not UTF-8" in err


@pytest.mark.parametrize(
    ("space", "what"), [("127.0.0.0/16", "loopback"), ("169.254.0.0/16", "link-local")]
)
def test_address_spaces_azure_refuses_are_refused_before_any_write(
    alice: User, space: str, what: str
) -> None:
    err = _refused(
        alice.run(
            "up",
            "--address-space",
            space,
            "--etcd-subnet",
            space.replace(".0.0/16", ".0.0/24"),
            "--host-subnet",
            space.replace(".0.0/16", ".1.0/24"),
        ),
        alice,
    )
    assert what in err and "--address-space" in err


def test_a_state_file_of_garbage_is_one_sentence_and_no_write(alice: User) -> None:
    alice.state_file().parent.mkdir(parents=True)
    alice.state_file().write_bytes(b"\x00\xff not json")
    out = alice.run("up")
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert str(alice.state_file()) in out.stderr
    assert alice.emulator.writes() == []
    assert alice.state_file().read_bytes() == b"\x00\xff not json", "left for the user to see"


def test_a_state_file_of_a_newer_coreos_lab_is_refused(alice: User) -> None:
    alice.state_file().parent.mkdir(parents=True)
    alice.state_file().write_text(json.dumps({"version": 99, "lab": alice.lab}))
    out = alice.run("up")
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert "upgrade coreos-lab" in out.stderr
    assert alice.emulator.writes() == []


def test_a_state_file_copied_from_another_lab_is_refused(alice: User) -> None:
    alice.state_file().parent.mkdir(parents=True)
    alice.state_file().write_text(json.dumps({"version": 1, "lab": "someone-else"}))
    out = alice.run("up")
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert "does not belong to lab" in out.stderr
    assert alice.emulator.writes() == []


def test_a_state_folder_that_is_a_file_is_one_sentence(alice: User) -> None:
    blocker = alice.home / "not-a-folder"
    blocker.write_text("")
    out = alice.run("up", COREOS_LAB_STATE_DIR=str(blocker))
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert str(blocker) in out.stderr
    assert alice.emulator.writes() == []


def test_no_emulator_running_is_one_sentence(alice: User) -> None:
    out = alice.run("up", COREOS_LAB_EMULATOR_DIR=str(alice.home / "no-emulator"))
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert "coreos-lab emulator" in out.stderr


def test_a_corrupt_state_file_does_not_block_down(alice: User) -> None:
    alice.up()
    alice.state_file().write_text("{ half a file")
    out = alice.run("down", "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert alice.emulator.group(alice.lab) is None


def test_azure_subscription_id_does_not_block_the_emulator(alice: User) -> None:
    out = alice.run("up", AZURE_SUBSCRIPTION_ID="00000000-0000-4000-8000-000000000002")
    assert out.returncode == 0, out.stdout[-1500:] + out.stderr
    assert alice.emulator.group(alice.lab) is not None


def test_a_401_from_the_emulator_does_not_say_az_login(alice: User) -> None:
    forged = alice.home / "forged-emulator"
    shutil.copytree(alice.emulator.state_dir, forged, ignore=shutil.ignore_patterns("*.log"))
    connection = json.loads((forged / "connection.json").read_text())
    connection["token"] = "not-the-token"
    (forged / "connection.json").write_text(json.dumps(connection))
    out = alice.run("up", COREOS_LAB_EMULATOR_DIR=str(forged))
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert "az login" not in out.stderr and "emulator" in out.stderr
    assert alice.emulator.writes() == []


def test_a_changed_location_of_an_existing_lab_is_caught_by_the_preflight(alice: User) -> None:
    alice.up()
    alice.emulator.admin.clear_requests()
    out = alice.run("up", "--location", "northeurope")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout[-1500:] + out.stderr
    assert "westeurope" in out.stderr and "northeurope" in out.stderr
    assert alice.emulator.writes(alice.lab) == []


def test_the_run_up_again_hint_names_this_lab(alice: User) -> None:
    alice.emulator.admin.configure(seed=1, faults={"lro_failed": 1.0})
    out = alice.run("up", "--name", alice.lab, "--cloud", "emulator")
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    hints = re.findall(r"`coreos-lab (?:up|down)[^`]*`", out.stderr)
    assert hints and all(f"--name {alice.lab}" in h and "--cloud emulator" in h for h in hints)


def test_sovereign_clouds_get_their_own_storage_suffix(alice: User) -> None:
    out = alice.run(
        "plan",
        "--cloud",
        "usgov",
        "--json",
        "--subscription",
        "00000000-0000-4000-8000-000000000003",
    )
    assert out.returncode == 0, out.stderr
    assert "blob.core.usgovcloudapi.net" in out.stdout and "blob.core.windows.net" not in out.stdout


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare"
)
def test_a_full_disk_under_the_state_folder_is_one_sentence(alice: User) -> None:
    # A 16 KiB tmpfs filled to the brim, in a mount namespace of the command's own: it goes
    # away with the command, whatever happens.
    full = alice.home / "full"
    full.mkdir()
    script = (
        f'mount -t tmpfs -o size=16k tmpfs "{full}" && '
        f'(head -c 1048576 /dev/zero > "{full}/fill" 2>/dev/null; true) && '
        f'COREOS_LAB_STATE_DIR="{full}/state" exec "$0" up'
    )
    out = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, str(BIN)],
        capture_output=True, text=True, env=alice.env, cwd=alice.home, timeout=60,
    )  # fmt: skip
    assert out.returncode == 1, out.stdout + out.stderr
    assert one_sentence(out.stderr), out.stderr
    assert "no space left on device" in out.stderr and "COREOS_LAB_STATE_DIR" in out.stderr
    assert alice.emulator.writes() == []


def test_an_ascii_only_output_is_one_sentence(alice: User) -> None:
    out = alice.run("plan", PYTHONIOENCODING="ascii")
    assert out.returncode == 1, out.stdout + out.stderr
    assert one_sentence(out.stderr), out.stderr
    assert "encoding (ascii)" in out.stderr and "PYTHONIOENCODING=utf-8" in out.stderr


def test_a_state_folder_open_to_everyone_is_made_private_with_a_warning(alice: User) -> None:
    assert alice.run("up").returncode == 0
    opened = [alice.state_root, alice.state_root / "labs" / alice.lab]
    for folder in opened:
        folder.chmod(0o777)
    out = alice.run("ips")
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("warning:") == 2 and "(mode 777)" in out.stderr, out.stderr
    assert all(folder.stat().st_mode & 0o777 == 0o700 for folder in opened)
    assert "warning" not in alice.run("ips").stderr


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare"
)
def test_up_without_a_sign_in_is_one_sentence_not_the_sdks_log(alice: User) -> None:
    # Public Azure with no credential at all, in a network namespace of its own with no
    # route anywhere: azure-identity's probes (IMDS, login) fail here and reach nothing.
    env = {k: v for k, v in alice.env.items() if not k.startswith("COREOS_LAB_EMULATOR")}
    env.update(COREOS_LAB_CLOUD="azure", COREOS_LAB_SUBSCRIPTION=str(uuid.UUID(int=1)))
    env["PATH"] = "/usr/bin:/bin"  # no az on it: AzureCliCredential is unavailable
    out = subprocess.run(
        ["unshare", "-n", str(BIN), "up"],
        capture_output=True, text=True, env=env, cwd=alice.home, timeout=120,
    )  # fmt: skip
    assert out.returncode != 0, out.stdout + out.stderr
    assert one_sentence(out.stderr), out.stderr
    assert "az login" in out.stderr and "EnvironmentCredential" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
