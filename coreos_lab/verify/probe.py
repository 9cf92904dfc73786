"""The read-only script `verify` runs on each machine, and how its output splits into sections.

One ``sh -s`` per machine; each section prints a marker, one command's output and its exit
status, so one failing command hides no other. etcd is asked over its HTTP API with curl, so
the script needs no particular etcdctl (docs/facts.md, "etcd, flannel and locksmith"). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from coreos_lab.boot.machine_config import (
    CLIENT_PORT,
    DOCKER_UNIT,
    DROPIN,
    ETCD_UNIT,
    FLANNEL_UNIT,
    UPDATE_CONF,
)
from coreos_lab.lab.roles import ETCD

MARK = "@@coreos-lab "
RC_MARK = "@@coreos-lab-rc "
ENDPOINT = f"http://127.0.0.1:{CLIENT_PORT}"
DROPIN_PATH = f"/etc/systemd/system/{ETCD_UNIT}.d/{DROPIN}"
# The image's own update.conf holds the channel as GROUP= (Flatcar docs, "update.conf
# specification", https://flatcar.org/docs/latest/setup/releases/update-conf/).
IMAGE_UPDATE_CONF = "/usr/share/flatcar/update.conf"
FLANNEL_CONFIG_KEY = "/coreos.com/network/config"
LOCK_KEY = "/coreos.com/updateengine/rebootlock/semaphore"
# flanneld writes its lease here (flannel's --subnet-file default).
FLANNEL_SUBNET_FILE = "/run/flannel/subnet.env"
LOCKSMITH_UNIT = "locksmithd.service"

_CURL = "curl -sS -m 3"

_COMMON = [
    ("os-release", "cat /etc/os-release"),
    ("image-update-conf", f"cat {IMAGE_UPDATE_CONF}"),
    ("hostname", "cat /etc/hostname"),
    ("update-conf", f"cat {UPDATE_CONF}"),
    ("dropin", f"cat {DROPIN_PATH}"),
    ("machine-id", "cat /etc/machine-id"),
    ("journal", f"journalctl -u {ETCD_UNIT} -n 30 --no-pager -o cat"),
    ("health", f"{_CURL} {ENDPOINT}/health"),
    ("status", f"{_CURL} -X POST -d '{{}}' {ENDPOINT}/v3/maintenance/status"),
    ("members", f"{_CURL} -X POST -d '{{}}' {ENDPOINT}/v3/cluster/member/list"),
    ("v2", f"{_CURL} -o /dev/null -w '%{{http_code}}' {ENDPOINT}/v2/keys/"),
    ("lock", f"{_CURL} {ENDPOINT}/v2/keys{LOCK_KEY}"),
]
_MEMBER = [
    ("units", f"systemctl is-active {ETCD_UNIT} {LOCKSMITH_UNIT}"),
]
_HOST = [
    (
        "units",
        f"systemctl is-active {ETCD_UNIT} {LOCKSMITH_UNIT} {DOCKER_UNIT} {FLANNEL_UNIT}",
    ),
    ("flannel-config", f"{_CURL} {ENDPOINT}/v2/keys{FLANNEL_CONFIG_KEY}"),
    ("flannel-lease", f"cat {FLANNEL_SUBNET_FILE}"),
]
UNITS_MEMBER = (ETCD_UNIT, LOCKSMITH_UNIT)
UNITS_HOST = (
    ETCD_UNIT,
    LOCKSMITH_UNIT,
    DOCKER_UNIT,
    FLANNEL_UNIT,
)


def script(role: str) -> str:
    """The shell script for a machine of ``role``: one section per read."""
    sections = _COMMON + (_MEMBER if role == ETCD.name else _HOST)
    lines = [
        "# coreos-lab verify: read-only",
        f"s() {{ n=$1; shift; echo '{MARK.strip()}' \"$n\"; "
        f'sh -c "$1" 2>&1 </dev/null; printf \'\\n{RC_MARK.strip()} %s %s\\n\' "$n" "$?"; }}',
    ]
    lines += [f"s {name} {_quote(command)}" for name, command in sections]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Section:
    text: str
    rc: int


def split_sections(output: str) -> dict[str, Section]:
    """The script's output as {section name: what it printed and its exit status}."""
    sections: dict[str, Section] = {}
    name: str | None = None
    body: list[str] = []
    for line in output.splitlines():
        if line.startswith(RC_MARK) and name is not None:
            parts = line[len(RC_MARK) :].split()
            rc = int(parts[1]) if len(parts) == 2 and parts[1].lstrip("-").isdigit() else -1
            text = "\n".join(body)
            sections[name] = Section(text.removesuffix("\n").strip("\n"), rc)
            name, body = None, []
        elif line.startswith(MARK):
            name, body = line[len(MARK) :].strip(), []
        elif name is not None:
            body.append(line)
    return sections


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
