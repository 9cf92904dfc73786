"""The state every handler works on, and the rules shared by all providers.

A handler receives a :class:`Call` (the parsed request) and the :class:`Backend`, applies the
provider's rules (in ``models/``) and returns an :class:`~.envelope.Reply`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from .config import Settings
from .envelope import Json
from .errors import (
    AnotherOperationInProgress,
    BadRequest,
    InternalServerError,
    ResourceGroupBeingDeleted,
    ResourceGroupNotFound,
    SubscriptionNotFound,
)
from .store import Operation, Record, Store

# The error an injected LRO failure ends with, per provider (codes seen in Azure answers).
INJECTED_FAILURE = {
    "Microsoft.Compute": (
        "AllocationFailed",
        "Allocation failed. We do not have sufficient "
        "capacity for the requested VM size in this region (emulated fault).",
    ),
    "Microsoft.Network": ("InternalServerError", "An error occurred (emulated fault)."),
    "Microsoft.Storage": ("InternalServerError", "An error occurred (emulated fault)."),
    "Microsoft.Resources": ("InternalServerError", "An error occurred (emulated fault)."),
}


@dataclass
class Call:
    """A parsed ARM request."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]  # keys lower-cased
    body: Any
    base: str  # https://host:port, as the client addressed us
    api_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sub(self) -> str:
        return self.params["sub"]

    def json_body(self) -> Json:
        if not isinstance(self.body, dict):
            raise BadRequest(
                "The request content was invalid and could not be deserialized.",
                code="InvalidRequestContent",
            )
        return self.body


class Backend:
    """Store plus settings, and the checks every provider makes."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def check_subscription(self, sub: str) -> None:
        if sub.lower() != self.store.subscription_id.lower():
            raise SubscriptionNotFound(f"The subscription '{sub}' could not be found.")

    def group(self, call: Call, *, writing: bool) -> Record:
        """The call's resource group; 404 if missing, 409 for writes while it is deleted."""
        self.check_subscription(call.sub)
        name = call.params["rg"]
        record = self.store.group(name)
        if record is None:
            raise ResourceGroupNotFound(f"Resource group '{name}' could not be found.")
        if writing and record.properties.get("provisioningState") == "Deleting":
            raise ResourceGroupBeingDeleted(
                f"The resource group '{record.body['name']}' is in deprovisioning state and "
                "cannot perform this operation."
            )
        return record

    def check_idle(self, rid: str) -> None:
        """Refuse a write on a resource whose previous operation has not finished."""
        op = self.store.pending(rid)
        if op is not None:
            name = rid.rsplit("/", 1)[-1]
            raise AnotherOperationInProgress(
                f"Operation on resource '{name}' cannot be performed because another operation "
                f"'{op.id}' ({op.action}) on it is still in progress.",
            )

    def begin(
        self,
        record: Record,
        provider: str,
        location: str,
        action: str,
        *,
        cascade: list[str] | None = None,
        vms: int = 0,
        duration: float | None = None,
    ) -> Operation:
        """Start a long-running operation on ``record``; it may be chosen to fail."""
        import time

        start = time.time()
        seconds = duration
        if seconds is None:
            seconds = self.settings.latency.duration(record.type, action, vms)
        error: Json | None = None
        if self.settings.faults.lro_fails():
            code, message = INJECTED_FAILURE.get(provider, INJECTED_FAILURE["Microsoft.Network"])
            error = {"code": code, "message": message, "details": []}
        op = Operation(
            id=str(uuid.uuid4()),
            provider=provider,
            location=location.lower().replace(" ", ""),
            resource_id=record.id,
            action=action,
            start=start,
            end=start + seconds,
            error=error,
            cascade=list(cascade or []),
        )
        return self.store.begin(op, record)

    def retry_after(self, provider: str) -> float:
        return self.settings.latency.retry_after(provider)


def internal_error() -> InternalServerError:
    return InternalServerError("An internal error occurred in the emulator.")
