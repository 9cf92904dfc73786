"""The handouts' text: the student's ssh config as OpenSSH reads it from her folder, and the
sheets as headless Chromium prints them, on A4 and on Letter, read back from the PDF."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from subprocess import PIPE

import pytest

from coreos_lab.classroom.handout_files import write_handouts
from coreos_lab.classroom.handouts import (
    Handout,
    folder_name,
    roster_sheet,
    ssh_config_text,
    student_sheet,
)
from coreos_lab.errors import LabError
from coreos_lab.lab.results import MachineInfo
from tests.local_user import core_user


def _machines(n: int, etcd: int = 3, hosts: int = 2) -> tuple[MachineInfo, ...]:
    return tuple(
        [
            MachineInfo(f"etcd{i}", "etcd", f"127.77.{n}.{4 + i}", f"10.0.0.{4 + i}", "running")
            for i in range(etcd)
        ]
        + [
            MachineInfo(f"host{i}", "host", f"127.77.{n}.{20 + i}", f"10.0.1.{4 + i}", "running")
            for i in range(hosts)
        ]
    )


ALICE = Handout("alice", "cs101-alice", _machines(1, etcd=7, hosts=5), has_key=True)
BOB = Handout("bob", "cs101-bob", _machines(2), has_key=False)


def _ssh_g(folder: Path, alias: str) -> dict[str, str]:
    ssh = shutil.which("ssh")
    if ssh is None:
        pytest.skip("OpenSSH's ssh is not installed")
    out = subprocess.run(
        [ssh, "-G", "-F", "ssh_config", alias],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def test_folders_are_private_and_the_config_works_from_inside(tmp_path: Path) -> None:
    out = tmp_path / "handouts"
    keys = {ALICE.lab: (b"PRIVATE\n", b"ssh-rsa AAAA alice\n")}
    write_handouts(out, [ALICE, BOB], keys, "cs101")
    alice, bob = out / "cs101-alice", out / "cs101-bob"
    assert out.stat().st_mode & 0o777 == 0o700
    for folder in (alice, bob):
        assert folder.stat().st_mode & 0o777 == 0o700
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.iterdir())
    assert (alice / "ssh_key").read_bytes() == b"PRIVATE\n"
    assert sorted(p.name for p in bob.iterdir()) == ["handout.html", "ssh_config"]
    assert (out / "roster.html").is_file()

    # ssh, run inside her folder, reaches her host1 with the key beside the config.
    seen = _ssh_g(alice, "cs101-alice-host1")
    assert seen["hostname"] == "127.77.1.21" and seen["user"] == "core"
    assert seen["identityfile"] == "ssh_key" and seen["userknownhostsfile"] == "known_hosts"
    assert (alice / seen["identityfile"]).is_file()
    # Bob brought his own key: no IdentityFile, so ssh tries his default keys.
    assert "    IdentityFile" not in ssh_config_text(BOB)
    assert _ssh_g(bob, "cs101-bob-etcd0")["hostname"] == "127.77.2.4"


def _pdf_text(html: str, paper: str, tmp_path: Path) -> tuple[int, str]:
    """Pages and text of ``html`` printed by headless Chromium on ``paper`` (A4, letter)."""
    chromium = shutil.which("chromium")
    if chromium is None or shutil.which("pdftotext") is None:
        pytest.skip("Debian's chromium and poppler-utils are not installed")
    page = tmp_path / f"{paper}.html"
    page.write_text(html.replace("</style>", f"@page {{ size: {paper}; }}</style>", 1))
    pdf = tmp_path / f"{paper}.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # as root (CI), Chromium's sandbox refuses to start
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = next(
        int(line.split()[1]) for line in info.stdout.splitlines() if line.startswith("Pages:")
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_the_sheet_of_the_largest_lab_prints_on_one_page(paper: str, tmp_path: Path) -> None:
    pages, text = _pdf_text(student_sheet(ALICE), paper, tmp_path)
    assert pages == 1
    assert "Container Linux on Azure lab: alice" in text
    for m in ALICE.machines:
        assert f"cs101-alice-{m.name}" in text and m.public_ip and m.public_ip in text
    assert "ssh -F ssh_config cs101-alice-host0" in text
    assert "icacls ssh_key" in text and "PuTTYgen" in text  # the Windows steps
    assert "etcdctl version" in text  # the guide's first steps


def test_the_roster_sheet_lists_every_lab(tmp_path: Path) -> None:
    pages, text = _pdf_text(roster_sheet([ALICE, BOB], "cs101"), "A4", tmp_path)
    assert pages == 1
    assert "Class cs101: 2 labs" in text
    for h in (ALICE, BOB):
        for m in h.machines:
            assert m.public_ip and m.public_ip in text


# ---- the handout, copied elsewhere, logs in to a real sshd --------------------------------

SSHD = Path("/usr/sbin/sshd")
LOGIN = ["ssh", "-F", "ssh_config", "-o", "BatchMode=yes", "cs101-alice-host0"]


@pytest.mark.skipif(
    os.geteuid() != 0 or not SSHD.exists() or shutil.which("ssh") is None,
    reason="needs root, sshd and ssh",
)
def test_a_copied_handout_logs_in_from_inside_its_folder(tmp_path: Path) -> None:
    # A loopback address of this machine alone, apart from the emulator's 127.77.0.x pool.
    address = f"127.77.{200 + os.getpid() % 50}.{2 + os.getpid() % 250}"
    work = Path(tempfile.mkdtemp(prefix="coreos-lab-handout-sshd-"))
    work.chmod(0o755)  # sshd reads authorized_keys as core, who cannot enter pytest's folders
    try:
        for name in ("host_key", "student_key"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / name)],
                check=True,
                timeout=30,
            )
        (work / "student_key.pub").chmod(0o644)
        host0 = MachineInfo("host0", "host", address, "10.0.1.4", "running")
        handout = Handout("alice", "cs101-alice", (host0,), has_key=True)
        key = ((work / "student_key").read_bytes(), (work / "student_key.pub").read_bytes())
        write_handouts(tmp_path / "out", [handout], {handout.lab: key}, "cs101")
        # The student copies her folder somewhere else (a path with a space, too).
        copied = tmp_path / "Downloads" / "my lab"
        shutil.copytree(tmp_path / "out" / "cs101-alice", copied)
        config = work / "sshd_config"
        config.write_text(
            f"ListenAddress {address}:22\nHostKey {work / 'host_key'}\n"
            f"AuthorizedKeysFile {work / 'student_key.pub'}\nStrictModes no\nUsePAM no\n"
            f"PasswordAuthentication no\nPidFile {work / 'sshd.pid'}\nAllowUsers core\n"
        )
        Path("/run/sshd").mkdir(exist_ok=True)
        with core_user():
            sshd = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stderr=PIPE)
            try:
                _wait_listening(address)
                login = subprocess.run(
                    [*LOGIN, "echo", "hello-from-$(id -un)"],
                    cwd=copied,
                    capture_output=True,
                    text=True,
                    timeout=30,
                )
            finally:
                sshd.terminate()
                sshd.wait(timeout=10)
        assert login.returncode == 0, login.stderr
        assert login.stdout.strip() == "hello-from-core"
        # The host key went to the folder's own known_hosts, created on first login.
        host_key = (work / "host_key.pub").read_text().split()[1]
        assert host_key in (copied / "known_hosts").read_text()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _wait_listening(address: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["ss", "-ltn", f"src {address}:22"], capture_output=True, text=True, timeout=5
        )
        if f"{address}:22" in probe.stdout:
            return
        time.sleep(0.1)
    raise AssertionError(f"sshd did not listen on {address}:22 within 10 s")


@pytest.mark.parametrize("planted", ["link", "file"])
def test_a_planted_student_folder_is_refused_and_its_target_untouched(
    tmp_path: Path, planted: str
) -> None:
    out, target = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    folder = out / folder_name(ALICE)
    if planted == "link":
        folder.symlink_to(target)
    else:
        folder.write_text("not a folder")
    with pytest.raises(LabError, match=r"is a symbolic link, not a folder|is not a folder"):
        write_handouts(out, [ALICE], {ALICE.lab: (b"PRIVATE", b"ssh-ed25519 AAAA")}, "cs101")
    assert list(target.iterdir()) == [] and stat.S_IMODE(target.stat().st_mode) == 0o755
