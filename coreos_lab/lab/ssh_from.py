"""Who may reach the lab's SSH port: one or more CIDR blocks, never the whole Internet by accident.

``--ssh-from 203.0.113.7/32`` or ``--ssh-from 203.0.113.0/24,198.51.100.7`` name the sources;
a block wider than /8 (0.0.0.0/0 above all) or ``*`` is refused, because a lab's etcd
members and hosts are not hardened machines. ``--ssh-from any`` opens SSH to everyone when
a user means it: the CLI warns in one line and the NSG carries a tag that says so. Pure.
"""

from __future__ import annotations

import ipaddress

from coreos_lab.errors import UsageError

ANY = "any"
ANY_PREFIX = "*"  # what an NSG rule calls every source address
WIDEST_PREFIX = 8  # blocks wider than a /8 are refused unless --ssh-from any
TAG_SSH_OPEN = "coreos-lab-ssh-open-to"
TAG_SSH_OPEN_VALUE = "any"
WARNING = (
    "--ssh-from any opens SSH (port 22) of every lab machine to the whole Internet; "
    "password login is off, but prefer your own address, e.g. 203.0.113.7/32."
)


def is_open_to_all(value: str) -> bool:
    return value.strip().lower() == ANY


def source_prefixes(value: str, flag: str = "--ssh-from") -> list[str]:
    """The NSG source prefixes ``value`` names, normalised; raise UsageError if it cannot be."""
    if is_open_to_all(value):
        return [ANY_PREFIX]
    prefixes: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            raise UsageError(
                f"{flag} '{value}' has an empty entry; separate CIDR blocks with single commas."
            )
        net = _one(part, flag)
        if str(net) not in prefixes:
            prefixes.append(str(net))
    return prefixes


def _one(part: str, flag: str) -> ipaddress.IPv4Network:
    if part in ("*", "Internet", "internet"):
        raise UsageError(
            f"{flag} '{part}' would open SSH to the whole Internet; give your own address "
            "like 203.0.113.7/32, or the word 'any' if that is really what you want."
        )
    try:
        net = ipaddress.ip_network(part, strict=False)
    except ValueError:
        raise UsageError(
            f"{flag} '{part}' is not an address or CIDR block; use e.g. 203.0.113.7/32."
        ) from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise UsageError(f"{flag} '{part}' must be IPv4.")
    if str(net) != part and not (net.prefixlen == 32 and part == str(net.network_address)):
        raise UsageError(f"{flag} '{part}' has host bits set; did you mean {net}?")
    if net.prefixlen < WIDEST_PREFIX:
        whole = "the whole Internet" if net.prefixlen == 0 else f"{net.num_addresses:,} addresses"
        raise UsageError(
            f"{flag} '{part}' would open SSH to {whole}; give your own address like "
            "203.0.113.7/32, or the word 'any' if that is really what you want."
        )
    return net
