"""How long `coreos-lab --help` takes next to `az --help`, measured side by side in one run.

The Azure CLI comes from `az` on PATH, or AZ=/path/to/az. For a throwaway copy:
    python3 -m venv /tmp/azcli && /tmp/azcli/bin/pip install azure-cli && AZ=/tmp/azcli/bin/az
Prints the median of several runs of each, interleaved so both see the same machine load.
Without az it says so and prints coreos-lab's figures alone (and `python -c pass` beside
them, the floor any Python CLI starts from); the goal is under half of az's time.

`coreos-lab --help` is answered from coreos_lab/help.txt without importing typer
(coreos_lab/launcher.py); `coreos-lab up --help` is printed beside it, as the figure of a
command's own help, which does import typer and click.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7


def timed(cmd: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - began


def main() -> int:
    ours = [str(Path(sys.executable).parent / "coreos-lab"), "--help"]
    az = os.environ.get("AZ") or shutil.which("az")
    floor = [sys.executable, "-c", "pass"]
    others = {"coreos-lab up --help": [ours[0], "up", "--help"], "python -c pass": floor}
    if az:
        others["az --help"] = [az, "--help"]
    else:
        print("az is not installed here (set AZ=/path/to/az): no side-by-side figure for it")
    for cmd in [ours, *others.values()]:
        timed(cmd)  # warm the page cache for each
    times: dict[str, list[float]] = {"coreos-lab --help": [], **{k: [] for k in others}}
    for _ in range(RUNS):
        times["coreos-lab --help"].append(timed(ours))
        for name, cmd in others.items():
            times[name].append(timed(cmd))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, median in medians.items():
        print(f"{name:<21} median {median * 1000:7.0f} ms over {RUNS} runs")
    if az:
        ratio = medians["coreos-lab --help"] / medians["az --help"]
        print(f"ratio coreos-lab / az = {ratio:.2f} (goal: under 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
