"""Builders for a small lab through the real SDK models (shared by the emulator tests)."""

from __future__ import annotations

from typing import Any

from azure.mgmt.compute import models as cm
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import models as rm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

LOCATION = "westeurope"
OFFER = "flatcar-container-linux-corevm-amd64"


def ssh_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode() + " core@lab"


def group(resource: Any, name: str = "lab", **tags: str) -> Any:
    return resource.resource_groups.create_or_update(
        name, rm.ResourceGroup(location=LOCATION, tags=tags or {"owner": "test"})
    )


def nsg(network: Any, rg: str = "lab", name: str = "lab-nsg") -> Any:
    rule = nm.SecurityRule(
        name="ssh",
        protocol="Tcp",
        source_port_range="*",
        destination_port_range="22",
        source_address_prefix="*",
        destination_address_prefix="*",
        access="Allow",
        priority=100,
        direction="Inbound",
    )
    return network.network_security_groups.begin_create_or_update(
        rg, name, nm.NetworkSecurityGroup(location=LOCATION, security_rules=[rule])
    ).result()


def vnet(network: Any, rg: str = "lab", name: str = "lab-vnet") -> Any:
    body = nm.VirtualNetwork(
        location=LOCATION,
        address_space=nm.AddressSpace(address_prefixes=["10.0.0.0/16"]),
        subnets=[nm.Subnet(name="default", address_prefix="10.0.1.0/24")],
    )
    return network.virtual_networks.begin_create_or_update(rg, name, body).result()


def pip(network: Any, rg: str = "lab", name: str = "vm1-ip") -> Any:
    body = nm.PublicIPAddress(
        location=LOCATION,
        sku=nm.PublicIPAddressSku(name="Standard"),
        public_ip_allocation_method="Static",
    )
    return network.public_ip_addresses.begin_create_or_update(rg, name, body).result()


def nic(
    network: Any,
    subnet_id: str,
    rg: str = "lab",
    name: str = "vm1-nic",
    pip_id: str | None = None,
    nsg_id: str | None = None,
    **ipconfig: Any,
) -> Any:
    cfg = nm.NetworkInterfaceIPConfiguration(
        name="ipconfig1",
        subnet=nm.Subnet(id=subnet_id),
        public_ip_address=nm.PublicIPAddress(id=pip_id) if pip_id else None,
        **ipconfig,
    )
    body = nm.NetworkInterface(
        location=LOCATION,
        ip_configurations=[cfg],
        network_security_group=nm.NetworkSecurityGroup(id=nsg_id) if nsg_id else None,
    )
    return network.network_interfaces.begin_create_or_update(rg, name, body).result()


def vm_body(nic_id: str, size: str = "Standard_B2ats_v2", **image: str) -> Any:
    reference = {"publisher": "kinvolk", "offer": OFFER, "sku": "stable-gen2", "version": "latest"}
    reference.update(image)
    return cm.VirtualMachine(
        location=LOCATION,
        hardware_profile=cm.HardwareProfile(vm_size=size),
        storage_profile=cm.StorageProfile(
            image_reference=cm.ImageReference(**reference),
            os_disk=cm.OSDisk(create_option="FromImage", delete_option="Delete"),
        ),
        os_profile=cm.OSProfile(
            computer_name="vm1",
            admin_username="core",
            custom_data="eyJpZ25pdGlvbiI6e319",
            linux_configuration=cm.LinuxConfiguration(
                disable_password_authentication=True,
                ssh=cm.SshConfiguration(
                    public_keys=[
                        cm.SshPublicKey(path="/home/core/.ssh/authorized_keys", key_data=ssh_key())
                    ]
                ),
            ),
        ),
        network_profile=cm.NetworkProfile(
            network_interfaces=[cm.NetworkInterfaceReference(id=nic_id, primary=True)]
        ),
        tags={"role": "node"},
    )


def network_for_vm(network: Any, rg: str = "lab", n: int = 1) -> list[str]:
    """NSG, VNet and ``n`` NICs with public IPs; the NIC ids."""
    sg = nsg(network, rg)
    net = vnet(network, rg)
    ids = []
    for i in range(1, n + 1):
        ip = pip(network, rg, f"vm{i}-ip")
        ids.append(nic(network, net.subnets[0].id, rg, f"vm{i}-nic", ip.id, sg.id).id)
    return ids
