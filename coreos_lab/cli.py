"""The `coreos-lab` command line: parse, call the core or the engine, hand results to a view.

Nothing here imports the Azure SDK at start-up, so `coreos-lab --help` stays fast; commands
that talk to Azure import it when they run.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from coreos_lab import __version__
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
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_debug = False


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
            f.metadata["flag"], help=help_text, show_default=False, rich_help_panel="Lab settings"
        )
        kind = _OPTION_TYPES.get(f.name, str)
        params.append(
            inspect.Parameter(
                f.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[kind | None, option],  # type: ignore[valid-type]
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
                    help=f"TOML file of settings (a [lab] table) [default: ./{CONFIG_FILE}]",
                    rich_help_panel="Lab settings",
                ),
            ],
        )
    )
    return params


def settings_command(fn: Callable[..., None]) -> Callable[..., None]:
    """Give ``fn(settings, **own)`` every lab-settings option, so plan and up share them."""
    own = [p for p in inspect.signature(fn).parameters.values() if p.name != "settings"]
    setting_names = {f.name for f in SETTINGS_FIELDS}

    def command(**kwargs: Any) -> None:
        flags = {name: kwargs.pop(name) for name in list(kwargs) if name in setting_names}
        config = kwargs.pop("config")
        with _errors():
            settings = read_settings(flags, config)
            fn(settings, **kwargs)

    own_params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
    command.__signature__ = inspect.Signature(own_params + _settings_parameters())  # type: ignore[attr-defined]
    command.__doc__ = fn.__doc__
    command.__name__ = fn.__name__
    return command


def read_settings(flags: dict[str, Any], config: Path | None) -> LabSettings:
    if config is None:
        candidate = Path.cwd() / CONFIG_FILE
        config = candidate if candidate.is_file() else None
    text: str | None = None
    if config is not None:
        try:
            text = config.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Cannot read the config file {config}: {exc.strerror}.") from None
    return load_settings(flags, os.environ, text, str(config) if config else CONFIG_FILE)


class _errors:
    """Turn a LabError into one sentence on stderr and its exit code; no traceback."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> bool:
        if exc is None or not isinstance(exc, LabError):
            return False
        if _debug:
            return False
        Console(stderr=True).print(f"[bold red]error:[/bold red] {exc}", highlight=False)
        raise typer.Exit(exc.exit_code)


# ---- commands ----------------------------------------------------------------------------

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of the rich view.")
]


@settings_command
def plan(settings: LabSettings, json_output: JsonOption = False) -> None:
    """Show every resource `up` would create, without touching Azure or the network.

    Reads the SSH key and a stored discovery token if they exist, but creates and requests
    nothing; what only `up` can know is listed at the end.
    """
    from coreos_lab.local import peek_plan_inputs
    from coreos_lab.plan import build_plan
    from coreos_lab.views.plan_view import plan_as_dict, render_plan

    lab_plan = build_plan(settings, peek_plan_inputs(settings))
    if json_output:
        typer.echo(json.dumps(plan_as_dict(lab_plan), indent=2))
    else:
        render_plan(lab_plan, Console())


app.command("plan")(plan)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        sys.exit(130)
