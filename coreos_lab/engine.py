"""The verbs of coreos-lab as a library, the one door from the CLI to the rest.

plan, up, down, check, machines and ssh_target each take settings and return a result from
coreos_lab.reports; the CLI only renders. Order inside `up` is what keeps a failed run cheap:
everything local and every check comes before the first write to Azure (key, token,
preflight, image versions), then the plan is applied as a DAG.

Each verb takes an optional ``clients``: tests pass clients of an emulator they started;
otherwise they are built from ``--cloud`` and closed at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from coreos_lab import cluster, discovery, keys, lab_checks, lab_memory, sshconfig, state
from coreos_lab.azure.apply import apply_plan
from coreos_lab.azure.clients import Clients, connect
from coreos_lab.azure.errors import map_errors
from coreos_lab.azure.inventory import Inventory, read_inventory
from coreos_lab.azure.lab_contents import read_contents
from coreos_lab.azure.lab_machines import read_machines
from coreos_lab.azure.operations import get_group
from coreos_lab.azure.preflight import run_preflight
from coreos_lab.azure.teardown import delete_lab
from coreos_lab.clouds import EMULATOR
from coreos_lab.errors import Interrupted, LabError, UsageError
from coreos_lab.events import EventSink, PhaseEvent, PlanEvent
from coreos_lab.files import make_private_dirs
from coreos_lab.hints import lab_command
from coreos_lab.kinds import ProvisioningState
from coreos_lab.plan import LabPlan, PlanInputs, build_plan
from coreos_lab.reports import (
    DownPreview,
    DownResult,
    ImageVersions,
    MachineAccess,
    PreflightReport,
    UpResult,
)
from coreos_lab.settings import LabSettings
from coreos_lab.tags import check_ours
from coreos_lab.wording import plural

if TYPE_CHECKING:
    from coreos_lab.verify.findings import LabReadiness

KNOWN_HOSTS = "known_hosts"


@contextmanager
def _session(settings: LabSettings, clients: Clients | None, what: str) -> Iterator[Clients]:
    """Clients for the lab's cloud, SDK errors turned into sentences; closed at the end."""
    clients = clients or connect(settings.cloud, settings.subscription)
    try:
        with map_errors(what, clients.target.endpoint, emulator=clients.target.cloud == EMULATOR):
            yield clients
    finally:
        clients.close()


# ---- local: what this machine knows, read only -------------------------------------------


def known_hosts_path(settings: LabSettings) -> Path:
    """The lab's own known_hosts file, beside its state (see sshconfig for why)."""
    return state.state_path(settings.name).parent / KNOWN_HOSTS


def peek_plan_inputs(settings: LabSettings) -> PlanInputs:
    """What `plan` can show without creating or requesting anything."""
    lab_state = state.load_state(settings.name)
    discovery_url = settings.discovery_url or None
    if discovery_url is None and lab_state.discovery_size == settings.etcd:
        discovery_url = lab_state.discovery_url
    return PlanInputs(
        subscription_id=settings.subscription or lab_state.subscription_id,
        ssh_public_key=keys.existing_public_key(settings),
        discovery_url=discovery_url,
        etcd_image_version=lab_state.etcd_image_version,
        host_image_version=lab_state.host_image_version,
    )


def plan(settings: LabSettings) -> LabPlan:
    """Every resource `up` would create, without touching Azure or the network."""
    return build_plan(settings, peek_plan_inputs(settings))


# ---- up ----------------------------------------------------------------------------------


def _plan_event(lab_plan: LabPlan) -> PlanEvent:
    return PlanEvent(tuple((r.key, r.kind, r.name) for r in lab_plan.resources))


def up(
    settings: LabSettings,
    sink: EventSink,
    *,
    adopt: bool = False,
    clients: Clients | None = None,
) -> UpResult:
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
    # The live view shows every resource from its first frame, not after the preflight: the
    # names and kinds do not depend on what only Azure knows.
    sink(_plan_event(plan(settings)))
    with _session(settings, clients, f"lab {settings.name}") as session:
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

    if key.generated and key.private_key_path is not None:
        # Remembered so that `down --delete-key` removes only a key coreos-lab made.
        lab_state.generated_key = str(key.private_key_path)
    lab_state.lab_id = lab_state.lab_id or state.new_lab_id()
    lab_state.extra.pop(_DELETE_REQUESTED, None)  # a lab built again is a lab again
    lab_state.etcd_size = settings.etcd
    lab_state.ssh_key, lab_state.ssh_public_key = lab_memory.key_paths(settings)
    lab_state.subscription_id = clients.subscription_id
    lab_state.cloud = settings.cloud
    lab_state.etcd_image_version = images.etcd
    lab_state.host_image_version = images.host
    state.save_state(lab_state)

    lab_plan = build_plan(
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


def _before_writes(
    settings: LabSettings,
    sink: EventSink,
    clients: Clients,
    lab_state: state.LabState,
    adopt: bool,
) -> tuple[Inventory, keys.SshKey, ImageVersions, str | None, bool]:
    """Everything `up` reads and checks before its first write: group, preflight, token."""
    sink(PhaseEvent("inventory", f"Reading resource group {settings.resource_group}"))
    inventory = read_inventory(clients, settings.resource_group)
    etcd_vms = lab_checks.etcd_vms(inventory)
    token = (
        cluster.token_for(settings, lab_state.discovery_url, etcd_vms)
        if settings.bootstrap == "discovery"
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
    verb = "exists" if len(inventory.resources) == 1 else "exist"
    existing = plural(len(inventory.resources), "resource")
    sink(PhaseEvent("inventory", f"{existing} {verb}", done=True))
    key = lab_checks.key_the_vms_trust(settings, sink, inventory)

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
    return inventory, key, images, discovery_url, token_requested


def remembered(settings: LabSettings, given: Mapping[str, str]) -> LabSettings:
    """``settings`` with the lab's recorded key, cloud and subscription where not given.

    An unreadable state remembers nothing here: the command that needs it says so, and
    `down` goes on without it.
    """
    try:
        record = state.load_state(settings.name)
    except LabError:
        return settings
    return lab_memory.recall(settings, given, record)


# ---- reading a lab -----------------------------------------------------------------------


def machines(
    settings: LabSettings, *, adopt: bool = False, clients: Clients | None = None
) -> MachineAccess:
    """The lab's machines, and the key and known_hosts file that reach them."""
    lab_state = state.load_state(settings.name)
    with _session(settings, clients, f"lab {settings.name}") as session:
        group = get_group(session, settings.resource_group)
        if group is None:
            raise LabError(
                f"There is no lab '{settings.name}' (resource group {settings.resource_group}) "
                f"in subscription {session.subscription_id}; create it with "
                f"`{lab_command('up', settings)}`."
            )
        check_ours(group, settings.name)
        lab_id = lab_checks.identify(settings, group, lab_state, adopt)
        if adopt and lab_id != lab_state.lab_id:
            lab_state.lab_id = lab_id
            lab_state.subscription_id = session.subscription_id
            lab_state.cloud = settings.cloud
            state.save_state(lab_state)
        found = read_machines(session, settings)
    return MachineAccess(tuple(found), keys.key_path_for(settings), str(known_hosts_path(settings)))


def ssh_target(
    settings: LabSettings,
    machine: str | None,
    command: Sequence[str] = (),
    *,
    adopt: bool = False,
    clients: Clients | None = None,
) -> list[str]:
    """The ssh argv that logs in to ``machine`` (default: the first host) and runs ``command``."""
    access = machines(settings, adopt=adopt, clients=clients)
    up_hint = lab_command("up", settings)
    target = sshconfig.pick_machine(access.machines, machine, up=up_hint)
    make_private_dirs(known_hosts_path(settings).parent)
    known = Path(access.known_hosts)
    return sshconfig.ssh_command(target, access.key_path, known, command, up=up_hint)


def ssh_config(
    settings: LabSettings, *, write: bool, adopt: bool = False, clients: Clients | None = None
) -> str:
    """The OpenSSH config block of the lab; with ``write``, put into ~/.ssh/config too.

    Returns the block, or the path written when ``write``.
    """
    access = machines(settings, adopt=adopt, clients=clients)
    make_private_dirs(known_hosts_path(settings).parent)
    block = sshconfig.config_block(
        access.machines, access.key_path, Path(access.known_hosts), settings.name
    )
    if not write:
        return block
    path = sshconfig.install_block(Path("~/.ssh/config").expanduser(), settings.name, block)
    return str(path)


def check(settings: LabSettings, *, clients: Clients | None = None) -> PreflightReport:
    """The preflight alone: what `up` checks before its first write."""
    with _session(settings, clients, f"lab {settings.name}") as session:
        inventory = read_inventory(session, settings.resource_group)
        return run_preflight(session, settings, existing=inventory)


# ---- down --------------------------------------------------------------------------------


def down_preview(settings: LabSettings, *, clients: Clients | None = None) -> DownPreview:
    """What `down` would delete; refuses (LabError) a group that is not this lab's."""
    with _session(settings, clients, f"resource group {settings.resource_group}") as session:
        return read_contents(session, settings)


def down(
    settings: LabSettings,
    sink: EventSink,
    *,
    wait: bool = True,
    delete_key: bool = False,
    adopt: bool = False,
    clients: Clients | None = None,
) -> DownResult:
    known = state.has_state(settings.name)
    try:
        lab_state = state.load_state(settings.name)
        readable = True
    except LabError:
        # A corrupt state must not keep a lab alive: the group's tags still say whose it is,
        # and the file's presence says this machine built it.
        lab_state, readable = state.LabState(lab=settings.name), False
    if lab_state.cloud and lab_state.cloud != settings.cloud:
        raise UsageError(
            f"Lab '{settings.name}' was built with --cloud {lab_state.cloud}, not "
            f"{settings.cloud}; run `{lab_command('down', settings, cloud=lab_state.cloud)}` "
            "(its local state is kept until then)."
        )
    with _session(settings, clients, f"resource group {settings.resource_group}") as session:
        recorded = lab_state.subscription_id
        if recorded and recorded.lower() != session.subscription_id.lower():
            raise UsageError(
                f"Lab '{settings.name}' was built in subscription {recorded}, not "
                f"{session.subscription_id}; run "
                f"`{lab_command('down', settings, subscription=recorded)}` (its local state "
                "is kept until then)."
            )
        group = get_group(session, settings.resource_group)
        if group is not None:
            check_ours(group, settings.name)
            if readable:
                lab_checks.identify(settings, group, lab_state, adopt)
        elif known and not lab_state.extra.get(_DELETE_REQUESTED):
            # Nothing here, yet this machine built the lab: the wrong subscription or
            # emulator, or deleted outside coreos-lab. Forgetting it could orphan a lab.
            raise LabError(
                f"There is no resource group {settings.resource_group} in subscription "
                f"{session.subscription_id} ({_where(settings)}), though this machine keeps "
                f"state for lab '{settings.name}'; the state stays at "
                f"{state.state_path(settings.name)}: delete it yourself if the lab is gone."
            )
        deleted = delete_lab(
            session,
            settings.resource_group,
            settings.name,
            sink,
            wait=wait,
            again=lab_command("down", settings),
        )
    # With --no-wait the group may still be there: keep the state until a later down sees it
    # go, and mark it, so that down knows the group's absence is its own doing.
    state_removed = state.remove_state(settings.name) if wait or not deleted else False
    if deleted and not wait and readable:
        lab_state.extra[_DELETE_REQUESTED] = True
        state.save_state(lab_state)
    removed: list[str] = []
    kept = None
    mine = lab_memory.key_paths(settings)[0]
    sharing = (
        [f"'{lab}'" for lab in state.labs_using_key(mine, settings.name)] if delete_key else []
    )
    if sharing:
        # Their VMs trust it too: deleting it would lock their users out.
        labs = f"labs {', '.join(sharing)} use" if len(sharing) > 1 else f"lab {sharing[0]} uses"
        kept = f"{labs} it too, so it stays"
    elif delete_key:
        try:
            removed = keys.delete_generated_key(settings, lab_state.generated_key)
        except LabError as exc:
            kept = str(exc)
    return DownResult(deleted, wait, state_removed, removed, kept)


_DELETE_REQUESTED = "delete_requested"


def _where(settings: LabSettings) -> str:
    return "the local emulator" if settings.cloud == "emulator" else f"cloud {settings.cloud}"


# ---- verify: is the lab ready ------------------------------------------------------------


def verify(settings: LabSettings, *, clients: Clients | None = None) -> LabReadiness:
    """Every machine checked over SSH at once: reachable, Flatcar, Ignition, etcd, hosts."""
    from coreos_lab.verify.session import verify_access

    return verify_access(settings, machines(settings, clients=clients))


def wait_ready(
    settings: LabSettings,
    timeout: float,
    on_round: Callable[[LabReadiness], None],
    *,
    access: MachineAccess | None = None,
    interval: float = 5.0,
) -> LabReadiness:
    """Run verify until the lab is ready or ``timeout`` seconds have passed; the last report.

    The machines are listed again each round unless ``access`` is given, since a VM's public
    IP may appear late.
    """
    from coreos_lab.verify.session import wait_until

    return wait_until(
        settings, timeout, on_round, lambda: access or machines(settings), interval=interval
    )
