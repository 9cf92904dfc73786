"""Storage accounts: the name check, the Location-header create, get, list, synchronous delete."""

from __future__ import annotations

import time
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.storage import models as sm

from . import lab
from .conftest import RG_PATH

ACCOUNT_PATH = RG_PATH + "/providers/Microsoft.Storage/storageAccounts/"


def _params() -> Any:
    return sm.StorageAccountCreateParameters(
        sku=sm.Sku(name="Standard_LRS"), kind="StorageV2", location="westeurope"
    )


def _check(storage: Any, name: str) -> Any:
    return storage.storage_accounts.check_name_availability(
        sm.StorageAccountCheckNameAvailabilityParameters(
            name=name, type="Microsoft.Storage/storageAccounts"
        )
    )


def test_check_name_availability(resource: Any, storage: Any, admin: Any) -> None:
    assert _check(storage, "labdiag1").name_available is True
    invalid = _check(storage, "Bad-Name")
    assert (invalid.name_available, invalid.reason) == (False, "AccountNameInvalid")
    admin.configure(taken_storage_names=["someoneelses"])
    taken = _check(storage, "someoneelses")
    assert (taken.name_available, taken.reason) == (False, "AlreadyExists")
    assert "already taken" in taken.message
    lab.group(resource)
    storage.storage_accounts.begin_create("lab", "labdiag1", _params()).result()
    assert _check(storage, "labdiag1").reason == "AlreadyExists"


def test_create_lro_uses_location_header(resource: Any, raw: Any) -> None:
    lab.group(resource)
    body = {"sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "location": "westeurope"}
    created = raw("PUT", ACCOUNT_PATH + "labdiag1", body, api_version="2026-09-01")
    assert created.status_code == 202 and not created.content
    location = created.headers["Location"]
    assert "/providers/Microsoft.Storage/locations/westeurope/asyncoperations/" in location
    assert "monitor=true" in location and created.headers["Retry-After"].isdigit()
    assert "Azure-AsyncOperation" not in created.headers
    poll = raw("GET", "", url=location)
    assert poll.status_code == 202
    deadline = time.monotonic() + 20
    while poll.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.05)
        poll = raw("GET", "", url=location)
    assert poll.status_code == 200
    assert poll.json()["properties"]["provisioningState"] == "Succeeded"
    assert poll.json()["name"] == "labdiag1"
    again = raw("PUT", ACCOUNT_PATH + "labdiag1", body, api_version="2026-09-01")
    assert again.status_code == 200


def test_create_get_list_delete(resource: Any, storage: Any) -> None:
    lab.group(resource)
    account = storage.storage_accounts.begin_create("lab", "labdiag1", _params()).result()
    assert account.provisioning_state == "Succeeded"
    assert account.type == "Microsoft.Storage/storageAccounts"
    assert account.sku.name == "Standard_LRS" and account.kind == "StorageV2"
    assert account.primary_endpoints.blob == "https://labdiag1.blob.core.windows.net/"
    assert storage.storage_accounts.get_properties("lab", "labdiag1").id == account.id
    assert [a.name for a in storage.storage_accounts.list_by_resource_group("lab")] == ["labdiag1"]
    assert [a.name for a in storage.storage_accounts.list()] == ["labdiag1"]
    storage.storage_accounts.delete("lab", "labdiag1")
    with pytest.raises(ResourceNotFoundError) as gone:
        storage.storage_accounts.get_properties("lab", "labdiag1")
    assert gone.value.error.code == "ResourceNotFound"
    storage.storage_accounts.delete("lab", "labdiag1")  # absent: 204, no error


def test_create_rejections(resource: Any, storage: Any, admin: Any) -> None:
    lab.group(resource)
    admin.configure(taken_storage_names=["someoneelses"])
    with pytest.raises(ResourceExistsError) as taken:
        storage.storage_accounts.begin_create("lab", "someoneelses", _params()).result()
    assert (taken.value.status_code, taken.value.error.code) == (409, "StorageAccountAlreadyTaken")
    with pytest.raises(HttpResponseError) as invalid:
        storage.storage_accounts.begin_create("lab", "Not_Valid", _params()).result()
    assert (invalid.value.status_code, invalid.value.error.code) == (400, "AccountNameInvalid")
    with pytest.raises(ResourceNotFoundError) as no_group:
        storage.storage_accounts.begin_create("nope", "labdiag2", _params()).result()
    assert no_group.value.error.code == "ResourceGroupNotFound"
