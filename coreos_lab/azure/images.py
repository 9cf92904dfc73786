"""Resolve 'latest' and 'previous' to concrete Flatcar image versions in a location."""

from __future__ import annotations

from dataclasses import dataclass

from coreos_lab.azure.clients import Clients
from coreos_lab.errors import LabError
from coreos_lab.settings import FLATCAR_OFFER, FLATCAR_PUBLISHER, LabSettings


@dataclass(frozen=True)
class ImageVersions:
    etcd: str
    host: str


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def pick_versions(available: list[str], etcd_wanted: str, host_wanted: str) -> ImageVersions:
    """Choose the etcd and host versions from what Azure offers.

    'previous' is the newest release of an earlier major than the etcd members' version: old
    enough that the update exercise has something to do, recent enough to update cleanly
    (very old releases cannot, see flatcar.md §1 "Updating outdated versions").
    """
    versions = sorted(set(available), key=version_key)
    if not versions:
        raise LabError("Azure lists no Flatcar image versions here; try another --location.")
    etcd = versions[-1] if etcd_wanted == "latest" else etcd_wanted
    if etcd_wanted != "latest" and etcd_wanted not in versions:
        raise LabError(
            f"Flatcar {etcd_wanted} is not offered here; pick one of {', '.join(versions[-5:])}."
        )
    if host_wanted == "latest":
        host = versions[-1]
    elif host_wanted == "previous":
        major = version_key(etcd)[0]
        older = [v for v in versions if version_key(v)[0] < major]
        older_same = [v for v in versions if version_key(v) < version_key(etcd)]
        if older:
            host = older[-1]
        elif older_same:
            host = older_same[-1]
        else:
            raise LabError(
                f"Azure offers no Flatcar release older than {etcd} here, so the hosts cannot "
                "start behind; pass --host-image-version with a version."
            )
    else:
        if host_wanted not in versions:
            raise LabError(
                f"Flatcar {host_wanted} is not offered here; pick one of "
                f"{', '.join(versions[-5:])}."
            )
        host = host_wanted
    return ImageVersions(etcd=etcd, host=host)


def list_versions(clients: Clients, settings: LabSettings) -> list[str]:
    images = clients.compute.virtual_machine_images.list(
        settings.location, FLATCAR_PUBLISHER, FLATCAR_OFFER, settings.image_sku
    )
    return [image.name for image in images]


def resolve_versions(clients: Clients, settings: LabSettings) -> ImageVersions:
    wanted = (settings.etcd_image_version, settings.host_image_version)
    if all(w not in ("latest", "previous") for w in wanted):
        return ImageVersions(*wanted)
    return pick_versions(list_versions(clients, settings), *wanted)
