"""How close `up` comes to the plan's critical path, on the emulator at realistic proportions.

The critical path is the longest chain of dependent operations (resource group → NSG → VNet →
NIC → VM, or storage → VM), each taking the duration the emulator actually gave it (read from
its operation records, jitter included). A perfect engine starts every resource the moment
its dependencies are done, so its wall time equals the critical path; polling, Retry-After,
process start-up and the reads before the first write are the overhead measured here.

    .venv/bin/python bench/up_critical_path.py [--scale 1.0] [--etcd 3 --hosts 2]

Prints each figure and the ratio `up` wall time / critical path (targets: at most 1.10 for
the default lab, 1.15 for a larger one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from coreos_lab.emulator.client import AdminClient, cli_env, running_emulator
from coreos_lab.lab.plan import PlanInputs, build_plan
from coreos_lab.lab.sources import load_settings
from coreos_lab.local.keys import ensure_keypair

BIN = Path(sys.executable).parent / "coreos-lab"


def _seconds(stamp: Any) -> float:
    if isinstance(stamp, int | float):
        return float(stamp)
    return datetime.fromisoformat(str(stamp)).timestamp()


def operation_durations(state: dict[str, Any]) -> dict[str, float]:
    """Resource id (lower case) → seconds its create operation took in the emulator."""
    durations: dict[str, float] = {}
    for op in state["operations"].values():
        if op["action"] in ("create", "update"):
            rid = op["resource_id"].lower()
            durations[rid] = max(
                durations.get(rid, 0.0), _seconds(op["end"]) - _seconds(op["start"])
            )
    return durations


def critical_path(plan: Any, durations: dict[str, float]) -> tuple[float, list[str]]:
    by_key = plan.by_key()
    memo: dict[str, tuple[float, list[str]]] = {}

    def finish(key: str) -> tuple[float, list[str]]:
        if key not in memo:
            r = by_key[key]
            before = max((finish(d) for d in r.depends_on), default=(0.0, []))
            memo[key] = (before[0] + durations.get(r.id.lower(), 0.0), [*before[1], r.name])
        return memo[key]

    return max(finish(k) for k in by_key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="emulator latency scale (1 = Azure-like durations)"
    )
    parser.add_argument("--etcd", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=2)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        running_emulator(Path(tmp) / "emulator", latency_scale=args.scale) as conn,
    ):
        admin = AdminClient(conn)
        admin.configure(quotas={"cores": 1000, "*": 1000})
        key = Path(tmp) / "key"
        ensure_keypair(key, "ed25519")  # generated beforehand: key generation is not provisioning
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COREOS_LAB_")},
            "HOME": tmp,
            **cli_env(Path(tmp) / "emulator"),
            "COREOS_LAB_STATE_DIR": str(Path(tmp) / "state"),
            "COREOS_LAB_BOOTSTRAP": "static",
            "COREOS_LAB_SSH_FROM": "203.0.113.0/24",
            "COREOS_LAB_SSH_KEY": str(key),
        }
        command = [str(BIN), "up", "--json", "--etcd", str(args.etcd), "--hosts", str(args.hosts)]
        began = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
        wall = time.perf_counter() - began
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        result = json.loads(out.stdout)
        settings = load_settings(
            {"etcd": args.etcd, "hosts": args.hosts, "ssh_from": "203.0.113.0/24"}, env
        )
        plan = build_plan(
            settings,
            PlanInputs(
                subscription_id=conn.subscription_id,
                ssh_public_key=Path(f"{key}.pub").read_text().strip(),
                etcd_image_version=result["images"]["etcd"],
                host_image_version=result["images"]["host"],
            ),
        )
        path_seconds, chain = critical_path(plan, operation_durations(admin.state()))

    print(f"lab: {args.etcd} etcd + {args.hosts} hosts, emulator latency scale {args.scale}")
    print(f"critical path        {path_seconds:8.2f} s  ({' → '.join(chain)})")
    print(f"up, apply phase      {result['seconds']:8.2f} s")
    print(f"up, whole command    {wall:8.2f} s")
    print(f"ratio apply / critical path   = {result['seconds'] / path_seconds:.3f}")
    target = 1.10 if (args.etcd, args.hosts) == (3, 2) else 1.15
    print(f"ratio command / critical path = {wall / path_seconds:.3f}  (target <= {target:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
