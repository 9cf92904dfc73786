"""The `logs` command: a machine's serial console from boot diagnostics (cli.py registers it).

Like cli.py, nothing here imports the engine until the command runs. What a machine printed on
its console is shown as text only: terminal escape sequences and control characters are taken
out, since a machine that misbehaves may print anything.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from coreos_lab.cli.options import AdoptOption, JsonOption
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings

# CSI (colours, cursor moves), OSC (window titles) and other escapes, then control characters
ESCAPES = re.compile(
    r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: str) -> str:
    """The text without escape sequences and control characters (newlines and tabs kept)."""
    return ESCAPES.sub("", text)


def logs_command(
    settings: LabSettings,
    machine: Annotated[
        str, typer.Argument(help="etcd0…, host0… as `ips` names them", metavar="NAME")
    ],
    follow: Annotated[
        bool,
        typer.Option("--follow", "-f", help="Keep printing what the console adds, until Ctrl-C."),
    ] = False,
    json_output: JsonOption = False,
    adopt: AdoptOption = False,
    interval: Annotated[
        float,
        typer.Option("--interval", min=0.1, hidden=True, help="Seconds between reads (--follow)."),
    ] = 2.0,
) -> None:
    """Print a machine's serial console, from Azure's boot diagnostics.

    It works when SSH does not: a machine that did not boot right (an Ignition mistake, an
    image that no longer pulls) can still be read. The emulator's console is emulated, and
    its first line says so.
    """
    from coreos_lab import engine
    from coreos_lab.views import output

    if follow and json_output:
        raise UsageError("--json prints the log once; drop --follow or --json.")
    if follow:

        def show(text: str) -> None:
            sys.stdout.write(printable(text))
            sys.stdout.flush()

        engine.follow_boot_log(settings, machine, show, interval=interval, adopt=adopt)
        return
    log = engine.boot_log(settings, machine, adopt=adopt)
    text = printable(log.text)
    if json_output:
        data = {
            "machine": log.machine,
            "role": log.role,
            "state": log.state,
            "read_at": datetime.fromtimestamp(log.read_at, UTC).isoformat(timespec="seconds"),
            "lines": text.splitlines(),
        }
        output.print_json(data)
        return
    if not text:
        typer.echo(f"{log.machine} has written nothing to its console yet.", err=True)
        return
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
