"""Compare the emulator's answers with Microsoft's published request/response examples.

An example file (``examples/*.json``) wraps one azure-rest-api-specs example verbatim or
trimmed (its ``note`` says which) with the spec path and commit it came from. The checks:

- ``shape_gaps``: every key of the example's response body is present in the emulator's answer
  with the same JSON type (object, array, string, number, boolean). Example keys whose value is
  ``null`` are not asserted (the services omit them as often as they send them).
- ``echo_gaps``: every leaf of the request body that the example's response returns with the
  same value comes back with that value (Azure returns what it was sent).

Paths are dotted, list elements by index: ``properties.ipConfigurations[0].properties.primary``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "examples"
EXAMPLE_SUBSCRIPTIONS = (
    "00000000-0000-0000-0000-000000000000",
    "a3f7c2b9-4e1d-4c8a-9d6f-8b2a5e41c7f3",
    "{subscription-id}",
)


def load(name: str) -> dict[str, Any]:
    """An example file: ``spec_path``, ``commit``, ``python_sdk_api_version``, ``example``."""
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return data


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) under ``value``, containers included."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            yield sub, item
            yield from leaves(item, sub)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            sub = f"{path}[{index}]"
            yield sub, item
            yield from leaves(item, sub)


def lookup(value: Any, path: str) -> tuple[bool, Any]:
    """(found, value) at ``path``."""
    current = value
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(current, list) or index >= len(current):
                return False, None
            current = current[index]
        else:
            if not isinstance(current, dict) or part not in current:
                return False, None
            current = current[part]
    return True, current


def under(path: str, prefixes: set[str]) -> bool:
    """``path`` is one of ``prefixes`` or inside one of them."""
    return any(path == p or path.startswith(p + ".") or path.startswith(p + "[") for p in prefixes)


def shape_gaps(expected: Any, actual: Any, skip: set[str]) -> dict[str, str]:
    """``{path: what is wrong}`` for example keys missing or of another JSON type."""
    gaps: dict[str, str] = {}
    for path, value in leaves(expected):
        if value is None or under(path, skip):
            continue
        found, got = lookup(actual, path)
        if not found:
            gaps[path] = f"missing (example: {json_type(value)})"
        elif json_type(got) != json_type(value):
            gaps[path] = f"{json_type(got)}, example has {json_type(value)}"
    return gaps


def echo_gaps(request: Any, responses: list[Any], actual: Any, skip: set[str]) -> dict[str, str]:
    """``{path: what came back}`` for request leaves an example response echoes but we do not."""
    gaps: dict[str, str] = {}
    for path, value in leaves(request):
        if isinstance(value, dict | list) or under(path, skip):
            continue
        if not any(lookup(r, path) == (True, value) for r in responses):
            continue  # Azure does not echo it either (a secret, a write-only input)
        found, got = lookup(actual, path)
        if (found, got) != (True, value):
            gaps[path] = f"sent {value!r}, got {got!r}" if found else f"sent {value!r}, dropped"
    return gaps


def localise(value: Any, subscription: str) -> Any:
    """The example with its placeholder subscription replaced by the emulator's."""
    text = json.dumps(value)
    for placeholder in EXAMPLE_SUBSCRIPTIONS:
        text = text.replace(placeholder, subscription)
    return json.loads(text)
