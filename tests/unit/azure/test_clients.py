"""Clients for each cloud: the SDK's own cloud settings choose endpoint and token scope."""

from __future__ import annotations

import json

import pytest

from coreos_lab.azure.clients import Clients, emulator_target, resolve_target
from coreos_lab.emulator.client import AdminClient, Connection
from coreos_lab.errors import UsageError

SUB = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("cloud", "endpoint", "authority"),
    [
        ("azure", "https://management.azure.com", "login.microsoftonline.com"),
        ("usgov", "https://management.usgovcloudapi.net", "login.microsoftonline.us"),
        ("china", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    ],
)
def test_each_cloud_gets_its_endpoint_scope_and_authority(
    cloud: str, endpoint: str, authority: str
) -> None:
    target = resolve_target(cloud, SUB, environ={})
    assert target.endpoint == endpoint
    clients = Clients(target)
    network = clients.network
    assert network._config.base_url.rstrip("/") == endpoint
    assert network._config.credential_scopes == [target.scope]
    assert target.scope.startswith("https://management.") and target.scope.endswith("/.default")
    # DefaultAzureCredential passes the authority down its chain; the shared token cache
    # credential keeps it where it can be read.
    from azure.identity import SharedTokenCacheCredential

    cache = next(
        c for c in target.credential.credentials if isinstance(c, SharedTokenCacheCredential)
    )
    assert cache._credential._authority == f"https://{authority}"
    clients.close()


def test_subscription_comes_from_flag_then_env_then_cli(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    assert resolve_target("azure", SUB, environ={}).subscription_id == SUB
    other = "99999999-2222-3333-4444-555555555555"
    assert (
        resolve_target("azure", "", environ={"AZURE_SUBSCRIPTION_ID": other}).subscription_id
        == other
    )
    (tmp_path / "azureProfile.json").write_text(
        "\ufeff" + json.dumps({"subscriptions": [{"id": SUB, "isDefault": True}]}),
        encoding="utf-8",
    )
    assert resolve_target("azure", "", environ={}).subscription_id == SUB
    (tmp_path / "azureProfile.json").unlink()
    with pytest.raises(UsageError, match="az login"):
        resolve_target("azure", "", environ={})


def test_a_name_check_whose_connection_drops_is_sent_again(
    emulator: Connection, admin: AdminClient
) -> None:
    """The preflight's one POST is a read: a dropped connection must not stop a class."""
    from azure.core.exceptions import ServiceResponseError

    from coreos_lab.azure.preflight.reads import CALL_TIMEOUTS, READ_POST

    body = {"name": "dropcheck0001", "type": "Microsoft.Storage/storageAccounts"}
    clients = Clients(emulator_target(emulator))
    try:
        admin.configure(seed=7, faults={"dropped": 0.5})  # dropped, dropped, answered, ...
        # azure-core's default: a POST whose connection drops is not sent again.
        with pytest.raises(ServiceResponseError):
            clients.storage.storage_accounts.check_name_availability(body, **CALL_TIMEOUTS)
        admin.clear_requests()
        admin.configure(seed=7)
        answer = clients.storage.storage_accounts.check_name_availability(body, **READ_POST)
    finally:
        admin.configure(faults={"dropped": 0.0})
        clients.close()
    assert answer.name_available
    assert [r.get("fault") for r in admin.requests_log()] == ["dropped", "dropped", None]
