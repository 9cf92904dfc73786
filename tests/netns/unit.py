"""Read back what the generated boot config gives ``etcd-member.service``, as systemd would.

Nothing here repeats the lab's settings: they come from the config the plan puts in the custom
data, Ignition (``coreos_lab.boot.ignition``) or cloud-config
(``coreos_lab.boot.cloudconfig``), read the way each is applied on Flatcar: Ignition's
``systemd.units[].dropins`` and
``storage.files`` data URLs; coreos-cloudinit's ``coreos.units[].drop_ins``, ``write_files``
and ``hostname`` (which it applies with ``hostnamectl set-hostname``, writing
``/etc/hostname``). What this module does know is the *Flatcar* side, the unit the drop-in
lands on and what its wrapper does (docs/facts.md; flatcar/scripts ``app-admin/etcd-wrapper``):

* ``etcd-member.service`` sets ``ETCD_IMAGE_TAG``, ``ETCD_NAME=%m``, ``ETCD_USER=etcd`` and
  ``ETCD_DATA_DIR=/var/lib/etcd``, and runs ``/usr/lib/flatcar/etcd-wrapper $ETCD_OPTS``;
* the wrapper runs ``/usr/local/bin/etcd "$@"`` from the image with host networking and every
  environment variable forwarded, the data directory mounted at ``ETCD_DATA_DIR``.

So a member is reproduced by: merging the unit's and the drop-in's ``Environment=``, adding what
Afterburn writes to the ``EnvironmentFile=`` (the private IP), expanding the ``ExecStart=`` line
the way systemd does, and running the etcd binary with the wrapper's arguments and environment.
"""

from __future__ import annotations

import copy
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
    """``etcd-member.service`` with the drop-ins of one machine's config applied."""

    environment: dict[str, str]
    environment_files: tuple[str, ...]
    exec_start: str
    requires: tuple[str, ...]
    after: tuple[str, ...]
    enabled: bool


@dataclass(frozen=True)
class UnitEntry:
    """A unit as either format sets it up: replaced contents, enabled, drop-ins (name, text)."""

    name: str
    contents: str | None
    enabled: bool
    dropins: tuple[tuple[str, str], ...]


def is_cloud_config(config: Mapping[str, Any]) -> bool:
    return "ignition" not in config


def units_of(config: Mapping[str, Any]) -> list[UnitEntry]:
    """Every unit the config writes, enables or changes, in either format."""
    if is_cloud_config(config):
        return [
            UnitEntry(
                name=str(u.get("name")),
                contents=u.get("content"),
                enabled=bool(u.get("enable")),
                dropins=tuple((str(d["name"]), str(d["content"])) for d in u.get("drop_ins", [])),
            )
            for u in config.get("coreos", {}).get("units", [])
        ]
    return [
        UnitEntry(
            name=str(u.get("name")),
            contents=u.get("contents"),
            enabled=bool(u.get("enabled")),
            dropins=tuple(
                (str(d["name"]), str(d.get("contents", ""))) for d in u.get("dropins", [])
            ),
        )
        for u in config.get("systemd", {}).get("units", [])
    ]


def etcd_service(config: Mapping[str, Any]) -> EtcdService:
    """The etcd-member.service the config sets up: Flatcar's unit plus the config's drop-ins."""
    units = [u for u in units_of(config) if u.name == ETCD_UNIT]
    assert units, f"the config has no {ETCD_UNIT}"
    (unit,) = units
    assert unit.contents is None, f"the config replaces Flatcar's {ETCD_UNIT} instead of a drop-in"
    environment = dict(FLATCAR_UNIT_ENVIRONMENT)
    files: list[str] = []
    exec_start = FLATCAR_EXEC_START
    requires: list[str] = []
    after: list[str] = []
    for _, text in sorted(unit.dropins):
        for section, key, value in parse_unit(text):
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
        enabled=unit.enabled,
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


def files_of(config: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
    """Every file the config leaves on the machine: path -> (text, mode)."""
    if is_cloud_config(config):
        written = {
            str(f["path"]): (str(f.get("content", "")), int(str(f.get("permissions", "0644")), 8))
            for f in config.get("write_files", [])
        }
        if config.get("hostname"):
            # hostnamectl set-hostname writes the static hostname this way.
            written.setdefault("/etc/hostname", (f"{config['hostname']}\n", 0o644))
        return written
    found = {}
    for f in config.get("storage", {}).get("files", []):
        source = str(f["contents"]["source"])
        assert source.startswith("data:,"), f"{f['path']} is not written from a plain data URL"
        found[str(f["path"])] = (urllib.parse.unquote(source.removeprefix("data:,")), f["mode"])
    return found


def file_contents(config: Mapping[str, Any], path: str) -> str:
    """The text of a file the config writes."""
    files = files_of(config)
    assert path in files, f"the config writes no {path}"
    return files[path][0]


def replace_in_dropins(config: Mapping[str, Any], unit: str, old: str, new: str) -> dict[str, Any]:
    """A copy of ``config`` with ``old`` replaced by ``new`` in ``unit``'s drop-ins."""
    broken = copy.deepcopy(dict(config))
    if is_cloud_config(broken):
        entries, key, text = broken["coreos"]["units"], "drop_ins", "content"
    else:
        entries, key, text = broken["systemd"]["units"], "dropins", "contents"
    (entry,) = [u for u in entries if u["name"] == unit]
    for dropin in entry[key]:
        assert old in dropin[text], f"{old!r} not in the generated drop-in"
        dropin[text] = dropin[text].replace(old, new)
    return broken


def _unescape(value: str) -> str:
    return value.replace("%%", "%")
