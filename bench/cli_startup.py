"""How long `coreos-lab --help` takes next to `az --help`, measured side by side in one run.

Needs the Azure CLI: `az` on PATH, or AZ=/path/to/az. For a throwaway copy:
    python3 -m venv /tmp/azcli && /tmp/azcli/bin/pip install azure-cli && AZ=/tmp/azcli/bin/az
Prints the median of several runs of each, interleaved so both see the same machine load.
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
    if not az:
        print("az not found: set AZ=/path/to/az (see this file's docstring)", file=sys.stderr)
        return 1
    theirs = [az, "--help"]
    timed(ours), timed(theirs)  # warm the page cache for both
    a, b = [], []
    for _ in range(RUNS):
        a.append(timed(ours))
        b.append(timed(theirs))
    ours_s, az_s = statistics.median(a), statistics.median(b)
    print(f"coreos-lab --help  median {ours_s * 1000:7.0f} ms over {RUNS} runs")
    print(f"az --help          median {az_s * 1000:7.0f} ms over {RUNS} runs")
    print(f"ratio coreos-lab / az = {ours_s / az_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
