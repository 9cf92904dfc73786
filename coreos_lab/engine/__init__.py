"""The verbs of coreos-lab as a library, the one door from the CLI to the rest.

plan, up, down, check, machines and ssh_target each take settings and return a result from
coreos_lab.lab.results; the CLI only renders. Order inside `up` is what keeps a failed run cheap:
everything local and every check comes before the first write to Azure (key, token,
preflight, image versions), then the plan is applied as a DAG.

Each verb takes an optional ``clients``: tests pass clients of an emulator they started;
otherwise they are built from ``--cloud`` and closed at the end.
"""

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
