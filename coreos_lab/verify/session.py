"""One round of `verify` over a lab's listed machines, and `up --wait`'s rounds of them.

The I/O side of verify, with ssh/runner.py: it reads the lab's state (the versions `up`
chose, the discovery token) and runs the probes; judging stays in the pure modules.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.results import MachineAccess
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local import state
from coreos_lab.local.files import make_private_dirs
from coreos_lab.ssh import failures, runner
from coreos_lab.verify import expect, judge, probe
from coreos_lab.verify.findings import LabReadiness


def verify_access(settings: LabSettings, access: MachineAccess) -> LabReadiness:
    """`verify` of machines already listed (``up --wait`` and the tests pass them in)."""
    began = time.monotonic()
    settings = expect.sized_like(settings, [(m.role, m.name) for m in access.machines])
    lab_state = state.load_state(settings.name)
    discovery_url = settings.discovery_url or (
        lab_state.discovery_url if lab_state.discovery_size == settings.etcd else None
    )
    recorded = {"etcd": lab_state.etcd_image_version, "host": lab_state.host_image_version}
    versions = expect.chosen_versions(settings, recorded)
    expected = expect.expectations(settings, discovery_url, versions)
    make_private_dirs(Path(access.known_hosts).parent)
    targets = [
        runner.Target(m.name, m.public_ip, probe.script(m.role))
        for m in access.machines
        if m.public_ip
    ]
    ran = runner.run_all(targets, access.key_path, Path(access.known_hosts))
    probes = []
    for m in access.machines:
        r = ran.get(m.name)
        probes.append(
            judge.Probed(m.name, m.role, m.public_ip, m.state)
            if r is None
            else judge.Probed(
                m.name, m.role, m.public_ip, m.state, r.rc, r.stdout, r.stderr, r.timed_out
            )
        )
    ctx = failures.SshContext(settings.ssh_from, access.key_path, access.known_hosts)
    return judge.judge_lab(
        settings.name,
        probes,
        expected,
        ctx,
        time.monotonic() - began,
        up=lab_command("up", settings),
    )


def wait_until(
    settings: LabSettings,
    timeout: float,
    on_round: Callable[[LabReadiness], None],
    list_machines: Callable[[], MachineAccess],
    *,
    interval: float = 5.0,
) -> LabReadiness:
    """Verify in rounds until the lab is ready or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        report = verify_access(settings, list_machines())
        on_round(report)
        left = deadline - time.monotonic()
        if report.ready or left <= 0:
            return report
        time.sleep(min(interval, left))
