"""One place that builds the Azure SDK clients for a target: a real cloud or the emulator.

The SDKs are imported here, when a command needs them, never at CLI start-up.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.clouds import EMULATOR, Cloud, cloud_of

if TYPE_CHECKING:
    from coreos_lab.azure.budget import Budget, PacedPolling
    from coreos_lab.emulator.client import Connection


# The shortest time between two polls of one long-running operation; with many in flight the
# budget spaces them further (budget.PacedPolling). The SDK's default of 30 s alone would add
# up to half a minute to every step of the DAG.
POLLING_INTERVAL = 2.0
EMULATOR_POLLING_INTERVAL = 0.05
# Connections each SDK client keeps open to ARM; more requests at once wait for one (rather
# than opening connections that urllib3 would throw away, with a warning, after each use).
CONNECTIONS = 64


@dataclass(frozen=True)
class Target:
    """Where to send requests and how to authenticate.

    For real clouds, ``cloud_setting`` (an ``azure.core.AzureClouds``) lets the SDK choose the
    ARM endpoint and token scope itself; ``endpoint`` and ``scope`` repeat them for messages.
    """

    cloud: str
    endpoint: str
    scope: str
    subscription_id: str
    credential: Any
    verify: str | bool = True
    polling_interval: float = POLLING_INTERVAL
    cloud_setting: Any = None

    @property
    def row(self) -> Cloud:
        """The cloud's row, which answers what differs between clouds."""
        return cloud_of(self.cloud)


def resolve_target(cloud: str, subscription: str, environ: dict[str, str] | None = None) -> Target:
    """The target for ``--cloud``: the emulator's connection file, or a real cloud."""
    environ = dict(os.environ) if environ is None else environ
    spec = cloud_of(cloud)
    if spec.sdk_name is None:
        from coreos_lab.emulator.client import EmulatorError, load_connection

        try:
            conn = load_connection()
        except EmulatorError as exc:
            raise LabError(str(exc)) from None
        if subscription and subscription.lower() != conn.subscription_id.lower():
            raise UsageError(
                f"The emulator serves subscription {conn.subscription_id}, not {subscription}; "
                "drop --subscription when using --cloud emulator."
            )
        return emulator_target(conn)
    from azure.core import AzureClouds
    from azure.mgmt.core.tools import get_arm_endpoints

    cloud_setting = getattr(AzureClouds, spec.sdk_name)
    endpoints = get_arm_endpoints(cloud_setting)
    subscription_id = subscription or environ.get("AZURE_SUBSCRIPTION_ID") or _cli_subscription()
    if not subscription_id:
        raise UsageError(
            "No Azure subscription is selected: pass --subscription, set AZURE_SUBSCRIPTION_ID, "
            "or run 'az login' and 'az account set --subscription <id>'."
        )
    from azure.identity import DefaultAzureCredential

    credential = DefaultAzureCredential(authority=spec.authority)
    return Target(
        cloud,
        str(endpoints["resource_manager"]).rstrip("/"),
        str(endpoints["credential_scopes"][0]),
        subscription_id,
        credential,
        cloud_setting=cloud_setting,
    )


def emulator_target(conn: Connection) -> Target:
    """The target for a running emulator, from its connection file's values."""
    from coreos_lab.emulator.client import CREDENTIAL_SCOPE

    return Target(
        cloud=EMULATOR,
        endpoint=conn.endpoint,
        scope=CREDENTIAL_SCOPE,
        subscription_id=conn.subscription_id,
        credential=conn.credential(),
        verify=conn.ca_cert,
        polling_interval=EMULATOR_POLLING_INTERVAL,
    )


def _cli_subscription() -> str | None:
    """The Azure CLI's default subscription, from its profile file, if the CLI is set up."""
    config_dir = Path(os.environ.get("AZURE_CONFIG_DIR", "~/.azure")).expanduser()
    try:
        # The CLI writes this file with a UTF-8 byte-order mark.
        profile = json.loads((config_dir / "azureProfile.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None
    for sub in profile.get("subscriptions", []):
        if sub.get("isDefault"):
            return str(sub.get("id"))
    return None


class Clients:
    """The management clients for one target, each built on first use.

    Safe to share between threads: a lock guards the first use of each client (functools'
    cached_property has no lock since Python 3.12), and the SDK clients themselves may be
    used from several threads.
    """

    def __init__(
        self, target: Target, *, retry_total: int = 10, budget: Budget | None = None
    ) -> None:
        from coreos_lab.azure.budget import Budget

        self.target = target
        # One budget for every client: ARM's buckets are the subscription's, not a client's.
        self.budget: Budget = budget or Budget()
        self._lock = threading.Lock()
        self._built: dict[str, Any] = {}
        self._kwargs: dict[str, Any] = {
            "connection_verify": target.verify,
            "polling_interval": target.polling_interval,
            # azure-core's RetryPolicy already honours Retry-After on 429 and 5xx; tune it
            # rather than writing another retry loop.
            "retry_total": retry_total,
            # azure-core stops after 3 retries on a status (429, 5xx) by default; a busy
            # subscription can answer 429 more often than that within one up.
            "retry_status": retry_total,
            "retry_backoff_factor": target.row.retry_backoff,
            "retry_backoff_max": target.row.retry_backoff_max,
        }
        if target.cloud_setting is not None:
            self._kwargs["cloud_setting"] = target.cloud_setting
        else:
            self._kwargs.update(base_url=target.endpoint, credential_scopes=[target.scope])

    @property
    def subscription_id(self) -> str:
        return self.target.subscription_id

    def _client(self, name: str) -> Any:
        with self._lock:
            client = self._built.get(name)
            if client is None:
                client = self._built[name] = self._build(name)
            return client

    def polling(self) -> PacedPolling:
        """A polling method for one long-running operation, paced by the budget."""
        from coreos_lab.azure.budget import PacedPolling

        return PacedPolling(
            self.budget,
            self.target.polling_interval,
            path_format_arguments={"endpoint": self.target.endpoint},
        )

    def _build(self, name: str) -> Any:
        return self._build_client(name, **self._kwargs, **self._pipeline())

    def _pipeline(self) -> dict[str, Any]:
        """The budget as the clients' hook policy, and a transport with a larger pool."""
        import requests
        from azure.core.pipeline.transport import RequestsTransport
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        from coreos_lab.azure.budget import BudgetPolicy

        session = requests.Session()
        # As azure-core's own session: retries are the pipeline's RetryPolicy's job.
        adapter = HTTPAdapter(
            pool_connections=4,
            pool_maxsize=CONNECTIONS,
            pool_block=True,
            max_retries=Retry(total=False, redirect=False, raise_on_status=False),
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return {
            "custom_hook_policy": BudgetPolicy(self.budget),
            "transport": RequestsTransport(
                session=session, session_owner=True, connection_verify=self.target.verify
            ),
        }

    def _build_client(self, name: str, **kwargs: Any) -> Any:
        credential, sub = self.target.credential, self.subscription_id
        if name == "resource":
            from azure.mgmt.resource.resources import ResourceManagementClient

            return ResourceManagementClient(credential, sub, **kwargs)
        if name == "network":
            from azure.mgmt.network import NetworkManagementClient

            return NetworkManagementClient(credential, sub, **kwargs)
        if name == "compute":
            from azure.mgmt.compute import ComputeManagementClient

            return ComputeManagementClient(credential, sub, **kwargs)
        if name == "storage":
            from azure.mgmt.storage import StorageManagementClient

            return StorageManagementClient(credential, sub, **kwargs)
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(credential, **kwargs)

    @property
    def resource(self) -> Any:
        return self._client("resource")

    @property
    def network(self) -> Any:
        return self._client("network")

    @property
    def compute(self) -> Any:
        return self._client("compute")

    @property
    def storage(self) -> Any:
        return self._client("storage")

    @property
    def subscriptions(self) -> Any:
        return self._client("subscriptions")

    def close(self) -> None:
        with self._lock:
            built, self._built = self._built, {}
        for client in built.values():
            client.close()


def connect(cloud: str, subscription: str) -> Clients:
    try:
        return Clients(resolve_target(cloud, subscription))
    except ImportError as exc:  # pragma: no cover - a broken install
        raise LabError(f"The Azure SDK is not installed ({exc}); run 'make install'.") from None
