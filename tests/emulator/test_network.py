"""NSGs, VNets and subnets, public IPs, NICs: shapes, the network LRO pattern, rejections."""

from __future__ import annotations

import time
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.network import models as nm

from . import lab
from .conftest import NET_PATH


def _poll_until_done(raw: Any, url: str) -> Any:
    deadline = time.monotonic() + 20
    while True:
        answer = raw("GET", "", url=url)
        if answer.status_code != 200 or answer.json().get("status") != "InProgress":
            return answer
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_nsg_shape(resource: Any, network: Any) -> None:
    lab.group(resource)
    nsg = lab.nsg(network)
    assert nsg.provisioning_state == "Succeeded"
    assert nsg.type == "Microsoft.Network/networkSecurityGroups"
    assert nsg.etag.startswith('W/"')
    assert [r.name for r in nsg.security_rules] == ["ssh"]
    assert nsg.security_rules[0].destination_port_range == "22"
    assert {r.name for r in nsg.default_security_rules} >= {"DenyAllInBound", "AllowVnetInBound"}
    assert [n.name for n in network.network_security_groups.list("lab")] == ["lab-nsg"]
    again = lab.nsg(network)
    assert again.etag != nsg.etag


def test_network_put_and_delete_lro_headers(resource: Any, raw: Any) -> None:
    lab.group(resource)
    body = {"location": "westeurope", "properties": {"securityRules": []}}
    created = raw("PUT", NET_PATH + "/networkSecurityGroups/nsg1", body)
    assert created.status_code == 201
    # the create examples' 201 bodies say Succeeded; a GET while it runs says Updating
    assert created.json()["properties"]["provisioningState"] == "Succeeded"
    during = raw("GET", NET_PATH + "/networkSecurityGroups/nsg1").json()
    assert during["properties"]["provisioningState"] == "Updating"
    status_url = created.headers["Azure-AsyncOperation"]
    assert status_url.startswith(raw.conn.endpoint)
    assert "/providers/Microsoft.Network/locations/westeurope/operations/" in status_url
    assert created.headers["Retry-After"].isdigit()
    first = raw("GET", "", url=status_url)
    assert first.status_code == 200 and first.json()["status"] in ("InProgress", "Succeeded")
    assert _poll_until_done(raw, status_url).json()["status"] == "Succeeded"
    got = raw("GET", NET_PATH + "/networkSecurityGroups/nsg1").json()
    assert got["properties"]["provisioningState"] == "Succeeded"
    assert raw("PUT", NET_PATH + "/networkSecurityGroups/nsg1", body).status_code == 200
    _poll_until_done(raw, status_url)
    time.sleep(0.15)
    deleted = raw("DELETE", NET_PATH + "/networkSecurityGroups/nsg1")
    assert deleted.status_code == 202
    assert "/operationResults/" in deleted.headers["Location"]
    assert "/operations/" in deleted.headers["Azure-AsyncOperation"]
    deadline = time.monotonic() + 20
    result = raw("GET", "", url=deleted.headers["Location"])
    while result.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.05)
        result = raw("GET", "", url=deleted.headers["Location"])
    assert result.status_code == 204
    assert raw("GET", NET_PATH + "/networkSecurityGroups/nsg1").status_code == 404
    assert raw("DELETE", NET_PATH + "/networkSecurityGroups/nsg1").status_code == 204


def test_vnet_with_subnets_and_subnet_subresource(resource: Any, network: Any) -> None:
    lab.group(resource)
    vnet = lab.vnet(network)
    assert vnet.address_space.address_prefixes == ["10.0.0.0/16"]
    assert [s.name for s in vnet.subnets] == ["default"]
    assert vnet.subnets[0].id == vnet.id + "/subnets/default"
    assert vnet.subnets[0].provisioning_state == "Succeeded"
    extra = network.subnets.begin_create_or_update(
        "lab", "lab-vnet", "extra", nm.Subnet(address_prefix="10.0.2.0/24")
    ).result()
    assert extra.address_prefix == "10.0.2.0/24" and extra.provisioning_state == "Succeeded"
    assert network.subnets.get("lab", "lab-vnet", "extra").id == extra.id
    assert len(network.virtual_networks.get("lab", "lab-vnet").subnets) == 2
    network.subnets.begin_delete("lab", "lab-vnet", "extra").result()
    with pytest.raises(ResourceNotFoundError):
        network.subnets.get("lab", "lab-vnet", "extra")
    assert [v.name for v in network.virtual_networks.list("lab")] == ["lab-vnet"]


def test_subnet_rejections(resource: Any, network: Any) -> None:
    lab.group(resource)
    lab.vnet(network)
    with pytest.raises(HttpResponseError) as outside:
        network.subnets.begin_create_or_update(
            "lab", "lab-vnet", "out", nm.Subnet(address_prefix="10.1.0.0/24")
        ).result()
    assert (outside.value.status_code, outside.value.error.code) == (
        400,
        "NetcfgSubnetRangeOutsideVnet",
    )
    with pytest.raises(HttpResponseError) as overlap:
        network.subnets.begin_create_or_update(
            "lab", "lab-vnet", "over", nm.Subnet(address_prefix="10.0.1.128/25")
        ).result()
    assert overlap.value.error.code == "NetcfgSubnetRangesOverlap"
    with pytest.raises(HttpResponseError) as bad_name:
        lab.vnet(network, name="-bad-")
    assert bad_name.value.error.code == "InvalidResourceName"
    with pytest.raises(ResourceNotFoundError) as no_group:
        lab.vnet(network, rg="nope")
    assert no_group.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError) as missing:
        network.virtual_networks.get("lab", "nope")
    assert missing.value.error.code == "ResourceNotFound"


def test_public_ip_is_standard_static_with_an_address(resource: Any, network: Any) -> None:
    lab.group(resource)
    first, second = lab.pip(network, name="a"), lab.pip(network, name="b")
    assert first.sku.name == "Standard" and first.public_ip_allocation_method == "Static"
    assert first.ip_address and first.ip_address != second.ip_address
    assert first.ip_address.startswith("127.77.")  # loopback: nothing dials outside
    assert {p.name for p in network.public_ip_addresses.list("lab")} == {"a", "b"}
    dynamic = nm.PublicIPAddress(
        location="westeurope",
        sku=nm.PublicIPAddressSku(name="Standard"),
        public_ip_allocation_method="Dynamic",
    )
    with pytest.raises(HttpResponseError) as err:
        network.public_ip_addresses.begin_create_or_update("lab", "c", dynamic).result()
    assert err.value.status_code == 400


def test_nic_addresses_references_and_in_use_rules(
    resource: Any, network: Any, compute: Any
) -> None:
    lab.group(resource)
    sg, vnet, ip = lab.nsg(network), lab.vnet(network), lab.pip(network)
    subnet_id = vnet.subnets[0].id
    first = lab.nic(network, subnet_id, name="n1", pip_id=ip.id, nsg_id=sg.id)
    second = lab.nic(network, subnet_id, name="n2")
    fixed = lab.nic(
        network,
        subnet_id,
        name="n3",
        private_ip_allocation_method="Static",
        private_ip_address="10.0.1.10",
    )
    cfg = first.ip_configurations[0]
    assert cfg.private_ip_address == "10.0.1.4" and cfg.private_ip_allocation_method == "Dynamic"
    assert cfg.subnet.id == subnet_id and cfg.public_ip_address.id == ip.id
    assert first.network_security_group.id == sg.id
    assert second.ip_configurations[0].private_ip_address == "10.0.1.5"
    assert fixed.ip_configurations[0].private_ip_address == "10.0.1.10"
    assert network.public_ip_addresses.get("lab", ip.name).ip_configuration.id == cfg.id
    assert {
        s.id for s in network.virtual_networks.get("lab", "lab-vnet").subnets[0].ip_configurations
    } == {n.ip_configurations[0].id for n in (first, second, fixed)}
    with pytest.raises(HttpResponseError) as taken:
        lab.nic(
            network,
            subnet_id,
            name="n4",
            private_ip_allocation_method="Static",
            private_ip_address="10.0.1.10",
        )
    assert taken.value.error.code == "PrivateIPAddressIsAllocated"
    with pytest.raises(HttpResponseError) as missing_subnet:
        lab.nic(network, subnet_id.replace("default", "nope"), name="n5")
    assert (missing_subnet.value.status_code, missing_subnet.value.error.code) == (
        400,
        "InvalidResourceReference",
    )
    with pytest.raises(HttpResponseError) as missing_pip:
        lab.nic(network, subnet_id, name="n6", pip_id=ip.id.replace("vm1-ip", "nope"))
    assert missing_pip.value.error.code == "InvalidResourceReference"
    with pytest.raises(HttpResponseError) as subnet_in_use:
        network.subnets.begin_delete("lab", "lab-vnet", "default").result()
    assert (subnet_in_use.value.status_code, subnet_in_use.value.error.code) == (
        400,
        "InUseSubnetCannotBeDeleted",
    )
    with pytest.raises(HttpResponseError) as pip_in_use:
        network.public_ip_addresses.begin_delete("lab", ip.name).result()
    assert pip_in_use.value.error.code == "PublicIPAddressCannotBeDeleted"
    with pytest.raises(HttpResponseError) as nsg_in_use:
        network.network_security_groups.begin_delete("lab", sg.name).result()
    assert nsg_in_use.value.error.code == "InUseNetworkSecurityGroupCannotBeDeleted"
    compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(first.id)).result()
    attached = network.network_interfaces.get("lab", "n1")
    assert attached.virtual_machine.id.endswith("/virtualMachines/vm1")
    with pytest.raises(HttpResponseError) as nic_in_use:
        network.network_interfaces.begin_delete("lab", "n1").result()
    assert nic_in_use.value.error.code == "NicInUse"
    network.network_interfaces.begin_delete("lab", "n2").result()
    assert {n.name for n in network.network_interfaces.list("lab")} == {"n1", "n3"}


def test_conflicting_operation_in_progress(resource: Any, network: Any, admin: Any) -> None:
    lab.group(resource)
    admin.configure(latency_scale=1.0)
    body = nm.VirtualNetwork(
        location="westeurope", address_space=nm.AddressSpace(address_prefixes=["10.0.0.0/16"])
    )
    network.virtual_networks.begin_create_or_update("lab", "v", body)  # 5-15 s: in progress
    with pytest.raises(ResourceExistsError) as busy:
        network.virtual_networks.begin_create_or_update("lab", "v", body)
    assert busy.value.error.code == "AnotherOperationInProgress"
    with pytest.raises(ResourceExistsError):
        network.virtual_networks.begin_delete("lab", "v")
    assert network.virtual_networks.get("lab", "v").provisioning_state == "Updating"


def test_an_in_use_subnet_keeps_its_prefix_through_either_path(resource: Any, network: Any) -> None:
    lab.group(resource)
    vnet = lab.vnet(network)
    lab.nic(network, vnet.subnets[0].id, name="n1")
    moved = nm.VirtualNetwork(
        location=lab.LOCATION,
        address_space=nm.AddressSpace(address_prefixes=["10.9.0.0/16"]),
        subnets=[nm.Subnet(name="default", address_prefix="10.9.1.0/24")],
    )
    with pytest.raises(HttpResponseError) as whole:
        network.virtual_networks.begin_create_or_update("lab", "lab-vnet", moved).result()
    assert (whole.value.status_code, whole.value.error.code) == (400, "InUsePrefixCannotBeDeleted")
    assert "IpPrefix 10.0.1.0/24 on Subnet default has active allocations" in str(whole.value)
    with pytest.raises(HttpResponseError) as one:
        network.subnets.begin_create_or_update(
            "lab", "lab-vnet", "default", nm.Subnet(address_prefix="10.0.2.0/24")
        ).result()
    assert one.value.error.code == "InUsePrefixCannotBeDeleted"
    kept = network.virtual_networks.get("lab", "lab-vnet")
    assert kept.address_space.address_prefixes == ["10.0.0.0/16"]
    assert kept.subnets[0].address_prefix == "10.0.1.0/24"
    # Growing the space around the subnet, which keeps its prefix, is allowed.
    grown = nm.VirtualNetwork(
        location=lab.LOCATION,
        address_space=nm.AddressSpace(address_prefixes=["10.0.0.0/16", "10.9.0.0/16"]),
        subnets=[nm.Subnet(name="default", address_prefix="10.0.1.0/24")],
    )
    network.virtual_networks.begin_create_or_update("lab", "lab-vnet", grown).result()
