"""What every preflight check is given: the lab, the shared reads, and where to report."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.inventory import Inventory
from coreos_lab.azure.preflight.reads import SharedReads, Sku, Usage
from coreos_lab.lab.kinds import VM, Kind
from coreos_lab.lab.results import ImageVersions
from coreos_lab.lab.roles import ROLES, Role
from coreos_lab.lab.settings import FLATCAR_OFFER, LabSettings


class CheckFailed(Exception):
    """A precondition does not hold; the message is the sentence for the user."""


class NotChecked(Exception):
    """A check could not be made because another one failed."""


@dataclass
class Context:
    """One preflight's inputs and shared state.

    ``existing`` is the lab's inventory when it exists; ``pinned`` the image versions its
    state file recorded. ``offer`` is the Flatcar offer to check: always the CoreVM offer in
    `up`; tests set another to reach the purchase-plan path.
    """

    clients: Clients
    settings: LabSettings
    existing: Inventory | None
    pinned: ImageVersions | None
    pool: ThreadPoolExecutor
    skus: Future[dict[str, Sku]]
    usages: Future[dict[str, Usage]]
    offer: str = FLATCAR_OFFER
    images: list[ImageVersions] = field(default_factory=list)
    shared: SharedReads = field(default_factory=SharedReads)

    @property
    def location(self) -> str:
        return self.settings.location

    def exists(self, kind: Kind, name: str) -> bool:
        return self.existing is not None and self.existing.get(f"{kind}/{name}") is not None

    def missing_vms(self, role: Role) -> int:
        return sum(1 for name in role.vm_names(self.settings) if not self.exists(VM, name))

    def sizes(self) -> dict[str, str]:
        """VM size (as the settings spell it) → the flag(s) that set it, one entry per size."""
        sizes: dict[str, str] = {}
        spelled: dict[str, str] = {}
        for role in ROLES:
            size, flag = role.size(self.settings), role.size_flag()
            key = spelled.setdefault(size.lower(), size)
            sizes[key] = f"{sizes[key]}/{flag}" if key in sizes else flag
        return sizes
