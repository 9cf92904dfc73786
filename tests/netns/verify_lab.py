"""A planned lab you can run `verify` against: real etcd and gateways from each machine's
Ignition, in network namespaces, each behind a real sshd (see :mod:`.sshd`)."""

from __future__ import annotations

import base64
import copy
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coreos_lab.boot import machine_config
from coreos_lab.lab.kinds import VM
from coreos_lab.lab.plan import PlanInputs, build_plan
from coreos_lab.lab.results import MachineAccess, MachineInfo
from coreos_lab.lab.settings import LabSettings
from coreos_lab.verify.probe import DROPIN_PATH

from . import checks
from .cluster import DISCOVERY_MACHINE, Binaries, EtcdLab
from .netns import Lab
from .sshd import IMAGE_UPDATE_CONF, OS_RELEASE, Machine, SshMachines
from .unit import etcd_service, wrapper_command

VERSIONS = {"etcd": "4230.2.3", "host": "4152.2.3"}
Transform = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class VerifyLab:
    settings: LabSettings
    elab: EtcdLab
    ssh: SshMachines
    key: Path
    work: Path
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    infos: dict[str, MachineInfo] = field(default_factory=dict)

    def access(self, key: Path | None = None, **addresses: str) -> MachineAccess:
        """What `ips` would list: each machine at its loopback address (or one given here)."""
        machines = tuple(
            MachineInfo(m.name, m.role, addresses.get(m.name, m.public_ip), m.private_ip, m.state)
            for m in self.infos.values()
        )
        known = self.work / "known_hosts"
        return MachineAccess(machines, str(key or self.key), str(known))

    def machine(self, name: str) -> Machine:
        return self.ssh.machines[name]

    def restart_host(self, name: str, config: dict[str, Any]) -> None:
        """Stop host ``name``'s gateway and start it again from ``config`` (Ignition and all)."""
        lab = self.elab.lab
        lab.stop(self.elab.hosts[name])
        write_ignition(self.machine(name), config)
        service = etcd_service(config)
        ip = self.infos[name].private_ip or ""
        argv, env = wrapper_command(service, ip, self.elab.bins.etcd, str(lab.workdir / name))
        process = lab.start(name, argv, env, label=f"{name}-{len(lab.processes)}")
        self.elab.hosts[name] = process
        self.machine(name).set_process(process.popen.pid, process.log)
        deadline = time.monotonic() + 10
        while "127.0.0.1:2379" not in lab.run(name, ["ss", "-ltn"]).stdout:
            assert time.monotonic() < deadline, f"{name}'s gateway did not listen again"
            time.sleep(0.1)


def planned(settings: LabSettings) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(name, role, private IP, Ignition config) of every VM the plan creates."""
    plan = build_plan(
        settings,
        PlanInputs(etcd_image_version=VERSIONS["etcd"], host_image_version=VERSIONS["host"]),
    )
    vms = {r.name: r for r in plan.of_kind(VM)}
    found = []
    for m in plan.machines:
        data = vms[m.name].body["properties"]["osProfile"]["customData"]
        found.append((m.name, m.role, m.private_ip, json.loads(base64.b64decode(data))))
    return found


def write_ignition(machine: Machine, config: dict[str, Any]) -> None:
    """What Ignition writes on first boot: the config's files and its etcd-member drop-in."""
    for f in config["storage"]["files"]:
        machine.write_etc(f["path"], _data_url(f["contents"]["source"]))
    (unit,) = [u for u in config["systemd"]["units"] if u["name"] == machine_config.ETCD_UNIT]
    machine.write_etc(DROPIN_PATH, unit["dropins"][0]["contents"])


def break_dropin(old: str, new: str) -> Transform:
    def transform(config: dict[str, Any]) -> dict[str, Any]:
        broken = copy.deepcopy(config)
        (unit,) = [u for u in broken["systemd"]["units"] if u["name"] == machine_config.ETCD_UNIT]
        assert old in unit["dropins"][0]["contents"], old
        unit["dropins"][0]["contents"] = unit["dropins"][0]["contents"].replace(old, new)
        return broken

    return transform


def fill_registry(elab: EtcdLab, url: str, size: int) -> None:
    """An earlier cluster's members registered under the token: a spent token."""
    put = (
        "import sys, urllib.parse, urllib.request\n"
        "for i in range(int(sys.argv[2])):\n"
        "    body = urllib.parse.urlencode({'value': f'etcd{i}=http://10.9.0.{i + 4}:2380'})\n"
        "    req = urllib.request.Request(f'{sys.argv[1]}/{1000 + i:016x}', data=body.encode(),"
        " method='PUT')\n"
        "    req.add_header('Content-Type', 'application/x-www-form-urlencoded')\n"
        "    urllib.request.urlopen(req, timeout=5).read()\n"
    )
    result = elab.lab.run(DISCOVERY_MACHINE, [sys.executable, "-c", put, url, str(size)])
    assert result.returncode == 0, result.stderr


@contextmanager
def verify_lab(
    bins: Binaries,
    prefix: str,
    octet: int,
    settings: LabSettings,
    *,
    member_transform: Transform | None = None,
    with_hosts: bool = True,
    before_members: Callable[[EtcdLab], LabSettings] | None = None,
    wait: bool = True,
) -> Iterator[VerifyLab]:
    """Start the planned lab; every machine at 127.<octet>.<i>.1 on port 22."""
    work = Path(tempfile.mkdtemp(prefix="coreos-lab-verify-"))
    work.chmod(0o755)  # sshd (as core) reads authorized_keys, the stand-ins read the logs
    lab = Lab(prefix=prefix, workdir=work)
    elab = EtcdLab(lab=lab, bins=bins)
    key = work / "lab_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "host")],
                   check=True)  # fmt: skip
    authorized = work / "authorized_keys"
    shutil.copy(key.with_suffix(".pub"), authorized)
    authorized.chmod(0o644)
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
    ssh = SshMachines(lab, work / "machines", authorized, work / "host")
    try:
        if before_members is not None:
            settings = before_members(elab)
        vlab = VerifyLab(settings, elab, ssh, key, work)
        members: dict[str, str] = {}
        for i, (name, role, ip, config) in enumerate(planned(settings)):
            if role == "host" and not with_hosts:
                continue
            if role == "etcd" and member_transform is not None:
                config = member_transform(config)
            vlab.configs[name] = config
            start = elab.start_member if role == "etcd" else elab.start_host
            if role == "host" and wait and members:
                checks.wait_for_cluster(elab, members)
                members = {}
            process = start(name, ip, config)
            if role == "etcd":
                members[name] = ip
            address = f"127.{octet}.{i}.1"
            machine = ssh.add(name, address)
            machine.set_process(process.popen.pid, process.log)
            write_ignition(machine, config)
            machine.write_etc("/etc/os-release", OS_RELEASE.format(v=VERSIONS[role]))
            machine.write_etc("/etc/machine-id", secrets.token_hex(16) + "\n")
            (machine.root / "share" / "flatcar").mkdir(exist_ok=True)
            (machine.root / "share" / "flatcar" / "update.conf").write_text(
                IMAGE_UPDATE_CONF.format(channel=settings.channel)
            )
            if role == "etcd":
                machine.set_units(locksmithd="active")
            else:
                # flanneld is Type=notify and signals ready only with a lease: "activating"
                # while it waits for its config (stand-in value, see docs/lab.md).
                machine.set_units(locksmithd="active", docker="active", flanneld="activating")
            vlab.infos[name] = MachineInfo(name, role, address, ip, "running")
        if wait and members:
            checks.wait_for_cluster(elab, members)
        if wait and with_hosts:
            for name, process in elab.hosts.items():
                elab.wait_healthy(name, "http://127.0.0.1:2379", timeout=15)
                del process
        os.environ["COREOS_LAB_STATE_DIR"] = str(work / "state")
        yield vlab
    finally:
        os.environ.pop("COREOS_LAB_STATE_DIR", None)
        ssh.close()
        lab.close()
        shutil.rmtree(work, ignore_errors=True)


def _data_url(source: str) -> str:
    import urllib.parse

    return urllib.parse.unquote(source.removeprefix("data:,"))
