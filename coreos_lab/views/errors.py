"""An error as --json prints it: `{"error": {"message", "code", "exit_code"}}` on stdout, so a
script reads a failure the way it reads a result, never prose."""

from __future__ import annotations

import json
import re


def error_code(kind: str) -> str:
    """``UsageError`` -> ``usage_error``: the error's kind, stable for scripts."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def error_json(message: str, kind: str, exit_code: int) -> str:
    return json.dumps(
        {"error": {"message": message, "code": error_code(kind), "exit_code": exit_code}}
    )
