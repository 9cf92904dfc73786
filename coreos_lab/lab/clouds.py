"""The clouds coreos-lab builds in: Azure's public and sovereign clouds, and the emulator. Pure.

One row per cloud; ``--cloud`` accepts exactly these names, its help text lists them, and
azure/clients.py builds the SDK clients from the row. A new Azure cloud is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    """An Azure cloud: the SDK's name for it, its login authority (azure-identity's) and its
    storage endpoint suffix (`az cloud show -n <cloud> --query suffixes.storageEndpoint`),
    which blob URLs such as boot diagnostics' storageUri are built on."""

    sdk_name: str  # a member of azure.core.AzureClouds
    authority: str
    storage_suffix: str


AZURE_CLOUDS = {
    "azure": Cloud("AZURE_PUBLIC_CLOUD", "login.microsoftonline.com", "core.windows.net"),
    "usgov": Cloud("AZURE_US_GOVERNMENT", "login.microsoftonline.us", "core.usgovcloudapi.net"),
    "china": Cloud("AZURE_CHINA_CLOUD", "login.chinacloudapi.cn", "core.chinacloudapi.cn"),
}
# The local ARM emulator (coreos_lab/emulator/): its address and token come from its
# connection file, not from a row here.
EMULATOR = "emulator"

CLOUD_NAMES = (*AZURE_CLOUDS, EMULATOR)


def storage_suffix(cloud: str) -> str:
    """The storage endpoint suffix of ``cloud``; the emulator mimics the public cloud."""
    row = AZURE_CLOUDS.get(cloud)
    return row.storage_suffix if row else AZURE_CLOUDS["azure"].storage_suffix
