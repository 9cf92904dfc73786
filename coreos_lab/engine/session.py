"""What every verb of the engine shares: a session of SDK clients, the lab's known_hosts,
the plan as settings alone give it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from coreos_lab.azure.clients import Clients, connect
from coreos_lab.azure.errors import map_errors
from coreos_lab.lab.events import EventSink, PhaseEvent
from coreos_lab.lab.plan import LabPlan, PlanInputs, build_plan
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local import keys, memory, state

KNOWN_HOSTS = "known_hosts"


@contextmanager
def lab_session(
    settings: LabSettings, clients: Clients | None, what: str, sink: EventSink | None = None
) -> Iterator[Clients]:
    """Clients for the lab's cloud, SDK errors turned into sentences; closed at the end.

    With ``sink``, the view hears when requests back off and why (azure/budget.py).
    """
    clients = clients or connect(settings.cloud, settings.subscription)
    if sink is not None:
        clients.budget.notify = lambda text, done: sink(PhaseEvent("backoff", text, done=done))
    try:
        with map_errors(what, clients.target.endpoint, cloud=clients.target.row):
            yield clients
    finally:
        clients.close()


# ---- local: what this machine knows, read only -------------------------------------------


def known_hosts_path(settings: LabSettings) -> Path:
    """The lab's own known_hosts file, beside its state (see sshconfig for why)."""
    return state.state_path(settings.name).parent / KNOWN_HOSTS


def peek_plan_inputs(settings: LabSettings, lab_state: state.LabState | None = None) -> PlanInputs:
    """What `plan` can show without creating or requesting anything (``lab_state``: the
    lab's state when the caller has read it already)."""
    if lab_state is None:
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


def plan(
    settings: LabSettings,
    *,
    given: Mapping[str, str] | None = None,
    lab_state: state.LabState | None = None,
) -> LabPlan:
    """Every resource `up` would create, without touching Azure or the network.

    With ``given`` (where each setting the user gave came from), what was not given is what
    the lab remembers (its key, cloud, subscription), from the same one read of its state.
    """
    if lab_state is None:
        lab_state = state.load_state(settings.name)
    if given is not None:
        settings = memory.recall(settings, given, lab_state)
    return build_plan(settings, peek_plan_inputs(settings, lab_state))


# Marks a lab whose group `down --no-wait` asked ARM to delete, so a later `down` that finds
# nothing may forget it; `up` clears it.
DELETE_REQUESTED = "delete_requested"
