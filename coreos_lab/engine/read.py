"""Reading a lab without changing it: its machines, ssh, ssh-config, the preflight alone, and
`verify` (is the lab ready)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.inventory import read_inventory
from coreos_lab.azure.lab_machines import read_machines
from coreos_lab.azure.operations import get_group
from coreos_lab.azure.preflight import run_preflight
from coreos_lab.azure.prices import estimate_cost, service_of
from coreos_lab.engine import lab_checks
from coreos_lab.engine.session import known_hosts_path, lab_session
from coreos_lab.errors import LabError
from coreos_lab.lab.costs import CostEstimate
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.kinds import ProvisioningState
from coreos_lab.lab.results import (
    MachineAccess,
    PreflightReport,
)
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import check_ours
from coreos_lab.local import keys, state
from coreos_lab.local.files import make_private_dirs
from coreos_lab.ssh import config as sshconfig
from coreos_lab.ssh import config_file

if TYPE_CHECKING:
    from coreos_lab.verify.findings import LabReadiness

# ---- reading a lab -----------------------------------------------------------------------


def machines(
    settings: LabSettings, *, adopt: bool = False, clients: Clients | None = None
) -> MachineAccess:
    """The lab's machines, and the key and known_hosts file that reach them."""
    lab_state = state.load_state(settings.name)
    with lab_session(settings, clients, f"lab {settings.name}") as session:
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
    if ProvisioningState.of(group) is ProvisioningState.DELETING:
        # ARM deletes the group's VMs in its own time; each still reads as running meanwhile.
        found = [dataclasses.replace(m, state="deleting") for m in found]
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
    path = config_file.install_block(Path("~/.ssh/config").expanduser(), settings.name, block)
    return str(path)


def check(settings: LabSettings, *, clients: Clients | None = None) -> PreflightReport:
    """The preflight alone: what `up` checks before its first write; and the lab's price per
    hour, asked of the price list meanwhile (a few seconds at most)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prices")
    try:
        service = service_of(clients.target) if clients is not None else None
        cost = pool.submit(estimate_cost, [settings], service=service)
        with lab_session(settings, clients, f"lab {settings.name}") as session:
            inventory = read_inventory(session, settings.resource_group)
            report = run_preflight(session, settings, existing=inventory)
        return dataclasses.replace(report, cost=cost.result())
    finally:
        pool.shutdown(wait=False)  # a failed preflight does not wait for the prices


def plan_cost(settings: LabSettings) -> CostEstimate:
    """The lab's price per hour for `plan`: only the public price list is asked."""
    return estimate_cost([settings])


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
