"""Hints name the flags that select the lab; each cloud has its storage suffix."""

from __future__ import annotations

from coreos_lab.lab.clouds import storage_suffix
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.settings import LabSettings

SUB = "00000000-0000-4000-8000-000000000001"


def test_hints_carry_the_flags_that_select_the_lab() -> None:
    assert lab_command("up", LabSettings()) == "coreos-lab up"
    assert lab_command("down", LabSettings(name="my-lab", cloud="emulator")) == (
        "coreos-lab down --name my-lab --cloud emulator"
    )
    assert lab_command("up", LabSettings(subscription=SUB)) == f"coreos-lab up --subscription {SUB}"


def test_each_cloud_has_its_storage_suffix() -> None:
    assert storage_suffix("azure") == storage_suffix("emulator") == "core.windows.net"
    assert storage_suffix("usgov") == "core.usgovcloudapi.net"
    assert storage_suffix("china") == "core.chinacloudapi.cn"
