"""`verify` against real software: etcd 3.5 and its gateway from each machine's Ignition, in
network namespaces on the planned private IPs, each behind a real OpenSSH sshd reached
through a loopback address (see sshd.py for what is real and what is a stand-in).

One healthy 3+2 lab is shared by the cases that break it on purpose (each restores what it
broke, the destructive ones last); the v2-off and spent-token cases need labs of their own.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Iterator

import pytest

from coreos_lab.lab.settings import LabSettings
from coreos_lab.verify.findings import Colour, LabReadiness
from coreos_lab.verify.session import verify_access
from coreos_lab.views.verify import plain_lines, readiness_as_dict
from tests.local_user import core_user

from .cluster import Binaries
from .conftest import RUN_PREFIX
from .sshd import SSHD
from .verify_lab import VERSIONS, VerifyLab, break_dropin, fill_registry, verify_lab

pytestmark = [
    pytest.mark.lab,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not SSHD.exists(), reason="needs OpenSSH's sshd (openssh-server)"),
]

SETTINGS = LabSettings(
    name="vlab",
    etcd=3,
    hosts=2,
    bootstrap="static",
    ssh_from="127.0.0.0/8",
    etcd_image_version=VERSIONS["etcd"],
    host_image_version=VERSIONS["host"],
)
_OCTET = 20 + (os.getpid() % 50) * 4  # 127.<octet>.x.1: this run's own loopback addresses


@pytest.fixture(scope="module")
def lab(binaries: Binaries) -> Iterator[VerifyLab]:
    with core_user(), verify_lab(binaries, f"{RUN_PREFIX}va-", _OCTET, SETTINGS) as vlab:
        yield vlab


def finding(report: LabReadiness, machine: str, check: str) -> tuple[Colour, str]:
    (m,) = [m for m in report.machines if m.name == machine]
    found = m.finding(check)
    assert found is not None, f"{machine} has no {check} finding: {m.findings}"
    return found.colour, found.text


def test_a_healthy_lab_is_green(lab: VerifyLab) -> None:
    report = verify_access(lab.settings, lab.access())
    assert report.ready, "\n".join(plain_lines(report))
    for m in report.machines:
        for f in m.findings:
            expected = Colour.AMBER if f.check == "flannel" else Colour.GREEN
            assert f.colour is expected, f"{m.name} {f.check}: {f.colour} {f.text}"
    assert finding(report, "etcd0", "flatcar") == (Colour.GREEN, f"{VERSIONS['etcd']} stable")
    assert finding(report, "host1", "flatcar") == (Colour.GREEN, f"{VERSIONS['host']} stable")
    assert finding(report, "etcd2", "cluster")[1].startswith("3 members, leader etcd")
    assert "waits for /coreos.com/network/config" in finding(report, "host0", "flannel")[1]
    data = readiness_as_dict(report)
    assert data["ready"] and data["machines"][3]["checks"]["gateway"]["colour"] == "green"
    assert report.seconds < 20, f"verify took {report.seconds:.1f} s"


def test_a_missing_update_hold_is_red(lab: VerifyLab) -> None:
    host1 = lab.machine("host1")
    conf = host1.etc / "flatcar" / "update.conf"
    planned = conf.read_text()
    conf.write_text(planned.replace("SERVER=disabled\n", ""))
    try:
        report = verify_access(lab.settings, lab.access())
    finally:
        conf.write_text(planned)
    colour, text = finding(report, "host1", "hold")
    assert colour is Colour.RED and "lacks SERVER=disabled" in text
    assert finding(report, "host1", "ignition")[0] is Colour.GREEN  # the hold is its own check
    assert not report.ready and report.ready_names == ["etcd0", "etcd1", "etcd2", "host0"]


def test_a_wrong_key_is_red(lab: VerifyLab) -> None:
    other = lab.work / "other_key"
    if not other.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)],
                       check=True)  # fmt: skip
    report = verify_access(lab.settings, lab.access(key=other))
    for m in report.machines:
        colour, text = finding(report, m.name, "ssh")
        assert colour is Colour.RED and f"refused the lab's key {other}" in text, text


def test_a_closed_port_is_red(lab: VerifyLab) -> None:
    closed = f"127.{_OCTET}.99.1"  # nothing listens there
    report = verify_access(lab.settings, lab.access(host0=closed))
    colour, text = finding(report, "host0", "ssh")
    assert colour is Colour.RED and "port 22 refused the connection" in text
    assert report.ready_names == ["etcd0", "etcd1", "etcd2", "host1"]


def test_a_gateway_pointing_at_the_wrong_members_is_red(lab: VerifyLab) -> None:
    planned = lab.configs["host1"]
    members = "10.0.0.4:2379,10.0.0.5:2379,10.0.0.6:2379"
    elsewhere = "10.0.0.40:2379,10.0.0.41:2379,10.0.0.42:2379"  # no etcd there
    wrong = break_dropin(f"--endpoints={members}", f"--endpoints={elsewhere}")(planned)
    lab.restart_host("host1", wrong)
    try:
        report = verify_access(lab.settings, lab.access())
    finally:
        lab.restart_host("host1", planned)
    colour, text = finding(report, "host1", "gateway")
    assert colour is Colour.RED, text
    assert f"does not answer for the cluster: its drop-in points at {elsewhere}, " in text
    assert "differs from the plan" in finding(report, "host1", "ignition")[1]
    assert finding(report, "host0", "gateway")[0] is Colour.GREEN


def test_a_stopped_member_is_red(lab: VerifyLab) -> None:
    lab.elab.lab.stop(lab.elab.members["etcd2"])  # last: the shared lab keeps it stopped
    report = verify_access(lab.settings, lab.access())
    colour, text = finding(report, "etcd2", "etcd")
    assert colour is Colour.RED and text.startswith("etcd-member.service is failed"), text
    # Two of three keep the quorum: the others stay green, and the hosts' gateways answer.
    assert finding(report, "etcd0", "etcd")[0] is Colour.GREEN
    assert finding(report, "host0", "gateway")[0] is Colour.GREEN


def test_v2_off_is_red(binaries: Binaries) -> None:
    no_v2 = break_dropin("Environment=ETCD_ENABLE_V2=true\n", "")
    with (
        core_user(),
        verify_lab(binaries, f"{RUN_PREFIX}vb-", _OCTET + 1, SETTINGS, member_transform=no_v2,
                   with_hosts=False) as vlab,
    ):  # fmt: skip
        report = verify_access(vlab.settings, vlab.access())
    colour, text = finding(report, "etcd0", "v2")
    assert colour is Colour.RED and "the v2 API is off (GET /v2/keys/ is 404)" in text
    assert finding(report, "etcd0", "cluster")[0] is Colour.GREEN  # v3 alone cannot tell


def test_a_spent_discovery_token_is_red(binaries: Binaries) -> None:
    def spent_token(elab: object) -> LabSettings:
        url = elab.start_discovery(3)  # type: ignore[attr-defined]
        fill_registry(elab, url, 3)  # type: ignore[arg-type]
        return dataclasses.replace(SETTINGS, bootstrap="discovery", discovery_url=url)

    with (
        core_user(),
        verify_lab(binaries, f"{RUN_PREFIX}vc-", _OCTET + 2, SETTINGS, with_hosts=False,
                   before_members=spent_token, wait=False) as vlab,
    ):  # fmt: skip
        report = _verify_until(vlab, lambda r: "spent" in finding(r, "etcd0", "etcd")[1])
    colour, text = finding(report, "etcd0", "etcd")
    # etcd 3.5 does not exit: it falls back to a v2 proxy, so the unit is active but no member.
    assert colour is Colour.RED, text
    assert text.startswith("the member runs but is not healthy: the discovery token is spent")


def _verify_until(vlab: VerifyLab, done: object, tries: int = 10) -> LabReadiness:
    import time

    for _ in range(tries):
        report = verify_access(vlab.settings, vlab.access())
        if done(report):  # type: ignore[operator]
            return report
        time.sleep(1)
    return report
