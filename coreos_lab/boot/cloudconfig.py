"""``#cloud-config`` documents (coreos-cloudinit) for the lab's two roles: what
boot/machine_config.py gives each machine, written the coreos-cloudinit way.

What differs from the Ignition variant, and why (the hostname, units started in this boot,
services restarted, no ``$private_ipv4``): docs/cloud-config.md, "What this means for the
lab". Pure; the YAML is block style with every string quoted, so a student can read it."""

from __future__ import annotations

import json
from typing import Any

from coreos_lab.boot import cloudconfig_schema, machine_config
from coreos_lab.boot import custom_data as azure_custom_data
from coreos_lab.boot.machine_config import EtcdBootstrap, MachineConfig

# coreos-cloudinit replaces these everywhere in the user data (initialize/env.go).
SUBSTITUTED = ("$public_ipv4", "$private_ipv4", "$public_ipv6", "$private_ipv6")

# Services already running when coreos-cloudinit writes update.conf, which they read at start.
UPDATE_SERVICES = ("update-engine.service", "locksmithd.service")


def etcd_member_config(name: str, bootstrap: EtcdBootstrap) -> dict[str, Any]:
    """The cloud-config of etcd member ``name``."""
    return config_of(machine_config.etcd_member(name, bootstrap))


def container_host_config(name: str, etcd_members: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The cloud-config of container host ``name``, reaching ``etcd_members`` locally."""
    return config_of(machine_config.container_host(name, etcd_members))


def config_of(machine: MachineConfig) -> dict[str, Any]:
    """``machine`` as a cloud-config document (the parsed form; :func:`render` writes it)."""
    units: list[dict[str, Any]] = []
    for u in machine.units:
        entry: dict[str, Any] = {"name": u.name}
        if u.enabled:
            entry["enable"] = True
            entry["command"] = "start"
        if u.dropins:
            entry["drop_ins"] = [{"name": d.name, "content": d.text} for d in u.dropins]
        units.append(entry)
    if any(f.path == machine_config.UPDATE_CONF for f in machine.files):
        units += [{"name": name, "command": "restart"} for name in UPDATE_SERVICES]
    return {
        "hostname": machine.hostname,
        "write_files": [
            {"path": f.path, "permissions": f"{f.mode:04o}", "content": f.text}
            for f in machine.files
        ],
        "coreos": {"units": units},
    }


def render(config: dict[str, Any]) -> str:
    """The document as coreos-cloudinit reads it: the ``#cloud-config`` line, then YAML."""
    found = cloudconfig_schema.problems(cloudconfig_schema.HEADER, config)
    if found:
        raise ValueError("coreos-cloudinit would refuse the cloud-config: " + "; ".join(found))
    text = "\n".join([cloudconfig_schema.HEADER, *_mapping(config, 0)]) + "\n"
    for token in SUBSTITUTED:
        if token in text:
            raise ValueError(f"{token} would be replaced by coreos-cloudinit: {text!r}")
    return text


def custom_data(config: dict[str, Any]) -> str:
    """The document as ``osProfile.customData``: base64 of :func:`render`, within Azure's limit."""
    return azure_custom_data.encode(render(config), "cloud-config")


def _mapping(mapping: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for key, value in mapping.items():
        lines += _entry(" " * indent + f"{key}:", value, indent)
    return lines


def _entry(prefix: str, value: Any, indent: int) -> list[str]:
    if isinstance(value, dict) and value:
        return [prefix, *_mapping(value, indent + 2)]
    if isinstance(value, list) and value:
        return [prefix, *(line for item in value for line in _item(item, indent + 2))]
    if _literal_block(value):
        body = " " * (indent + 2)
        return [f"{prefix} |", *(body + line if line else "" for line in value[:-1].split("\n"))]
    return [f"{prefix} {_scalar(value)}"]


def _item(item: Any, indent: int) -> list[str]:
    if isinstance(item, dict) and item:
        first, *rest = _mapping(item, indent + 2)
        return [" " * indent + "- " + first.lstrip(" "), *rest]
    return [" " * indent + "- " + _scalar(item)]


def _literal_block(value: Any) -> bool:
    """Whether ``value`` reads back exactly from a ``|`` block: ends in exactly one newline,
    has no other control character and no line that starts or ends with white space."""
    if not isinstance(value, str) or not value.endswith("\n") or value == "\n":
        return False
    if value.endswith("\n\n") or any(c < " " and c != "\n" for c in value):
        return False
    return all(line == line.strip(" ") for line in value[:-1].split("\n"))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a YAML double-quoted scalar; ASCII-only so no YAML 1.1 line breaks
        # (U+0085, U+2028) hide inside it.
        return json.dumps(value, ensure_ascii=True)
    if value == {} or value == []:
        return json.dumps(value)
    raise TypeError(f"cannot write {value!r} in a cloud-config")
