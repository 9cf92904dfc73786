"""The emulator guards itself: its admin API, its state file, its folder, its inputs, its log.

Each case runs the real ``coreos-lab emulator`` command (or its subprocess harness) and talks
to it over HTTPS, as a user or the SDK would.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.mgmt.resource.resources import ResourceManagementClient

from coreos_lab.emulator.client import (
    CONNECTION_FILE,
    AdminClient,
    EmulatorError,
    running_emulator,
)

from . import lab
from .conftest import client_kwargs

BIN = Path(sys.executable).parent / "coreos-lab"


def emulator_command(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "emulator", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_admin_api_needs_the_bearer_token(tmp_path: Path) -> None:
    with running_emulator(tmp_path) as conn:
        context = ssl.create_default_context(cafile=conn.ca_cert)
        for header in ({}, {"Authorization": "Bearer wrong"}):
            request = urllib.request.Request(
                f"{conn.endpoint}/_emulator/state", method="GET", headers=header
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, context=context, timeout=10)
            assert refused.value.code == 401
            assert json.loads(refused.value.read())["error"]["code"] in (
                "AuthenticationFailed",
                "InvalidAuthenticationToken",
            )
        admin = AdminClient(conn)
        assert admin.state()["groups"] == {}  # with connection.json's token
        for root in ("", "/"):
            assert admin._call("GET", root)["subscription_id"] == conn.subscription_id


def test_state_file_is_0600_whatever_the_folder_mode(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    old = os.umask(0)
    try:
        with running_emulator(folder) as conn:
            resource = ResourceManagementClient(
                conn.credential(), conn.subscription_id, **client_kwargs(conn)
            )
            lab.group(resource)  # a write: the state is saved again
            assert (folder / "state.json").stat().st_mode & 0o777 == 0o600
            assert (folder / CONNECTION_FILE).stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert (folder / "state.json").stat().st_mode & 0o777 == 0o600


def test_second_emulator_on_a_folder_refuses_and_keeps_the_first(tmp_path: Path) -> None:
    with running_emulator(tmp_path) as first:
        before = (tmp_path / CONNECTION_FILE).read_text()
        sentence = one_sentence(emulator_command("--state-dir", str(tmp_path)))
        assert "already running" in sentence and str(tmp_path) in sentence
        assert first.endpoint in sentence
        assert (tmp_path / CONNECTION_FILE).read_text() == before
        assert AdminClient(first).state()["groups"] == {}


def test_port_out_of_range_is_refused_without_traceback(tmp_path: Path) -> None:
    result = emulator_command("--state-dir", str(tmp_path), "--port", "99999")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "--port" in result.stderr and "65535" in result.stderr
    assert not (tmp_path / "state.json").exists()


def test_bad_config_json_is_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"quotas": ')
    sentence = one_sentence(emulator_command("--state-dir", str(tmp_path), "--config", str(config)))
    assert str(config) in sentence and "JSON" in sentence
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"no_such_key": 1}')
    sentence = one_sentence(
        emulator_command("--state-dir", str(tmp_path), "--config", str(unknown))
    )
    assert "no_such_key" in sentence


def test_corrupt_state_is_one_sentence_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text('{"subscription_id": "x", ')
    sentence = one_sentence(emulator_command("--state-dir", str(tmp_path)))
    assert str(tmp_path / "state.json") in sentence
    assert (tmp_path / "state.json").read_text() == '{"subscription_id": "x", '
    assert not (tmp_path / CONNECTION_FILE).exists()


def test_a_dropped_connection_is_one_log_line(tmp_path: Path) -> None:
    with running_emulator(tmp_path, fault_dropped=1.0) as conn:
        resource = ResourceManagementClient(
            conn.credential(), conn.subscription_id, **client_kwargs(conn, retry_total=0)
        )
        with pytest.raises((ServiceRequestError, ServiceResponseError)):
            resource.resource_groups.get("lab")
        assert [r["status"] for r in AdminClient(conn).requests_log()] == [0]
    log = (tmp_path / "emulator.log").read_text()
    assert "Traceback" not in log
    dropped = [line for line in log.splitlines() if "(emulated fault)" in line]
    assert len(dropped) == 1, log
    assert "GET /subscriptions/" in dropped[0]


def test_public_ips_stay_on_loopback(tmp_path: Path) -> None:
    with running_emulator(tmp_path) as conn:
        admin = AdminClient(conn)
        assert admin.config()["public_ip_prefix"] == "127.77.0.0/16"
        for outside in ("198.51.100.0/24", "10.0.0.0/8", "127.0.0.0/30"):
            with pytest.raises(EmulatorError, match="public_ip_prefix"):
                admin.configure(public_ip_prefix=outside)
        assert (
            admin.configure(public_ip_prefix="127.5.0.0/24")["public_ip_prefix"] == "127.5.0.0/24"
        )


def test_no_emulator_names_the_folder_and_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COREOS_LAB_", "AZURE_"))}
    env["HOME"] = str(tmp_path)
    default = tmp_path / ".local" / "state" / "coreos-lab" / "emulator"
    chosen = tmp_path / "elsewhere"
    for extra, folder in (({}, default), ({"COREOS_LAB_EMULATOR_DIR": str(chosen)}, chosen)):
        result = subprocess.run(
            [str(BIN), "ips", "--cloud", "emulator"],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=tmp_path,
            timeout=60,
        )
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert "No emulator is running" in result.stderr
        assert str(folder) in result.stderr and "COREOS_LAB_EMULATOR_DIR" in result.stderr


def test_harness_waits_for_its_own_connection_file(tmp_path: Path) -> None:
    stale = {"endpoint": "https://127.0.0.1:1", "ca_cert": "x", "subscription_id": "s"}
    stale |= {"tenant_id": "t", "token": "k", "pid": 1}
    (tmp_path / CONNECTION_FILE).write_text(json.dumps(stale))
    with running_emulator(tmp_path) as conn:
        assert conn.endpoint != stale["endpoint"] and conn.pid != 1
        assert AdminClient(conn).state()["groups"] == {}


def test_a_regular_file_as_the_state_folder_is_one_sentence(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("mine\n")
    sentence = one_sentence(emulator_command("--state-dir", str(taken)))
    assert str(taken) in sentence and "--state-dir" in sentence
    assert taken.read_text() == "mine\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--latency-scale", "-1"),
        ("--fault-rate", "1.5"),
        ("--fault-dropped", "-0.1"),
        ("--vcpu-quota", "-4"),
        ("--family-quota", "-1"),
        ("--fault-rate", "0.9", "--fault-dropped", "0.5"),
    ],
)
def test_settings_no_emulated_azure_could_have_are_refused(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = emulator_command("--state-dir", str(tmp_path), *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert args[-2] in result.stderr or "add up to" in result.stderr, result.stderr
    assert not (tmp_path / "state.json").exists()


@pytest.mark.parametrize(
    "config",
    [
        '{"faults": {"throttled": 2}}',
        '{"faults": {"throttled": 0.6, "dropped": 0.6}}',
        '{"quotas": {"cores": -1}}',
        '{"quotas_by_location": {"westeurope": {"cores": "many"}}}',
    ],
)
def test_a_config_no_emulated_azure_could_have_is_one_sentence(tmp_path: Path, config: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(config)
    sentence = one_sentence(emulator_command("--state-dir", str(tmp_path), "--config", str(path)))
    assert "fault rate" in sentence or "quota" in sentence, sentence
