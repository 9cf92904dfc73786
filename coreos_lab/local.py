"""What this machine already knows about a lab: its key and its stored token, read only.

`plan` uses this to show real values where they exist without creating or requesting anything.
"""

from __future__ import annotations

from pathlib import Path

from coreos_lab.keys import load_public_key
from coreos_lab.plan import PlanInputs
from coreos_lab.settings import LabSettings
from coreos_lab.state import load_state


def existing_public_key(settings: LabSettings) -> str | None:
    """The public key `up` would install, if it exists already; validated."""
    if settings.ssh_public_key is not None:
        return load_public_key(settings.ssh_public_key.expanduser())
    pub = Path(str(settings.ssh_key.expanduser()) + ".pub")
    return load_public_key(pub) if pub.is_file() else None


def peek_plan_inputs(settings: LabSettings) -> PlanInputs:
    state = load_state(settings.name)
    discovery = settings.discovery_url or None
    if discovery is None and state.discovery_size == settings.etcd:
        discovery = state.discovery_url
    return PlanInputs(
        subscription_id=settings.subscription or state.subscription_id,
        ssh_public_key=existing_public_key(settings),
        discovery_url=discovery,
        etcd_image_version=state.etcd_image_version,
        host_image_version=state.host_image_version,
    )
