"""The emulator's state: resource groups, resources, operations in flight; saved as JSON.

Time is wall-clock (``time.time()``) so that operations in flight survive a restart: an
operation is *settled* (its resource becomes Succeeded, Failed or gone) lazily, on the first
request after its end time. There are no background tasks to lose.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import types
from .envelope import Json, group_id, now_iso

STATE_VERSION = 1


@dataclass
class Record:
    """One resource (or child resource such as a subnet) as ARM would return it."""

    id: str
    type: str
    group: str
    body: Json
    operation: str | None = None
    created: str = ""  # createdTime / changedTime of the generic list's $expand
    changed: str = ""
    meta: Json = field(default_factory=dict)  # state a kind keeps but does not show (VM power)

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def properties(self) -> Json:
        props: Json = self.body.setdefault("properties", {})
        return props


@dataclass
class Operation:
    """A long-running operation: which resource, what it does, when it ends, how."""

    id: str
    provider: str
    location: str
    resource_id: str
    action: str  # "create", "update" or "delete"
    start: float
    end: float
    error: Json | None = None
    error_status: int = 500  # the status a Location poll of the failed operation answers
    cascade: list[str] = field(default_factory=list)
    settled: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None

    def status(self, now: float | None = None) -> str:
        if (time.time() if now is None else now) < self.end:
            return "InProgress"
        return "Failed" if self.failed else "Succeeded"


class StateError(Exception):
    """state.json cannot be read as the emulator's state: one sentence."""


class Store:
    """All state of the one emulated subscription, with JSON persistence."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.subscription_id = str(uuid.uuid4())
        self.tenant_id = str(uuid.uuid4())
        self.token = "emulator-" + secrets.token_urlsafe(24)
        self.groups: dict[str, Record] = {}
        self.resources: dict[str, Record] = {}
        self.operations: dict[str, Operation] = {}
        self.counters: dict[str, int] = {}
        if path is not None and path.exists():
            self._load(path)

    # -- persistence -------------------------------------------------------------------
    def _load(self, path: Path) -> None:
        try:
            self._read(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(
                f"The emulator state {path} cannot be read ({type(exc).__name__}: {exc}); move "
                "it away to start with an empty cloud, or use another --state-dir."
            ) from None

    def _read(self, data: Json) -> None:
        self.subscription_id = data["subscription_id"]
        self.tenant_id = data["tenant_id"]
        self.token = data["token"]
        self.groups = {k: Record(**v) for k, v in data.get("groups", {}).items()}
        self.resources = {k: Record(**v) for k, v in data.get("resources", {}).items()}
        self.operations = {k: Operation(**v) for k, v in data.get("operations", {}).items()}
        self.counters = dict(data.get("counters", {}))

    def to_json(self) -> Json:
        return {
            "version": STATE_VERSION,
            "subscription_id": self.subscription_id,
            "tenant_id": self.tenant_id,
            "token": self.token,
            "groups": {k: asdict(v) for k, v in self.groups.items()},
            "resources": {k: asdict(v) for k, v in self.resources.items()},
            "operations": {k: asdict(v) for k, v in self.operations.items()},
            "counters": self.counters,
        }

    def save(self) -> None:
        if self.path is None:
            return
        # Created 0600 whatever the folder's mode or the umask: it holds the bearer token.
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(self.to_json(), indent=1))
        os.replace(tmp, self.path)

    def clear(self) -> None:
        """Forget every group, resource and operation; keep the identity (sub, tenant, token)."""
        self.groups.clear()
        self.resources.clear()
        self.operations.clear()
        self.counters.clear()

    # -- lookups -----------------------------------------------------------------------
    def group(self, name: str) -> Record | None:
        return self.groups.get(name.lower())

    def get(self, rid: str) -> Record | None:
        return self.resources.get(rid.lower())

    def add(self, record: Record) -> None:
        """Store a new or replaced resource; its created time survives a replacement."""
        previous = self.resources.get(record.key)
        record.changed = now_iso()
        record.created = previous.created if previous and previous.created else record.changed
        self.resources[record.key] = record

    def of_type(self, rtype: str, group: str | None = None) -> list[Record]:
        """Resources of one type, in creation order, optionally in one group."""
        lowered = rtype.lower()
        return [
            r
            for r in self.resources.values()
            if r.type.lower() == lowered and (group is None or r.group.lower() == group.lower())
        ]

    def in_group(self, group: str) -> list[Record]:
        return [r for r in self.resources.values() if r.group.lower() == group.lower()]

    def children(self, rid: str) -> list[Record]:
        prefix = rid.lower() + "/"
        return [r for k, r in self.resources.items() if k.startswith(prefix)]

    def next_counter(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    # -- operations --------------------------------------------------------------------
    def pending(self, rid: str) -> Operation | None:
        """The unfinished operation on a resource or group, if any."""
        record = self.get(rid) or self._group_by_id(rid)
        if record is None or record.operation is None:
            return None
        op = self.operations.get(record.operation)
        return op if op is not None and not op.settled else None

    def _group_by_id(self, rid: str) -> Record | None:
        parts = rid.strip("/").split("/")
        if len(parts) == 4 and parts[2].lower() == "resourcegroups":
            return self.group(parts[3])
        return None

    def begin(self, op: Operation, record: Record) -> Operation:
        self.operations[op.id] = op
        record.operation = op.id
        return op

    def settle(self, now: float | None = None) -> bool:
        """Finish every operation whose end time has passed; True if anything changed."""
        moment = time.time() if now is None else now
        changed = False
        for op in sorted(self.operations.values(), key=lambda o: o.end):
            if op.settled or op.end > moment:
                continue
            self._finish(op)
            op.settled = True
            changed = True
        if changed:
            self._forget_old_operations(moment)
        return changed

    def _finish(self, op: Operation) -> None:
        record = self.get(op.resource_id) or self._group_by_id(op.resource_id)
        if record is None or record.operation != op.id:
            return
        record.operation = None
        if op.failed or op.action != "delete":
            state = "Failed" if op.failed else "Succeeded"
            for rid in [op.resource_id, *op.cascade]:
                target = self.get(rid) or self._group_by_id(rid)
                if target is not None and target.operation in (None, op.id):
                    target.operation = None
                    target.properties["provisioningState"] = state
            return
        if record.type == types.GROUP:
            for inside in self.in_group(record.id.split("/")[-1]):
                self.resources.pop(inside.key, None)
            self.groups.pop(record.key.split("/")[-1], None)
            return
        for rid in [op.resource_id, *op.cascade]:
            for child in self.children(rid):
                self.resources.pop(child.key, None)
            self.resources.pop(rid.lower(), None)

    def _forget_old_operations(self, now: float) -> None:
        """Keep settled operations for an hour so that late polls still get an answer."""
        for key in [k for k, o in self.operations.items() if o.settled and o.end < now - 3600]:
            del self.operations[key]

    def group_record(self, sub: str, name: str, location: str, tags: Json) -> Record:
        rid = group_id(sub, name)
        body: Json = {
            "id": rid,
            "name": name,
            "type": types.GROUP,
            "location": location,
            "tags": tags,
            "properties": {"provisioningState": "Succeeded"},
        }
        return Record(id=rid, type=types.GROUP, group=name, body=body)
