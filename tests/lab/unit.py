"""Read back what the generated Ignition gives ``etcd-member.service``, as systemd would.

Nothing here repeats the lab's settings: they come from the config ``coreos_lab.ignition``
generates. What this module does know is the *Flatcar* side, the unit the drop-in lands on and
what its wrapper does (docs/facts.md; flatcar/scripts ``app-admin/etcd-wrapper``):

* ``etcd-member.service`` sets ``ETCD_IMAGE_TAG``, ``ETCD_NAME=%m``, ``ETCD_USER=etcd`` and
  ``ETCD_DATA_DIR=/var/lib/etcd``, and runs ``/usr/lib/flatcar/etcd-wrapper $ETCD_OPTS``;
* the wrapper runs ``/usr/local/bin/etcd "$@"`` from the image with host networking and every
  environment variable forwarded, the data directory mounted at ``ETCD_DATA_DIR``.

So a member is reproduced by: merging the unit's and the drop-in's ``Environment=``, adding what
Afterburn writes to the ``EnvironmentFile=`` (the private IP), expanding the ``ExecStart=`` line
the way systemd does, and running the etcd binary with the wrapper's arguments and environment.
"""

from __future__ import annotations

import re
import shlex
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ETCD_UNIT = "etcd-member.service"
WRAPPERS = ("/usr/lib/flatcar/etcd-wrapper", "/usr/lib/coreos/etcd-wrapper")
METADATA_FILES = ("/run/metadata/flatcar", "/run/metadata/coreos")

# Flatcar's own etcd-member.service, before any drop-in (the drop-in may override these).
FLATCAR_UNIT_ENVIRONMENT = {
    "ETCD_IMAGE_TAG": "v3.5.16",
    "ETCD_NAME": "%m",
    "ETCD_USER": "etcd",
    "ETCD_DATA_DIR": "/var/lib/etcd",
}
FLATCAR_EXEC_START = "/usr/lib/flatcar/etcd-wrapper $ETCD_OPTS"
FAKE_MACHINE_ID = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class EtcdService:
    """``etcd-member.service`` with the drop-ins of one machine's Ignition applied."""

    environment: dict[str, str]
    environment_files: tuple[str, ...]
    exec_start: str
    requires: tuple[str, ...]
    after: tuple[str, ...]
    enabled: bool


def etcd_service(config: Mapping[str, Any]) -> EtcdService:
    """The etcd-member.service the config sets up: Flatcar's unit plus the config's drop-ins."""
    units = [u for u in config.get("systemd", {}).get("units", []) if u.get("name") == ETCD_UNIT]
    assert units, f"the Ignition config has no {ETCD_UNIT}"
    (unit,) = units
    assert "contents" not in unit, f"the config replaces Flatcar's {ETCD_UNIT} instead of a drop-in"
    environment = dict(FLATCAR_UNIT_ENVIRONMENT)
    files: list[str] = []
    exec_start = FLATCAR_EXEC_START
    requires: list[str] = []
    after: list[str] = []
    for dropin in sorted(unit.get("dropins", []), key=lambda d: str(d["name"])):
        for section, key, value in parse_unit(str(dropin.get("contents", ""))):
            if (section, key) == ("Service", "Environment"):
                for assignment in shlex.split(value):
                    name, _, val = assignment.partition("=")
                    environment[name] = _unescape(val)
            elif (section, key) == ("Service", "EnvironmentFile"):
                files.append(value.removeprefix("-"))
            elif (section, key) == ("Service", "ExecStart"):
                # An empty ExecStart= clears the list; a Type=notify service keeps exactly one.
                exec_start = value
            elif (section, key) == ("Unit", "Requires"):
                requires.extend(value.split())
            elif (section, key) == ("Unit", "After"):
                after.extend(value.split())
    assert exec_start, f"{ETCD_UNIT} is left without an ExecStart= line"
    return EtcdService(
        environment=environment,
        environment_files=tuple(files),
        exec_start=exec_start,
        requires=tuple(requires),
        after=tuple(after),
        enabled=bool(unit.get("enabled")),
    )


def parse_unit(text: str) -> list[tuple[str, str, str]]:
    """``(section, key, value)`` for every assignment of a unit file, in order."""
    section = ""
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a unit file line: {raw!r}"
        entries.append((section, key.strip(), value.strip()))
    return entries


def metadata_environment(service: EtcdService, private_ip: str) -> dict[str, str]:
    """What Afterburn's attribute file gives the unit on Azure, if the unit reads it."""
    if not any(path in METADATA_FILES for path in service.environment_files):
        return {}
    return {
        "COREOS_AZURE_IPV4_DYNAMIC": private_ip,
        "COREOS_AZURE_VMSIZE": "Standard_B2ats_v2",
    }


def expand_command(line: str, environment: Mapping[str, str]) -> list[str]:
    """Split and expand an ExecStart= line as systemd does.

    ``$NAME`` as a word of its own becomes the value split at whitespace (zero or more words);
    ``${NAME}`` becomes the exact value inside its word; unset variables are empty.
    """
    words = []
    for word in shlex.split(line):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            words.extend(environment.get(whole.group(1), "").split())
            continue
        words.append(
            re.sub(
                r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: environment.get(m.group(1), ""), word
            )
        )
    return words


def wrapper_command(
    service: EtcdService, private_ip: str, etcd_binary: str, data_dir: str
) -> tuple[list[str], dict[str, str]]:
    """The etcd command line and environment the wrapper would run in the container."""
    metadata = metadata_environment(service, private_ip)
    environment = {**service.environment, **metadata}
    environment = {
        k: v.replace("%m", FAKE_MACHINE_ID) if k == "ETCD_NAME" else v
        for k, v in environment.items()
    }
    argv = expand_command(service.exec_start, environment)
    assert argv and argv[0] in WRAPPERS, (
        f"{ETCD_UNIT} does not run Flatcar's etcd wrapper: ExecStart={service.exec_start}"
    )
    # The wrapper mounts the host's ETCD_DATA_DIR at the same path inside the container.
    environment["ETCD_DATA_DIR"] = data_dir
    return [etcd_binary, *argv[1:]], environment


def flag_values(argv: list[str], environment: Mapping[str, str], flag: str) -> list[str]:
    """A flag's comma-separated values, from the command line or else its ETCD_* variable."""
    for word in argv:
        if word.startswith(f"--{flag}="):
            return word.split("=", 1)[1].split(",")
    value = environment.get("ETCD_" + flag.upper().replace("-", "_"), "")
    return value.split(",") if value else []


def file_contents(config: Mapping[str, Any], path: str) -> str:
    """The text of a file the config writes with a ``data:,`` URL."""
    files = [f for f in config.get("storage", {}).get("files", []) if f.get("path") == path]
    assert files, f"the Ignition config writes no {path}"
    source = str(files[0]["contents"]["source"])
    assert source.startswith("data:,"), f"{path} is not written from a plain data URL"
    return urllib.parse.unquote(source.removeprefix("data:,"))


def _unescape(value: str) -> str:
    return value.replace("%%", "%")
