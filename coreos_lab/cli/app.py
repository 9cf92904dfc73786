"""The `coreos-lab` command line: parse, call the engine, hand the result to a view.

Nothing here imports the engine, the Azure SDK or rich at start-up, so `coreos-lab --help`
stays fast; commands import them when they run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

from coreos_lab import __version__
from coreos_lab.cli import options
from coreos_lab.cli.classroom.app import class_app
from coreos_lab.cli.help import FindingCommand, LabCommand
from coreos_lab.cli.list_labs import list_labs
from coreos_lab.cli.logs import logs_command
from coreos_lab.cli.options import (
    AdoptOption,
    Given,
    JsonOption,
    Until,
    Wait,
    YesOption,
    settings_command,
)
from coreos_lab.cli.verify import show_up, verify_command, wait_until_ready
from coreos_lab.emulator.command import emulator as emulator_command
from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.settings import LabSettings

app = typer.Typer(
    name="coreos-lab",
    help=(
        "Stand up, show and tear down the Container Linux (Flatcar) on Azure teaching lab: "
        "an etcd cluster of 3, 5 or 7 VMs and N container hosts running flannel and docker.\n\n"
        "Settings come from flags, then COREOS_LAB_* environment variables, then "
        "./coreos-lab.toml, then defaults."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _console() -> Console:
    """The console of views/output.py, imported on use: --help need not pay for rich."""
    from coreos_lab.views import output

    return output.console()


def _print_json(data: Any) -> None:
    from coreos_lab.views import output

    output.print_json(data)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coreos-lab {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show a traceback and the SDKs' log when a command fails."),
    ] = False,
) -> None:
    options.debug = debug
    _sdk_logs(debug)


def _sdk_logs(debug: bool) -> None:
    """The SDKs' warnings (azure-identity lists every credential it tried) stay quiet: the
    command's own sentence says what failed and what to do. --debug shows them."""
    import logging

    sdk = logging.getLogger("azure")
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    else:
        sdk.addHandler(logging.NullHandler())  # a handler, so Python's last resort stays silent
        sdk.propagate = False


# ---- commands ----------------------------------------------------------------------------


@settings_command
def plan(settings: LabSettings, given: Given, json_output: JsonOption = False) -> None:
    """Show every resource `up` would create, and its price per hour, without touching Azure.

    It reads the SSH key and a stored discovery token if they exist, but creates
    nothing; what only `up` can know is listed at the end. The price comes from the
    public Azure Retail Prices API (no sign-in; a note if it does not answer in 5 s).
    """
    from coreos_lab import engine
    from coreos_lab.views.plan import plan_as_dict, render_plan

    lab_plan = engine.plan(settings, given=given)
    cost = engine.plan_cost(lab_plan.settings)
    if json_output:
        _print_json(plan_as_dict(lab_plan, cost))
    else:
        render_plan(lab_plan, _console(), cost)


app.command("plan", cls=LabCommand)(plan)


def _progress(json_output: bool, title: str) -> Any:
    from coreos_lab.views import output

    return output.progress(json_output, title)


@settings_command
def up(
    settings: LabSettings,
    given: Given,
    json_output: JsonOption = False,
    json_events: Annotated[
        bool,
        typer.Option("--json-events", help="Stream every event as a JSON line, then the result."),
    ] = False,
    wait: Wait = False,
    timeout: Until = 600,
    adopt: AdoptOption = False,
) -> None:
    """Build the lab, or finish or repair it: creates only what is missing or differs.

    Generates or reuses the SSH key, requests or reuses the etcd discovery token,
    checks Azure before the first write, then creates the resource group, network,
    storage, public IPs, NICs and VMs, each as soon as what it needs exists.

    A second run of a finished lab writes nothing. Ctrl-C stops cleanly; run up
    again to continue.
    """
    from coreos_lab.lab.ssh_from import WARNING, is_open_to_all

    if is_open_to_all(settings.ssh_from):
        typer.secho("warning: ", fg="yellow", bold=True, err=True, nl=False)
        typer.echo(WARNING, err=True)
    _up(settings, given, json_output, json_events, wait, timeout, adopt)


def _up(
    settings: LabSettings,
    given: Given,
    json_output: bool,
    json_events: bool,
    wait: bool,
    timeout: float,
    adopt: bool,
) -> None:
    from coreos_lab import engine
    from coreos_lab.views.json_events import JsonEvents
    from coreos_lab.views.up import up_as_dict

    view = JsonEvents() if json_events else _progress(json_output, f"Lab {settings.name}")
    with view as progress:
        result = engine.up(settings, progress, given=given, adopt=adopt)
    settings = result.plan.settings  # with what the lab remembers
    if json_events:
        view.result(up_as_dict(result))
        if wait:
            wait_until_ready(settings, result, True, timeout)
    else:
        show_up(settings, result, json_output, wait=wait, timeout=timeout)


app.command("up", cls=LabCommand)(up)


@settings_command
def ips(settings: LabSettings, json_output: JsonOption = False, adopt: AdoptOption = False) -> None:
    """Show every machine of the lab: role, name, public and private IP, state, SSH command.

    Costs the same few list calls however many machines the lab has.
    """
    from coreos_lab import engine
    from coreos_lab.views.ips import machines_as_list, render_machines

    access = engine.machines(settings, adopt=adopt)
    if json_output:
        _print_json(machines_as_list(access))
    else:
        render_machines(access, _console())


app.command("ips", cls=FindingCommand)(ips)


@settings_command
def down(
    settings: LabSettings,
    yes: YesOption = False,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Return once Azure accepted the deletion.")
    ] = False,
    delete_key: Annotated[
        bool,
        typer.Option(
            "--delete-key", help="Also delete the SSH key pair, if coreos-lab generated it."
        ),
    ] = False,
    json_output: JsonOption = False,
    adopt: AdoptOption = False,
) -> None:
    """Delete the lab's resource group and everything in it, then its local state.

    Lists what it deletes first. Refuses a resource group that coreos-lab did not
    create for this lab. Keeps the SSH key unless --delete-key is given, and the
    log (coreos-lab.log in the lab's state folder).
    """
    from coreos_lab import engine
    from coreos_lab.views.down import down_as_dict, preview_as_dict, render_down, render_preview

    if not yes and not sys.stdin.isatty():
        raise UsageError("down needs --yes when it cannot ask for confirmation.")
    preview = engine.down_preview(settings)
    if not json_output:
        render_preview(preview, settings.name, _console())
    if not yes and preview.exists:
        typer.confirm(
            f"Delete lab '{settings.name}' (resource group {settings.resource_group} and "
            "everything in it)?",
            abort=True,
        )
    with _progress(json_output, f"Deleting lab {settings.name}") as progress:
        result = engine.down(
            settings, progress, wait=not no_wait, delete_key=delete_key, adopt=adopt
        )
    if json_output:
        _print_json({**down_as_dict(result), **preview_as_dict(preview)})
    else:
        render_down(result, settings.name, settings.resource_group, _console())


app.command("down", cls=FindingCommand)(down)


@settings_command
def check(settings: LabSettings, json_output: JsonOption = False) -> None:
    """Check, without writing anything, that `up` can build this lab.

    Credentials and subscription, the location, each VM size, vCPU quota (regional and per
    family), the storage account name and the Flatcar images, all at once; `up` runs the
    same checks before its first write. Also shows the lab's estimated price per hour.
    """
    from coreos_lab import engine
    from coreos_lab.views.check import preflight_as_dict, render_preflight

    report = engine.check(settings)
    if json_output:
        _print_json(preflight_as_dict(report))
    else:
        render_preflight(report, _console())
    if not report.ok:
        raise typer.Exit(1)


app.command("check", cls=LabCommand)(check)


@settings_command
def ssh(
    settings: LabSettings,
    machine: Annotated[
        str | None, typer.Argument(help="etcd0…, host0… as `ips` names them [default: host0]")
    ] = None,
    command: Annotated[
        list[str] | None, typer.Argument(help="A command to run there, after `--`.")
    ] = None,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the ssh command instead of running it.")
    ] = False,
    adopt: AdoptOption = False,
) -> None:
    """Log in to a machine of the lab with the lab's key and user (core).

    `coreos-lab ssh host1 -- etcdctl member list` runs one command. The first connection
    records the machine's host key in the lab's own known_hosts file; a changed key is
    refused afterwards.
    """
    import shlex
    import shutil

    from coreos_lab import engine
    from coreos_lab.ssh import session as ssh_session

    argv = ssh_session.with_timeout(
        engine.ssh_target(settings, machine, command or (), adopt=adopt)
    )
    if print_only:
        typer.echo(shlex.join(argv))
        return
    program = shutil.which("ssh")
    if program is None:
        raise LabError("OpenSSH's ssh is not installed; install openssh-client.")
    sys.stdout.flush()
    target = machine or "host0"  # pick_machine's default: the first container host
    status = ssh_session.run_ssh(
        program,
        argv,
        machine=target,
        command=command or (),
        ssh_from=settings.ssh_from,
        emulated=cloud_of(settings.cloud).local,
    )
    raise typer.Exit(status)


app.command("ssh", cls=FindingCommand)(ssh)


@settings_command
def ssh_config(
    settings: LabSettings,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Put the block into ~/.ssh/config (replacing this lab's earlier block).",
        ),
    ] = False,
    adopt: AdoptOption = False,
) -> None:
    """Print an OpenSSH config block with one Host per machine, so `ssh host0` works."""
    from coreos_lab import engine

    written = engine.ssh_config(settings, write=write, adopt=adopt)
    if write:
        from coreos_lab.ssh.config_file import written_alias

        alias = written_alias(Path(written), settings.name, "host0")
        _console().print(f"Wrote lab '{settings.name}' to {written}; try `ssh {alias}`.")
    else:
        typer.echo(written, nl=False)


app.command("ssh-config", cls=FindingCommand)(ssh_config)
app.command("verify", cls=LabCommand)(settings_command(verify_command))
app.command("logs", cls=FindingCommand)(settings_command(logs_command))
app.command("emulator")(emulator_command)
app.command("list", cls=FindingCommand)(list_labs)
app.add_typer(class_app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
