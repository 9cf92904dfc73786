"""The state every handler works on, and the rules shared by all providers.

A handler receives a :class:`Call` (the parsed request) and the :class:`Backend`, applies the
provider's rules (in ``models/``) and returns an :class:`~.envelope.Reply`. The rules every
provider applies the same way (subscription, group, location, one operation at a time) live
here, so that no model imports another for them.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import types
from .catalog import LOCATIONS
from .config import EmulatorSettings
from .envelope import Json
from .errors import (
    AnotherOperationInProgress,
    BadRequest,
    ResourceGroupBeingDeleted,
    ResourceGroupNotFound,
    SubscriptionNotFound,
)
from .store import Operation, Record, Store

# The error an injected LRO failure ends with, per provider (codes seen in Azure answers), and
# the status its synchronous form has: a Location poll of a failed operation answers what the
# request would have answered had it failed synchronously (ARM RPC, async-api-reference.md).
INTERNAL = ("InternalServerError", "An error occurred (emulated fault).", 500)
INJECTED_FAILURE = {
    types.COMPUTE: (
        "AllocationFailed",
        "Allocation failed. We do not have sufficient "
        "capacity for the requested VM size in this region (emulated fault).",
        409,
    ),
    types.NETWORK: INTERNAL,
    types.STORAGE: INTERNAL,
    types.RESOURCES: INTERNAL,
}


def check_location(location: object, what: str = "resource group") -> str:
    """The normalized location (``West Europe`` -> ``westeurope``); 400 if not offered."""
    if not isinstance(location, str) or not location:
        raise BadRequest("The 'location' property is required.", code="LocationRequired")
    normalized = location.lower().replace(" ", "")
    if normalized not in LOCATIONS:
        raise BadRequest(
            f"The provided location '{location}' is not available for {what}. List of "
            f"available regions is '{','.join(LOCATIONS)}'.",
            code="LocationNotAvailableForResourceGroup"
            if what == "resource group"
            else "LocationNotAvailableForResourceType",
        )
    return normalized


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
    raw_query: dict[str, str] = field(default_factory=dict)  # as sent, for links back to us

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


Renderer = Callable[["Backend", Record], Json]


class Backend:
    """Store plus settings, and the checks every provider makes.

    ``renderers`` (resource type -> full body, references resolved) is the models' table of
    kinds, handed in by whoever composes the emulator (models/__init__.py holds it).
    """

    def __init__(
        self,
        store: Store,
        settings: EmulatorSettings,
        renderers: Mapping[str, Renderer] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.renderers: Mapping[str, Renderer] = renderers or {}

    def render(self, record: Record) -> Json:
        """The full body of a resource as ARM returns it."""
        renderer = self.renderers.get(record.type)
        return renderer(self, record) if renderer else copy.deepcopy(record.body)

    def check_subscription(self, sub: str) -> None:
        if sub.lower() != self.store.subscription_id.lower():
            raise SubscriptionNotFound(sub)

    def group(self, call: Call, *, writing: bool) -> Record:
        """The call's resource group; 404 if missing, 409 for writes while it is deleted."""
        self.check_subscription(call.sub)
        name = call.params["rg"]
        record = self.store.group(name)
        if record is None:
            raise ResourceGroupNotFound(name)
        if writing:
            check_not_deleting(record)
        return record

    def check_idle(self, rid: str) -> None:
        """Refuse a write on a resource whose previous operation has not finished."""
        op = self.store.pending(rid)
        if op is not None:
            # The network provider's words (microsoft/AzureTRE#2222); the uri is given relative
            # to the endpoint, which the backend does not know.
            status = (
                f"{rid.split('/resourceGroups/')[0]}/providers/{op.provider}/locations/"
                f"{op.location}/operations/{op.id}"
            )
            raise AnotherOperationInProgress(
                "Another operation on this or dependent resource is in progress. To retrieve "
                f"status of the operation use uri: {status}.",
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
        start = time.time()
        seconds = duration
        if seconds is None:
            seconds = self.settings.latency.duration(record.type, action, vms)
        error: Json | None = None
        status = 500
        if self.settings.faults.lro_fails():
            # A delete or a power action does not run out of capacity: an internal error.
            writes = action in ("create", "update")
            failure = INJECTED_FAILURE.get(provider, INTERNAL) if writes else INTERNAL
            code, message, status = failure
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
            error_status=status,
            cascade=list(cascade or []),
        )
        return self.store.begin(op, record)

    def retry_after(self, provider: str) -> float:
        return self.settings.latency.retry_after(provider)


def check_not_deleting(group: Record) -> None:
    """409 ``ResourceGroupBeingDeleted`` for a write into a group whose delete is running."""
    if group.properties.get("provisioningState") == "Deleting":
        raise ResourceGroupBeingDeleted(group.body["name"])
