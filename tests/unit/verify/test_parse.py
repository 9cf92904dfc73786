"""verify's parsers and judge on output captured from real machines, cited to where it was
published, for what cannot run here (systemd's unit states, a Flatcar os-release, flannel's
lease file, ssh's failures against Azure). tests/netns/test_verify.py runs the rest for real."""

from __future__ import annotations

import json

from coreos_lab.lab.settings import LabSettings
from coreos_lab.ssh.failures import SshContext, ssh_failure
from coreos_lab.verify import causes, expect, judge, parse, probe
from coreos_lab.verify.findings import Colour, LabReadiness
from coreos_lab.verify.probe import Section

# https://github.com/alexlance/userd/pull/10 (a Flatcar LTS machine, `cat /etc/os-release`).
OS_RELEASE_LTS = """NAME="Flatcar Container Linux by Kinvolk"
ID=flatcar
ID_LIKE=coreos
VERSION=3510.3.5
VERSION_ID=3510.3.5
BUILD_ID=2024-07-02-0638
SYSEXT_LEVEL=1.0
PRETTY_NAME="Flatcar Container Linux by Kinvolk 3510.3.5 (LTS 2023)"
ANSI_COLOR="38;5;75"
HOME_URL="https://flatcar.org/"
BUG_REPORT_URL="https://issues.flatcar.org"
FLATCAR_BOARD="amd64-usr"
CPE_NAME="cpe:2.3:o:flatcar-linux:flatcar_linux:3510.3.5:*:*:*:*:*:*:*"
"""
# kubespray docs/flannel.md, `cat /run/flannel/subnet.env` on a node with a lease.
SUBNET_ENV = """FLANNEL_NETWORK=10.233.0.0/18
FLANNEL_SUBNET=10.233.16.1/24
FLANNEL_MTU=1450
FLANNEL_IPMASQ=false
"""
# OpenSSH's messages (sshconnect.c "ssh: connect to host %s port %s: %s" with strerror;
# "Permission denied (%s)." from sshconnect2.c), as ssh prints them on stderr with exit 255.
SSH_TIMEOUT = "ssh: connect to host 20.82.1.9 port 22: Connection timed out\r\n"
SSH_REFUSED = "ssh: connect to host 20.82.1.9 port 22: Connection refused\r\n"
SSH_DENIED = "core@20.82.1.9: Permission denied (publickey).\r\n"
CTX = SshContext("203.0.113.7/32", "/home/me/.ssh/id_rsa_coreos_azure_lab", "/state/known_hosts")

SETTINGS = LabSettings(name="t", etcd=3, hosts=1, bootstrap="static", ssh_from="203.0.113.7/32")
VERSIONS: dict[str, str | None] = {"etcd": "4230.2.3", "host": "4152.2.3"}


def test_flatcar_os_release_and_version_check() -> None:
    release = parse.key_values(OS_RELEASE_LTS)
    assert release["ID"] == "flatcar" and release["VERSION_ID"] == "3510.3.5"
    assert release["PRETTY_NAME"] == "Flatcar Container Linux by Kinvolk 3510.3.5 (LTS 2023)"
    report = _judge(host0={"os-release": OS_RELEASE_LTS})
    colour, text = _finding(report, "host0", "flatcar")
    assert colour is Colour.RED
    assert text == "runs Flatcar 3510.3.5, but the plan chose 4152.2.3 for the container hosts."


def test_a_host_after_the_update_exercise_is_amber_not_red() -> None:
    newer = _os_release("4230.2.3")
    conf = "REBOOT_STRATEGY=etcd-lock\n"  # the student deleted SERVER=disabled, as told
    report = _judge(host0={"os-release": newer, "update-conf": conf})
    assert _finding(report, "host0", "flatcar")[0] is Colour.AMBER
    assert _finding(report, "host0", "hold") == (
        Colour.AMBER,
        "released: the update exercise has run.",
    )


def test_systemctl_is_active_lines_and_a_failed_unit() -> None:
    # systemctl(1), is-active: one state per unit named, in order; exit 3 if any is not active.
    states = parse.unit_states(Section("active\nfailed\n", 3), probe.UNITS_MEMBER)
    assert states == {"etcd-member.service": "active", "locksmithd.service": "failed"}
    report = _judge(etcd0={"units": Section("active\nfailed", 3)})
    assert _finding(report, "etcd0", "locksmith") == (
        Colour.RED,
        "locksmithd.service is failed.",
    )


def test_flannel_with_a_lease_is_green() -> None:
    config = json.dumps({"node": {"key": "/coreos.com/network/config", "value": "{}"}})
    report = _judge(host0={"flannel-config": config, "flannel-lease": SUBNET_ENV,
                           "units": "active\nactive\nactive\nactive"})  # fmt: skip
    assert _finding(report, "host0", "flannel") == (Colour.GREEN, "lease 10.233.16.1/24")


def test_the_reboot_lock_names_its_holder() -> None:
    taken = json.dumps({"semaphore": 0, "max": 1, "holders": ["b" * 32]})
    lock = json.dumps({"node": {"key": probe.LOCK_KEY, "value": taken}})
    report = _judge(etcd0={"lock": lock}, host0={"machine-id": "b" * 32})
    colour, text = _finding(report, "etcd0", "locksmith")
    assert colour is Colour.AMBER and "held by host0" in text


def test_ssh_failures_have_one_sentence_each() -> None:
    timeout = ssh_failure(255, SSH_TIMEOUT, False, "running", CTX)
    assert timeout and "not in --ssh-from 203.0.113.7/32" in timeout and "booting" in timeout
    booting = ssh_failure(255, SSH_TIMEOUT, False, "starting", CTX)
    assert booting == "no answer on port 22 within 10 s: still booting (starting)."
    refused = ssh_failure(255, SSH_REFUSED, False, "running", CTX)
    assert refused and refused.startswith("port 22 refused the connection")
    denied = ssh_failure(255, SSH_DENIED, False, "running", CTX)
    assert denied and "refused the lab's key /home/me/.ssh/id_rsa_coreos_azure_lab" in denied
    assert ssh_failure(0, "", False, "running", CTX) is None
    assert ssh_failure(3, "", False, "running", CTX) is None  # the probe's own status


def test_journal_causes_prefer_the_known_sentence() -> None:
    line = '{"level":"fatal","msg":"discovery failed","error":"discovery: cluster is full"}'
    assert "token is spent" in causes.from_journal(line)
    other = '{"level":"error","msg":"failed to start","error":"boom"}'
    assert causes.from_journal(other) == "etcd says 'failed to start: boom'."
    assert causes.from_journal("") == ""
    leak = '{"level":"error","msg":"x","error":"Get https://discovery.etcd.io/f00d: EOF"}'
    assert causes.from_journal(leak) == "etcd says 'x: Get https://discovery.etcd.io/…: EOF'."


def test_the_probe_script_is_read_only_and_splits_back() -> None:
    text = probe.script("host")
    for word in ("rm ", "mv ", " > ", "| tee", "-X PUT", "-X DELETE", "restart", "sudo"):
        assert word not in text
    out = f"{probe.MARK}hostname\nhost0\n\n{probe.RC_MARK}hostname 0\n"
    out += f"{probe.MARK}v2\n404\n{probe.RC_MARK}v2 0\n"
    assert probe.split_sections(out) == {"hostname": Section("host0", 0), "v2": Section("404", 0)}


# ---- helpers: a lab whose every section is what a ready machine prints, but for overrides --


def _os_release(version: str) -> str:
    return OS_RELEASE_LTS.replace("3510.3.5", version)


def _ready_sections(exp: expect.Expected) -> dict[str, str | Section]:
    member = exp.role == "etcd"
    status = {"header": {"cluster_id": "7", "member_id": "1"}, "leader": "1", "version": "3.5.16"}
    members = {"members": [{"ID": str(i + 1), "name": n} for i, (n, _) in enumerate(exp.members)]}
    return {
        "os-release": _os_release(exp.version or ""),
        "image-update-conf": "GROUP=stable\n",
        "hostname": exp.hostname,
        "update-conf": exp.update_conf,
        "dropin": exp.dropin,
        "machine-id": "a" * 32 if member else "c" * 32,
        "journal": "",
        "health": '{"health":"true","reason":""}',
        "status": json.dumps(status),
        "members": json.dumps(members),
        "v2": "200",
        "lock": '{"errorCode":100,"message":"Key not found"}',
        "units": "active\nactive" if member else "active\nactive\nactive\nactivating",
        "flannel-config": '{"errorCode":100,"message":"Key not found"}',
        "flannel-lease": Section("cat: /run/flannel/subnet.env: No such file", 1),
    }


def _judge(**overrides: dict[str, str | Section]) -> LabReadiness:
    expected = expect.expectations(SETTINGS, None, VERSIONS)
    probes = []
    for name, exp in expected.items():
        sections = {**_ready_sections(exp), **overrides.get(name, {})}
        out = ""
        for key, value in sections.items():
            section = value if isinstance(value, Section) else Section(value, 0)
            out += f"{probe.MARK}{key}\n{section.text}\n{probe.RC_MARK}{key} {section.rc}\n"
        probes.append(judge.Probed(name, exp.role, "20.82.1.9", "running", 0, out, ""))
    return judge.judge_lab("t", probes, expected, CTX)


def _finding(report: LabReadiness, machine: str, check: str) -> tuple[Colour, str]:
    (m,) = [m for m in report.machines if m.name == machine]
    found = m.finding(check)
    assert found is not None
    return found.colour, found.text


def test_a_ready_lab_of_captured_parts_is_ready() -> None:
    report = _judge()
    assert report.ready, report.not_ready()


def test_the_versions_up_recorded_are_the_ones_expected() -> None:
    recorded: dict[str, str | None] = {"etcd": "4230.2.3", "host": "4152.2.3"}
    assert expect.chosen_versions(LabSettings(), recorded) == recorded
    assert expect.chosen_versions(LabSettings(), {}) == {"etcd": None, "host": None}
    pinned = LabSettings(host_image_version="3975.2.2")
    assert expect.chosen_versions(pinned, {"etcd": "4230.2.3"}) == {
        "etcd": "4230.2.3",
        "host": "3975.2.2",
    }


def test_verify_expects_the_lab_azure_has() -> None:
    five = [("etcd", f"etcd{i}") for i in range(5)] + [("host", "host0")]
    sized = expect.sized_like(LabSettings(), five)
    assert (sized.etcd, sized.hosts) == (5, 2)  # host1 missing from Azure is still expected
    assert list(expect.expectations(sized, None, VERSIONS)) == [
        "etcd0", "etcd1", "etcd2", "etcd3", "etcd4", "host0", "host1"
    ]  # fmt: skip


def test_a_wrong_discovery_token_is_named_without_printing_it() -> None:
    settings = LabSettings(etcd=3, hosts=1, bootstrap="discovery")
    expected = expect.expectations(settings, "https://discovery.etcd.io/aaaa1111", VERSIONS)
    other = expected["etcd0"].dropin.replace("aaaa1111", "bbbb2222")
    sections = {**_ready_sections(expected["etcd0"]), "dropin": other}
    out = "".join(
        f"{probe.MARK}{k}\n{v.text if isinstance(v, Section) else v}\n{probe.RC_MARK}{k} "
        f"{v.rc if isinstance(v, Section) else 0}\n"
        for k, v in sections.items()
    )
    probes = [judge.Probed("etcd0", "etcd", "20.82.1.9", "running", 0, out, "")]
    report = judge.judge_lab("t", probes, {"etcd0": expected["etcd0"]}, CTX)
    colour, text = _finding(report, "etcd0", "ignition")
    assert colour is Colour.RED and "ETCD_DISCOVERY=https://discovery.etcd.io/…" in text
    assert "aaaa1111" not in text and "bbbb2222" not in text
