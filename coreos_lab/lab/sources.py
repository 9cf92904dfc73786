"""Where settings come from: flags, then ``COREOS_LAB_*`` variables, then ``coreos-lab.toml``
(or the ``--config`` file), then the defaults.

A value that fails is named by where it came from (the variable, the file's setting), not by a
flag the user never typed. Pure: the caller reads the environment and the file."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coreos_lab.errors import UsageError
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.settings import SETTINGS_FIELDS, LabSettings, validate

ENV_PREFIX = "COREOS_LAB_"
CONFIG_FILE = "coreos-lab.toml"

_FIELD_BY_NAME = {f.name: f for f in SETTINGS_FIELDS}


def env_var(field_name: str) -> str:
    return ENV_PREFIX + field_name.upper()


def load_settings(
    flags: Mapping[str, Any],
    environ: Mapping[str, str],
    config_text: str | None = None,
    config_name: str = CONFIG_FILE,
) -> LabSettings:
    """Merge flags > environment > TOML > defaults, then validate.

    ``flags`` maps field names to values, ``None`` meaning "not given on the command line".
    """
    return load_settings_and_sources(flags, environ, config_text, config_name)[0]


def load_settings_and_sources(
    flags: Mapping[str, Any],
    environ: Mapping[str, str],
    config_text: str | None = None,
    config_name: str = CONFIG_FILE,
) -> tuple[LabSettings, dict[str, str]]:
    """:func:`load_settings`, and where each setting the user gave came from.

    The sources map a field to its flag, ``COREOS_LAB_*`` variable or TOML setting; a
    default is not in it, nor an ambient variable such as AZURE_SUBSCRIPTION_ID (it names the
    user's current choice, not this lab's), so a lab's recorded settings can stand in for
    what was not given (lab_memory.py).
    """
    file_values = _parse_toml(config_text, config_name) if config_text is not None else {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}  # where a value that is not a flag came from
    for f in SETTINGS_FIELDS:
        flag_value = flags.get(f.name)
        if flag_value is not None:
            values[f.name] = _coerce(f, flag_value, f.metadata["flag"])
            continue
        for var in (env_var(f.name), f.metadata.get("env")):
            if var == f.metadata.get("env") and _no_subscription(values.get("cloud")):
                # AZURE_SUBSCRIPTION_ID names an Azure subscription, not the emulator's.
                continue
            if var and environ.get(var):
                values[f.name] = _coerce(f, environ[var], var)
                sources[f.name] = var
                break
        else:
            if f.name in file_values:
                source = f"{f.name} in {config_name}"
                values[f.name] = _coerce(f, file_values[f.name], source)
                sources[f.name] = source
    settings = LabSettings(**values)
    try:
        validate(settings)
    except UsageError as exc:
        raise UsageError(name_sources(str(exc), sources)) from None
    given = {
        f.name: sources.get(f.name, f.metadata["flag"])
        for f in SETTINGS_FIELDS
        if f.name in values and (f.name not in sources or sources[f.name] != f.metadata.get("env"))
    }
    return settings, given


def name_sources(message: str, sources: Mapping[str, str]) -> str:
    """``message`` with each flag whose value came from elsewhere replaced by that source.

    validate() speaks in flags; a user who set COREOS_LAB_HOSTS or coreos-lab.toml's hosts
    needs to hear that name, not a --hosts they never typed.
    """
    for name, source in sources.items():
        flag = _FIELD_BY_NAME[name].metadata["flag"]
        pattern = re.compile(rf"(?<![\w-]){re.escape(flag)}(?![\w-])")
        message = pattern.sub(source.replace("\\", "\\\\"), message)
    return message


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{name} is not valid TOML ({exc}); fix or remove it.") from None
    table = data.get("lab", data)
    if not isinstance(table, dict):
        raise UsageError(f"{name}: [lab] must be a table of settings.")
    unknown = sorted(k for k in (key.replace("-", "_") for key in table) if k not in _FIELD_BY_NAME)
    if unknown:
        known = ", ".join(f.name for f in SETTINGS_FIELDS)
        raise UsageError(f"{name} has unknown setting '{unknown[0]}'; known settings: {known}.")
    return {k.replace("-", "_"): v for k, v in table.items()}


def _coerce(f: dataclasses.Field[Any], value: Any, source: str) -> Any:
    if f.name in ("etcd", "hosts"):
        # TOML's 2.9 is a float: int() would quietly make it 2.
        if isinstance(value, bool | float):
            raise UsageError(f"{source} must be a whole number, not {value!r}.")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise UsageError(f"{source} must be a whole number, not {value!r}.") from None
    if f.name in ("ssh_key", "ssh_public_key"):
        # TOML's ssh_key = 5 is a number, not the path "5".
        if not isinstance(value, str | Path) or not str(value).strip():
            raise UsageError(f"{source} must be the path of a key file, not {value!r}.")
        return Path(str(value))
    if not isinstance(value, str):
        raise UsageError(f"{source} must be a string, not {value!r}.")
    return value.strip()


def _no_subscription(cloud: object) -> bool:
    """A cloud where AZURE_SUBSCRIPTION_ID (which names an Azure subscription) means nothing."""
    return isinstance(cloud, str) and not cloud_of(cloud).subscription_applies
