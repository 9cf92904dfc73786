"""`logs`: a machine's serial console from boot diagnostics, so a machine that never came up
on SSH can still be read. Found by name in the lab as `ssh` finds it (the group's tags and the
lab's identity checked first); read only.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from coreos_lab.azure.boot_log import SerialLog, boot_diagnostics_on
from coreos_lab.azure.clients import Clients, connect
from coreos_lab.engine.read import machines
from coreos_lab.engine.session import lab_session
from coreos_lab.errors import LabError
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.settings import LabSettings
from coreos_lab.ssh import config as sshconfig

FOLLOW_INTERVAL = 2.0  # seconds between two reads of the log under --follow


@dataclass(frozen=True)
class BootLog:
    """The serial log as it was read: its text, and when (no link: it is a secret)."""

    machine: str
    role: str
    state: str
    text: str
    read_at: float

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@contextmanager
def _serial_log(
    settings: LabSettings, machine: str, clients: Clients | None, adopt: bool
) -> Iterator[tuple[SerialLog, str, str]]:
    """The machine's serial log reader (and its role and state), once the lab is checked."""
    clients = clients or connect(settings.cloud, settings.subscription)
    # machines() checks the group's tags and the lab's identity, as every read command does.
    access = machines(settings, adopt=adopt, clients=clients)
    target = sshconfig.pick_machine(access.machines, machine, up=lab_command("up", settings))
    with lab_session(settings, clients, f"the boot diagnostics of {target.name}") as session:
        if not boot_diagnostics_on(session, settings.resource_group, target.name):
            raise LabError(
                f"{target.name} has boot diagnostics turned off, so Azure keeps no serial log "
                "for it; turn them on (`az vm boot-diagnostics enable`) and restart the machine."
            )
        yield SerialLog(session, settings.resource_group, target.name), target.role, target.state


def boot_log(
    settings: LabSettings, machine: str, *, adopt: bool = False, clients: Clients | None = None
) -> BootLog:
    """The machine's serial log as it is now."""
    with _serial_log(settings, machine, clients, adopt) as (log, role, state):
        data = log.read()
    return BootLog(machine, role, state, data.decode("utf-8", "replace"), time.time())


def follow_boot_log(
    settings: LabSettings,
    machine: str,
    on_text: Callable[[str], None],
    *,
    interval: float = FOLLOW_INTERVAL,
    adopt: bool = False,
    clients: Clients | None = None,
) -> None:
    """The log, then what it gains, every ``interval`` seconds, until Ctrl-C.

    Each read fetches the whole blob (serial logs are small) and hands on what is past the
    part already shown; a log that got shorter (the machine was redeployed) is shown again
    from its start.
    """
    with _serial_log(settings, machine, clients, adopt) as (log, _role, _state):
        shown = 0
        decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a read may end mid-character
        while True:
            data = log.read()
            if len(data) < shown:
                shown = 0
                decoder.reset()
            if len(data) > shown:
                on_text(decoder.decode(data[shown:]))
                shown = len(data)
            time.sleep(interval)
