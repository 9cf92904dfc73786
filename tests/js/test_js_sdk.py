"""The Azure SDK for JavaScript builds, reads and deletes the lab against the emulator.

A second real client, written by nobody here: its own serializer, LRO pollers and retry
policy. ``lab.js`` reports every step; the run must fail exactly the steps listed in
``KNOWN_FAILING`` (each a divergence class of docs/emulator.md), so a fix shows up as a
failure here until its entry is removed. Run once clean and once with injected faults and
dropped connections.

Needs ``node`` (18 or later, Debian's package in CI) and ``npm ci`` run in tests/js (``.ci/run``
does both). Without them the test skips locally and fails under CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.faithfulness.emulator import start_emulator, stop_emulator

HERE = Path(__file__).parent
KNOWN_FAILING: set[str] = set()
ALL_STEPS = {
    "create group",
    "create nsg",
    "create vnet",
    "create storage",
    "create public ips",
    "create nics",
    "create vms",
    "read group",
    "read nsg",
    "read vnet and subnets",
    "read storage",
    "read public ips",
    "read nics",
    "read vms",
    "read vms with $expand=instanceView",
    "read instance views (virtualMachines.instanceView)",
    "list vms, disks and group resources",
    "delete group",
    "group is gone",
}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the JavaScript SDK test")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        _unavailable("node is not installed (apt-get install nodejs npm)")
    assert found is not None
    major = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)
    if int(major.stdout.strip().lstrip("v").split(".")[0]) < 18:
        _unavailable(f"node {major.stdout.strip()} is older than 18")
    if not (HERE / "node_modules" / "@azure" / "arm-compute").is_dir():
        _unavailable("the JavaScript SDK is not installed: run `npm ci` in tests/js")
    return found


def _ssh_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode() + " core@lab"


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param((), id="clean"),
        pytest.param(("--fault-rate", "0.1", "--fault-dropped", "0.02"), id="faults"),
    ],
)
def test_js_sdk_builds_reads_and_deletes_the_lab(
    node: str, tmp_path: Path, faults: tuple[str, ...]
) -> None:
    process, emu = start_emulator(tmp_path / "emulator", *faults)
    try:
        env = {
            **os.environ,
            "EMULATOR_CONNECTION": str(emu.state_dir / "connection.json"),
            "NODE_EXTRA_CA_CERTS": emu.ca_cert,  # TLS verified against the emulator's CA
            "LAB_SSH_KEY": _ssh_key(),
        }
        env.pop("NODE_TLS_REJECT_UNAUTHORIZED", None)
        run = subprocess.run(
            [node, str(HERE / "lab.js")],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        steps: dict[str, str] = json.loads(run.stdout.strip().splitlines()[-1])["steps"]
        log = emu.admin("GET", "requests")
    finally:
        stop_emulator(process)
    assert set(steps) == ALL_STEPS
    failing = {name: why for name, why in steps.items() if why != "ok"}
    assert set(failing) == KNOWN_FAILING, failing
    if faults:
        # ~10 % of some 200 requests: the SDK absorbed them (not asserted per kind, which
        # would fail by chance now and then).
        injected = [entry["fault"] for entry in log if entry.get("fault")]
        assert len(injected) >= 5, injected
