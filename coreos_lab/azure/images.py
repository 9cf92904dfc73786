"""Resolve 'latest' and 'previous' to concrete Flatcar image versions in a location.

The etcd members run the newest version; the container hosts start one major behind so the
update exercise has something to update. A lab that already has VMs keeps their versions, so
a re-run months later never changes the OS under an existing lab.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from coreos_lab.azure.clients import Clients
from coreos_lab.errors import LabError
from coreos_lab.lab.kinds import VM
from coreos_lab.lab.results import ImageVersions
from coreos_lab.lab.roles import ETCD, HOST
from coreos_lab.lab.settings import FLATCAR_OFFER, FLATCAR_PUBLISHER, LabSettings
from coreos_lab.lab.tags import TAG_ROLE


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def image_urn(settings: LabSettings, version: str, offer: str = FLATCAR_OFFER) -> str:
    """The image as `az` writes it: publisher:offer:sku:version."""
    return f"{FLATCAR_PUBLISHER}:{offer}:{settings.image_sku}:{version}"


def _offered(versions: list[str]) -> str:
    recent = versions[-5:]
    return ", ".join(recent[:-1]) + f" and {recent[-1]}" if len(recent) > 1 else recent[0]


def resolve_wanted(
    available: Iterable[str], etcd_wanted: str, host_wanted: str, where: str = "here"
) -> ImageVersions:
    """Choose the etcd and host versions from what Azure offers.

    'latest' is the newest version. 'previous' (hosts only) is the newest release of an
    earlier major than the etcd members' version: old enough that the update exercise has
    something to do, recent enough to update cleanly (very old releases cannot: docs/facts.md,
    Images). When no earlier major is offered it falls back to an earlier release of the same
    major.
    """
    versions = sorted(set(available), key=version_key)
    if not versions:
        raise LabError(
            f"Azure lists no Flatcar image versions {where}; try another --location or --channel."
        )
    if etcd_wanted == "latest":
        etcd = versions[-1]
    elif etcd_wanted == "previous":
        etcd = previous_version(versions, versions[-1], where)
    elif etcd_wanted in versions:
        etcd = etcd_wanted
    else:
        raise LabError(
            f"Flatcar {etcd_wanted} for the etcd members is not offered {where}, which has "
            f"{_offered(versions)}; pass --etcd-image-version latest or one of those."
        )
    if host_wanted == "latest":
        host = versions[-1]
    elif host_wanted == "previous":
        host = previous_version(versions, etcd, where)
    elif host_wanted in versions:
        host = host_wanted
    else:
        raise LabError(
            f"Flatcar {host_wanted} for the container hosts is not offered {where}, which has "
            f"{_offered(versions)}; pass --host-image-version previous or one of those."
        )
    return ImageVersions(etcd=etcd, host=host)


def previous_version(versions: list[str], newer: str, where: str = "here") -> str:
    """The newest release of the major before ``newer``'s, else an earlier one of its major."""
    ordered = sorted(set(versions), key=version_key)
    major = version_key(newer)[0]
    earlier_major = [v for v in ordered if version_key(v)[0] < major]
    if earlier_major:
        return earlier_major[-1]
    earlier = [v for v in ordered if version_key(v) < version_key(newer)]
    if earlier:
        return earlier[-1]
    raise LabError(
        f"Azure offers no Flatcar release older than {newer} {where}, so the hosts cannot start "
        "behind the etcd members; pass --host-image-version with a version, or 'latest'."
    )


def versions_in_inventory(resources: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Image versions of a lab's existing VMs, by role ("etcd", "host").

    ``resources`` is :attr:`Inventory.resources` (``kind/name`` → REST body).
    """
    found: dict[str, str] = {}
    for key, body in resources.items():
        if not key.startswith(VM.lower() + "/"):
            continue
        role = (body.get("tags") or {}).get(TAG_ROLE)
        image = (body.get("properties") or {}).get("storageProfile", {}).get("imageReference", {})
        version = image.get("version") or image.get("exactVersion")
        if role and version and version != "latest":
            found.setdefault(str(role), str(version))
    return found


def lab_versions(
    available: Iterable[str],
    settings: LabSettings,
    keep: Mapping[str, str] | None = None,
    where: str = "here",
) -> ImageVersions:
    """Versions for the lab: those in ``keep`` (an existing lab's) win, the rest resolved.

    With both roles kept, nothing is looked up, so an image Azure no longer lists does not
    stop a re-run of a finished lab.
    """
    keep = dict(keep or {})
    if ETCD.name in keep and HOST.name in keep:
        return ImageVersions(keep[ETCD.name], keep[HOST.name])
    versions = sorted(set(available), key=version_key)
    if ETCD.name in keep:
        etcd = keep[ETCD.name]
        host = resolve_wanted([*versions, etcd], etcd, settings.host_image_version, where).host
        return ImageVersions(etcd, host)
    picked = resolve_wanted(
        versions, settings.etcd_image_version, settings.host_image_version, where
    )
    return ImageVersions(picked.etcd, keep.get(HOST.name, picked.host))


def list_versions(clients: Clients, settings: LabSettings, offer: str = FLATCAR_OFFER) -> list[str]:
    images = clients.compute.virtual_machine_images.list(
        settings.location, FLATCAR_PUBLISHER, offer, settings.image_sku
    )
    return [image.name for image in images]


def image_plan(
    clients: Clients, settings: LabSettings, version: str, offer: str = FLATCAR_OFFER
) -> Any:
    """The purchase plan the image version needs, or None (the CoreVM offer needs none)."""
    image = clients.compute.virtual_machine_images.get(
        settings.location, FLATCAR_PUBLISHER, offer, settings.image_sku, version
    )
    return image.plan
