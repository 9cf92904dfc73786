"""Per-provider models: state rules and the bodies ARM returns (one module per kind).

:data:`RENDERERS` is the one table of the kinds the emulator stores: resource type -> the
function that renders its full body (references to it resolved). The composition root hands it
to the :class:`~coreos_lab.emulator.backend.Backend`; a new kind is a module here, a row in this
table and its routes in ``urls.py``. Kinds without a row (resource groups) are stored bodies.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import types
from ..backend import Renderer
from . import (
    disks,
    network,
    network_interfaces,
    public_ips,
    security_groups,
    storage,
    virtual_machines,
)

RENDERERS: Mapping[str, Renderer] = {
    types.NSG: security_groups.render,
    types.VNET: network.render_vnet,
    types.SUBNET: network.render_subnet,
    types.PIP: public_ips.render,
    types.NIC: network_interfaces.render,
    types.ACCOUNT: storage.render,
    types.VM: virtual_machines.render,
    types.DISK: disks.render,
}
