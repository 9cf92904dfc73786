"""A VM's ``osProfile.customData``: the boot config as base64, within Azure's limit.

Shared by both formats the lab can boot with (Ignition JSON, a ``#cloud-config`` document):
Azure carries either the same way, and its limit is on the base64 text.
"""

from __future__ import annotations

import base64

from coreos_lab.errors import LabError

# Azure refuses custom data longer than this many base64 characters (64 KiB decoded):
# https://learn.microsoft.com/en-us/azure/virtual-machines/custom-data
CUSTOM_DATA_LIMIT = 87_380


def encode(text: str, what: str) -> str:
    """``text`` as base64, or a LabError naming ``what`` (the format) when Azure would refuse it."""
    encoded = base64.b64encode(text.encode()).decode("ascii")
    if len(encoded) > CUSTOM_DATA_LIMIT:
        raise LabError(
            f"The {what} is {len(encoded)} base64 characters, over Azure's custom data "
            f"limit of {CUSTOM_DATA_LIMIT}; use fewer etcd members or hosts."
        )
    return encoded
