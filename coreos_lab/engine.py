"""The three verbs of coreos-lab (up, down, machines) as a library: the CLI only renders.

Order inside `up` is what keeps a failed run cheap: everything local and every check comes
before the first write to Azure (key, token, preflight, image versions), then the plan is
applied as a DAG.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from coreos_lab import discovery, keys, state
from coreos_lab.azure.apply import ApplyResult, apply_plan
from coreos_lab.azure.clients import Clients, connect
from coreos_lab.azure.errors import azure_error, is_azure_error
from coreos_lab.azure.images import ImageVersions, resolve_versions
from coreos_lab.azure.inventory import Inventory, read_inventory
from coreos_lab.azure.machines import MachineInfo, list_machines
from coreos_lab.azure.teardown import delete_lab
from coreos_lab.errors import LabError, UsageError
from coreos_lab.events import EventSink, PhaseEvent
from coreos_lab.plan import VM, LabPlan, PlanInputs, build_plan
from coreos_lab.settings import LabSettings


@dataclass
class UpResult:
    plan: LabPlan
    applied: ApplyResult
    machines: list[MachineInfo]
    key_path: str
    key_generated: bool
    token_requested: bool
    images: ImageVersions
    notes: list[str] = field(default_factory=list)


def key_path_for(settings: LabSettings, key: keys.SshKey | None = None) -> str:
    if key is not None and key.private_key_path is not None:
        return str(key.private_key_path)
    if settings.ssh_public_key is not None:
        return str(settings.ssh_public_key.expanduser()).removesuffix(".pub")
    return str(settings.ssh_key.expanduser())


def _versions_in_lab(inventory: Inventory, plan_settings: LabSettings) -> dict[str, str]:
    """Image versions of the lab's existing VMs, by role, so a re-run never changes an OS."""
    found: dict[str, str] = {}
    for key, body in inventory.resources.items():
        if not key.startswith(VM.lower() + "/"):
            continue
        role = (body.get("tags") or {}).get("coreos-lab-role")
        image = body.get("properties", {}).get("storageProfile", {}).get("imageReference", {})
        version = image.get("version") or image.get("exactVersion")
        if role and version and version != "latest":
            found.setdefault(str(role), str(version))
    return found


def up(settings: LabSettings, sink: EventSink, *, clients: Clients | None = None) -> UpResult:
    if not settings.ssh_from:
        raise UsageError(
            "up needs --ssh-from: the CIDR allowed to reach SSH, e.g. your address as "
            "203.0.113.7/32 (curl -s https://api.ipify.org prints it)."
        )
    lab_state = state.load_state(settings.name)
    if lab_state.cloud and lab_state.cloud != settings.cloud:
        raise UsageError(
            f"Lab '{settings.name}' was built with --cloud {lab_state.cloud}; use that, "
            "or another --name for a new lab."
        )
    sink(PhaseEvent("key", "SSH key"))
    key = keys.resolve_ssh_key(settings)
    sink(
        PhaseEvent(
            "key",
            f"SSH key {keys.key_fingerprint(key.public_key)}"
            + (" (generated)" if key.generated else " (reused)"),
            done=True,
        )
    )

    clients = clients or connect(settings.cloud, settings.subscription)
    try:
        return _up(settings, sink, clients, key, lab_state)
    except LabError:
        raise
    except Exception as exc:
        if is_azure_error(exc):
            raise azure_error(exc, f"lab {settings.name}", clients.target.endpoint) from exc
        raise


def _up(
    settings: LabSettings,
    sink: EventSink,
    clients: Clients,
    key: keys.SshKey,
    lab_state: state.LabState,
) -> UpResult:
    sink(PhaseEvent("inventory", f"Reading resource group {settings.resource_group}"))
    inventory = read_inventory(clients, settings.resource_group)
    if inventory.group is not None:
        from coreos_lab.azure.teardown import check_ours

        check_ours(inventory.group, settings.name)
    sink(PhaseEvent("inventory", f"{len(inventory.resources)} resources exist", done=True))

    sink(PhaseEvent("images", "Flatcar image versions"))
    existing = _versions_in_lab(inventory, settings)
    if lab_state.etcd_image_version and lab_state.host_image_version:
        images = ImageVersions(lab_state.etcd_image_version, lab_state.host_image_version)
    elif "etcd" in existing and "host" in existing:
        images = ImageVersions(existing["etcd"], existing["host"])
    else:
        images = resolve_versions(clients, settings)
        images = ImageVersions(existing.get("etcd", images.etcd), existing.get("host", images.host))
    sink(PhaseEvent("images", f"etcd {images.etcd}, hosts {images.host}", done=True))

    token_requested = False
    discovery_url = None
    if settings.bootstrap == "discovery":
        sink(PhaseEvent("token", "etcd discovery token"))
        discovery_url, token_requested = discovery.discovery_url_for(settings, lab_state)
        sink(PhaseEvent("token", "requested" if token_requested else "reused", done=True))

    lab_state.subscription_id = clients.subscription_id
    lab_state.cloud = settings.cloud
    lab_state.etcd_image_version = images.etcd
    lab_state.host_image_version = images.host
    state.save_state(lab_state)

    plan = build_plan(
        settings,
        PlanInputs(
            subscription_id=clients.subscription_id,
            ssh_public_key=key.public_key,
            discovery_url=discovery_url,
            etcd_image_version=images.etcd,
            host_image_version=images.host,
        ),
    )
    sink(PhaseEvent("apply", f"Applying {len(plan.resources)} resources"))
    began = time.monotonic()
    applied = apply_plan(clients, plan, inventory, sink)
    sink(
        PhaseEvent(
            "apply", f"{applied.writes} written in {time.monotonic() - began:.1f} s", done=True
        )
    )
    machines = list_machines(clients, settings.resource_group, settings.name)
    return UpResult(
        plan=plan,
        applied=applied,
        machines=machines,
        key_path=key_path_for(settings, key),
        key_generated=key.generated,
        token_requested=token_requested,
        images=images,
    )


def machines(settings: LabSettings, *, clients: Clients | None = None) -> list[MachineInfo]:
    clients = clients or connect(settings.cloud, settings.subscription)
    try:
        from coreos_lab.azure.resources import get_group

        if get_group(clients, settings.resource_group) is None:
            raise LabError(
                f"There is no lab '{settings.name}' (resource group {settings.resource_group}) "
                f"in subscription {clients.subscription_id}; create it with `coreos-lab up`."
            )
        return list_machines(clients, settings.resource_group, settings.name)
    except LabError:
        raise
    except Exception as exc:
        if is_azure_error(exc):
            raise azure_error(exc, f"lab {settings.name}", clients.target.endpoint) from exc
        raise


@dataclass
class DownResult:
    deleted: bool
    waited: bool
    state_removed: bool
    key_removed: list[str]


def down(
    settings: LabSettings,
    sink: EventSink,
    *,
    wait: bool = True,
    delete_key: bool = False,
    clients: Clients | None = None,
) -> DownResult:
    clients = clients or connect(settings.cloud, settings.subscription)
    try:
        deleted = delete_lab(clients, settings.resource_group, settings.name, sink, wait=wait)
    except LabError:
        raise
    except Exception as exc:
        if is_azure_error(exc):
            raise azure_error(
                exc, f"resource group {settings.resource_group}", clients.target.endpoint
            ) from exc
        raise
    state_removed = state.remove_state(settings.name) if wait or not deleted else False
    removed: list[str] = []
    if delete_key and settings.ssh_public_key is None:
        private = settings.ssh_key.expanduser()
        for path in (private, Path(str(private) + ".pub")):
            if path.exists():
                path.unlink()
                removed.append(str(path))
    return DownResult(deleted, wait, state_removed, removed)
