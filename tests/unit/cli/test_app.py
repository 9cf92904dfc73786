"""The command line as a person and a script meet it: help, plan, and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "coreos-lab"


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("COREOS_LAB_", "AZURE_"))}
    environ.update(HOME=str(home), COREOS_LAB_STATE_DIR=str(home / "state"), COLUMNS="120")
    # plan prices the lab: a closed loopback port, never prices.azure.com, from a test.
    environ.update(COREOS_LAB_PRICES_URL="https://127.0.0.1:1", **env)
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=environ, cwd=home, timeout=60
    )


COMMANDS = [
    "check",
    "class",
    "down",
    "emulator",
    "ips",
    "list",
    "logs",
    "plan",
    "ssh",
    "ssh-config",
    "up",
    "verify",
]


def test_help_lists_exactly_the_commands(tmp_path: Path) -> None:
    from typer.main import get_command

    from coreos_lab.cli.app import app

    assert sorted(get_command(app).commands) == COMMANDS  # type: ignore[attr-defined]
    out = run(["--help"], tmp_path)
    assert out.returncode == 0
    commands = out.stdout.split("Commands:\n", 1)[1].splitlines()
    assert sorted(line.split()[0] for line in commands if line.strip()) == COMMANDS
    assert run(["--version"], tmp_path).stdout.startswith("coreos-lab ")


def test_plan_help_explains_every_option_with_its_default(tmp_path: Path) -> None:
    out = run(["plan", "--help"], tmp_path).stdout
    for flag in ("--etcd", "--hosts", "--ssh-from", "--location", "--bootstrap", "--json"):
        assert flag in out
    assert "default: 3" in out and "COREOS_LAB_ETCD" in out


@pytest.mark.parametrize("args", [[], ["--help"], ["up", "--help"]])
def test_help_imports_neither_the_azure_sdk_nor_rich(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from coreos_lab.cli.app import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('azure', 'rich', 'coreos_lab.azure', 'cryptography')\n"
        "print([m for m in sys.modules if m.split('.')[0] in heavy or m in heavy], file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr


def test_plan_prints_the_whole_default_lab(tmp_path: Path) -> None:
    out = run(["plan", "--ssh-from", "203.0.113.7/32"], tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("coreos-lab-vnet", "coreos-lab-nsg", "etcd2-nic", "host1-ip", "host1"):
        assert name in out.stdout
    assert "Known only when up runs" in out.stdout
    assert not (tmp_path / ".ssh").exists(), "plan must not generate a key"


def test_plan_json_for_seven_etcd_and_five_hosts(tmp_path: Path) -> None:
    out = run(["plan", "--etcd", "7", "--hosts", "5", "--json"], tmp_path)
    data = json.loads(out.stdout)
    assert [m["name"] for m in data["machines"]][-1] == "host4"
    assert len(data["machines"]) == 12 and len(data["resources"]) == 40
    assert not data["complete"]
    vm = next(r for r in data["resources"] if r["name"] == "etcd6")
    assert vm["body"]["properties"]["osProfile"]["customData"].startswith("<Ignition")
    assert "networkInterface/etcd6-nic" in vm["depends_on"]
    # run() points the price list at a closed loopback port: a note, never a failure.
    assert not data["cost"]["available"] and data["cost"]["lab_per_hour"] is None
    assert data["cost"]["note"].startswith("prices unavailable: cannot reach https://127.0.0.1:1/")


def test_settings_come_from_env_and_toml(tmp_path: Path) -> None:
    (tmp_path / "coreos-lab.toml").write_text('[lab]\nhosts = 4\nname = "tomllab"\n')
    out = run(["plan", "--json"], tmp_path, COREOS_LAB_HOSTS="3")
    data = json.loads(out.stdout)
    assert data["lab"] == "tomllab" and len(data["machines"]) == 3 + 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--etcd", "4"], "even number"),
        (["--etcd", "1"], "3, 5 or 7"),
        (["--hosts", "0"], "at least one host"),
        (["--hosts", "x"], "--hosts"),
        (["--name", "UPPER"], "Lab name"),
        (["--location", "west europe"], "region"),
        (["--etcd-vm-size", "Standard_A2"], "retired"),
        (["--etcd-subnet", "10.0.1.0/24"], "overlap"),
        (["--host-subnet", "192.168.0.0/24"], "outside"),
        (["--ssh-from", "nowhere"], "--ssh-from"),
        (["--channel", "lts"], "--channel"),
        (["--storage-account", "UPPER"], "storage account"),
        (["--subscription", "nope"], "subscription id"),
        (["--bootstrap", "static", "--discovery-url", "https://d.example/x"], "exclude"),
        (["--ssh-public-key", "missing.pub"], "missing.pub"),
    ],
)
def test_bad_input_exits_2_with_one_sentence_and_no_traceback(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    out = run(["plan", *args], tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert needle in out.stderr
    assert "Traceback" not in out.stderr


def test_class_check_refuses_locations_that_are_not_region_names(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nalice\n")
    out = run(["class", "check", str(roster), "--locations", "westeurope,west europe"], tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "--locations: 'west europe' is not an Azure region name" in out.stderr
