"""The verbs of coreos-lab as a library, the one door from the CLI to the rest.

Each verb takes settings and returns a result of coreos_lab.lab.results (the CLI only renders),
and an optional ``clients``: tests pass an emulator's; otherwise they are built from
``--cloud`` and closed at the end."""

from coreos_lab.engine.classroom.check import class_check, require_room
from coreos_lab.engine.classroom.up import class_command, class_up
from coreos_lab.engine.down import down, down_preview
from coreos_lab.engine.logs import BootLog, boot_log, follow_boot_log
from coreos_lab.engine.read import (
    check,
    machines,
    plan_cost,
    ssh_config,
    ssh_target,
    verify,
    wait_ready,
)
from coreos_lab.engine.session import KNOWN_HOSTS, known_hosts_path, peek_plan_inputs, plan
from coreos_lab.engine.up import remembered, up

__all__ = [
    "KNOWN_HOSTS",
    "BootLog",
    "boot_log",
    "check",
    "class_check",
    "class_command",
    "class_up",
    "down",
    "down_preview",
    "follow_boot_log",
    "known_hosts_path",
    "machines",
    "peek_plan_inputs",
    "plan",
    "plan_cost",
    "remembered",
    "require_room",
    "ssh_config",
    "ssh_target",
    "up",
    "verify",
    "wait_ready",
]
