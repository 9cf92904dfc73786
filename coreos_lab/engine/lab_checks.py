"""What `up`, `down`, `ips` and `ssh` check about the lab found in Azure before they act.

Whose lab it is (its id, tags.check_identity), which etcd VMs it has (cluster.py's rules
need them), and which SSH key its VMs trust: `up` never generates a new key for VMs that
exist, nor installs one they do not trust. Reads the inventory, writes nothing.
"""

from __future__ import annotations

from typing import Any

from coreos_lab.azure.inventory import Inventory
from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.clouds import cloud_of
from coreos_lab.lab.events import EventSink, PhaseEvent
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.kinds import VM
from coreos_lab.lab.roles import ETCD
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import check_identity
from coreos_lab.local import keys, state


def key_the_vms_trust(settings: LabSettings, sink: EventSink, inventory: Inventory) -> keys.SshKey:
    """The lab's key; never a new one for VMs that exist, nor one they do not trust."""
    trusted = trusted_keys(inventory)
    if trusted and keys.existing_public_key(settings) is None:
        vms, line = next(iter(trusted.items()))
        raise LabError(
            f"The VMs of lab '{settings.name}' ({', '.join(vms)}) trust SSH key "
            f"{keys.key_fingerprint(line)}, whose files are not at {keys.key_path_for(settings)}; "
            "give that key with --ssh-key (or its public half with --ssh-public-key), or run "
            f"`{lab_command('down', settings)}` first to start over with a new key."
        )
    sink(PhaseEvent("key", "SSH key"))
    key = keys.resolve_ssh_key(settings)
    mine = keys.key_fingerprint(key.public_key)
    for vms, line in trusted.items():
        if keys.key_fingerprint(line) != mine:
            raise LabError(
                f"The VMs of lab '{settings.name}' ({', '.join(vms)}) trust SSH key "
                f"{keys.key_fingerprint(line)}, not {mine} of {keys.key_path_for(settings, key)}; "
                "give the key they trust with --ssh-key, or run "
                f"`{lab_command('down', settings)}` first to start over with this one."
            )
    sink(
        PhaseEvent(
            "key", f"SSH key {mine}" + (" (generated)" if key.generated else " (reused)"), done=True
        )
    )
    return key


def trusted_keys(inventory: Inventory) -> dict[tuple[str, ...], str]:
    """The public keys the lab's VMs trust, each with the VMs that trust it."""
    by_key: dict[str, list[str]] = {}
    prefix = f"{VM}/".lower()
    for key, body in sorted(inventory.resources.items()):
        if not key.startswith(prefix):
            continue
        linux = (body.get("properties", {}).get("osProfile") or {}).get("linuxConfiguration") or {}
        for entry in (linux.get("ssh") or {}).get("publicKeys") or []:
            if entry.get("keyData"):
                by_key.setdefault(str(entry["keyData"]).strip(), []).append(str(body.get("name")))
    return {tuple(vms): line for line, vms in by_key.items()}


def etcd_vms(inventory: Inventory) -> list[str]:
    """The names of the etcd VMs the lab's group holds."""
    prefix = f"{VM}/".lower()
    names = (
        str(body.get("name", "")) for k, body in inventory.resources.items() if k.startswith(prefix)
    )
    return sorted(n for n in names if ETCD.index_of(n) is not None)


def identify(
    settings: LabSettings, group: dict[str, Any], lab_state: state.LabState, adopt: bool
) -> str | None:
    """The lab id to keep for ``group``; refuses another machine's or user's lab (tags.py)."""
    return check_identity(
        group,
        settings.name,
        lab_state.lab_id,
        known=state.has_state(settings.name),
        adopt=adopt,
    )


def check_subscription(
    settings: LabSettings, lab_state: state.LabState, subscription: str, verb: str
) -> None:
    """Refuse (UsageError) to act on a lab in another subscription than the one it was built
    in: a lab is one subscription's, and its state (token, id) belongs to that one."""
    recorded = lab_state.subscription_id
    if not recorded or recorded.lower() == subscription.lower():
        return
    if cloud_of(settings.cloud).subscription_applies:
        how = f"run `{lab_command(verb, settings, subscription=recorded)}`"
    else:
        how = "point COREOS_LAB_EMULATOR_DIR at the emulator that serves it"
    then = (
        f", or use another --name for a new lab in {subscription}"
        if verb == "up"
        else " (its local state is kept until then)"
    )
    raise UsageError(
        f"Lab '{settings.name}' was built in subscription {recorded}, not {subscription}; "
        f"{how}{then}."
    )


def check_provisioning(settings: LabSettings, recorded: str | None, inventory: Inventory) -> None:
    """Refuse (UsageError) another boot-config format for a lab whose VMs exist.

    Azure keeps a VM's custom data as created, so the new format would reach no machine
    (docs/facts.md, "Custom data").
    """
    if not recorded or recorded == settings.provisioning:
        return
    prefix = f"{VM}/".lower()
    vms = sorted(str(b.get("name")) for k, b in inventory.resources.items() if k.startswith(prefix))
    if vms:
        raise UsageError(
            f"Lab '{settings.name}' was built with --provisioning {recorded}, and its VMs "
            f"({', '.join(vms[:3])}{', …' if len(vms) > 3 else ''}) keep the boot config they "
            f"were created with; leave --provisioning out, or run "
            f"`{lab_command('down', settings)}` first to rebuild with {settings.provisioning}."
        )
