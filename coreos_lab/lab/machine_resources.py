"""One machine of the plan: its public IP, NIC and VM, with their ARM bodies.

Split from plan.py, which builds the lab around them (group, NSG, VNet, storage).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from coreos_lab.lab import roles
from coreos_lab.lab.clouds import storage_suffix
from coreos_lab.lab.kinds import NIC, NSG, PUBLIC_IP, RESOURCE_GROUP, STORAGE, VM, VNET
from coreos_lab.lab.resource import Resource, ResourceIds
from coreos_lab.lab.roles import Role
from coreos_lab.lab.settings import FLATCAR_OFFER, FLATCAR_PUBLISHER, LabSettings
from coreos_lab.lab.tags import TAG_CUSTOM_DATA, lab_tags

ADMIN_USER = "core"


@dataclass(frozen=True)
class PlannedMachine:
    """A VM as the lab's users know it: etcd0…, host0…"""

    name: str
    role: str  # a Role's name: "etcd" or "host"
    private_ip: str
    vm_size: str
    image_version: str


def machine_resources(
    settings: LabSettings,
    ids: ResourceIds,
    m: PlannedMachine,
    role: Role,
    data: str,
    ssh_key: str,
    storage_name: str,
) -> list[Resource]:
    nsg_name, vnet_name = roles.nsg_name(settings), roles.vnet_name(settings)
    subnet = role.subnet_name
    pip_name, nic_name = roles.public_ip_name(m.name), roles.nic_name(m.name)
    group_key = f"{RESOURCE_GROUP}/{settings.resource_group}"
    pip = Resource(
        PUBLIC_IP,
        pip_name,
        ids.of(PUBLIC_IP, pip_name),
        {
            "location": settings.location,
            "tags": lab_tags(settings.name, m.role),
            "sku": {"name": "Standard", "tier": "Regional"},
            "properties": {
                "publicIPAllocationMethod": "Static",
                "publicIPAddressVersion": "IPv4",
            },
        },
        depends_on=(group_key,),
        summary={"sku": "Standard", "allocation": "Static"},
    )
    nic = Resource(
        NIC,
        nic_name,
        ids.of(NIC, nic_name),
        {
            "location": settings.location,
            "tags": lab_tags(settings.name, m.role),
            "properties": {
                "ipConfigurations": [
                    {
                        "name": "ipconfig1",
                        "properties": {
                            "privateIPAllocationMethod": "Static",
                            "privateIPAddress": m.private_ip,
                            "subnet": {"id": ids.subnet(vnet_name, subnet)},
                            "publicIPAddress": {"id": pip.id},
                        },
                    }
                ],
                # On the NIC rather than the subnets, so the VNet and the NSG are created
                # side by side: one long-running operation less on the critical path.
                "networkSecurityGroup": {"id": ids.of(NSG, nsg_name)},
            },
        },
        depends_on=(f"{VNET}/{vnet_name}", f"{NSG}/{nsg_name}", pip.key),
        summary={"private ip": m.private_ip, "subnet": subnet},
    )
    tags = lab_tags(settings.name, m.role)
    tags[TAG_CUSTOM_DATA] = hashlib.sha256(data.encode()).hexdigest()[:32]
    vm = Resource(
        VM,
        m.name,
        ids.of(VM, m.name),
        {
            "location": settings.location,
            "tags": tags,
            "properties": {
                "hardwareProfile": {"vmSize": m.vm_size},
                "storageProfile": {
                    "imageReference": {
                        "publisher": FLATCAR_PUBLISHER,
                        "offer": FLATCAR_OFFER,
                        "sku": settings.image_sku,
                        "version": m.image_version,
                    },
                    "osDisk": {
                        "name": roles.os_disk_name(m.name),
                        "createOption": "FromImage",
                        "managedDisk": {"storageAccountType": "StandardSSD_LRS"},
                        "deleteOption": "Delete",
                    },
                },
                "osProfile": {
                    "computerName": m.name,
                    "adminUsername": ADMIN_USER,
                    "customData": data,
                    "linuxConfiguration": {
                        "disablePasswordAuthentication": True,
                        "ssh": {
                            "publicKeys": [
                                {
                                    "path": f"/home/{ADMIN_USER}/.ssh/authorized_keys",
                                    "keyData": ssh_key,
                                }
                            ]
                        },
                    },
                },
                "networkProfile": {
                    "networkInterfaces": [
                        {"id": nic.id, "properties": {"primary": True, "deleteOption": "Delete"}}
                    ]
                },
                "diagnosticsProfile": {
                    "bootDiagnostics": {
                        "enabled": True,
                        "storageUri": f"https://{storage_name}.blob.{storage_suffix(settings.cloud)}/",
                    }
                },
            },
        },
        # Each VM waits only for its own NIC and the diagnostics account: the 2016 template
        # made every host wait for all etcd VMs, which serialised the whole deployment.
        depends_on=(nic.key, f"{STORAGE}/{storage_name}"),
        summary={
            "role": m.role,
            "size": m.vm_size,
            "image": f"{FLATCAR_OFFER}:{settings.image_sku}:{m.image_version}",
            "custom data": f"{settings.provisioning}, {len(data)} base64 chars",
        },
    )
    return [pip, nic, vm]
