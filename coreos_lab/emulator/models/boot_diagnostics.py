"""Boot diagnostics: the ``retrieveBootDiagnosticsData`` action and the emulated serial log blob.

The action answers SAS links to blobs on the emulator's own host; the blob route checks the SAS
as Blob storage does; the log is emulated (its first line says so) and grows from the VM's
creation. Routes, errors and what is unverified: docs/emulator.md, "Boot diagnostics"."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import time
import urllib.parse

from .. import types
from ..backend import Backend, Call
from ..envelope import Reply
from ..errors import BadRequest, Conflict
from ..store import Record
from .common import lookup

SAS_VERSION = "2022-11-02"
DEFAULT_MINUTES = 120
MAX_LINES = 2000  # the heartbeat stops here: a long-running emulator's log stays small
HEARTBEAT = 30.0  # seconds (times the pace) between lines once the boot script is done
BLOB_PREFIX = "/_blob"


# -- the action ------------------------------------------------------------------------------
def _minutes(call: Call) -> int:
    raw = call.query.get("sasuriexpirationtimeinminutes")
    if raw is None:
        return DEFAULT_MINUTES
    try:
        minutes = int(raw)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 1440:
        raise BadRequest(
            f"The value {raw} of parameter sasUriExpirationTimeInMinutes is invalid: it must be "
            "between 1 and 1440.",
            target="sasUriExpirationTimeInMinutes",
        )
    return minutes


def _container(record: Record) -> tuple[str, str]:
    """(container, serial log blob): ``bootdiagnostics-{name}-{vmId}``, ``{name}.{vmId}...``.

    The naming follows what Azure writes to a user's account (*unverified*: not documented).
    """
    vm_id = str(record.properties["vmId"])
    short = re.sub(r"[^a-z0-9]", "", str(record.body["name"]).lower())[:9] or "vm"
    return f"bootdiagnostics-{short}-{vm_id}", f"{record.body['name']}.{vm_id}"


def _account(record: Record) -> str:
    """The storage account a VM's boot diagnostics write to; "managed" when Azure's own."""
    boot = ((record.properties.get("diagnosticsProfile") or {}).get("bootDiagnostics")) or {}
    host = urllib.parse.urlsplit(str(boot.get("storageUri") or "")).hostname or ""
    return host.split(".", 1)[0] or "managed"


def boot_diagnostics_on(record: Record) -> bool:
    boot = ((record.properties.get("diagnosticsProfile") or {}).get("bootDiagnostics")) or {}
    return bool(boot.get("enabled"))


def retrieve(call: Call, backend: Backend) -> Reply:
    record = lookup(backend, call, types.VM)
    minutes = _minutes(call)
    if not boot_diagnostics_on(record):
        raise Conflict(
            f"Boot diagnostics is not enabled for virtual machine '{record.body['name']}'; "
            "enable diagnosticsProfile.bootDiagnostics to retrieve its boot diagnostics data.",
            code="OperationNotAllowed",
        )
    expiry = time.time() + minutes * backend.settings.cloud.sas_minute_seconds
    container, stem = _container(record)
    base = f"{call.base}{BLOB_PREFIX}/{_account(record)}/{container}"
    key = backend.store.token.encode()
    return Reply(
        200,
        {
            "consoleScreenshotBlobUri": _signed(f"{base}/{stem}.screenshot.bmp", expiry, key),
            "serialConsoleLogBlobUri": _signed(f"{base}/{stem}.serialconsole.log", expiry, key),
        },
    )


# -- SAS -------------------------------------------------------------------------------------
def _stamp(at: float) -> str:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc1123(at: float) -> str:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _string_to_sign(path: str, start: str, expiry: str) -> str:
    return "\n".join(["r", start, expiry, path, SAS_VERSION, "b"])


def _signature(path: str, start: str, expiry: str, key: bytes) -> str:
    digest = hmac.new(key, _string_to_sign(path, start, expiry).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def _signed(url: str, expiry: float, key: bytes) -> str:
    # A SAS carries its times to the second (truncated here, so a lifetime of 0 has ended).
    start, end = _stamp(time.time() - 300), _stamp(expiry)
    path = urllib.parse.urlsplit(url).path
    query = urllib.parse.urlencode(
        {
            "sv": SAS_VERSION,
            "st": start,
            "se": end,
            "sr": "b",
            "sp": "r",
            "sig": _signature(path, start, end, key),
        }
    )
    return f"{url}?{query}"


class BlobError(Exception):
    """A Blob storage error answer (XML, not ARM's JSON)."""

    def __init__(self, status: int, code: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail

    def xml(self) -> str:
        extra = (
            f"<AuthenticationErrorDetail>{self.detail}</AuthenticationErrorDetail>"
            if self.detail
            else ""
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><Error>'
            f"<Code>{self.code}</Code><Message>{self.message}\nTime:{_stamp(time.time())}"
            f"</Message>{extra}</Error>"
        )


AUTH_FAILED = (
    "Server failed to authenticate the request. Make sure the value of Authorization header is "
    "formed correctly including the signature."
)


def _parse(stamp: str) -> float | None:
    try:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return moment.timestamp()


def check_sas(path: str, query: dict[str, str], key: bytes) -> None:
    """Blob storage's SAS check: signature first, then the time frame (403 either way)."""
    start, expiry = query.get("st", ""), query.get("se", "")
    given = query.get("sig", "")
    wanted = _signature(path, start, expiry, key)
    if not hmac.compare_digest(given.encode(), wanted.encode()):
        shown = _string_to_sign(path, start, expiry).replace("\n", " ")
        raise BlobError(
            403, "AuthenticationFailed", AUTH_FAILED, f"Signature did not match. String to sign "
            f"used was {shown}"
        )  # fmt: skip
    now = time.time()
    begins, ends = _parse(start), _parse(expiry)
    if begins is None or ends is None or not begins <= now <= ends:
        raise BlobError(
            403,
            "AuthenticationFailed",
            AUTH_FAILED,
            f"Signature not valid in the specified time frame: Start [{_rfc1123(begins or 0)}] - "
            f"Expiry [{_rfc1123(ends or 0)}] - Current [{_rfc1123(now)}]",
        )


# -- the blob --------------------------------------------------------------------------------
def find_vm(backend: Backend, container: str, blob: str) -> Record:
    """The VM a serial log blob belongs to; 404 ``BlobNotFound`` when there is none."""
    for record in backend.store.of_type(types.VM):
        name, stem = _container(record)
        wanted = name == container and blob == f"{stem}.serialconsole.log"
        if wanted and boot_diagnostics_on(record):
            return record
    raise BlobError(404, "BlobNotFound", "The specified blob does not exist.")


def _created(record: Record) -> float:
    stamp = str(record.properties.get("timeCreated", ""))[:19]
    try:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return time.time()
    return moment.timestamp()


def _script(record: Record) -> list[tuple[float, str]]:
    """(seconds after boot, line) of an emulated Flatcar boot, from what the VM was given."""
    name = str(record.body["name"])
    host = str(record.properties.get("osProfile", {}).get("computerName") or name)
    image = record.properties.get("storageProfile", {}).get("imageReference", {})
    version = str(image.get("exactVersion") or image.get("version") or "unknown")
    channel = str(image.get("sku") or "stable").removesuffix("-gen2")
    return [
        (0.0, f"coreos-lab emulator: emulated serial console of {name}; not a real boot"),
        (0.2, "[    0.000000] Linux version (emulated) for Flatcar Container Linux"),
        (
            0.4,
            "[    0.000000] Command line: BOOT_IMAGE=/flatcar/vmlinuz-a mount.usr=/dev/mapper/usr"
            " rootflags=rw mount.usrflags=ro consoleblank=0 root=LABEL=ROOT console=ttyS0,115200n8"
            " flatcar.first_boot=detected flatcar.oem.id=azure",
        ),
        (2.0, "[    2.104113] systemd[1]: Starting ignition-fetch.service - Ignition (fetch)..."),
        (3.0, '[    3.011982] ignition[512]: fetched user config from "azure" (custom data)'),
        (4.0, "[    4.200417] ignition[512]: files: op(1): [finished] writing files"),
        (5.0, "[    5.020311] systemd[1]: Finished ignition-files.service - Ignition (files)."),
        (6.0, "[    6.310277] systemd[1]: Reached target initrd.target - Initrd Default Target."),
        (8.0, f"[    8.002140] systemd[1]: Set hostname to <{host}>."),
        (10.0, "[   10.118734] systemd[1]: Started systemd-networkd.service - Network Config."),
        (12.0, "[   12.442019] systemd[1]: Started sshd.socket - OpenSSH Server Socket."),
        (14.0, "[   14.901223] systemd[1]: Started update-engine.service - Update Engine."),
        (16.0, "[   16.550871] systemd[1]: Reached target multi-user.target - Multi-User System."),
        (18.0, ""),
        (18.1, f"Flatcar Container Linux by Kinvolk {channel} {version} (emulated)"),
        (18.2, f"{host} login: "),
    ]


def serial_log(backend: Backend, record: Record, now: float | None = None) -> str:
    """What the serial log holds ``now``: the lines whose time has come, then a heartbeat."""
    pace = backend.settings.cloud.boot_log_pace
    elapsed = (time.time() if now is None else now) - _created(record)
    lines = [text for at, text in _script(record) if at * pace <= elapsed]
    done = _script(record)[-1][0] * pace
    if elapsed > done and pace > 0:
        beats = min(int((elapsed - done) // (HEARTBEAT * pace)), MAX_LINES - len(lines))
        lines += [
            f"coreos-lab emulator: {record.body['name']} still running (emulated line {i + 1})"
            for i in range(beats)
        ]
    return "".join(line + "\n" for line in lines)


def blob_text(backend: Backend, path: str, query: dict[str, str]) -> str:
    """The serial log a ``/_blob/...`` GET asks for, after its SAS is checked."""
    parts = path.split("/")  # "", "_blob", account, container, blob
    if len(parts) != 5:
        raise BlobError(404, "BlobNotFound", "The specified blob does not exist.")
    check_sas(path, query, backend.store.token.encode())
    return serial_log(backend, find_vm(backend, parts[3], parts[4]))
