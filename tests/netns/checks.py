"""Checks on the lab, each failing with an AssertionError that names what is wrong.

The same helpers judge the good configs and the deliberately broken ones, so a test that
breaks a setting and expects the failure proves the check would catch that mistake.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from .cluster import EtcdLab
from .unit import METADATA_FILES, etcd_service, flag_values

FLANNEL_KEY = "/coreos.com/network/config"
FLANNEL_CONFIG = '{"Network":"10.2.0.0/16"}'
SEMAPHORE_KEY = "/coreos.com/updateengine/rebootlock/semaphore"
SEMAPHORE_FREE = '{"semaphore":1,"max":1,"holders":[]}'


def check_member_settings(config: Mapping[str, Any]) -> None:
    """What an etcd member's config must give etcd-member.service, read without running it."""
    service = etcd_service(config)
    env = service.environment
    assert service.enabled, "etcd-member.service is not enabled: etcd would not start at boot"
    assert env.get("ETCD_ENABLE_V2") == "true", (
        "the etcd v2 API is off (ETCD_ENABLE_V2 is not 'true'): flannel 0.14 and locksmith "
        f"need it; got {env.get('ETCD_ENABLE_V2')!r}"
    )
    tag = env.get("ETCD_IMAGE_TAG", "")
    assert tag.startswith("v3.5."), (
        f"ETCD_IMAGE_TAG={tag} is not etcd 3.5: 3.6 removed the v2 API that flannel and "
        "locksmith use"
    )
    assert any(f in METADATA_FILES for f in service.environment_files), (
        "etcd-member.service does not read Afterburn's /run/metadata/flatcar, so "
        "${COREOS_AZURE_IPV4_DYNAMIC} would be empty on its command line"
    )
    for key in ("Requires", "After"):
        deps = service.requires if key == "Requires" else service.after
        assert "coreos-metadata.service" in deps, (
            f"etcd-member.service lacks {key}=coreos-metadata.service: it could start before "
            "the private IP is known"
        )
    assert "${COREOS_AZURE_IPV4_DYNAMIC}" in service.exec_start, (
        f"the ExecStart line does not use the private IP: {service.exec_start}"
    )
    for key, value in env.items():
        assert "$" not in value, f"systemd does not expand variables in Environment={key}={value}"


def check_member_command(name: str, argv: list[str], env: Mapping[str, str], ip: str) -> None:
    """The expanded command of member ``name`` advertises and listens where peers can reach it."""
    advertised = flag_values(argv, env, "initial-advertise-peer-urls")
    listening = flag_values(argv, env, "listen-peer-urls")
    assert advertised, f"{name}: no --initial-advertise-peer-urls in {argv}"
    for url in advertised:
        assert url in listening, (
            f"{name}: --initial-advertise-peer-urls {url} is not one of --listen-peer-urls "
            f"{listening}: peers would dial a port nobody listens on"
        )
        assert ip in url, f"{name}: --initial-advertise-peer-urls {url} is not on its IP {ip}"
    clients = flag_values(argv, env, "listen-client-urls")
    assert "http://127.0.0.1:2379" in clients, (
        f"{name}: --listen-client-urls {clients} leaves out 127.0.0.1:2379, where locksmith looks"
    )


def wait_for_cluster(elab: EtcdLab, members: Mapping[str, str], timeout: float = 30.0) -> None:
    """Every member up, healthy and listed with its name and URLs, within ``timeout`` seconds."""
    endpoints = ",".join(f"http://{ip}:2379" for ip in members.values())
    probe = next(iter(members))
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        exited = [n for n in members if not elab.members[n].running()]
        if exited:
            raise AssertionError(
                f"etcd cluster of {len(members)} did not form: " + _describe(elab, members)
            )
        health = elab.etcdctl(probe, 3, "endpoint", "health", endpoints=endpoints)
        last = (health.stdout + health.stderr).strip()
        if health.returncode == 0:
            _check_member_list(elab, probe, members, endpoints)
            return
        time.sleep(0.5)
    raise AssertionError(
        f"etcd cluster of {len(members)} did not form within {timeout:.0f}s; last health check: "
        f"{last[-600:]}; " + _describe(elab, members)
    )


def check_discovery_registry(elab: EtcdLab, url: str, members: Mapping[str, str]) -> None:
    """Every member registered itself under the token, with its name and peer URL."""
    registered = sorted(node["value"] for node in elab.registry(url))
    expected = sorted(f"{name}=http://{ip}:2380" for name, ip in members.items())
    assert registered == expected, (
        f"the discovery registry {url} holds {registered}, expected {expected}"
    )


def check_v2_write(elab: EtcdLab, machine: str, reader: str | None = None) -> None:
    """flannel's config key written with the v2 API on ``machine``'s 127.0.0.1:2379, read back
    on ``reader``'s (another machine) to show it reached the cluster."""
    result = elab.etcdctl(machine, 2, "set", FLANNEL_KEY, FLANNEL_CONFIG)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise AssertionError(
            f"etcd v2 API write failed on {machine} via 127.0.0.1:2379 "
            f"(`ETCDCTL_API=2 etcdctl set {FLANNEL_KEY}`): {output}; "
            + _v2_diagnosis(elab, machine)
        )
    got = elab.etcdctl(reader or machine, 2, "get", FLANNEL_KEY)
    assert got.stdout.strip() == FLANNEL_CONFIG, (
        f"v2 read of {FLANNEL_KEY} on {reader or machine} gave {got.stdout!r} {got.stderr!r}"
    )


def _v2_diagnosis(elab: EtcdLab, machine: str) -> str:
    """Why a v2 request failed: v2 off on the members, or no etcd answering at all."""
    probe = (
        "import sys, urllib.request, urllib.error\n"
        "for path in ('/version', '/v2/keys/'):\n"
        "    try:\n"
        "        code = urllib.request.urlopen('http://127.0.0.1:2379' + path, timeout=3).status\n"
        "    except urllib.error.HTTPError as e:\n"
        "        code = e.code\n"
        "    except OSError as e:\n"
        "        code = type(e).__name__\n"
        "    print(path, code)\n"
    )
    result = elab.lab.run(machine, [sys.executable, "-c", probe])
    codes = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    if codes.get("/version") == "200" and codes.get("/v2/keys/") == "404":
        return (
            "the etcd v2 API is off: etcd answers /version but /v2/keys/ is 404 "
            "(ETCD_ENABLE_V2=true missing on the members); flannel 0.14 and locksmith need it"
        )
    return f"no etcd v2 answer on 127.0.0.1:2379 ({codes or result.stderr.strip()})"


def check_v3_write(elab: EtcdLab, machine: str) -> None:
    """A v3 key (CoreDNS's etcd plugin reads /skydns with v3) through the local endpoint."""
    key, value = "/skydns/lab/whiteglove/test", '{"host":"10.2.1.2"}'
    put = elab.etcdctl(machine, 3, "put", key, value)
    assert put.returncode == 0, f"etcd v3 put on {machine} via 127.0.0.1:2379 failed: {put.stderr}"
    got = elab.etcdctl(machine, 3, "get", key, "--print-value-only")
    assert got.stdout.strip() == value, f"v3 get of {key} on {machine}: {got.stdout!r}"


def check_locksmith_semaphore(elab: EtcdLab, holder: str, rival: str) -> None:
    """locksmith's reboot lock, the way locksmithd uses it over v2: create the semaphore if
    absent, take it with a compare-and-swap on ``holder``, see ``rival``'s stale swap refused,
    release it."""
    created = elab.etcdctl(holder, 2, "mk", SEMAPHORE_KEY, SEMAPHORE_FREE)
    assert created.returncode == 0, (
        f"could not create locksmith's semaphore {SEMAPHORE_KEY} with v2 on {holder}: "
        f"{created.stderr.strip()}"
    )
    taken = json.dumps({"semaphore": 0, "max": 1, "holders": [holder]}, separators=(",", ":"))
    swap = elab.etcdctl(holder, 2, "set", "--swap-with-value", SEMAPHORE_FREE, SEMAPHORE_KEY, taken)
    assert swap.returncode == 0, f"{holder} could not take the reboot lock: {swap.stderr.strip()}"
    stale = json.dumps({"semaphore": 0, "max": 1, "holders": [rival]}, separators=(",", ":"))
    race = elab.etcdctl(rival, 2, "set", "--swap-with-value", SEMAPHORE_FREE, SEMAPHORE_KEY, stale)
    assert race.returncode != 0 and "Compare failed" in race.stderr, (
        f"{rival} took a lock {holder} holds: compare-and-swap did not compare ({race.stderr})"
    )
    seen = elab.etcdctl(rival, 2, "get", SEMAPHORE_KEY)
    assert json.loads(seen.stdout) == json.loads(taken), f"{rival} sees {seen.stdout!r}"
    release = elab.etcdctl(
        holder, 2, "set", "--swap-with-value", taken, SEMAPHORE_KEY, SEMAPHORE_FREE
    )
    assert release.returncode == 0, f"{holder} could not release the lock: {release.stderr}"


def leader(elab: EtcdLab, members: Mapping[str, str], probe: str) -> str:
    """The name of the current leader."""
    endpoints = ",".join(f"http://{ip}:2379" for ip in members.values())
    status = elab.etcdctl(probe, 3, "endpoint", "status", "-w", "json", endpoints=endpoints)
    assert status.returncode == 0, f"endpoint status failed: {status.stderr}"
    entries = json.loads(status.stdout)
    by_id = {e["Status"]["header"]["member_id"]: e["Endpoint"] for e in entries}
    leader_endpoint = by_id[entries[0]["Status"]["leader"]]
    return next(name for name, ip in members.items() if f"//{ip}:" in leader_endpoint)


def check_survives_loss(
    elab: EtcdLab, members: Mapping[str, str], host: str, lose: int = 1, timeout: float = 20.0
) -> list[str]:
    """Kill ``lose`` members, the leader first; writes through ``host``'s gateway still work."""
    probe = next(iter(members))
    killed = [leader(elab, members, probe)]
    killed += [n for n in members if n not in killed][: lose - 1]
    for name in killed:
        elab.lab.stop(elab.members[name])
    deadline = time.monotonic() + timeout
    while True:
        result = elab.etcdctl(host, 2, "set", "/coreos-lab/after-loss", ",".join(killed))
        if result.returncode == 0:
            break
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no write through {host}'s gateway within {timeout:.0f}s after losing "
                f"{killed} of {len(members)} members: {result.stderr.strip()}"
            )
        time.sleep(0.5)
    alive = [n for n in members if n not in killed]
    got = elab.etcdctl(alive[0], 2, "get", "/coreos-lab/after-loss")
    assert got.stdout.strip() == ",".join(killed), f"surviving member read {got.stdout!r}"
    return killed


def _check_member_list(
    elab: EtcdLab, probe: str, members: Mapping[str, str], endpoints: str
) -> None:
    listed = elab.etcdctl(probe, 3, "member", "list", "-w", "json", endpoints=endpoints)
    assert listed.returncode == 0, f"member list failed: {listed.stderr}"
    got = {
        m.get("name", ""): (sorted(m.get("peerURLs", [])), sorted(m.get("clientURLs", [])))
        for m in json.loads(listed.stdout)["members"]
    }
    expected = {
        name: ([f"http://{ip}:2380"], [f"http://{ip}:2379"]) for name, ip in members.items()
    }
    assert got == expected, f"member list {got} differs from the lab's members {expected}"


def _describe(elab: EtcdLab, members: Mapping[str, str]) -> str:
    parts = []
    for name in members:
        process = elab.members[name]
        state = "running" if process.running() else f"exited {process.popen.returncode}"
        problems = [line for line in process.log_tail(80) if _is_problem(line)]
        detail = " | ".join(_message(line) for line in problems[-2:]) or "no error logged"
        parts.append(f"{name} ({state}): {detail}")
    return "; ".join(parts)


def _is_problem(line: str) -> bool:
    return any(f'"level":"{lvl}"' in line for lvl in ("warn", "error", "fatal", "panic"))


def _message(line: str) -> str:
    try:
        entry = json.loads(line)
    except ValueError:
        return line[:300]
    return f"{entry.get('msg', '')}: {entry.get('error', '')}".strip(": ")[:400]
