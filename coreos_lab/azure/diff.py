"""Compare a planned resource with what ARM returned, to decide what `up` must write.

Pure. The planned body is a subset of what ARM returns (ARM adds ids, etags, defaults and
read-only state), so a resource matches when every planned value is present and equal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from coreos_lab.lab.kinds import ProvisioningState
from coreos_lab.lab.plan import Resource

# ARM never returns these, so they cannot be compared (custom data is covered by a tag hash).
_WRITE_ONLY = {("properties", "osProfile", "customData")}


class Action(StrEnum):
    KEEP = "keep"  # exists and matches
    CREATE = "create"
    UPDATE = "update"
    WAIT = "wait"  # an operation on it is still running; wait, then decide again
    REPLACE = "replace"  # its last operation failed: PUT it again
    DRIFT = "drift"  # differs, and `up` does not change it in place


def decide(resource: Resource, actual: dict[str, Any] | None) -> tuple[Action, str]:
    """What to do with ``resource`` given ARM's view of it, and why (for the progress view)."""
    if actual is None:
        return Action.CREATE, "new"
    state = ProvisioningState.of(actual)
    if not state.terminal:
        return Action.WAIT, f"provisioning state {state}"
    if state.failed:
        return Action.REPLACE, f"provisioning state {state}"
    difference = first_difference(resource.body, actual)
    if difference is None:
        return Action.KEEP, "matches"
    if resource.kind.replaced:
        return Action.DRIFT, f"differs at {difference}; left as it is (down and up to rebuild)"
    return Action.UPDATE, f"differs at {difference}"


def first_difference(desired: Any, actual: Any, path: tuple[str, ...] = ()) -> str | None:
    """The path of the first planned value ARM does not have, or None when all match."""
    if path in _WRITE_ONLY:
        return None
    where = ".".join(path) or "(body)"
    if isinstance(desired, dict):
        if not isinstance(actual, dict):
            return where
        for key, value in desired.items():
            found = _get_ci(actual, key)
            if found is _MISSING:
                if (*path, key) in _WRITE_ONLY:
                    continue
                return ".".join((*path, key))
            difference = first_difference(value, found, (*path, key))
            if difference:
                return difference
        return None
    if isinstance(desired, list):
        if not isinstance(actual, list) or len(desired) != len(actual):
            return where
        if all(isinstance(d, dict) and "name" in d for d in desired):
            # Named children (subnets, rules) may come back in another order.
            by_name = {str(a.get("name", "")).lower(): a for a in actual if isinstance(a, dict)}
            for d in desired:
                name = str(d["name"])
                difference = first_difference(d, by_name.get(name.lower()), (*path, name))
                if difference:
                    return difference
            return None
        for i, (d, a) in enumerate(zip(desired, actual, strict=True)):
            difference = first_difference(d, a, (*path, str(i)))
            if difference:
                return difference
        return None
    if isinstance(desired, str) and isinstance(actual, str):
        # ARM compares names, ids, locations and enum values without regard to case.
        return None if desired.lower() == actual.lower() else where
    return None if desired == actual else where


class _Missing:
    pass


_MISSING = _Missing()


def _get_ci(mapping: dict[str, Any], key: str) -> Any:
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for k, v in mapping.items():
        if k.lower() == lowered:
            return v
    return _MISSING
