"""Resource groups, generic listing, subscriptions, auth: through the real SDK clients."""

from __future__ import annotations

import time
from typing import Any

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources import models as rm
from azure.mgmt.resource.subscriptions import SubscriptionClient

from coreos_lab.emulator.client import StaticTokenCredential

from . import lab
from .conftest import RG_PATH, client_kwargs


def test_group_create_get_head_update(resource: Any) -> None:
    created = lab.group(resource, "lab", owner="me")
    assert created.id.endswith("/resourceGroups/lab")
    assert created.type == "Microsoft.Resources/resourceGroups"
    assert created.properties.provisioning_state == "Succeeded"
    assert resource.resource_groups.check_existence("lab") is True
    assert resource.resource_groups.check_existence("nope") is False
    updated = resource.resource_groups.create_or_update(
        "LAB", rm.ResourceGroup(location="westeurope", tags={"owner": "you"})
    )
    assert updated.name == "lab" and updated.tags == {"owner": "you"}
    assert resource.resource_groups.get("lab").tags == {"owner": "you"}


def test_group_put_status_codes(raw: Any) -> None:
    first = raw("PUT", RG_PATH, {"location": "westeurope"}, api_version="2025-04-01")
    again = raw("PUT", RG_PATH, {"location": "westeurope"}, api_version="2025-04-01")
    assert (first.status_code, again.status_code) == (201, 200)


def test_group_list_with_tag_filter(resource: Any) -> None:
    lab.group(resource, "a", lab="one")
    lab.group(resource, "b", lab="two")
    lab.group(resource, "c", other="one")
    found = resource.resource_groups.list(filter="tagName eq 'lab' and tagValue eq 'one'")
    assert [g.name for g in found] == ["a"]
    assert {g.name for g in resource.resource_groups.list(filter="tagName eq 'lab'")} == {"a", "b"}


def test_group_rejections(resource: Any) -> None:
    with pytest.raises(ResourceNotFoundError) as missing:
        resource.resource_groups.get("nope")
    assert missing.value.error.code == "ResourceGroupNotFound"
    lab.group(resource)
    with pytest.raises(ResourceExistsError) as moved:
        resource.resource_groups.create_or_update("lab", rm.ResourceGroup(location="eastus"))
    assert moved.value.error.code == "InvalidResourceGroupLocation"
    with pytest.raises(HttpResponseError) as bad_name:
        resource.resource_groups.create_or_update("bad/name.", rm.ResourceGroup(location="eastus"))
    assert bad_name.value.status_code in (400, 404)
    with pytest.raises(HttpResponseError) as bad_location:
        resource.resource_groups.create_or_update("x", rm.ResourceGroup(location="mars"))
    assert bad_location.value.error.code == "LocationNotAvailableForResourceGroup"
    with pytest.raises(ResourceNotFoundError) as not_there:
        resource.resource_groups.begin_delete("nope").result()
    assert not_there.value.error.code == "ResourceGroupNotFound"


def test_group_delete_lro_headers_and_cascade(
    resource: Any, network: Any, compute: Any, raw: Any, admin: Any
) -> None:
    lab.group(resource)
    [nic_id] = lab.network_for_vm(network)
    compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(nic_id)).result()
    answer = raw("DELETE", RG_PATH, api_version="2025-04-01")
    assert answer.status_code == 202
    assert answer.headers["Location"].startswith(raw.conn.endpoint + "/subscriptions/")
    assert "/operationresults/" in answer.headers["Location"]
    assert answer.headers["Retry-After"].isdigit()
    poll = raw("GET", "", url=answer.headers["Location"])
    assert poll.status_code == 202
    assert resource.resource_groups.get("lab").properties.provisioning_state == "Deleting"
    deadline = time.monotonic() + 30
    while poll.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.2)
        poll = raw("GET", "", url=answer.headers["Location"])
    assert poll.status_code == 200
    assert resource.resource_groups.check_existence("lab") is False
    assert admin.state()["resources"] == {}
    with pytest.raises(ResourceNotFoundError):
        network.virtual_networks.get("lab", "lab-vnet")


def test_group_delete_through_sdk(resource: Any, network: Any, admin: Any) -> None:
    lab.group(resource)
    lab.vnet(network)
    resource.resource_groups.begin_delete("lab").result()
    assert resource.resource_groups.check_existence("lab") is False
    assert admin.state()["resources"] == {}
    lab.group(resource)  # a new group of the same name does not bring the VNet back
    assert list(network.virtual_networks.list("lab")) == []
    with pytest.raises(ResourceNotFoundError) as gone:
        network.virtual_networks.get("lab", "lab-vnet")
    assert gone.value.error.code == "ResourceNotFound"


def test_write_to_group_being_deleted(resource: Any, network: Any, admin: Any) -> None:
    lab.group(resource)
    admin.configure(latency_scale=1.0)
    resource.resource_groups.begin_delete("lab")  # 20-60 s at scale 1: still deleting below
    with pytest.raises(ResourceExistsError) as refused:
        lab.vnet(network)
    assert refused.value.error.code == "ResourceGroupBeingDeleted"


def test_list_by_resource_group_is_generic_and_includes_disks(
    resource: Any, network: Any, compute: Any
) -> None:
    lab.group(resource)
    [nic_id] = lab.network_for_vm(network)
    compute.virtual_machines.begin_create_or_update("lab", "vm1", lab.vm_body(nic_id)).result()
    items = list(resource.resources.list_by_resource_group("lab"))
    types = sorted(i.type for i in items)
    assert types == [
        "Microsoft.Compute/disks",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/virtualNetworks",
    ]
    disk = next(i for i in items if i.type == "Microsoft.Compute/disks")
    assert disk.name.startswith("vm1_OsDisk_1_") and disk.location == "westeurope"
    vms = list(
        resource.resources.list_by_resource_group(
            "lab", filter="resourceType eq 'Microsoft.Compute/virtualMachines'"
        )
    )
    assert [v.name for v in vms] == ["vm1"] and vms[0].tags == {"role": "node"}
    with pytest.raises(ResourceNotFoundError):
        list(resource.resources.list_by_resource_group("nope"))


def test_subscription_and_locations(connection: Any) -> None:
    client = SubscriptionClient(connection.credential(), **client_kwargs(connection))
    sub = client.subscriptions.get(connection.subscription_id)
    assert sub.subscription_id == connection.subscription_id
    assert sub.tenant_id == connection.tenant_id and sub.state == "Enabled"
    assert [s.subscription_id for s in client.subscriptions.list()] == [connection.subscription_id]
    names = {loc.name for loc in client.subscriptions.list_locations(connection.subscription_id)}
    assert {"westeurope", "northeurope", "eastus", "westus2"} <= names


def test_other_subscription_is_not_found(connection: Any) -> None:
    other = ResourceManagementClient(
        connection.credential(), "00000000-0000-0000-0000-000000000000", **client_kwargs(connection)
    )
    with pytest.raises(ResourceNotFoundError) as err:
        other.resource_groups.get("lab")
    assert err.value.error.code == "SubscriptionNotFound"


def test_requests_without_or_with_a_bad_token_are_refused(raw: Any, connection: Any) -> None:
    missing = raw("GET", "/subscriptions/{sub}/resourcegroups", token=None)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "AuthenticationFailed"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer ")
    wrong = raw("GET", "/subscriptions/{sub}/resourcegroups", token="nope")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "InvalidAuthenticationToken"
    client = ResourceManagementClient(
        StaticTokenCredential("wrong"), connection.subscription_id, **client_kwargs(connection)
    )
    with pytest.raises(ClientAuthenticationError):
        client.resource_groups.get("lab")


def test_unknown_paths_and_missing_api_version(raw: Any) -> None:
    unknown = raw("GET", "/subscriptions/{sub}/providers/Microsoft.Sql/servers")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "InvalidResourceType"
    no_version = raw(
        "GET",
        "",
        url=f"{raw.conn.endpoint}/subscriptions/{raw.conn.subscription_id}/resourcegroups",
    )
    assert no_version.status_code == 400
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"


def test_lists_page_and_the_sdk_pagers_follow(
    resource: Any, network: Any, compute: Any, admin: Any, raw: Any
) -> None:
    """Every list is paged (``nextLink`` + ``$skiptoken``, page size from the config), as
    coreos-lab's own list calls (inventory, lab_machines) go through the SDK pagers."""
    admin.configure(page_size=2)
    lab.group(resource)
    names = {f"ip{i}" for i in range(5)}
    for name in sorted(names):
        lab.pip(network, name=name)
    first = raw(
        "GET", RG_PATH + "/providers/Microsoft.Network/publicIPAddresses", api_version="2026-03-01"
    ).json()
    assert len(first["value"]) == 2 and "$skiptoken=2" in first["nextLink"]
    assert {p.name for p in network.public_ip_addresses.list("lab")} == names
    listed = resource.resources.list_by_resource_group("lab", expand="createdTime,changedTime")
    items = list(listed)
    assert {i.name for i in items} == names
    assert all(i.created_time and i.changed_time for i in items)
    assert list(compute.virtual_machines.list("lab")) == []
