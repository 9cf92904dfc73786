"""`up`: everything local and every check before the first write to Azure (key, token,
preflight, image versions), then the plan applied as a DAG."""

from __future__ import annotations

import time
from collections.abc import Mapping

from coreos_lab import discovery
from coreos_lab.azure.clients import Clients
from coreos_lab.azure.inventory import Inventory, read_inventory
from coreos_lab.azure.lab_machines import read_machines
from coreos_lab.azure.preflight import run_preflight
from coreos_lab.azure.preflight.reads import SharedReads
from coreos_lab.engine import lab_checks
from coreos_lab.engine.dag import apply_plan
from coreos_lab.engine.session import DELETE_REQUESTED, known_hosts_path, lab_session, plan
from coreos_lab.errors import Interrupted, LabError, UsageError
from coreos_lab.lab import cluster
from coreos_lab.lab.events import EventSink, PhaseEvent, PlanEvent
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.kinds import ProvisioningState
from coreos_lab.lab.plan import LabPlan, PlanInputs, build_plan
from coreos_lab.lab.results import (
    ImageVersions,
    MachineAccess,
    UpResult,
)
from coreos_lab.lab.roles import storage_account_name
from coreos_lab.lab.settings import Bootstrap, LabSettings
from coreos_lab.lab.tags import check_ours
from coreos_lab.local import keys, memory, state
from coreos_lab.local.lock import lab_lock
from coreos_lab.local.runlog import RunLog
from coreos_lab.wording import plural

# ---- up ----------------------------------------------------------------------------------


def _plan_event(lab_plan: LabPlan) -> PlanEvent:
    return PlanEvent(tuple((r.key, r.kind, r.name) for r in lab_plan.resources))


def up(
    settings: LabSettings,
    sink: EventSink,
    *,
    given: Mapping[str, str] | None = None,
    adopt: bool = False,
    clients: Clients | None = None,
) -> UpResult:
    """Build, finish or repair the lab, holding its lock and writing its run log.

    The lab's state is read once, under the lock; with ``given`` (where each setting the
    user gave came from), what was not given is what the lab remembers.
    """
    with lab_lock(settings.name, "up"):
        lab_state = state.load_state(settings.name)
        if given is not None:
            settings = memory.recall(settings, given, lab_state)
        with RunLog(settings, "up") as log:
            return _locked_up(settings, log.tee(sink), lab_state, adopt, clients)


def _locked_up(
    settings: LabSettings,
    sink: EventSink,
    lab_state: state.LabState,
    adopt: bool,
    clients: Clients | None,
) -> UpResult:
    if not settings.ssh_from:
        raise UsageError(
            "up needs --ssh-from: the CIDR allowed to reach SSH, e.g. your address as "
            "203.0.113.7/32 (curl -s https://api.ipify.org prints it)."
        )
    if lab_state.cloud and lab_state.cloud != settings.cloud:
        raise UsageError(
            f"Lab '{settings.name}' was built with --cloud {lab_state.cloud}; use that, "
            "or another --name for a new lab."
        )
    # The live view shows every resource from its first frame, not after the preflight: the
    # names and kinds do not depend on what only Azure knows.
    sink(_plan_event(plan(settings, lab_state=lab_state)))
    with lab_session(settings, clients, f"lab {settings.name}", sink) as session:
        lab_checks.check_subscription(settings, lab_state, session.subscription_id, "up")
        return _up(settings, sink, session, lab_state, adopt)


def _up(
    settings: LabSettings,
    sink: EventSink,
    clients: Clients,
    lab_state: state.LabState,
    adopt: bool,
) -> UpResult:
    try:
        inventory, key, images, discovery_url, token_requested = _before_writes(
            settings, sink, clients, lab_state, adopt
        )
    except KeyboardInterrupt:
        raise Interrupted(
            "Interrupted before anything was written to Azure; run "
            f"`{lab_command('up', settings)}` again to build the lab."
        ) from None

    lab_plan = record_and_plan(settings, clients, lab_state, key, images, discovery_url)
    sink(_plan_event(lab_plan))
    sink(PhaseEvent("apply", f"Applying {plural(len(lab_plan.resources), 'resource')}"))
    began = time.monotonic()
    applied = apply_plan(clients, lab_plan, inventory, sink)
    sink(
        PhaseEvent(
            "apply", f"{applied.writes} written in {time.monotonic() - began:.1f} s", done=True
        )
    )
    found = read_machines(clients, settings)
    return UpResult(
        plan=lab_plan,
        applied=applied,
        access=MachineAccess(
            tuple(found), keys.key_path_for(settings, key), str(known_hosts_path(settings))
        ),
        key_generated=key.generated,
        token_requested=token_requested,
        images=images,
    )


def record_and_plan(
    settings: LabSettings,
    clients: Clients,
    lab_state: state.LabState,
    key: keys.SshKey,
    images: ImageVersions,
    discovery_url: str | None,
) -> LabPlan:
    """Save the lab's state as the writes are about to begin, and return its final plan."""
    if key.generated and key.private_key_path is not None:
        # Remembered so that `down --delete-key` removes only a key coreos-lab made.
        lab_state.generated_key = str(key.private_key_path)
    lab_state.lab_id = lab_state.lab_id or state.new_lab_id()
    lab_state.extra.pop(DELETE_REQUESTED, None)  # a lab built again is a lab again
    lab_state.etcd_size = settings.etcd
    lab_state.hosts = settings.hosts
    lab_state.storage_account = storage_account_name(settings, clients.subscription_id)
    lab_state.provisioning = settings.provisioning
    lab_state.ssh_key, lab_state.ssh_public_key = memory.key_paths(settings)
    lab_state.subscription_id = clients.subscription_id
    lab_state.cloud = settings.cloud
    lab_state.etcd_image_version = images.etcd
    lab_state.host_image_version = images.host
    state.save_state(lab_state)
    return build_plan(
        settings,
        PlanInputs(
            subscription_id=clients.subscription_id,
            ssh_public_key=key.public_key,
            discovery_url=discovery_url,
            etcd_image_version=images.etcd,
            host_image_version=images.host,
            lab_id=lab_state.lab_id,
        ),
    )


def _before_writes(
    settings: LabSettings,
    sink: EventSink,
    clients: Clients,
    lab_state: state.LabState,
    adopt: bool,
) -> tuple[Inventory, keys.SshKey, ImageVersions, str | None, bool]:
    """Everything `up` reads and checks before its first write: group, preflight, token."""
    inventory, key, token = read_lab(settings, sink, clients, lab_state, adopt)
    images = preflight(settings, sink, clients, lab_state, inventory)
    discovery_url, token_requested = request_token(settings, sink, lab_state, token)
    return inventory, key, images, discovery_url, token_requested


def read_lab(
    settings: LabSettings,
    sink: EventSink,
    clients: Clients,
    lab_state: state.LabState,
    adopt: bool,
) -> tuple[Inventory, keys.SshKey, cluster.Token | None]:
    """The lab's group as it is, checked to be this lab's; the key its VMs trust; the token
    it needs (none with static bootstrap)."""
    sink(PhaseEvent("inventory", f"Reading resource group {settings.resource_group}"))
    inventory = read_inventory(clients, settings.resource_group)
    etcd_vms = lab_checks.etcd_vms(inventory)
    token = (
        cluster.token_for(settings, lab_state.discovery_url, etcd_vms)
        if settings.bootstrap == Bootstrap.DISCOVERY
        else None
    )
    if inventory.resource_group is not None:
        check_ours(inventory.resource_group, settings.name, building=True)
        lab_state.lab_id = lab_checks.identify(settings, inventory.resource_group, lab_state, adopt)
        if ProvisioningState.of(inventory.resource_group) is ProvisioningState.DELETING:
            raise LabError(
                f"Lab '{settings.name}' is still being deleted; run "
                f"`{lab_command('down', settings)}` to wait "
                "until it is gone, then run up again."
            )
    cluster.check_etcd_size(settings, lab_state.etcd_size, etcd_vms)
    lab_checks.check_provisioning(settings, lab_state.provisioning, inventory)
    verb = "exists" if len(inventory.resources) == 1 else "exist"
    existing = plural(len(inventory.resources), "resource")
    sink(PhaseEvent("inventory", f"{existing} {verb}", done=True))
    key = lab_checks.key_the_vms_trust(settings, sink, inventory)
    return inventory, key, token


def preflight(
    settings: LabSettings,
    sink: EventSink,
    clients: Clients,
    lab_state: state.LabState,
    inventory: Inventory,
    shared: SharedReads | None = None,
) -> ImageVersions:
    """Every check before the first write (a run that cannot finish should not start); the
    image versions to build with. ``shared``: reads a class's labs make once for all."""
    pinned = (
        ImageVersions(lab_state.etcd_image_version, lab_state.host_image_version)
        if lab_state.etcd_image_version and lab_state.host_image_version
        else None
    )
    report = run_preflight(
        clients, settings, existing=inventory, pinned=pinned, sink=sink, shared=shared
    )
    report.raise_if_failed()
    assert report.images is not None
    return report.images


def request_token(
    settings: LabSettings,
    sink: EventSink,
    lab_state: state.LabState,
    token: cluster.Token | None,
) -> tuple[str | None, bool]:
    """The discovery URL (requested or reused) and whether it was requested now."""
    token_requested = False
    discovery_url = None
    if token is not None:
        sink(PhaseEvent("token", "etcd discovery token"))
        renew = token is cluster.Token.RENEW
        discovery_url, token_requested = discovery.discovery_url_for(
            settings, lab_state, renew=renew
        )
        said = "reused"
        if token_requested:
            said = "new token requested: the stored one's cluster is gone" if renew else "requested"
        sink(PhaseEvent("token", said, done=True))
    return discovery_url, token_requested


def remembered(settings: LabSettings, given: Mapping[str, str]) -> LabSettings:
    """``settings`` with the lab's recorded key, cloud and subscription where not given.

    An unreadable state remembers nothing here: the command that needs it says so, and
    `down` goes on without it.
    """
    try:
        record = state.load_state(settings.name)
    except LabError:
        return settings
    return memory.recall(settings, given, record)
