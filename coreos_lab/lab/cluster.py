"""The rules that keep one etcd cluster one cluster, once its VMs exist. Pure.

An etcd cluster's initial members are fixed when it forms: a static cluster's every member
was given the full list, a discovery cluster's token was requested for its size. And a
discovery token belongs to the one cluster it bootstrapped: reused while that cluster has
members, never used for a second one (the second would wait forever for a full token, or
split the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from coreos_lab.boot.machine_config import ETCD_UNIT
from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.roles import ETCD
from coreos_lab.lab.settings import LabSettings


class Token(Enum):
    """What `up` does about the discovery token."""

    GIVEN = "given"  # --discovery-url
    REUSE = "reuse"  # the stored token, whose cluster still has members
    NEW = "new"  # none stored, no cluster yet: the first request
    RENEW = "renew"  # stored, but its cluster is gone: a new cluster needs a new token


def built_size(recorded: int | None, existing: Sequence[str]) -> int | None:
    """The etcd size the existing cluster was built with; None when no etcd VM exists.

    The state records it; without one (state lost and adopted), the highest member index
    tells, which undercounts only when the last members are gone too.
    """
    if not existing:
        return None
    if recorded:
        return recorded
    indexes = [i for i in (ETCD.index_of(name) for name in existing) if i is not None]
    return max(indexes) + 1 if indexes else None


def check_etcd_size(settings: LabSettings, recorded: int | None, existing: Sequence[str]) -> None:
    """Refuse (UsageError) an --etcd that differs from the size of the cluster that exists."""
    size = built_size(recorded, existing)
    if size is not None and size != settings.etcd:
        raise UsageError(
            f"Lab '{settings.name}' has an etcd cluster of {size} members "
            f"({', '.join(sorted(existing))} exist), and a cluster's initial members are fixed "
            f"once it exists; use --etcd {size}, or run `{lab_command('down', settings)}` "
            "first to start over."
        )


def token_for(settings: LabSettings, stored: str | None, existing: Sequence[str]) -> Token:
    """Whether the token is given, reused, requested for the first time or requested anew.

    Refuses (LabError) etcd VMs with no known token: a new token would bootstrap the
    missing members into a second cluster.
    """
    if settings.discovery_url:
        return Token.GIVEN
    if stored:
        return Token.REUSE if existing else Token.RENEW
    if existing:
        raise LabError(
            f"Lab '{settings.name}' has etcd VMs ({', '.join(sorted(existing))}) but this "
            "machine knows no discovery token for their cluster, and a new token would split "
            "it; run again with --discovery-url set to the cluster's URL (ETCD_DISCOVERY in "
            f"`systemctl cat {ETCD_UNIT}` on any etcd VM), adding --adopt if this machine "
            "has no state for the lab."
        )
    return Token.NEW
