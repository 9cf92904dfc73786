"""The options every lab command shares, and how a command's failure becomes one sentence.

`settings_command` gives a command every lab-settings option, built from settings' one table
so plan, up, ips, down and the rest cannot drift apart; `errors` turns a LabError into one
line on stderr and its exit code. Split from cli.py, which keeps the commands themselves.
"""

from __future__ import annotations

import errno
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.settings import SETTINGS_FIELDS, LabSettings
from coreos_lab.lab.sources import CONFIG_FILE, env_var, load_settings_and_sources

# The options several commands take, each defined once.
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print JSON for scripts (a failure too) instead of the view."),
]
AdoptOption = Annotated[
    bool,
    typer.Option(
        "--adopt",
        help="Take over a lab another machine or user built (or whose local state was lost): "
        "records its lab id here; changes nothing in Azure by itself.",
    ),
]
# Where each setting the user gave came from (flag, variable, file), for a command that
# recalls what the lab remembers itself (see settings_command).
Given = Mapping[str, str]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
Wait = Annotated[
    bool,
    typer.Option("--wait", help="After Azure's part, wait until `verify` passes (or the timeout)."),
]
Until = Annotated[
    float,
    typer.Option(
        "--wait-timeout", min=1.0, help="Seconds --wait waits at most.", metavar="SECONDS"
    ),
]

# Set by the CLI's --debug: a traceback instead of one sentence.
debug = False
json_errors = False  # set by a command run with --json: errors go to stdout as JSON


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
    """Give ``fn(settings, **own)`` every lab-settings option, so plan and up share them.

    What the user did not give, the lab remembers (its key, cloud, subscription): ``fn``
    gets settings that say so, or, when it takes ``given`` (where each given setting came
    from), it recalls them itself from its one read of the lab's state.
    """
    params = inspect.signature(fn, eval_str=True).parameters
    recalls = "given" in params
    own = [p for p in params.values() if p.name not in ("settings", "given")]
    setting_names = {f.name for f in SETTINGS_FIELDS}

    def command(**kwargs: Any) -> None:
        flags = {name: kwargs.pop(name) for name in list(kwargs) if name in setting_names}
        config = kwargs.pop("config")
        global json_errors
        json_errors = bool(kwargs.get("json_output") or kwargs.get("json_events"))
        with errors():
            settings, given = read_settings(flags, config)
            _repair_state_modes()
            if recalls:
                fn(settings, given, **kwargs)
            else:
                from coreos_lab import engine  # not at start-up: it imports the SDKs

                fn(engine.remembered(settings, given), **kwargs)
            sys.stdout.flush()  # a reader that went away shows here, where _errors sees it

    own_params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
    command.__signature__ = inspect.Signature(own_params + _settings_parameters())  # type: ignore[attr-defined]
    command.__doc__ = fn.__doc__
    command.__name__ = fn.__name__
    return command


def _repair_state_modes() -> None:
    from coreos_lab.local.state import repair_modes

    for line in repair_modes():
        typer.secho("warning: ", fg="yellow", bold=True, err=True, nl=False)
        typer.echo(line, err=True)


_MAX_CONFIG_BYTES = 1 << 20


def read_settings(flags: dict[str, Any], config: Path | None) -> tuple[LabSettings, dict[str, str]]:
    """The settings, and where each one the user gave came from (flag, variable, file)."""
    if config is None:
        candidate = Path.cwd() / CONFIG_FILE
        config = candidate if candidate.is_file() else None
    text: str | None = None
    if config is not None:
        from coreos_lab.local.files import read_small_file

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
    name = str(config) if config else CONFIG_FILE
    return load_settings_and_sources(flags, os.environ, text, name)


@contextmanager
def errors() -> Iterator[None]:
    """Turn a LabError into one sentence on stderr and its exit code; no traceback."""
    try:
        yield
    except LabError as exc:
        if debug:
            raise
        _print_error(str(exc), type(exc).__name__, exc.exit_code)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except OSError as exc:
        from coreos_lab.views.pipes import discard_output, is_closed_pipe

        if exc.errno in _NO_ROOM and not debug:
            _no_room(exc)
        if not is_closed_pipe(exc) or debug:
            _unexpected(exc)
        # Whoever read the output went away (`| head`); the work is done, nothing to say.
        discard_output(sys.stdout)
    except UnicodeEncodeError as exc:
        if debug:
            raise
        encoding = getattr(sys.stdout, "encoding", None) or exc.encoding
        _print_error(
            f"The output's encoding ({encoding}) cannot show coreos-lab's characters; set "
            "PYTHONIOENCODING=utf-8 (or a UTF-8 locale such as LANG=C.UTF-8) and run again, "
            "or use --json.",
            "Encoding",
            1,
        )
        raise typer.Exit(1) from None
    except Exception as exc:
        _unexpected(exc)


# A full disk, a full quota, a read-only disk: the user's to fix, not a bug to report.
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def _no_room(exc: OSError) -> NoReturn:
    from coreos_lab.local.state import STATE_DIR_ENV, state_dir

    where = exc.filename or state_dir()
    reason = (exc.strerror or "no space left").lower()
    _print_error(
        f"Cannot write {where} ({reason}); free some space there, or set {STATE_DIR_ENV} to a "
        "folder on another disk, and run the command again (it goes on from what is done).",
        "NoRoom",
        1,
    )
    raise typer.Exit(1) from None


def _unexpected(exc: Exception) -> NoReturn:
    """A bug or an environment coreos-lab did not foresee: still one line, no traceback."""
    if debug:
        raise exc
    _print_error(
        f"unexpected {type(exc).__name__}: {exc}; run again with --debug for the traceback "
        "and report it.",
        "Unexpected",
        1,
    )
    raise typer.Exit(1) from None


def _print_error(message: str, kind: str = "LabError", exit_code: int = 1) -> None:
    if json_errors:
        from coreos_lab.views.errors import error_json

        typer.echo(error_json(message, kind, exit_code))
        return
    typer.secho("error: ", fg="red", bold=True, err=True, nl=False)
    typer.echo(message, err=True)
