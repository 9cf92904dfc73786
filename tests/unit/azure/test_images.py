"""Choosing Flatcar versions: newest for etcd, the previous major for hosts, an old lab kept."""

from __future__ import annotations

import pytest

from coreos_lab.azure.images import (
    image_urn,
    lab_versions,
    previous_version,
    resolve_wanted,
    version_key,
    versions_in_inventory,
)
from coreos_lab.errors import LabError
from coreos_lab.lab.results import ImageVersions
from coreos_lab.lab.settings import LabSettings

OFFERED = ["4593.2.4", "4459.2.1", "4593.2.10", "4459.2.2", "4593.2.5"]


def test_versions_sort_numerically() -> None:
    assert max(OFFERED, key=version_key) == "4593.2.10"


def test_latest_and_previous() -> None:
    assert resolve_wanted(OFFERED, "latest", "previous") == ImageVersions("4593.2.10", "4459.2.2")


def test_previous_falls_back_to_an_earlier_release_of_the_same_major() -> None:
    assert previous_version(["4593.2.3", "4593.2.5"], "4593.2.5") == "4593.2.3"


def test_previous_is_relative_to_an_explicit_etcd_version() -> None:
    assert resolve_wanted(OFFERED, "4459.2.2", "previous") == ImageVersions("4459.2.2", "4459.2.1")


def test_explicit_versions_must_be_offered() -> None:
    with pytest.raises(LabError, match=r"^Flatcar 4593\.2\.9 for the etcd members is not offered"):
        resolve_wanted(OFFERED, "4593.2.9", "previous", where="in westeurope")
    with pytest.raises(LabError, match=r"--host-image-version previous or one of those\.$"):
        resolve_wanted(OFFERED, "latest", "1.0.0")


def test_nothing_older_and_nothing_at_all() -> None:
    with pytest.raises(LabError, match=r"no Flatcar release older than 4593\.2\.5"):
        resolve_wanted(["4593.2.5"], "latest", "previous")
    with pytest.raises(LabError, match="lists no Flatcar image versions"):
        resolve_wanted([], "latest", "previous")


def _vm(role: str, version: str) -> dict[str, object]:
    return {
        "tags": {"coreos-lab-role": role},
        "properties": {"storageProfile": {"imageReference": {"version": version}}},
    }


def test_versions_in_inventory_by_role() -> None:
    resources = {
        "virtualmachine/etcd0": _vm("etcd", "4593.2.3"),
        "virtualmachine/host0": _vm("host", "4459.2.1"),
        "networkinterface/etcd0-nic": {"tags": {"coreos-lab-role": "etcd"}},
    }
    assert versions_in_inventory(resources) == {"etcd": "4593.2.3", "host": "4459.2.1"}


def test_an_existing_lab_keeps_its_versions() -> None:
    s = LabSettings()
    both = {"etcd": "4593.2.3", "host": "4459.2.1"}
    # Nothing is looked up when both are kept, even if Azure no longer lists them.
    assert lab_versions([], s, both) == ImageVersions("4593.2.3", "4459.2.1")
    # Kept etcd, hosts still 'previous' relative to it.
    assert lab_versions(OFFERED, s, {"etcd": "4593.2.4"}) == ImageVersions("4593.2.4", "4459.2.2")
    assert lab_versions(OFFERED, s, {"host": "4459.2.1"}) == ImageVersions("4593.2.10", "4459.2.1")


def test_urn() -> None:
    assert image_urn(LabSettings(), "4593.2.5") == (
        "kinvolk:flatcar-container-linux-corevm-amd64:stable-gen2:4593.2.5"
    )
