"""What a lab remembers of its settings, and how that fills in what a command was not given.

After `up --ssh-key K --cloud emulator --name N`, `ips --name N`, `ssh`, `ssh-config` and
`down` must reach the same lab with the same key without the flags repeated: the key, the
cloud and the subscription are recorded in the lab's state, and stand in for settings the
user did not give. A setting given that contradicts the record is refused: it would act on
another cloud or subscription, or install a key the VMs do not trust. Pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from coreos_lab.errors import UsageError
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local.state import LabState


def key_paths(settings: LabSettings) -> tuple[str, str | None]:
    """The private key and public key paths as the state records them (absolute)."""
    private = str(settings.ssh_key.expanduser().absolute())
    public = settings.ssh_public_key
    return private, str(public.expanduser().absolute()) if public is not None else None


def _public_of(private: str, public: str | None) -> str:
    return public if public is not None else private + ".pub"


def recall(settings: LabSettings, given: Mapping[str, str], record: LabState) -> LabSettings:
    """``settings`` with the lab's recorded key, cloud, subscription and shape (members,
    hosts, storage account, boot format) where not ``given``.

    ``given`` maps each setting the user gave to where it came from (a flag, a variable, the
    TOML file); raises UsageError when one of them contradicts the record.
    """
    changes: dict[str, Any] = {}
    name = settings.name
    if record.cloud:
        if "cloud" not in given:
            changes["cloud"] = record.cloud
        elif settings.cloud != record.cloud:
            raise UsageError(
                f"Lab '{name}' was built with --cloud {record.cloud}, not {settings.cloud} (from "
                f"{given['cloud']}); leave it out (the lab remembers its cloud), or use another "
                "--name for a new lab."
            )
    cloud = changes.get("cloud", settings.cloud)
    if record.subscription_id and cloud_of(cloud).subscription_applies:
        if "subscription" not in given:
            changes["subscription"] = record.subscription_id
        elif settings.subscription.lower() != record.subscription_id.lower():
            raise UsageError(
                f"Lab '{name}' was built in subscription {record.subscription_id}, not "
                f"{settings.subscription} (from {given['subscription']}); leave it out (the lab "
                "remembers its subscription), or use another --name for a new lab."
            )
    # The shape `up` last built is what `up` converges to and `verify` expects, unless
    # given: `up --hosts 1` then `verify` must not expect (nor advise building) a host1.
    for field, value in (
        ("etcd", record.etcd_size),
        ("hosts", record.hosts),
        ("storage_account", record.storage_account),
        ("provisioning", record.provisioning),
    ):
        if value is not None and field not in given:
            changes[field] = value
    if record.ssh_key:
        keyed = [f for f in ("ssh_key", "ssh_public_key") if f in given]
        if not keyed:
            changes["ssh_key"] = Path(record.ssh_key)
            changes["ssh_public_key"] = (
                Path(record.ssh_public_key) if record.ssh_public_key else None
            )
        else:
            recorded = _public_of(record.ssh_key, record.ssh_public_key)
            wanted = _public_of(*key_paths(settings))
            if wanted != recorded:
                raise UsageError(
                    f"Lab '{name}' uses the SSH key {recorded.removesuffix('.pub')} (its VMs "
                    f"trust that one), not {wanted.removesuffix('.pub')} (from "
                    f"{given[keyed[0]]}); leave it out (the lab remembers its key), or run down "
                    "first to start over with another key."
                )
    return dataclasses.replace(settings, **changes) if changes else settings


def recall_class(
    labs: Sequence[tuple[LabSettings, LabState | None]], given: Mapping[str, str]
) -> list[LabSettings]:
    """Each lab of a class with what it remembers, the class's cloud and subscription for all.

    ``labs`` pairs each lab's settings with its record (None when it has none, or none that
    can be read). The cloud and subscription are the class's, not its first lab's: those the
    user gave, else the ones the records agree on, so a lab not built yet (or whose state is
    unreadable) is looked for where its classmates are. Records that disagree are refused.
    """
    records = [r for _, r in labs if r is not None]
    fill: dict[str, Any] = {}
    if "cloud" not in given:
        clouds = sorted({r.cloud for r in records if r.cloud})
        if len(clouds) > 1:
            raise UsageError(
                f"The class's labs were built in several clouds ({', '.join(clouds)}); give "
                "--cloud to choose one, or another --prefix for each."
            )
        if clouds:
            fill["cloud"] = clouds[0]
    cloud = fill.get("cloud") or (labs[0][0].cloud if labs else "")
    if "subscription" not in given and cloud_of(cloud).subscription_applies:
        subscriptions = {r.subscription_id.lower() for r in records if r.subscription_id}
        if len(subscriptions) == 1:
            fill["subscription"] = subscriptions.pop()
    told = {**given, **{name: "the class's other labs" for name in fill}}
    out = []
    for settings, record in labs:
        settings = dataclasses.replace(settings, **fill) if fill else settings
        out.append(recall(settings, told, record) if record is not None else settings)
    return out
