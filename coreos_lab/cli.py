"""The `coreos-lab` command line: parse, call the engine, hand the result to a view.

Nothing here imports the engine, the Azure SDK or rich at start-up, so `coreos-lab --help`
stays fast; commands import them when they run.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

from coreos_lab import __version__
from coreos_lab.cli_help import FindingCommand, LabCommand
from coreos_lab.cli_verify import Until, Wait, show_up, verify_command, wait_until_ready
from coreos_lab.emulator.command import emulator as emulator_command
from coreos_lab.errors import LabError, UsageError
from coreos_lab.settings import (
    CONFIG_FILE,
    SETTINGS_FIELDS,
    LabSettings,
    env_var,
    load_settings,
)

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

_debug = False
_json_errors = False  # set by a command run with --json: errors go to stdout as JSON


def _console() -> Console:
    """A rich console, imported on use: rich costs start-up time that --help need not pay."""
    from rich.console import Console

    from coreos_lab.pipes import discard_output

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit 1; a reader that went away (`| head`) changes no exit status.
            discard_output(sys.stdout)

    # Into a pipe or a log, long lines (SSH commands) read better whole than wrapped at 80.
    return _Console() if sys.stdout.isatty() else _Console(width=200)


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
        bool, typer.Option("--debug", help="Show a traceback when a command fails.")
    ] = False,
) -> None:
    global _debug
    _debug = debug


# ---- the shared settings options ---------------------------------------------------------

_OPTION_TYPES: dict[str, Any] = {"etcd": int, "hosts": int, "ssh_key": Path, "ssh_public_key": Path}


def _settings_parameters() -> list[inspect.Parameter]:
    params = []
    for f in SETTINGS_FIELDS:
        default = "none" if f.default in (None, "") else str(f.default)
        help_text = f"{f.metadata['help']} [default: {default}; env: {env_var(f.name)}]"
        option = typer.Option(
            f.metadata["flag"],
            help=help_text,
            show_default=False,
            metavar=f.name.upper().replace("_", "-"),
        )
        kind = _OPTION_TYPES.get(f.name, str)
        params.append(
            inspect.Parameter(
                f.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[kind | None, option],
            )
        )
    params.append(
        inspect.Parameter(
            "config",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                Path | None,
                typer.Option(
                    "--config",
                    help=f"TOML file of settings, a [lab] table [default: ./{CONFIG_FILE}]",
                    metavar="FILE",
                ),
            ],
        )
    )
    return params


def settings_command(fn: Callable[..., None]) -> Callable[..., None]:
    """Give ``fn(settings, **own)`` every lab-settings option, so plan and up share them."""
    own = [
        p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "settings"
    ]
    setting_names = {f.name for f in SETTINGS_FIELDS}

    def command(**kwargs: Any) -> None:
        flags = {name: kwargs.pop(name) for name in list(kwargs) if name in setting_names}
        config = kwargs.pop("config")
        global _json_errors
        _json_errors = bool(kwargs.get("json_output") or kwargs.get("json_events"))
        with _errors():
            settings = read_settings(flags, config)
            fn(settings, **kwargs)
            sys.stdout.flush()  # a reader that went away shows here, where _errors sees it

    own_params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
    command.__signature__ = inspect.Signature(own_params + _settings_parameters())  # type: ignore[attr-defined]
    command.__doc__ = fn.__doc__
    command.__name__ = fn.__name__
    return command


_MAX_CONFIG_BYTES = 1 << 20


def read_settings(flags: dict[str, Any], config: Path | None) -> LabSettings:
    if config is None:
        candidate = Path.cwd() / CONFIG_FILE
        config = candidate if candidate.is_file() else None
    text: str | None = None
    if config is not None:
        from coreos_lab.files import read_small_file

        try:
            # Not read_text: /dev/zero never ends and a FIFO waits for a writer.
            data = read_small_file(config, _MAX_CONFIG_BYTES)
            if len(data) > _MAX_CONFIG_BYTES:
                raise UsageError(f"The config file {config} is larger than 1 MiB; is it one?")
            text = data.decode("utf-8")
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise UsageError(f"Cannot read the config file {config} ({reason}).") from None
        except UnicodeDecodeError:
            raise UsageError(f"The config file {config} is not UTF-8 text.") from None
    return load_settings(flags, os.environ, text, str(config) if config else CONFIG_FILE)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn a LabError into one sentence on stderr and its exit code; no traceback."""
    try:
        yield
    except LabError as exc:
        if _debug:
            raise
        _print_error(str(exc), type(exc).__name__, exc.exit_code)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except OSError as exc:
        from coreos_lab.pipes import discard_output, is_closed_pipe

        if not is_closed_pipe(exc) or _debug:
            _unexpected(exc)
        # Whoever read the output went away (`| head`); the work is done, nothing to say.
        discard_output(sys.stdout)
    except Exception as exc:
        _unexpected(exc)


def _unexpected(exc: Exception) -> NoReturn:
    """A bug or an environment coreos-lab did not foresee: still one line, no traceback."""
    if _debug:
        raise exc
    _print_error(
        f"unexpected {type(exc).__name__}: {exc}; run again with --debug for the traceback "
        "and report it.",
        "Unexpected",
        1,
    )
    raise typer.Exit(1) from None


def _print_error(message: str, kind: str = "LabError", exit_code: int = 1) -> None:
    if _json_errors:
        from coreos_lab.views.error_view import error_json

        typer.echo(error_json(message, kind, exit_code))
        return
    typer.secho("error: ", fg="red", bold=True, err=True, nl=False)
    typer.echo(message, err=True)


# ---- commands ----------------------------------------------------------------------------

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of the rich view.")
]


@settings_command
def plan(settings: LabSettings, json_output: JsonOption = False) -> None:
    """Show every resource `up` would create, without touching Azure or the network.

    It reads the SSH key and a stored discovery token if they exist, but creates
    nothing and requests nothing; what only `up` can know is listed at the end.
    """
    from coreos_lab import engine
    from coreos_lab.views.plan_view import plan_as_dict, render_plan

    lab_plan = engine.plan(settings)
    if json_output:
        typer.echo(json.dumps(plan_as_dict(lab_plan), indent=2))
    else:
        render_plan(lab_plan, _console())


app.command("plan", cls=LabCommand)(plan)


def _progress(json_output: bool, title: str) -> Any:
    from coreos_lab.views.progress import LiveProgress, PlainProgress, SilentProgress

    if json_output:
        return SilentProgress()
    return LiveProgress(_console(), title) if sys.stdout.isatty() else PlainProgress(sys.stdout)


@settings_command
def up(
    settings: LabSettings,
    json_output: JsonOption = False,
    json_events: Annotated[
        bool,
        typer.Option("--json-events", help="Stream every event as a JSON line, then the result."),
    ] = False,
    wait: Wait = False,
    timeout: Until = 600,
) -> None:
    """Build the lab, or finish or repair it: creates only what is missing or differs.

    Generates or reuses the SSH key, requests or reuses the etcd discovery token,
    checks Azure before the first write, then creates the resource group, network,
    storage, public IPs, NICs and VMs, each as soon as what it needs exists.

    A second run of a finished lab writes nothing. Ctrl-C stops cleanly; run up
    again to continue.
    """
    from coreos_lab.lock import lab_lock
    from coreos_lab.ssh_source import WARNING, is_open_to_all

    if is_open_to_all(settings.ssh_from):
        typer.secho("warning: ", fg="yellow", bold=True, err=True, nl=False)
        typer.echo(WARNING, err=True)
    with lab_lock(settings.name, "up"):
        _up(settings, json_output, json_events, wait, timeout)


def _up(
    settings: LabSettings, json_output: bool, json_events: bool, wait: bool, timeout: float
) -> None:
    from coreos_lab import engine
    from coreos_lab.runlog import RunLog
    from coreos_lab.views.json_events import JsonEvents
    from coreos_lab.views.lab_view import up_as_dict

    view = JsonEvents() if json_events else _progress(json_output, f"Lab {settings.name}")
    with RunLog(settings, "up") as log, view as progress:
        result = engine.up(settings, log.tee(progress))
    if json_events:
        view.result(up_as_dict(result))
        if wait:
            wait_until_ready(settings, result, True, timeout)
    else:
        show_up(settings, result, json_output, wait=wait, timeout=timeout)


app.command("up", cls=LabCommand)(up)


@settings_command
def ips(settings: LabSettings, json_output: JsonOption = False) -> None:
    """Show every machine of the lab: role, name, public and private IP, state, SSH command.

    Costs the same few list calls however many machines the lab has.
    """
    from coreos_lab import engine
    from coreos_lab.views.machines_view import machines_as_list, render_machines

    access = engine.machines(settings)
    if json_output:
        typer.echo(json.dumps(machines_as_list(access), indent=2))
    else:
        render_machines(access, _console())


app.command("ips", cls=FindingCommand)(ips)


@settings_command
def down(
    settings: LabSettings,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
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
) -> None:
    """Delete the lab's resource group and everything in it, then its local state.

    Lists what it deletes first. Refuses a resource group that coreos-lab did not
    create for this lab. Keeps the SSH key unless --delete-key is given, and the
    log (coreos-lab.log in the lab's state folder).
    """
    from coreos_lab import engine
    from coreos_lab.views.down_view import preview_as_dict, render_preview
    from coreos_lab.views.lab_view import down_as_dict, render_down

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
    from coreos_lab.lock import lab_lock
    from coreos_lab.runlog import RunLog

    with (
        lab_lock(settings.name, "down"),
        RunLog(settings, "down") as log,
        _progress(json_output, f"Deleting lab {settings.name}") as progress,
    ):
        result = engine.down(settings, log.tee(progress), wait=not no_wait, delete_key=delete_key)
    if json_output:
        typer.echo(json.dumps({**down_as_dict(result), **preview_as_dict(preview)}, indent=2))
    else:
        render_down(result, settings.name, settings.resource_group, _console())


app.command("down", cls=FindingCommand)(down)


@settings_command
def check(settings: LabSettings, json_output: JsonOption = False) -> None:
    """Check, without writing anything, that `up` can build this lab.

    Credentials and subscription, the location, each VM size, vCPU quota (regional and per
    family), the storage account name and the Flatcar images, all at once; `up` runs the
    same checks before its first write.
    """
    from coreos_lab import engine
    from coreos_lab.views.preflight_view import preflight_as_dict, render_preflight

    report = engine.check(settings)
    if json_output:
        typer.echo(json.dumps(preflight_as_dict(report), indent=2))
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
) -> None:
    """Log in to a machine of the lab with the lab's key and user (core).

    `coreos-lab ssh host1 -- etcdctl member list` runs one command. The first connection
    records the machine's host key in the lab's own known_hosts file; a changed key is
    refused afterwards.
    """
    import shlex
    import shutil

    from coreos_lab import engine, ssh_session

    argv = ssh_session.with_timeout(engine.ssh_target(settings, machine, command or ()))
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
        emulated=settings.cloud == "emulator",
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
) -> None:
    """Print an OpenSSH config block with one Host per machine, so `ssh host0` works."""
    from coreos_lab import engine

    written = engine.ssh_config(settings, write=write)
    if write:
        _console().print(f"Wrote lab '{settings.name}' to {written}; try `ssh host0`.")
    else:
        typer.echo(written, nl=False)


app.command("ssh-config", cls=FindingCommand)(ssh_config)
app.command("verify", cls=LabCommand)(settings_command(verify_command))
app.command("emulator")(emulator_command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
