"""How long things take: a latency model per resource type, with jitter and a global scale.

The defaults are order-of-magnitude estimates of public Azure, *not measurements*; source:
../shared/reference/arm-contract.md §7 ("How long things take"), which collects durations seen
on public Azure. ``scale`` multiplies every duration: 1.0 for realistic proportions (benchmarks),
0.01 for tests. Jitter is uniform between the low and high bound, drawn from a seeded generator.
"""

from __future__ import annotations

import random

# (low, high) seconds at scale 1. Estimates (contract §7); keys are (resource type, action).
DURATIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("Microsoft.Resources/resourceGroups", "delete"): (20.0, 60.0),  # empty group
    ("Microsoft.Network/networkSecurityGroups", "create"): (2.0, 10.0),
    ("Microsoft.Network/networkSecurityGroups", "delete"): (2.0, 10.0),
    ("Microsoft.Network/virtualNetworks", "create"): (5.0, 15.0),
    ("Microsoft.Network/virtualNetworks", "delete"): (5.0, 15.0),
    ("Microsoft.Network/virtualNetworks/subnets", "create"): (2.0, 10.0),
    ("Microsoft.Network/virtualNetworks/subnets", "delete"): (2.0, 10.0),
    ("Microsoft.Network/publicIPAddresses", "create"): (2.0, 10.0),
    ("Microsoft.Network/publicIPAddresses", "delete"): (2.0, 10.0),
    ("Microsoft.Network/networkInterfaces", "create"): (2.0, 10.0),
    ("Microsoft.Network/networkInterfaces", "delete"): (2.0, 10.0),
    ("Microsoft.Storage/storageAccounts", "create"): (15.0, 30.0),
    ("Microsoft.Compute/virtualMachines", "create"): (40.0, 120.0),
    ("Microsoft.Compute/virtualMachines", "delete"): (30.0, 90.0),
}
# A group delete takes longer the more it holds: 2-6 min with VMs in it (contract §7).
GROUP_DELETE_PER_VM = (60.0, 180.0)
# Updates of an existing resource: estimated at half of a create.
UPDATE_FACTOR = 0.5
# Time ARM itself takes to answer a synchronous request (estimate: 50-300 ms).
REQUEST = (0.05, 0.3)
# The Retry-After ARM and the providers send with an LRO (seconds). Seen in recorded sessions
# of the SDK tests: network 10, compute 10 (often absent), storage 17, resource groups 15.
RETRY_AFTER = {
    "Microsoft.Network": 10.0,
    "Microsoft.Compute": 10.0,
    "Microsoft.Storage": 17.0,
    "Microsoft.Resources": 15.0,
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
        if rtype == "Microsoft.Resources/resourceGroups" and vms:
            seconds += self._draw(GROUP_DELETE_PER_VM)
        return seconds

    def request_delay(self) -> float:
        return self._draw(REQUEST)

    def retry_after(self, provider: str) -> float:
        return RETRY_AFTER.get(provider, 10.0) * self.scale
