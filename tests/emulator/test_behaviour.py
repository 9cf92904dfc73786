"""Faults, throttling, the request log, persistence across a restart, and the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from typer.testing import CliRunner

from coreos_lab.emulator.client import (
    AdminClient,
    EmulatorError,
    load_connection,
    running_emulator,
)
from coreos_lab.emulator.command import emulator

from . import lab
from .conftest import client_kwargs


def test_sdk_retry_policy_recovers_from_429_and_5xx(connection: Any, admin: Any) -> None:
    # azure-core retries 429/500/503 itself; retry_status (default 3) is raised for a 30% rate
    kw = client_kwargs(connection, retry_total=10, retry_status=10)
    cred, sub = connection.credential(), connection.subscription_id
    resource = ResourceManagementClient(cred, sub, **kw)
    network = NetworkManagementClient(cred, sub, **kw)
    admin.configure(faults={"throttled": 0.1, "server_error": 0.1, "unavailable": 0.1}, seed=7)
    lab.group(resource)
    vnet = lab.vnet(network)
    assert vnet.provisioning_state == "Succeeded"
    for _ in range(20):
        assert network.virtual_networks.get("lab", "lab-vnet").id == vnet.id
    faults = [r for r in admin.requests_log() if r["fault"]]
    assert {r["status"] for r in faults} == {429, 500, 503}


def test_sdk_recovers_from_dropped_connections(connection: Any, resource: Any, admin: Any) -> None:
    lab.group(resource)
    admin.configure(faults={"dropped": 0.3}, seed=3)
    client = ResourceManagementClient(
        connection.credential(), connection.subscription_id, **client_kwargs(connection)
    )
    for _ in range(5):
        assert client.resource_groups.get("lab").name == "lab"
    assert any(r["fault"] == "dropped" for r in admin.requests_log())


def test_failed_lro_surfaces_as_sdk_error(resource: Any, network: Any, admin: Any) -> None:
    lab.group(resource)
    admin.configure(faults={"lro_failed": 1.0})
    with pytest.raises(HttpResponseError) as failed:
        lab.nsg(network)
    assert failed.value.error.code == "InternalServerError"
    assert network.network_security_groups.get("lab", "lab-nsg").provisioning_state == "Failed"


def test_throttling_headers_and_429(raw: Any, admin: Any) -> None:
    admin.configure(throttling={"enabled": True, "reads": [3, 0.5], "writes": [200, 10]})
    path = "/subscriptions/{sub}/resourcegroups"
    answers = [raw("GET", path, api_version="2025-04-01") for _ in range(4)]
    remaining = [a.headers.get("x-ms-ratelimit-remaining-subscription-reads") for a in answers]
    assert remaining[:3] == ["2", "1", "0"]
    assert answers[3].status_code == 429 and int(answers[3].headers["Retry-After"]) >= 1
    write = raw(
        "PUT",
        "/subscriptions/{sub}/resourcegroups/t",
        {"location": "westeurope"},
        api_version="2025-04-01",
    )
    assert write.headers["x-ms-ratelimit-remaining-subscription-writes"] == "199"


def test_request_log_classifies_kinds(resource: Any, storage: Any, admin: Any) -> None:
    from azure.mgmt.storage import models as sm

    admin.clear_requests()
    lab.group(resource)
    resource.resource_groups.get("lab")
    storage.storage_accounts.check_name_availability(
        sm.StorageAccountCheckNameAvailabilityParameters(
            name="abc123", type="Microsoft.Storage/storageAccounts"
        )
    )
    resource.resource_groups.begin_delete("lab").result()
    log = admin.requests_log()
    kinds = [(r["method"], r["kind"]) for r in log[:4]]
    assert kinds == [("PUT", "write"), ("GET", "read"), ("POST", "read"), ("DELETE", "delete")]
    first = log[0]
    assert set(first) >= {"time", "method", "path", "query", "status", "duration_ms", "kind"}
    assert first["status"] == 201 and "api-version=" in first["query"]
    assert not any(r["path"].startswith("/_emulator") for r in log)
    admin.clear_requests()
    assert admin.requests_log() == []


def test_state_survives_restart(tmp_path: Path) -> None:
    with running_emulator(tmp_path) as first:
        cred = first.credential()
        network = NetworkManagementClient(cred, first.subscription_id, **client_kwargs(first))
        resource = ResourceManagementClient(cred, first.subscription_id, **client_kwargs(first))
        lab.group(resource)
        lab.vnet(network)
    assert not (tmp_path / "connection.json").exists()
    with pytest.raises(EmulatorError, match="No emulator is running"):
        load_connection(tmp_path)
    with running_emulator(tmp_path) as second:
        assert second.subscription_id == first.subscription_id
        assert second.token == first.token
        cred = second.credential()
        network = NetworkManagementClient(cred, second.subscription_id, **client_kwargs(second))
        assert network.virtual_networks.get("lab", "lab-vnet").subnets[0].name == "default"
        state = AdminClient(second).state()
        assert "lab" in state["groups"]


def test_command_help_and_light_import() -> None:
    app = typer.Typer()
    app.command("emulator")(emulator)
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["emulator", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for text in ("--cloud emulator", "connection_verify", "--latency-scale", "--port"):
        assert text in result.output
    code = (
        "import sys, coreos_lab.emulator.command, coreos_lab.emulator.client;"
        "assert 'aiohttp' not in sys.modules and 'cryptography' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
