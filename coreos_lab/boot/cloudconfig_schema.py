"""coreos-cloudinit's cloud-config schema, and a validator that refuses what its validator reports.

It mirrors coreos-cloudinit's ``config`` structs and ``config/validate/rules.go``; what is
mirrored and what is not: docs/cloud-config.md, "The schema the validator checks". Pure: it
judges a parsed document and its raw first line; parsing YAML is the caller's business."""

from __future__ import annotations

import base64
import binascii
import gzip
import posixpath
import re
from dataclasses import dataclass
from typing import Any

HEADER = "#cloud-config"

STRING, BOOL, INT, FLOAT = "string", "bool", "int", "float64"


@dataclass(frozen=True)
class Field:
    """A key of the schema: its kind (a scalar kind, a struct, or a list of one), a ``valid``
    pattern, and why it is deprecated, as the Go struct tags say."""

    kind: Any
    valid: str | None = None
    deprecated: str | None = None


@dataclass(frozen=True)
class ListOf:
    element: Any


def _strings(*names: str) -> dict[str, Field]:
    return {name: Field(STRING) for name in names}


FILE = {
    "encoding": Field(
        STRING, valid=r"^(base64|b64|gz|gzip|gz\+base64|gzip\+base64|gz\+b64|gzip\+b64)$"
    ),
    **_strings("content", "owner", "path"),
    "permissions": Field(STRING, valid=r"^0?[0-7]{3,4}$"),
}
DROPIN = _strings("name", "content")
UNIT = {
    "name": Field(STRING),
    "mask": Field(BOOL),
    "enable": Field(BOOL),
    "runtime": Field(BOOL),
    "content": Field(STRING),
    "command": Field(
        STRING,
        valid=r"^(start|stop|restart|reload|try-restart|reload-or-restart|reload-or-try-restart)$",
    ),
    "drop_ins": Field(ListOf(DROPIN)),
}
UPDATE = {
    "reboot_strategy": Field(STRING, valid=r"^(best-effort|etcd-lock|reboot|off)$"),
    **_strings("group", "server"),
}
LOCKSMITH = {
    **_strings(
        "endpoint",
        "etcd_cafile",
        "etcd_certfile",
        "etcd_keyfile",
        "etcd_username",
        "etcd_password",
        "group",
    ),
    "window_start": Field(
        STRING,
        valid=(
            r"^((?i:sun|mon|tue|wed|thu|fri|sat|sun) )?"
            r"0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])$"
        ),
    ),
    "window_length": Field(STRING, valid=r"^[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+$"),
}
FLANNEL = _strings(
    "etcd_endpoints",
    "etcd_cafile",
    "etcd_certfile",
    "etcd_keyfile",
    "etcd_prefix",
    "etcd_username",
    "etcd_password",
    "ip_masq",
    "subnet_file",
    "interface",
    "public_ip",
)
OEM = _strings("id", "name", "version_id", "home_url", "bug_report_url")
_REMOTE_KEYS = "trying to fetch from a remote endpoint introduces too many intermittent errors"
USER = {
    **_strings("name", "passwd", "gecos", "homedir", "primary_group", "shell"),
    "ssh_authorized_keys": Field(ListOf(STRING)),
    "coreos_ssh_import_github": Field(STRING, deprecated=_REMOTE_KEYS),
    "coreos_ssh_import_github_users": Field(ListOf(STRING), deprecated=_REMOTE_KEYS),
    "coreos_ssh_import_url": Field(STRING, deprecated=_REMOTE_KEYS),
    "no_create_home": Field(BOOL),
    "groups": Field(ListOf(STRING)),
    "no_user_group": Field(BOOL),
    "system": Field(BOOL),
    "no_log_init": Field(BOOL),
}
# etcd, etcd2 and fleet are refused as deprecated before their contents matter, so their
# (long) structs are not copied here.
_GONE = "is no longer shipped in Container Linux"
COREOS = {
    "etcd": Field({}, deprecated=f"etcd {_GONE}"),
    "etcd2": Field({}, deprecated=f"etcd2 {_GONE}"),
    "flannel": Field(FLANNEL),
    "fleet": Field({}, deprecated=f"fleet {_GONE}"),
    "locksmith": Field(LOCKSMITH),
    "oem": Field(OEM),
    "update": Field(UPDATE),
    "units": Field(ListOf(UNIT)),
}
CLOUD_CONFIG = {
    "ssh_authorized_keys": Field(ListOf(STRING)),
    "coreos": Field(COREOS),
    "write_files": Field(ListOf(FILE)),
    "hostname": Field(STRING),
    "users": Field(ListOf(USER)),
    "manage_etc_hosts": Field(STRING),
}

_ENCODINGS = {
    "base64": (True, False),
    "b64": (True, False),
    "gz": (False, True),
    "gzip": (False, True),
    "gz+base64": (True, True),
    "gzip+base64": (True, True),
    "gz+b64": (True, True),
    "gzip+b64": (True, True),
}


def problems(text: str, document: Any) -> list[str]:
    """Everything coreos-cloudinit's validator would report for ``text``, parsed as
    ``document``; empty when it would accept the document."""
    first = text.split("\n", 1)[0].rstrip()
    if first != HEADER:
        return [f'line 1: must be "{HEADER}" or begin with "#!", not {first[:40]!r}']
    if document is None:
        return []
    if not isinstance(document, dict):
        return [f"the document is a {_kind(document)}, not a mapping of keys"]
    found: list[str] = []
    normalized = _normalized(document)
    _check(normalized, Field(CLOUD_CONFIG), "", found)
    found += _write_files(normalized)
    return found


def _normalized(value: Any) -> Any:
    """Keys with '-' read as '_', as coreos-cloudinit reads them."""
    if isinstance(value, dict):
        return {str(k).replace("-", "_"): _normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def _check(value: Any, field: Field, where: str, found: list[str]) -> None:
    kind = field.kind
    if not _compatible(value, kind):
        found.append(f"incorrect type for {where or 'the document'!r} (want {_want(kind)})")
        return
    if field.valid and not _zero(value) and not re.search(field.valid, _go_string(value)):
        found.append(f"invalid value {_go_string(value)!r} for {where!r}")
    if isinstance(kind, dict):
        for key, child in value.items():
            path = f"{where}.{key}" if where else key
            sub = kind.get(key)
            if sub is None:
                found.append(f"unrecognized key {path!r}")
            elif sub.deprecated:
                found.append(f"deprecated key {path!r} ({sub.deprecated})")
            else:
                _check(child, sub, path, found)
    elif isinstance(kind, ListOf):
        for i, item in enumerate(value):
            _check(item, Field(kind.element), f"{where}[{i}]", found)
            if kind.element is FILE and isinstance(item, dict):
                _check_encoding(item, f"{where}[{i}]", found)


def _compatible(value: Any, kind: Any) -> bool:
    """coreos-cloudinit's ``isCompatible``: a string field takes any scalar, a float an int."""
    if isinstance(kind, dict):
        return isinstance(value, dict)
    if isinstance(kind, ListOf):
        return isinstance(value, list)
    if isinstance(value, bool):
        return kind in (BOOL, STRING)
    if isinstance(value, int):
        return kind in (INT, FLOAT, STRING)
    if isinstance(value, float):
        return kind in (FLOAT, STRING)
    if isinstance(value, str):
        return bool(kind == STRING)
    return False  # null, dates, binary: Go's validator sees no usable kind either


def _want(kind: Any) -> str:
    if isinstance(kind, dict):
        return "struct"
    if isinstance(kind, ListOf):
        return "[]" + _want(kind.element)
    return str(kind)


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number"}.get(type(value), "value")


def _zero(value: Any) -> bool:
    return bool(value in ("", 0, False))


def _go_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_encoding(item: dict[str, Any], where: str, found: list[str]) -> None:
    encoding = item.get("encoding")
    if not isinstance(encoding, str) or encoding not in _ENCODINGS:
        return  # absent, or already refused by the pattern
    is_base64, is_gzip = _ENCODINGS[encoding]
    content = item.get("content", "")
    data = content.encode("latin-1") if isinstance(content, str) else content
    try:
        if is_base64:
            data = base64.b64decode(data, validate=True)
        if is_gzip:
            gzip.decompress(data)
    except (binascii.Error, OSError, EOFError, ValueError):
        found.append(f"content of {where} cannot be decoded as {encoding!r}")


def _write_files(document: dict[str, Any]) -> list[str]:
    """Files under /usr cannot be written: Flatcar mounts it read-only."""
    found = []
    files = document.get("write_files")
    for i, item in enumerate(files if isinstance(files, list) else []):
        path = item.get("path") if isinstance(item, dict) else None
        if isinstance(path, str) and posixpath.dirname(path).startswith("/usr"):
            found.append(f"write_files[{i}]: {path} cannot be written to a read-only filesystem")
    return found
