"""What each machine should show, from the same settings and machine config the plan used. Pure.

The files are compared with what ``coreos_lab.boot.machine_config`` gives the machine (the content
both Ignition and cloud-config write), so a change there changes what `verify` expects without
a second copy of the lab's settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from coreos_lab.boot import machine_config
from coreos_lab.boot.machine_config import MachineConfig
from coreos_lab.lab.roles import ETCD, HOST, ROLES
from coreos_lab.lab.settings import Bootstrap, LabSettings

HOLD_LINE = "SERVER=disabled"
UNKNOWN_TOKEN = "https://discovery.invalid/token-not-recorded"
DISCOVERY_LINE = "Environment=ETCD_DISCOVERY="


@dataclass(frozen=True)
class Expected:
    name: str
    role: str
    private_ip: str
    version: str | None  # the Flatcar version up chose; None when not recorded
    channel: str
    hostname: str
    update_conf: str
    dropin: str
    members: tuple[tuple[str, str], ...]  # (name, private IP) of the etcd members


def expectations(
    settings: LabSettings,
    discovery_url: str | None,
    versions: dict[str, str | None],
) -> dict[str, Expected]:
    """Every planned machine by name. ``versions`` maps a role's name to its chosen version."""
    members = ETCD.members(settings)
    # A discovery lab whose token this machine does not know (its state file is gone) is
    # compared without the ETCD_DISCOVERY line: see DISCOVERY_LINE.
    url = discovery_url or UNKNOWN_TOKEN if settings.bootstrap == Bootstrap.DISCOVERY else None
    bootstrap = machine_config.EtcdBootstrap(discovery_url=url, members=members)
    found: dict[str, Expected] = {}
    for role in ROLES:
        for index, name in enumerate(role.vm_names(settings)):
            if role is ETCD:
                config = machine_config.etcd_member(name, bootstrap)
            else:
                config = machine_config.container_host(name, members)
            found[name] = Expected(
                name=name,
                role=role.name,
                private_ip=role.private_ip(settings, index),
                version=versions.get(role.name),
                channel=settings.channel,
                hostname=config.hostname,
                update_conf=file_text(config, machine_config.UPDATE_CONF),
                dropin=dropin_text(config),
                members=members,
            )
    return found


def sized_like(settings: LabSettings, machines: Sequence[tuple[str, str]]) -> LabSettings:
    """The settings with as many members and hosts as Azure has VMs of each role, if more.

    `verify` without the flags `up` was given (``--etcd 5``) still expects the lab that
    exists; a VM missing from Azure still counts, since the settings keep their own size.
    """
    sizes = {ETCD.name: settings.etcd, HOST.name: settings.hosts}
    for role_name, vm in machines:
        role = next((r for r in ROLES if r.name == role_name), None)
        index = role.index_of(vm) if role is not None else None
        if role is not None and index is not None:
            sizes[role.name] = max(sizes[role.name], index + 1)
    return dataclasses.replace(settings, etcd=sizes[ETCD.name], hosts=sizes[HOST.name])


def chosen_versions(
    settings: LabSettings, recorded: dict[str, str | None]
) -> dict[str, str | None]:
    """Each role's Flatcar version: what `up` recorded in the lab's state (it resolved
    'latest' and 'previous' against Azure), else a version the settings name outright."""
    found: dict[str, str | None] = {}
    for role in ROLES:
        wanted = role.image_wanted(settings)
        found[role.name] = recorded.get(role.name) or (wanted if wanted[:1].isdigit() else None)
    return found


def file_text(config: MachineConfig, path: str) -> str:
    """The text of a file the machine config writes."""
    for f in config.files:
        if f.path == path:
            return f.text
    raise KeyError(path)


def dropin_text(config: MachineConfig) -> str:
    for unit in config.units:
        if unit.name == machine_config.ETCD_UNIT:
            return unit.dropins[0].text
    raise KeyError(machine_config.ETCD_UNIT)
