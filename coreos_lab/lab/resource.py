"""One ARM resource of the plan (its PUT body and what it waits for), and the lab's ARM ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coreos_lab.lab.kinds import VNET, Kind


@dataclass(frozen=True)
class Resource:
    """One ARM resource the lab needs: what it is, its PUT body, and what must exist first."""

    kind: Kind
    name: str
    id: str
    body: dict[str, Any]
    depends_on: tuple[str, ...] = ()
    summary: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.name}"


class ResourceIds:
    """ARM resource ids of the lab's resources."""

    def __init__(self, subscription_id: str, resource_group: str) -> None:
        self.group_id = f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"

    def of(self, kind: Kind, name: str) -> str:
        return f"{self.group_id}/providers/{kind.arm_type}/{name}"

    def subnet(self, vnet: str, subnet: str) -> str:
        return f"{self.of(VNET, vnet)}/subnets/{subnet}"
