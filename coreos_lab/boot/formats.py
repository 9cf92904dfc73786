"""The choice of boot format (``--provisioning``): Ignition or cloud-config, one call for the plan.

Both formats carry the same :class:`~coreos_lab.boot.machine_config.MachineConfig`; the plan asks
here for a machine's ``osProfile.customData`` and never needs to know which one it got.
"""

from __future__ import annotations

import base64
import binascii

from coreos_lab.boot import cloudconfig, ignition
from coreos_lab.boot.machine_config import MachineConfig

IGNITION = "ignition"
CLOUD_CONFIG = "cloud-config"
FORMATS = (IGNITION, CLOUD_CONFIG)


def custom_data(provisioning: str, machine: MachineConfig) -> str:
    """``machine``'s boot config in the ``provisioning`` format, as base64 custom data."""
    if provisioning == IGNITION:
        return ignition.custom_data(ignition.config_of(machine))
    if provisioning == CLOUD_CONFIG:
        return cloudconfig.custom_data(cloudconfig.config_of(machine))
    raise ValueError(f"unknown provisioning format {provisioning!r}; one of {FORMATS}")


def label(data: str) -> str:
    """What a custom data holds, for people: "cloud-config" or "Ignition"."""
    try:
        head = base64.b64decode(data[:24].encode("ascii"), validate=False)
    except (binascii.Error, ValueError):
        return "custom data"
    return "cloud-config" if head.startswith(b"#cloud-config") else "Ignition"
