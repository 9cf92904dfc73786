"""The three verbs of coreos-lab (up, down, machines) as a library: the CLI only renders.

Order inside `up` is what keeps a failed run cheap: everything local and every check comes
before the first write to Azure (key, token, preflight, image versions), then the plan is
applied as a DAG.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coreos_lab import discovery, keys, state
from coreos_lab.azure.apply import ApplyResult, apply_plan
from coreos_lab.azure.clients import Clients, connect
from coreos_lab.azure.errors import azure_error, is_azure_error
from coreos_lab.azure.images import ImageVersions
from coreos_lab.azure.inventory import read_inventory
from coreos_lab.azure.machines import list_machines
from coreos_lab.azure.preflight import PreflightReport, run_preflight
from coreos_lab.azure.resources import get_group
from coreos_lab.azure.teardown import check_ours, delete_lab
from coreos_lab.errors import LabError, UsageError
from coreos_lab.events import EventSink, PhaseEvent
from coreos_lab.kinds import ProvisioningState
from coreos_lab.machines import MachineInfo
from coreos_lab.plan import LabPlan, PlanInputs, build_plan
from coreos_lab.settings import LabSettings

GENERATED_KEY = "generated_key"


@contextmanager
def _speaking_azure(clients: Clients, what: str) -> Iterator[None]:
    """Turn an SDK exception into a LabError sentence, and close the clients at the end."""
    try:
        yield
    except LabError:
        raise
    except Exception as exc:
        if is_azure_error(exc):
            raise azure_error(exc, what, clients.target.endpoint) from exc
        raise
    finally:
        clients.close()


@dataclass
class UpResult:
    plan: LabPlan
    applied: ApplyResult
    machines: list[MachineInfo]
    key_path: str
    key_generated: bool
    token_requested: bool
    images: ImageVersions


def key_path_for(settings: LabSettings, key: keys.SshKey | None = None) -> str:
    if key is not None and key.private_key_path is not None:
        return str(key.private_key_path)
    if settings.ssh_public_key is not None:
        return str(settings.ssh_public_key.expanduser()).removesuffix(".pub")
    return str(settings.ssh_key.expanduser())


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
    with _speaking_azure(clients, f"lab {settings.name}"):
        return _up(settings, sink, clients, key, lab_state)


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
        check_ours(inventory.group, settings.name, building=True)
        if ProvisioningState.of(inventory.group) is ProvisioningState.DELETING:
            raise LabError(
                f"Lab '{settings.name}' is still being deleted; run `coreos-lab down` to wait "
                "until it is gone, then run up again."
            )
    sink(PhaseEvent("inventory", f"{len(inventory.resources)} resources exist", done=True))

    # Every check before the first write: a run that cannot finish should not start.
    pinned = (
        ImageVersions(lab_state.etcd_image_version, lab_state.host_image_version)
        if lab_state.etcd_image_version and lab_state.host_image_version
        else None
    )
    report = run_preflight(clients, settings, existing=inventory, pinned=pinned, sink=sink)
    report.raise_if_failed()
    assert report.images is not None
    images = report.images

    token_requested = False
    discovery_url = None
    if settings.bootstrap == "discovery":
        sink(PhaseEvent("token", "etcd discovery token"))
        discovery_url, token_requested = discovery.discovery_url_for(settings, lab_state)
        sink(PhaseEvent("token", "requested" if token_requested else "reused", done=True))

    if key.generated and key.private_key_path is not None:
        # Remembered so that `down --delete-key` removes only a key coreos-lab made.
        lab_state.extra[GENERATED_KEY] = str(key.private_key_path)
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
    with _speaking_azure(clients, f"lab {settings.name}"):
        if get_group(clients, settings.resource_group) is None:
            raise LabError(
                f"There is no lab '{settings.name}' (resource group {settings.resource_group}) "
                f"in subscription {clients.subscription_id}; create it with `coreos-lab up`."
            )
        return list_machines(clients, settings.resource_group, settings.name)


def check(settings: LabSettings, *, clients: Clients | None = None) -> PreflightReport:
    """The preflight alone: what `up` checks before its first write."""
    clients = clients or connect(settings.cloud, settings.subscription)
    with _speaking_azure(clients, f"lab {settings.name}"):
        inventory = read_inventory(clients, settings.resource_group)
        return run_preflight(clients, settings, existing=inventory)


@dataclass
class DownResult:
    deleted: bool
    waited: bool
    state_removed: bool
    key_removed: list[str]
    key_kept: str | None = None  # why --delete-key left the key alone


def down(
    settings: LabSettings,
    sink: EventSink,
    *,
    wait: bool = True,
    delete_key: bool = False,
    clients: Clients | None = None,
) -> DownResult:
    generated_key = state.load_state(settings.name).extra.get(GENERATED_KEY)
    clients = clients or connect(settings.cloud, settings.subscription)
    with _speaking_azure(clients, f"resource group {settings.resource_group}"):
        deleted = delete_lab(clients, settings.resource_group, settings.name, sink, wait=wait)
    # With --no-wait the group may still be there: keep the state until a later down sees it go.
    state_removed = state.remove_state(settings.name) if wait or not deleted else False
    removed: list[str] = []
    kept = None
    if delete_key:
        if generated_key and Path(generated_key) == settings.ssh_key.expanduser():
            for path in (Path(generated_key), Path(generated_key + ".pub")):
                if path.exists():
                    path.unlink()
                    removed.append(str(path))
        else:
            kept = "coreos-lab did not generate this key for the lab, so it stays"
    return DownResult(deleted, wait, state_removed, removed, kept)
