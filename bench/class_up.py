"""`class up` of a class of 30 default labs on the emulator at Azure-like latencies, with ARM's
throttling on: how close the whole command comes to the lower bound, and what it cost.

The lower bound is max(critical path, write bound, read bound):
- critical path: the longest chain of dependent operations of any one lab, each taking the
  duration the emulator gave it (its operation records), as bench/up_critical_path.py;
- write bound: the seconds ARM's write bucket needs to grant the writes a perfect engine makes
  (one per resource): (writes - bucket size) / refill;
- read bound: the same for the reads a perfect engine makes: every read this run made except
  the polls of long-running operations, plus one poll per operation.

    .venv/bin/python bench/class_up.py [--students 30] [--scale 1.0] [--reads 60,6]

``--reads SIZE,REFILL`` shrinks the emulator's read bucket (a busy subscription's). Prints the
bound, the command's wall time and the ratio, the reads and writes made, the 429s received,
the peak memory (RSS) of coreos-lab and the emulator's CPU time per request.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from up_critical_path import _seconds, critical_path, operation_durations

from coreos_lab.emulator.client import AdminClient, cli_env, running_emulator
from coreos_lab.lab.plan import PlanInputs, build_plan
from coreos_lab.lab.sources import load_settings

BIN = Path(sys.executable).parent / "coreos-lab"
SSH_FROM = "203.0.113.0/24"
# ARM's buckets (Microsoft Learn, "Understand how Azure Resource Manager throttles requests").
READS = (250.0, 25.0)
WRITES = (200.0, 10.0)
POLL = re.compile(r"/(operations|operationresults|asyncoperations)/", re.I)


def _at(entry: dict[str, Any]) -> float:
    return _seconds(str(entry["time"]).replace("0Z", "+00:00"))


def lower_bound(
    log: list[dict[str, Any]], path_seconds: float, reads: tuple[float, float], resources: int
) -> dict[str, float]:
    lros = sum(1 for r in log if r["kind"] == "write" and r["status"] in (201, 202))
    polls = sum(1 for r in log if r["kind"] == "read" and POLL.search(r["path"]))
    perfect_reads = sum(1 for r in log if r["kind"] == "read") - polls + lros
    return {
        "critical path": path_seconds,
        "write bound": max(0.0, (resources - WRITES[0]) / WRITES[1]),
        "read bound": max(0.0, (perfect_reads - reads[0]) / reads[1]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0, help="emulator latency scale")
    parser.add_argument("--reads", default="", help="shrink the read bucket: SIZE,REFILL")
    args = parser.parse_args()
    reads = tuple(float(x) for x in args.reads.split(",")) if args.reads else READS
    assert len(reads) == 2

    with (
        tempfile.TemporaryDirectory() as tmp,
        running_emulator(Path(tmp) / "emulator", latency_scale=args.scale) as conn,
    ):
        admin = AdminClient(conn)
        admin.configure(
            quotas={"cores": 10_000, "*": 10_000},
            throttling={"enabled": True, "reads": list(reads), "writes": list(WRITES)},
        )
        students = [f"s{i:02d}" for i in range(args.students)]
        roster = Path(tmp) / "roster.csv"
        roster.write_text("student\n" + "".join(f"{s}\n" for s in students))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COREOS_LAB_")},
            "HOME": tmp,
            **cli_env(Path(tmp) / "emulator"),
            "COREOS_LAB_STATE_DIR": str(Path(tmp) / "state"),
            "COREOS_LAB_BOOTSTRAP": "static",
            "COREOS_LAB_SSH_FROM": SSH_FROM,
        }
        before = admin.stats()
        started = time.time()
        command = [str(BIN), "class", "up", str(roster), "--cloud", "emulator", "--json"]
        began = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
        wall = time.perf_counter() - began
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb, own_cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        after = admin.stats()
        if out.returncode != 0:
            print(out.stdout[-2000:], out.stderr[-2000:], file=sys.stderr)
            return 1
        result = json.loads(out.stdout)
        log = admin.requests_log()
        state = admin.state()
        durations = operation_durations(state)

    path_seconds, chain = 0.0, []
    for s in students:
        settings = load_settings({"name": f"lab-{s}", "ssh_from": SSH_FROM}, env)
        plan = build_plan(settings, PlanInputs(subscription_id=conn.subscription_id))
        seconds, names = critical_path(plan, durations)
        if seconds > path_seconds:
            path_seconds, chain = seconds, names
    resources = sum(lab["resources"] for lab in result["labs"])
    bounds = lower_bound(log, path_seconds, reads, resources)
    bound = max(bounds.values())
    made = {k: sum(1 for r in log if r["kind"] == k) for k in ("read", "write", "delete")}
    throttled = sum(1 for r in log if r["status"] == 429)
    requests = after["requests"] - before["requests"]
    cpu = after["cpu_seconds"] - before["cpu_seconds"]

    print(
        f"class: {args.students} labs of 3 etcd + 2 hosts ({resources} resources), emulator "
        f"latency scale {args.scale}, read bucket {reads[0]:.0f} at {reads[1]:g}/s, write "
        f"bucket {WRITES[0]:.0f} at {WRITES[1]:g}/s; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"critical path        {bounds['critical path']:8.2f} s  ({' → '.join(chain)})")
    print(f"write bound          {bounds['write bound']:8.2f} s")
    print(f"read bound           {bounds['read bound']:8.2f} s")
    print(f"lower bound          {bound:8.2f} s")
    print(f"class up, command    {wall:8.2f} s")
    first_write = min(_at(r) for r in log if r["kind"] == "write") - started
    last_end = max(_seconds(op["end"]) for op in state["operations"].values()) - started
    print(
        f"  of which: first write at {first_write:.1f} s (start, reads and checks of every "
        f"lab), last operation ended at {last_end:.1f} s, command ended at {wall:.1f} s"
    )
    print(f"ratio command / lower bound = {wall / bound:.3f}  (target <= 1.25)")
    print(f"requests made        reads {made['read']}, writes {made['write']}")
    print(f"429s received        {throttled}  (client saw {result['throttled']})")
    print(f"labs complete        {result['complete']} of {len(result['labs'])}")
    print(f"peak RSS coreos-lab  {peak_mb:8.1f} MB  (target < 300)")
    print(f"CPU of coreos-lab    {own_cpu:8.2f} s")
    print(
        f"emulator CPU         {cpu:8.2f} s for {requests} requests = "
        f"{cpu * 1000 / max(requests, 1):.2f} ms per request"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
