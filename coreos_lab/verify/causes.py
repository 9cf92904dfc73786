"""Why etcd did not start, read from the last lines of etcd-member.service's journal. Pure.

The texts matched are etcd 3.5's own, as the tests see them from a real etcd; how a spent
discovery token shows (a v2 proxy, not a failed unit): docs/facts.md, "etcd, flannel and
locksmith on Flatcar"."""

from __future__ import annotations

import json
import re

_URL_PATH = re.compile(r"(https?://[^/\s\"']+)/[^\s\"':]*")

# (text in the journal, the sentence verify prints); first match wins, newest line first.
_KNOWN = (
    (
        "cluster is full",
        "the discovery token is spent: an earlier cluster already filled its registry; run "
        "`coreos-lab down`, then `up` requests a new token (or use --bootstrap static).",
    ),
    (
        "found duplicate",
        "the discovery token is spent: it already holds a member of this name from an "
        "earlier cluster; run `coreos-lab down`, then `up` requests a new token.",
    ),
    (
        "has already been bootstrapped",
        "its data directory belongs to an earlier cluster (member already bootstrapped).",
    ),
    (
        "couldn't find local name",
        "the initial cluster does not name this member (ETCD_NAME vs ETCD_INITIAL_CLUSTER).",
    ),
    (
        "cannot assign requested address",
        "it listens on an address this machine does not have (the private IP?).",
    ),
    (
        "error validating peerurls",
        "its peer URLs differ from what the other members expect.",
    ),
)


def from_journal(text: str) -> str:
    """A sentence for the newest known problem in the journal's tail, or its last error."""
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        lowered = line.lower()
        for needle, sentence in _KNOWN:
            if needle in lowered:
                return sentence
    for line in reversed(lines):
        message = _error_message(line)
        if message:
            return message
    return ""


def _error_message(line: str) -> str:
    try:
        entry = json.loads(line)
    except ValueError:
        return ""
    if not isinstance(entry, dict) or entry.get("level") not in ("error", "fatal", "panic"):
        return ""
    message = f"{entry.get('msg', '')}: {entry.get('error', '')}".strip(": ")
    # URL paths go: a discovery URL's path is its token, a capability.
    message = _URL_PATH.sub(r"\1/…", message)
    return f"etcd says '{message[:200]}'."
