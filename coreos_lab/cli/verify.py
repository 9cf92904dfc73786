"""The `verify` command and `up --wait`, beside cli.py (which registers them).

Kept apart so cli.py stays one screenful per command; like cli.py, nothing here imports the
engine or rich until a command runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from coreos_lab.cli.options import JsonOption
from coreos_lab.errors import LabError
from coreos_lab.lab.settings import LabSettings

if TYPE_CHECKING:
    from coreos_lab.lab.results import UpResult
    from coreos_lab.verify.findings import LabReadiness


def verify_command(settings: LabSettings, json_output: JsonOption = False) -> None:
    """Check over SSH that the lab works: every machine at once, one sentence per problem.

    SSH, the Flatcar version and channel, what Ignition wrote, etcd (member health, the
    member list and its leader, the v2 API), the hosts' gateway, docker, flannel and update
    hold, and locksmith's reboot lock. Exits 0 only when the lab is ready.
    """
    from coreos_lab import engine
    from coreos_lab.views import output
    from coreos_lab.views.verify import readiness_as_dict

    report = engine.verify(settings)
    if json_output:
        output.print_json(readiness_as_dict(report))
    else:
        show_readiness(report)
    if not report.ready:
        raise typer.Exit(1)


def show_up(
    settings: LabSettings, result: UpResult, json_output: bool, *, wait: bool, timeout: float
) -> None:
    """What `up` prints when Azure's part is done; with --wait, then the rounds of verify."""
    from coreos_lab.views import output
    from coreos_lab.views.up import render_up, up_as_dict

    if not wait:
        if json_output:
            output.print_json(up_as_dict(result))
        else:
            render_up(result, output.console())
        return
    if not json_output:
        render_up(result, output.console())
    wait_until_ready(settings, result, json_output, timeout)


def wait_until_ready(
    settings: LabSettings, result: UpResult, json_output: bool, timeout: float
) -> None:
    """`up --wait`: verify in rounds until the lab is ready; a non-zero exit on timeout."""
    from coreos_lab import engine
    from coreos_lab.views import output
    from coreos_lab.views.up import up_as_dict
    from coreos_lab.views.verify import LiveReadiness, PlainReadiness, readiness_as_dict

    view: Any
    chosen = output.mode(json_output)
    if chosen is output.Mode.JSON:
        view = PlainReadiness(sys.stderr)
    elif chosen is output.Mode.LIVE:
        view = LiveReadiness(output.console(), timeout)
    else:
        view = PlainReadiness(sys.stdout)
    with view:
        report = engine.wait_ready(settings, timeout, view, access=result.access)
    if json_output:
        data = {**up_as_dict(result), "readiness": readiness_as_dict(report)}
        output.print_json(data)
    else:
        show_readiness(report)
    if not report.ready:
        raise LabError(f"Not ready after {timeout:.0f} s of --wait. {report.summary()}")


def show_readiness(report: LabReadiness) -> None:
    from coreos_lab.views import output
    from coreos_lab.views.verify import render_plain, render_readiness

    if output.mode() is output.Mode.LIVE:
        render_readiness(report, output.console())
    else:
        render_plain(report, sys.stdout)
