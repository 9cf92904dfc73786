"""Microsoft.Compute virtual machine actions: the instance view and the power actions.

Power actions are long-running operations like a compute delete; the power state moves when
the operation ends, and the instance view shows the transitional state meanwhile
(docs/emulator.md, "What it emulates")."""

from __future__ import annotations

from .. import types
from ..backend import Backend, Call
from ..envelope import Reply
from ..errors import Conflict
from . import operations
from .common import lookup
from .virtual_machines import instance_view

# action -> (state when done, state while it runs); the names are virtual_machines.POWER_ACTIONS
POWER_ACTIONS = {
    "powerOff": ("stopped", "stopping"),
    "deallocate": ("deallocated", "deallocating"),
    "start": ("running", "starting"),
    "restart": ("running", "starting"),
}


def get_instance_view(call: Call, backend: Backend) -> Reply:
    return Reply(200, instance_view(backend, lookup(backend, call, types.VM)))


def power_action(call: Call, backend: Backend) -> Reply:
    action = next(a for a in POWER_ACTIONS if a.lower() == call.params["action"].lower())
    backend.group(call, writing=True)
    record = lookup(backend, call, types.VM)
    backend.check_idle(record.id)
    if record.properties.get("provisioningState") != "Succeeded":
        raise Conflict(
            f"Operation '{action}' is not allowed on VM '{record.body['name']}' since the VM is "
            f"in provisioning state '{record.properties.get('provisioningState')}'.",
            code="OperationNotAllowed",
        )
    op = backend.begin(record, types.COMPUTE, record.body["location"], action)
    record.meta["power"] = POWER_ACTIONS[action][0]
    record.meta["power_pending"] = POWER_ACTIONS[action][1]
    return Reply(202, None, operations.delete_headers(call, backend, op))
