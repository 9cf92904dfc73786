"""Preflight: everything that would make `up` fail half-way, checked before its first write.

``runner`` runs the checks, ``checks`` holds them (one decorated function each),
``context`` is what each check is given and ``reads`` the Azure reads several checks share.
"""

from coreos_lab.azure.preflight import checks
from coreos_lab.azure.preflight.checks import (
    FAMILY_QUOTA,
    IMAGES,
    LOCATION,
    REGIONAL_QUOTA,
    STORAGE_NAME,
    SUBSCRIPTION,
)
from coreos_lab.azure.preflight.runner import DEADLINE, run_preflight

__all__ = [
    "DEADLINE",
    "FAMILY_QUOTA",
    "IMAGES",
    "LOCATION",
    "REGIONAL_QUOTA",
    "STORAGE_NAME",
    "SUBSCRIPTION",
    "checks",
    "run_preflight",
]
