"""A lab machine you can ssh into: the machine's namespace, a real OpenSSH sshd, and the files
its Ignition writes, seen only by that sshd and what it runs.

How an address reaches a machine: a listener on a loopback address (127.x.y.1:22) in the
root namespace accepts each connection and hands the socket to ``sshd -i`` (inetd mode)
started inside the machine's network namespace, so ssh dials loopback and lands in the
namespace, never anywhere else. That sshd runs in a mount namespace of its own where

* ``/etc`` and ``/usr/share`` are overlays holding what the machine's Ignition writes
  (hostname, ``/etc/flatcar/update.conf``, the etcd-member drop-in), a Flatcar
  ``/etc/os-release`` and the image's ``/usr/share/flatcar/update.conf``;
* ``/usr/local/bin`` (first on sshd's PATH) holds **test stand-ins** for ``systemctl
  is-active`` and ``journalctl``, since systemd does not run here: ``etcd-member.service`` is
  "active" while the machine's real etcd (or gateway) process lives and "failed" after it
  exited, the journal is that process's real log, and the other units' states are written by
  the test (docker, flanneld and locksmithd do not run here).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from .netns import IP, Lab

SSHD = Path("/usr/sbin/sshd")

# Flatcar's /etc/os-release as printed by a Flatcar VM (flatcar/flatcar-website pull request
# #198, "cat /etc/os-release" on 3033.2.0), with the version the plan chose put in.
OS_RELEASE = """NAME="Flatcar Container Linux by Kinvolk"
ID=flatcar
ID_LIKE=coreos
VERSION={v}
VERSION_ID={v}
BUILD_ID=2021-12-10-1820
PRETTY_NAME="Flatcar Container Linux by Kinvolk {v} (Oklo)"
ANSI_COLOR="38;5;75"
HOME_URL="https://flatcar-linux.org/"
BUG_REPORT_URL="https://issues.flatcar-linux.org"
FLATCAR_BOARD="amd64-usr"
"""
# The image's own update.conf holds SERVER= and GROUP= (Flatcar docs, update.conf specification).
IMAGE_UPDATE_CONF = "SERVER=https://public.update.flatcar-linux.net/v1/update/\nGROUP={channel}\n"

SYSTEMCTL = """#!/bin/sh
# TEST STAND-IN for `systemctl is-active`: etcd-member.service from the real etcd process,
# the other units from the state file the test writes.
[ "$1" = is-active ] || {{ echo "stand-in: only is-active" >&2; exit 1; }}
shift
for unit in "$@"; do
  if [ "$unit" = etcd-member.service ]; then
    pid=$(cat {pidfile} 2>/dev/null)
    if [ -n "$pid" ] && [ -d /proc/$pid ] && ! grep -q '^State:.*zombie' /proc/$pid/status
    then echo active; else echo failed; fi
  else
    state=$(sed -n "s/^$unit=//p" {units}); echo "${{state:-inactive}}"
  fi
done
"""
JOURNALCTL = """#!/bin/sh
# TEST STAND-IN for `journalctl -u etcd-member.service -n 30 -o cat`: the real process's log.
tail -n 30 {log} 2>/dev/null
"""


@dataclass
class Machine:
    name: str
    root: Path  # etc/, share/, bin/ and the state files of the stand-ins
    address: str

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    def write_etc(self, path: str, text: str) -> None:
        target = self.etc / path.removeprefix("/etc/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        target.chmod(0o644)

    def set_units(self, **states: str) -> None:
        lines = [f"{unit.replace('_', '-')}.service={s}" for unit, s in states.items()]
        (self.root / "units").write_text("\n".join(lines) + "\n")

    def set_process(self, pid: int, log: Path) -> None:
        (self.root / "etcd.pid").write_text(f"{pid}\n")
        (self.root / "bin" / "journalctl").write_text(JOURNALCTL.format(log=log))


class SshMachines:
    """Loopback listeners handing connections to sshd in each machine's namespaces."""

    def __init__(self, lab: Lab, base: Path, authorized_keys: Path, host_key: Path) -> None:
        self.lab = lab
        self.base = base
        self.authorized_keys = authorized_keys
        self.host_key = host_key
        self.machines: dict[str, Machine] = {}
        self._sockets: list[socket.socket] = []
        self._children: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def add(self, name: str, address: str, listen: bool = True) -> Machine:
        root = self.base / name
        for sub in ("etc", "etc.work", "share", "share.work", "bin"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("", "etc", "share", "bin"):
            (root / sub).chmod(0o755)
        machine = Machine(name, root, address)
        (root / "bin" / "systemctl").write_text(
            SYSTEMCTL.format(pidfile=root / "etcd.pid", units=root / "units")
        )
        (root / "bin" / "journalctl").write_text(JOURNALCTL.format(log="/dev/null"))
        for tool in ("systemctl", "journalctl"):
            (root / "bin" / tool).chmod(0o755)
        machine.set_units()
        config = root / "sshd_config"
        config.write_text(
            f"HostKey {self.host_key}\nAuthorizedKeysFile {self.authorized_keys}\n"
            "StrictModes no\nUsePAM no\nPasswordAuthentication no\nAllowUsers core\n"
        )
        self.machines[name] = machine
        if listen:
            self._listen(machine, config)
        return machine

    def _listen(self, machine: Machine, config: Path) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((machine.address, 22))
        sock.listen(16)
        self._sockets.append(sock)
        r = machine.root
        setup = (
            f"mount -t overlay overlay -o lowerdir=/etc,upperdir={r}/etc,workdir={r}/etc.work /etc"
            f" && mount -t overlay overlay -o lowerdir=/usr/share,upperdir={r}/share,"
            f"workdir={r}/share.work /usr/share"
            f" && mount --bind {r}/bin /usr/local/bin"
            f" && exec {SSHD} -i -f {config}"
        )
        namespace = self.lab.namespace(machine.name)

        def serve() -> None:
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return  # closed
                with conn:
                    child = subprocess.Popen(
                        [IP, "netns", "exec", namespace, "unshare", "--mount",
                         "--propagation", "private", "sh", "-c", setup],
                        stdin=conn.fileno(), stdout=conn.fileno(),
                        stderr=(r / "sshd.log").open("ab"),
                    )  # fmt: skip
                with self._lock:
                    self._children.append(child)

        threading.Thread(target=serve, daemon=True, name=f"sshd-{machine.name}").start()

    def close(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        with self._lock:
            for child in self._children:
                if child.poll() is None:
                    child.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=5)
