"""How long things take: a latency model per resource type, with jitter and a global scale.

The defaults are order-of-magnitude estimates of public Azure, *not measurements*: the table and
where the figures come from are in docs/emulator.md ("Latency model"). ``scale`` multiplies
every duration: 1.0 for realistic proportions (benchmarks), 0.01 for tests. Jitter is uniform
between the low and high bound, drawn from a seeded generator.
"""

from __future__ import annotations

import random

from . import types

# (low, high) seconds at scale 1. Estimates (docs/emulator.md); keys are (resource type, action).
DURATIONS: dict[tuple[str, str], tuple[float, float]] = {
    (types.GROUP, "delete"): (20.0, 60.0),  # empty group
    (types.NSG, "create"): (2.0, 10.0),
    (types.NSG, "delete"): (2.0, 10.0),
    (types.VNET, "create"): (5.0, 15.0),
    (types.VNET, "delete"): (5.0, 15.0),
    (types.SUBNET, "create"): (2.0, 10.0),
    (types.SUBNET, "delete"): (2.0, 10.0),
    (types.PIP, "create"): (2.0, 10.0),
    (types.PIP, "delete"): (2.0, 10.0),
    (types.NIC, "create"): (2.0, 10.0),
    (types.NIC, "delete"): (2.0, 10.0),
    (types.ACCOUNT, "create"): (15.0, 30.0),
    (types.VM, "create"): (40.0, 120.0),
    (types.VM, "delete"): (30.0, 90.0),
    (types.VM, "powerOff"): (10.0, 40.0),
    (types.VM, "deallocate"): (30.0, 90.0),
    (types.VM, "start"): (15.0, 45.0),
    (types.VM, "restart"): (15.0, 45.0),
}
# A group delete takes longer the more it holds: 2-6 min with VMs in it (docs/emulator.md).
GROUP_DELETE_PER_VM = (60.0, 180.0)
# Updates of an existing resource: estimated at half of a create.
UPDATE_FACTOR = 0.5
# Time ARM itself takes to answer a synchronous request (estimate: 50-300 ms).
REQUEST = (0.05, 0.3)
# The Retry-After ARM and the providers send with an LRO (seconds). Seen in recorded sessions
# of the SDK tests: network 10, compute 10 (often absent), storage 17, resource groups 15.
RETRY_AFTER = {
    types.NETWORK: 10.0,
    types.COMPUTE: 10.0,
    types.STORAGE: 17.0,
    types.RESOURCES: 15.0,
}


class LatencyModel:
    """Draws scaled durations; ``scale`` may be changed at run time."""

    def __init__(self, scale: float = 1.0, seed: int = 0) -> None:
        self.scale = scale
        self._rng = random.Random(seed)

    def _draw(self, bounds: tuple[float, float]) -> float:
        return self._rng.uniform(*bounds) * self.scale

    def duration(self, rtype: str, action: str, vms: int = 0) -> float:
        """Seconds the operation takes (``vms``: VMs inside, for a group delete)."""
        base = "create" if action == "update" else action
        bounds = DURATIONS.get((rtype, base), (2.0, 10.0))
        seconds = self._draw(bounds)
        if action == "update":
            seconds *= UPDATE_FACTOR
        if rtype == types.GROUP and vms:
            seconds += self._draw(GROUP_DELETE_PER_VM)
        return seconds

    def request_delay(self) -> float:
        return self._draw(REQUEST)

    def retry_after(self, provider: str) -> float:
        return RETRY_AFTER.get(provider, 10.0) * self.scale
