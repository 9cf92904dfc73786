"""The commands a hint tells the user to run, with the flags that select this lab. Pure.

"Run `coreos-lab up` again" is wrong advice for a lab named with --name, built with --cloud
or in another --subscription: run as printed, it would act on the default lab. Every hint
that names a command builds it here.
"""

from __future__ import annotations

import shlex

from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.settings import LabSettings

_DEFAULT = LabSettings()


def lab_command(
    verb: str,
    settings: LabSettings,
    *,
    cloud: str | None = None,
    subscription: str | None = None,
) -> str:
    """``coreos-lab <verb>`` with --name, --cloud and --subscription where not the default."""
    parts = ["coreos-lab", verb]
    cloud = cloud or settings.cloud
    subscription = subscription or settings.subscription
    if settings.name != _DEFAULT.name:
        parts += ["--name", settings.name]
    if cloud != _DEFAULT.cloud:
        parts += ["--cloud", cloud]
    if subscription and cloud_of(cloud).subscription_applies:
        parts += ["--subscription", subscription]
    return shlex.join(parts)
