"""What the emulated cloud offers: regions, VM sizes, Flatcar image versions, default quotas.

Names and families follow Azure's public catalog (``az vm list-skus``, ``az account
list-locations``); the selection is what a Flatcar lab needs, not all of Azure.
"""

from __future__ import annotations

from dataclasses import dataclass

# name -> (display name, regional display name, geography group)
LOCATIONS: dict[str, tuple[str, str]] = {
    "westeurope": ("West Europe", "Europe"),
    "northeurope": ("North Europe", "Europe"),
    "germanywestcentral": ("Germany West Central", "Europe"),
    "uksouth": ("UK South", "Europe"),
    "eastus": ("East US", "US"),
    "eastus2": ("East US 2", "US"),
    "westus2": ("West US 2", "US"),
    "centralus": ("Central US", "US"),
}

# name -> (geography, latitude, longitude, paired region), as `az account list-locations`
# prints them (metadata of Subscriptions_ListLocations, GetLocations.json). Region pairs:
# Microsoft Learn, "Azure region pairs and nonpaired regions"
# (https://learn.microsoft.com/azure/reliability/regions-paired). Coordinates from memory of
# that command's output: not confirmed to the last digit.
REGION_METADATA: dict[str, tuple[str, str, str, str]] = {
    "westeurope": ("Europe", "52.3667", "4.9", "northeurope"),
    "northeurope": ("Europe", "53.3478", "-6.2597", "westeurope"),
    "germanywestcentral": ("Germany", "50.110924", "8.682127", "germanynorth"),
    "uksouth": ("United Kingdom", "50.941", "-0.799", "ukwest"),
    "eastus": ("United States", "37.3719", "-79.8164", "westus"),
    "eastus2": ("United States", "36.6681", "-78.3889", "centralus"),
    "westus2": ("United States", "47.233", "-119.852", "westcentralus"),
    "centralus": ("United States", "41.5908", "-93.6208", "eastus2"),
}
PAIRED_REGION = {name: meta[3] for name, meta in REGION_METADATA.items()}


@dataclass(frozen=True)
class VmSize:
    name: str
    family: str
    vcpus: int
    memory_gb: float

    @property
    def size(self) -> str:
        return self.name.split("_", 1)[1]


VM_SIZES: dict[str, VmSize] = {
    s.name.lower(): s
    for s in (
        VmSize("Standard_B2ats_v2", "standardBasv2Family", 2, 1),
        VmSize("Standard_B2als_v2", "standardBasv2Family", 2, 4),
        VmSize("Standard_B2as_v2", "standardBasv2Family", 2, 8),
        VmSize("Standard_B2s", "standardBSFamily", 2, 4),
        VmSize("Standard_B2ms", "standardBSFamily", 2, 8),
        VmSize("Standard_D2s_v5", "standardDSv5Family", 2, 8),
        VmSize("Standard_D4s_v5", "standardDSv5Family", 4, 16),
        VmSize("Standard_D2as_v5", "standardDASv5Family", 2, 8),
    )
}
FAMILY_NAMES = {
    "standardBasv2Family": "Standard Basv2 Family vCPUs",
    "standardBSFamily": "Standard BS Family vCPUs",
    "standardDSv5Family": "Standard DSv5 Family vCPUs",
    "standardDASv5Family": "Standard DASv5 Family vCPUs",
}

# Default vCPU limits of a pay-as-you-go subscription (estimates: Azure's defaults vary by
# offer; 10 per family and 20 regional total are common).
DEFAULT_REGIONAL_CORES = 20
DEFAULT_FAMILY_CORES = 10

FLATCAR_PUBLISHER = "kinvolk"
# offer -> whether it needs a purchase plan
FLATCAR_OFFERS: dict[str, bool] = {
    "flatcar-container-linux-corevm-amd64": False,
    "flatcar-container-linux": True,
}
DEFAULT_IMAGE_VERSIONS: dict[str, dict[str, list[str]]] = {
    offer: {
        "stable-gen2": ["4459.2.1", "4459.2.2", "4593.2.3", "4593.2.4", "4593.2.5"],
        "beta-gen2": ["4593.1.0", "4628.1.0"],
        "alpha-gen2": ["4628.0.0", "4650.0.0"],
    }
    for offer in FLATCAR_OFFERS
}


def version_key(version: str) -> tuple[int, ...]:
    """Sort key for image versions such as ``4593.2.5``."""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))
