"""The ARM resource types the emulator serves, written once.

Spellings as ARM returns them in a resource's ``type`` (azure-rest-api-specs,
``specification/{network,compute,storage,resources}/resource-manager``).
"""

from __future__ import annotations

GROUP = "Microsoft.Resources/resourceGroups"
NSG = "Microsoft.Network/networkSecurityGroups"
SECURITY_RULE = NSG + "/securityRules"
DEFAULT_SECURITY_RULE = NSG + "/defaultSecurityRules"
VNET = "Microsoft.Network/virtualNetworks"
SUBNET = VNET + "/subnets"
PIP = "Microsoft.Network/publicIPAddresses"
NIC = "Microsoft.Network/networkInterfaces"
IP_CONFIGURATION = NIC + "/ipConfigurations"
VM = "Microsoft.Compute/virtualMachines"
DISK = "Microsoft.Compute/disks"
ACCOUNT = "Microsoft.Storage/storageAccounts"

# The provider (namespace) of a type, as the operation status URLs name it.
COMPUTE = "Microsoft.Compute"
NETWORK = "Microsoft.Network"
STORAGE = "Microsoft.Storage"
RESOURCES = "Microsoft.Resources"
