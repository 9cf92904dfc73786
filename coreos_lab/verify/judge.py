"""From each machine's probe output and the plan's expectations to coloured findings. Pure.

Two passes: the first reads every machine's sections, the second judges each machine with
what the lab as a whole showed (the members' cluster id, for the hosts' gateways; every
machine's id, to name who holds locksmith's reboot lock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coreos_lab.boot.machine_config import (
    CLIENT_PORT,
    DOCKER_UNIT,
    ETCD_UNIT,
    FLANNEL_UNIT,
    UPDATE_CONF,
)
from coreos_lab.lab.roles import ETCD, role_named
from coreos_lab.ssh.failures import SshContext, ssh_failure
from coreos_lab.verify import causes, parse, probe
from coreos_lab.verify import findings as f
from coreos_lab.verify.expect import DISCOVERY_LINE, HOLD_LINE, UNKNOWN_TOKEN, Expected
from coreos_lab.verify.findings import Colour, Finding, LabReadiness, MachineReadiness
from coreos_lab.verify.probe import Section


@dataclass(frozen=True)
class Probed:
    """One machine as Azure lists it and what ssh brought back from it."""

    name: str
    role: str
    address: str | None
    azure_state: str
    rc: int = 0
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False


@dataclass(frozen=True)
class _Lab:
    cluster_ids: frozenset[str]  # as the members themselves answer
    names_by_machine_id: Mapping[str, str]


def judge_lab(
    lab: str,
    probes: Sequence[Probed],
    expected: Mapping[str, Expected],
    ctx: SshContext,
    seconds: float = 0.0,
    *,
    up: str = "coreos-lab up",
) -> LabReadiness:
    """``up``: the command that finishes this lab, with the flags that select it."""
    reached: dict[str, dict[str, Section]] = {}
    results: dict[str, MachineReadiness] = {}
    for p in probes:
        cause = _unreachable(p, ctx, up)
        if cause is not None:
            results[p.name] = MachineReadiness(
                p.name, p.role, p.address, (Finding(f.SSH, Colour.RED, cause),)
            )
        else:
            reached[p.name] = probe.split_sections(p.stdout)
    lab_view = _Lab(
        cluster_ids=frozenset(
            s.cluster_id
            for name, sections in reached.items()
            if expected.get(name) and expected[name].role == ETCD.name
            if (s := parse.etcd_status(sections.get("status"))) is not None
        ),
        names_by_machine_id={
            (parse.text_of(sections.get("machine-id")) or "").strip(): name
            for name, sections in reached.items()
        },
    )
    for p in probes:
        if p.name in reached:
            exp = expected.get(p.name)
            found = (
                _judge_machine(exp, reached[p.name], lab_view)
                if exp is not None
                else (Finding(f.IGNITION, Colour.RED, "the plan has no such machine."),)
            )
            ssh = Finding(f.SSH, Colour.GREEN, p.address or "")
            results[p.name] = MachineReadiness(p.name, p.role, p.address, (ssh, *found))
    for name, exp in expected.items():
        if name not in results:
            cause = f"Azure has no such VM; run `{up}` to finish the lab."
            results[name] = MachineReadiness(
                name, exp.role, None, (Finding(f.SSH, Colour.RED, cause),)
            )
    order = list(expected) + [n for n in results if n not in expected]
    return LabReadiness(lab, tuple(results[n] for n in order), seconds, up)


def _unreachable(p: Probed, ctx: SshContext, up: str) -> str | None:
    if not p.address:
        return f"no public IP yet ({p.azure_state}); run `{up}` to finish the lab."
    return ssh_failure(p.rc, p.stderr, p.timed_out, p.azure_state, ctx)


def _judge_machine(exp: Expected, s: Mapping[str, Section], lab: _Lab) -> tuple[Finding, ...]:
    member = exp.role == ETCD.name
    units = parse.unit_states(s.get("units"), probe.UNITS_MEMBER if member else probe.UNITS_HOST)
    found = [_flatcar(exp, s), _ignition(exp, s)]
    if member:
        found += [_etcd(s, units), _cluster(exp, s), _v2(s)]
    else:
        found += [_gateway(exp, s, units, lab), _docker(units), _flannel(s, units), _hold(exp, s)]
    found.append(_locksmith(s, units, lab))
    return tuple(found)


# ---- every machine -----------------------------------------------------------------------


def _flatcar(exp: Expected, s: Mapping[str, Section]) -> Finding:
    text = parse.text_of(s.get("os-release"))
    if text is None:
        return Finding(f.FLATCAR, Colour.RED, "cannot read /etc/os-release.")
    release = parse.key_values(text)
    if release.get("ID") != "flatcar":
        name = release.get("PRETTY_NAME", "an unknown system")
        return Finding(f.FLATCAR, Colour.RED, f"runs {name}, not Flatcar Container Linux.")
    version = release.get("VERSION_ID", "?")
    local = parse.key_values(parse.text_of(s.get("update-conf")) or "")
    image = parse.key_values(parse.text_of(s.get("image-update-conf")) or "")
    group = local.get("GROUP") or image.get("GROUP", "")
    shown = f"{version} {group}".strip()
    if group and group != exp.channel:
        return Finding(
            f.FLATCAR, Colour.RED, f"on channel {group}, but the plan chose {exp.channel}."
        )
    if exp.version and version != exp.version:
        title = role_named(exp.role).title
        if exp.role != ETCD.name and _newer(version, exp.version):
            return Finding(
                f.FLATCAR,
                Colour.AMBER,
                f"updated to {version} from the planned {exp.version} (the update exercise).",
            )
        return Finding(
            f.FLATCAR,
            Colour.RED,
            f"runs Flatcar {version}, but the plan chose {exp.version} for the {title}.",
        )
    return Finding(f.FLATCAR, Colour.GREEN, shown)


def _ignition(exp: Expected, s: Mapping[str, Section]) -> Finding:
    problems: list[str] = []
    hostname = parse.text_of(s.get("hostname"))
    if hostname is None or hostname.strip() != exp.hostname:
        problems.append(
            f"/etc/hostname is {hostname.strip()!r}, the plan says {exp.hostname!r}"
            if hostname is not None
            else "/etc/hostname is missing"
        )
    dropin = parse.text_of(s.get("dropin"))
    if dropin is None:
        problems.append(
            f"the {ETCD_UNIT} drop-in {probe.DROPIN_PATH} is missing: Ignition did "
            "not run or failed (its serial console in boot diagnostics says why)"
        )
    else:
        skip = (DISCOVERY_LINE,) if UNKNOWN_TOKEN in exp.dropin else ()
        diff = _first_difference(dropin, exp.dropin, skip)
        if diff:
            problems.append(f"the {ETCD_UNIT} drop-in differs from the plan: {diff}")
    conf = parse.text_of(s.get("update-conf"))
    if conf is None:
        problems.append(f"{UPDATE_CONF} is missing")
    else:
        diff = _first_difference(conf, exp.update_conf, (HOLD_LINE,))
        if diff:
            problems.append(f"{UPDATE_CONF} differs from the plan: {diff}")
    if problems:
        return Finding(f.IGNITION, Colour.RED, "; ".join(problems[:2]) + ".")
    return Finding(f.IGNITION, Colour.GREEN, "hostname, drop-in, update.conf")


def _locksmith(s: Mapping[str, Section], units: Mapping[str, str], lab: _Lab) -> Finding:
    conf = parse.key_values(parse.text_of(s.get("update-conf")) or "")
    strategy = conf.get("REBOOT_STRATEGY", "")
    if strategy != "etcd-lock":
        return Finding(
            f.LOCKSMITH,
            Colour.RED,
            f"REBOOT_STRATEGY is {strategy or 'not set'}, the plan says etcd-lock.",
        )
    state = units.get(probe.LOCKSMITH_UNIT, "unknown")
    if state != "active":
        return Finding(f.LOCKSMITH, Colour.RED, f"{probe.LOCKSMITH_UNIT} is {state}.")
    key = parse.v2_key(s.get("lock"))
    if not key.answered:
        return Finding(
            f.LOCKSMITH, Colour.RED, "cannot read the reboot lock through 127.0.0.1:2379."
        )
    held = parse.semaphore(key.value) if key.present else None
    if held is not None and held.holders:
        who = ", ".join(lab.names_by_machine_id.get(h, h) for h in held.holders)
        return Finding(
            f.LOCKSMITH,
            Colour.AMBER,
            f"etcd-lock; the reboot lock is held by {who} (rebooting after an update).",
        )
    return Finding(f.LOCKSMITH, Colour.GREEN, "etcd-lock, lock free")


# ---- etcd members ------------------------------------------------------------------------


def _etcd(s: Mapping[str, Section], units: Mapping[str, str]) -> Finding:
    state = units.get(ETCD_UNIT, "unknown")
    cause = causes.from_journal(parse.text_of(s.get("journal")) or "")
    if state != "active":
        why = f": {cause}" if cause else "; see `journalctl -u etcd-member` on it."
        return Finding(f.ETCD, Colour.RED, f"{ETCD_UNIT} is {state}{why}")
    if not parse.healthy(s.get("health")):
        why = f": {cause}" if cause else " (no leader, or not a member of the cluster)."
        return Finding(f.ETCD, Colour.RED, f"the member runs but is not healthy{why}")
    return Finding(f.ETCD, Colour.GREEN, "active, healthy")


def _cluster(exp: Expected, s: Mapping[str, Section]) -> Finding:
    members = parse.etcd_members(s.get("members"))
    status = parse.etcd_status(s.get("status"))
    if members is None or status is None:
        return Finding(f.CLUSTER, Colour.RED, "no answer from the v3 API on 127.0.0.1:2379.")
    planned = {name for name, _ in exp.members}
    names = sorted(m.name or "(unstarted)" for m in members)
    if len(members) != len(planned) or set(names) != planned:
        return Finding(
            f.CLUSTER,
            Colour.RED,
            f"the member list has {len(members)} ({', '.join(names)}), the plan has "
            f"{len(planned)} ({', '.join(sorted(planned))}).",
        )
    if status.leader in ("", "0"):
        return Finding(f.CLUSTER, Colour.RED, "the cluster has no leader: too few members are up.")
    leader = next((m.name for m in members if m.member_id == status.leader), status.leader)
    return Finding(f.CLUSTER, Colour.GREEN, f"{len(members)} members, leader {leader}")


def _v2(s: Mapping[str, Section]) -> Finding:
    section = s.get("v2")
    code = section.text.strip() if section is not None else ""
    if code == "200":
        return Finding(f.V2, Colour.GREEN, "on")
    if code == "404":
        return Finding(
            f.V2,
            Colour.RED,
            "the v2 API is off (GET /v2/keys/ is 404): flannel 0.14 and locksmith need "
            "ETCD_ENABLE_V2=true in the etcd-member drop-in.",
        )
    return Finding(f.V2, Colour.RED, "no answer on 127.0.0.1:2379.")


# ---- container hosts ---------------------------------------------------------------------


def _gateway(
    exp: Expected, s: Mapping[str, Section], units: Mapping[str, str], lab: _Lab
) -> Finding:
    status = parse.etcd_status(s.get("status"))
    if status is not None and (not lab.cluster_ids or status.cluster_id in lab.cluster_ids):
        return Finding(f.GATEWAY, Colour.GREEN, "answers for the cluster")
    if status is not None:
        return Finding(
            f.GATEWAY,
            Colour.RED,
            f"the gateway on 127.0.0.1:2379 answers for another etcd cluster "
            f"({status.cluster_id}), not the lab's members.",
        )
    planned = ",".join(f"{ip}:{CLIENT_PORT}" for _, ip in exp.members)
    actual = _gateway_endpoints(parse.text_of(s.get("dropin")) or "")
    if actual is not None and actual != planned:
        why = f"its drop-in points at {actual}, the members are at {planned}."
    elif units.get(ETCD_UNIT, "unknown") != "active":
        why = f"{ETCD_UNIT} (the gateway) is {units.get(ETCD_UNIT, 'unknown')}."
    else:
        why = "no member answers behind it (see the etcd members' rows)."
    return Finding(
        f.GATEWAY,
        Colour.RED,
        f"the gateway on 127.0.0.1:2379 does not answer for the cluster: {why}",
    )


def _docker(units: Mapping[str, str]) -> Finding:
    state = units.get(DOCKER_UNIT, "unknown")
    if state == "active":
        return Finding(f.DOCKER, Colour.GREEN, "active")
    return Finding(f.DOCKER, Colour.RED, f"{DOCKER_UNIT} is {state}.")


def _flannel(s: Mapping[str, Section], units: Mapping[str, str]) -> Finding:
    state = units.get(FLANNEL_UNIT, "unknown")
    if state in ("failed", "inactive", "unknown"):
        return Finding(f.FLANNEL, Colour.RED, f"{FLANNEL_UNIT} is {state}.")
    config = parse.v2_key(s.get("flannel-config"))
    if not config.answered:
        return Finding(
            f.FLANNEL,
            Colour.RED,
            f"cannot read {probe.FLANNEL_CONFIG_KEY} through the gateway (etcd v2 API).",
        )
    if not config.present:
        return Finding(
            f.FLANNEL,
            Colour.AMBER,
            f"waits for {probe.FLANNEL_CONFIG_KEY}, as expected before exercise 3 writes it.",
        )
    lease = parse.key_values(parse.text_of(s.get("flannel-lease")) or "").get("FLANNEL_SUBNET")
    if lease:
        return Finding(f.FLANNEL, Colour.GREEN, f"lease {lease}")
    return Finding(
        f.FLANNEL,
        Colour.RED,
        f"{probe.FLANNEL_CONFIG_KEY} is set but flannel holds no lease "
        f"({probe.FLANNEL_SUBNET_FILE} is missing); see `journalctl -u flanneld` on it.",
    )


def _hold(exp: Expected, s: Mapping[str, Section]) -> Finding:
    conf = parse.text_of(s.get("update-conf")) or ""
    if HOLD_LINE in [line.strip() for line in conf.splitlines()]:
        return Finding(f.HOLD, Colour.GREEN, HOLD_LINE)
    release = parse.key_values(parse.text_of(s.get("os-release")) or "")
    version = release.get("VERSION_ID", "")
    if exp.version and _newer(version, exp.version):
        return Finding(f.HOLD, Colour.AMBER, "released: the update exercise has run.")
    return Finding(
        f.HOLD,
        Colour.RED,
        f"{UPDATE_CONF} lacks {HOLD_LINE}: the host will update itself within minutes "
        "and the update exercise has nothing left to do.",
    )


# ---- helpers -----------------------------------------------------------------------------


def _first_difference(actual: str, planned: str, skip: tuple[str, ...]) -> str:
    def lines(text: str) -> list[str]:
        kept = [line.strip() for line in text.splitlines() if line.strip()]
        return [line for line in kept if not line.startswith(skip)]

    have, want = lines(actual), lines(planned)
    for line in want:
        if line not in have:
            return f"it lacks '{_shown(line)}'"
    for line in have:
        if line not in want:
            return f"it has '{_shown(line)}', which the plan does not"
    return ""


def _shown(line: str) -> str:
    """A line fit to print: a discovery token is a capability (whoever has it can join the
    cluster), so only its service is shown."""
    if line.startswith(DISCOVERY_LINE):
        url = line.removeprefix(DISCOVERY_LINE)
        return DISCOVERY_LINE + "/".join(url.split("/")[:3]) + "/…"
    return line


def _gateway_endpoints(dropin: str) -> str | None:
    for word in dropin.split():
        if word.startswith("--endpoints="):
            return word.removeprefix("--endpoints=")
    return None


def _newer(version: str, than: str) -> bool:
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".") if p.isdigit())

    return key(version) > key(than)
