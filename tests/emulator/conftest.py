"""Fixtures: one emulator subprocess per test module, reset between tests, real SDK clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

from coreos_lab.emulator.client import AdminClient, Connection, running_emulator

LOCATION = "westeurope"


@pytest.fixture(scope="module")
def emulator_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("emulator")


@pytest.fixture(scope="module")
def connection(emulator_dir: Path) -> Iterator[Connection]:
    with running_emulator(emulator_dir, latency_scale=0.01, throttling=False) as conn:
        yield conn


@pytest.fixture(scope="module")
def admin(connection: Connection) -> AdminClient:
    return AdminClient(connection)


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    if "connection" in request.fixturenames:
        request.getfixturevalue("admin").reset()


def client_kwargs(conn: Connection, **extra: Any) -> dict[str, Any]:
    return {
        **conn.client_kwargs(),
        "polling_interval": 0.05,
        "retry_backoff_factor": 0.01,
        **extra,
    }


@pytest.fixture(scope="module")
def clients(connection: Connection) -> dict[str, Any]:
    cred = connection.credential()
    sub = connection.subscription_id
    kw = client_kwargs(connection)
    return {
        "resource": ResourceManagementClient(cred, sub, **kw),
        "network": NetworkManagementClient(cred, sub, **kw),
        "compute": ComputeManagementClient(cred, sub, **kw),
        "storage": StorageManagementClient(cred, sub, **kw),
    }


@pytest.fixture
def resource(clients: dict[str, Any]) -> ResourceManagementClient:
    return clients["resource"]


@pytest.fixture
def network(clients: dict[str, Any]) -> NetworkManagementClient:
    return clients["network"]


@pytest.fixture
def compute(clients: dict[str, Any]) -> ComputeManagementClient:
    return clients["compute"]


@pytest.fixture
def storage(clients: dict[str, Any]) -> StorageManagementClient:
    return clients["storage"]


class Raw:
    """Plain HTTPS requests to the emulator, for the headers the SDK hides."""

    def __init__(self, conn: Connection) -> None:
        import requests

        self.conn = conn
        self.session = requests.Session()
        self.session.verify = conn.ca_cert

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        api_version: str = "2026-03-01",
        token: str | None = "default",
        url: str | None = None,
    ) -> Any:
        headers = {}
        if token == "default":
            headers["Authorization"] = f"Bearer {self.conn.token}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        path = path.replace("{sub}", self.conn.subscription_id)
        target = url or f"{self.conn.endpoint}{path}"
        params = None if url or "api-version" in path else {"api-version": api_version}
        return self.session.request(
            method,
            target,
            params=params,
            json=body,
            headers=headers,
            timeout=10,
            verify=self.conn.ca_cert,
        )


@pytest.fixture(scope="module")
def raw(connection: Connection) -> Raw:
    return Raw(connection)


RG_PATH = "/subscriptions/{sub}/resourceGroups/lab"
NET_PATH = RG_PATH + "/providers/Microsoft.Network"
