"""`down`: what it would delete, and deleting the lab's group, only if it is this lab's."""

from __future__ import annotations

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.lab_contents import read_contents
from coreos_lab.azure.operations import get_group
from coreos_lab.azure.teardown import delete_lab
from coreos_lab.engine import lab_checks
from coreos_lab.engine.session import DELETE_REQUESTED, lab_session
from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.events import EventSink
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.results import (
    DownPreview,
    DownResult,
)
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import check_ours
from coreos_lab.local import keys, memory, state
from coreos_lab.local.lock import lab_lock
from coreos_lab.local.runlog import RunLog

# ---- down --------------------------------------------------------------------------------


def down_preview(settings: LabSettings, *, clients: Clients | None = None) -> DownPreview:
    """What `down` would delete; refuses (LabError) a group that is not this lab's."""
    with lab_session(settings, clients, f"resource group {settings.resource_group}") as session:
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
    """Delete the lab's group if it is this lab's, holding its lock and writing its run log."""
    with lab_lock(settings.name, "down"), RunLog(settings, "down") as log:
        return _locked_down(settings, log.tee(sink), wait, delete_key, adopt, clients)


def _locked_down(
    settings: LabSettings,
    sink: EventSink,
    wait: bool,
    delete_key: bool,
    adopt: bool,
    clients: Clients | None,
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
    with lab_session(settings, clients, f"resource group {settings.resource_group}") as session:
        lab_checks.check_subscription(settings, lab_state, session.subscription_id, "down")
        group = get_group(session, settings.resource_group)
        if group is not None:
            check_ours(group, settings.name)
            if readable:
                lab_checks.identify(settings, group, lab_state, adopt)
        elif known and not lab_state.extra.get(DELETE_REQUESTED):
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
        lab_state.extra[DELETE_REQUESTED] = True
        state.save_state(lab_state)
    removed: list[str] = []
    kept = None
    mine = memory.key_paths(settings)[0]
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


def _where(settings: LabSettings) -> str:
    return cloud_of(settings.cloud).described
