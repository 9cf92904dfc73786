"""Ignition configs (spec 3.3.0) for the lab's two roles: etcd members and container hosts.

What each machine gets is said once in :mod:`coreos_lab.boot.machine_config`; this module writes it
the Ignition way: files as ``data:`` URLs under ``storage.files``, the hostname as
``/etc/hostname``, units Flatcar ships changed through ``dropins``, ``enabled`` for the units
that start at boot. Ignition applies all of it in the initramfs, before systemd starts them.

Spec 3.3.0 because Flatcar Stable's Ignition 2.24 accepts 3.0-3.5 and Debian's
``ignition-validate`` (2.14), which the tests use as the oracle, stops at 3.3.0.

Pure: builds dicts and strings, no I/O. :func:`render` gives the compact JSON,
:func:`custom_data` the base64 that goes into ``osProfile.customData``.

No SSH key appears here on purpose: the VM's ``osProfile.linuxConfiguration.ssh.publicKeys``
installs it for the ``core`` admin user through Azure's agent, as in the 2016 template. Keeping
it out of the custom data means one place sets the key, and the Ignition of a role stays the
same whichever key the student uses.
"""

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
