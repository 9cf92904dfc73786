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
    environ.update(HOME=str(home), COREOS_LAB_STATE_DIR=str(home / "state"), COLUMNS="120", **env)
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=environ, cwd=home, timeout=60
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    out = run(["--help"], tmp_path)
    assert out.returncode == 0
    for command in ("plan", "up", "ips", "down"):
        assert command in out.stdout
    assert run(["--version"], tmp_path).stdout.startswith("coreos-lab ")


def test_plan_help_explains_every_option_with_its_default(tmp_path: Path) -> None:
    out = run(["plan", "--help"], tmp_path).stdout
    for flag in ("--etcd", "--hosts", "--ssh-from", "--location", "--bootstrap", "--json"):
        assert flag in out
    assert "default: 3" in out and "COREOS_LAB_ETCD" in out


def test_start_up_imports_no_azure_sdk() -> None:
    code = "import sys, coreos_lab.cli; print([m for m in sys.modules if m.startswith('azure')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]"


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
