"""Converge one resource in Azure: read what is there, then keep, wait, create or update it.

The DAG that decides when a resource's turn comes is engine/dag.py; this is its Azure step.
"""

from __future__ import annotations

import time

from coreos_lab.azure import operations
from coreos_lab.azure.clients import Clients
from coreos_lab.azure.diff import Action, decide
from coreos_lab.azure.errors import describe, error_code
from coreos_lab.azure.inventory import Inventory
from coreos_lab.errors import LabError
from coreos_lab.lab.events import EventSink, ResourceEvent, Step
from coreos_lab.lab.kinds import ProvisioningState
from coreos_lab.lab.plan import Resource

# How long to wait for an operation someone else started (an interrupted `up`) to finish.
WAIT_FOR_OTHERS = 900.0
_CONFLICT_RETRIES = 5


def label(resource: Resource) -> str:
    return f"{resource.kind.label} {resource.name}"


class Converger:
    """Brings one lab's resources to their planned state, emitting events as it goes."""

    def __init__(
        self,
        clients: Clients,
        resource_group: str,
        inventory: Inventory,
        sink: EventSink,
        lab: str = "",
    ) -> None:
        self.clients = clients
        self.lab = lab
        self.resource_group = resource_group
        self.inventory = inventory
        self.sink = sink
        self.started: dict[str, float] = {}

    def emit(self, r: Resource, step: Step, message: str = "") -> None:
        elapsed = time.monotonic() - self.started.get(r.key, time.monotonic())
        self.sink(ResourceEvent(r.key, r.kind, r.name, step, elapsed, message, lab=self.lab))

    def run(self, r: Resource) -> tuple[Step, str, bool]:
        """How ``r`` ended, the failure's sentence, and whether it was written."""
        self.started[r.key] = time.monotonic()
        try:
            return self._converge(r)
        except Exception as exc:
            if isinstance(exc, LabError):
                message = str(exc)
            else:
                target = self.clients.target
                message = describe(exc, label(r), target.endpoint, cloud=target.row)
            self.emit(r, Step.FAILED, message)
            return Step.FAILED, message, False

    def _converge(self, r: Resource) -> tuple[Step, str, bool]:
        actual = self.inventory.get(r.key)
        action, why = decide(r, actual)
        deadline = time.monotonic() + WAIT_FOR_OTHERS
        while action is Action.WAIT:
            # An operation from an interrupted run is still going: let it finish, then decide.
            self.emit(r, Step.CHECKING, why)
            if time.monotonic() > deadline:
                raise LabError(f"{label(r)} stayed in {why} for {WAIT_FOR_OTHERS:.0f} s")
            time.sleep(self.clients.target.polling_interval * 5)
            actual = operations.get(self.clients, self.resource_group, r.kind, r.name)
            action, why = decide(r, actual)
        if action is Action.KEEP:
            self.emit(r, Step.EXISTS, why)
            return Step.EXISTS, "", False
        if action is Action.DRIFT:
            self.emit(r, Step.DRIFTED, why)
            return Step.DRIFTED, why, False
        self.emit(r, Step.CREATING if action is Action.CREATE else Step.UPDATING, why)
        self._put(r)
        self.emit(r, Step.DONE)
        return Step.DONE, "", True

    def _put(self, r: Resource) -> None:
        for attempt in range(_CONFLICT_RETRIES):
            try:
                answer = operations.put(self.clients, self.resource_group, r)
            except Exception as exc:
                # A conflicting operation (an interrupted run's) ends by itself; others do not.
                if (
                    error_code(exc) != "AnotherOperationInProgress"
                    or attempt == _CONFLICT_RETRIES - 1
                ):
                    raise
                time.sleep(self.clients.target.polling_interval * 10 * (attempt + 1))
                continue
            state = ProvisioningState.of(answer)
            if state.failed:
                raise LabError(f"{label(r)} ended in provisioning state {state}")
            return
