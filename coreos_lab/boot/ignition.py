"""Ignition configs (spec 3.3.0) for the lab's two roles: what boot/machine_config.py gives
each machine, written the Ignition way (``storage.files`` data URLs, ``dropins``, ``enabled``).

Pure: :func:`render` gives the compact JSON, :func:`custom_data` the base64 that goes into
``osProfile.customData``. Why spec 3.3.0, and why no SSH key is in it: docs/facts.md, "Ignition"."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from coreos_lab.boot import custom_data as azure_custom_data
from coreos_lab.boot import machine_config
from coreos_lab.boot.custom_data import CUSTOM_DATA_LIMIT
from coreos_lab.boot.machine_config import EtcdBootstrap, MachineConfig

__all__ = [
    "CUSTOM_DATA_LIMIT",
    "IGNITION_VERSION",
    "EtcdBootstrap",
    "config_of",
    "container_host_config",
    "custom_data",
    "etcd_member_config",
    "render",
]

IGNITION_VERSION = "3.3.0"


def etcd_member_config(name: str, bootstrap: EtcdBootstrap) -> dict[str, Any]:
    """The Ignition config of etcd member ``name``."""
    return config_of(machine_config.etcd_member(name, bootstrap))


def container_host_config(name: str, etcd_members: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The Ignition config of container host ``name``, reaching ``etcd_members`` locally."""
    return config_of(machine_config.container_host(name, etcd_members))


def config_of(machine: MachineConfig) -> dict[str, Any]:
    """``machine`` as an Ignition config."""
    files = [
        machine_config.File(machine_config.HOSTNAME_FILE, f"{machine.hostname}\n"),
        *machine.files,
    ]
    return {
        "ignition": {"version": IGNITION_VERSION},
        "storage": {"files": [_file(f) for f in files]},
        "systemd": {"units": [_unit(u) for u in machine.units]},
    }


def render(config: dict[str, Any]) -> str:
    """The config as compact JSON, keys sorted so equal configs render equal."""
    return json.dumps(config, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def custom_data(config: dict[str, Any]) -> str:
    """The config as ``osProfile.customData``: base64 of the rendered JSON, within Azure's limit."""
    return azure_custom_data.encode(render(config), "Ignition config")


def _file(f: machine_config.File) -> dict[str, Any]:
    return {
        "path": f.path,
        "mode": f.mode,
        "overwrite": True,
        "contents": {"source": "data:," + urllib.parse.quote(f.text, safe="")},
    }


def _unit(u: machine_config.Unit) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": u.name}
    if u.enabled:
        entry["enabled"] = True
    if u.dropins:
        entry["dropins"] = [{"name": d.name, "contents": d.text} for d in u.dropins]
    return entry
