"""The clouds coreos-lab builds in: Azure's public and sovereign clouds, and the emulator. Pure.

One row per cloud; ``--cloud`` accepts exactly these names, its help text lists them, and
azure/clients.py builds the SDK clients from the row. A new Azure cloud is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    """An Azure cloud: the SDK's name for it and its login authority (azure-identity's)."""

    sdk_name: str  # a member of azure.core.AzureClouds
    authority: str


AZURE_CLOUDS = {
    "azure": Cloud("AZURE_PUBLIC_CLOUD", "login.microsoftonline.com"),
    "usgov": Cloud("AZURE_US_GOVERNMENT", "login.microsoftonline.us"),
    "china": Cloud("AZURE_CHINA_CLOUD", "login.chinacloudapi.cn"),
}
# The local ARM emulator (coreos_lab/emulator/): its address and token come from its
# connection file, not from a row here.
EMULATOR = "emulator"

CLOUD_NAMES = (*AZURE_CLOUDS, EMULATOR)
