"""The etcdctl commands of the lab guide (docs/lab.md), read out of it the way a student reads it.

The rule, kept simple so a guide author can predict it:

* Only fenced code blocks whose info string is ``sh`` hold commands. In them, a line is a guide
  command when, after optional ``NAME=value`` prefixes, it starts with ``etcdctl``. A line
  ``coreos-lab ssh <machine> -- <command>`` is ``<command>`` run on ``<machine>``. A line
  ``export ETCDCTL_API=<n>`` sets the API version for the commands after it (the guide asks the
  student to export it in every shell). Every other line (docker, ip, curl, heredocs) is skipped.
* A command runs on the machine the prose last named in bold (``**host0**`` or ``**host1**``);
  before the first such mention, on host0.
* A fenced block with info string ``text`` right after a ``sh`` block (only prose in between)
  shows what that block's last command prints, if that line is a guide command. ``…`` in it
  stands for any text; the lines may come in any order (etcd lists members in its own order).

Pure: no I/O beyond reading the file the caller names.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "lab.md"

_FENCE = re.compile(r"^```(\S*)\s*$")
_HOST = re.compile(r"\*\*(host\d+)\*\*")
_SSH = re.compile(r"^coreos-lab ssh (\S+) -- (.+)$")
_COMMAND = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S+\s+)*etcdctl(?:\s|$)")
_EXPORT_API = re.compile(r"^export ETCDCTL_API=(\d)\s*$")
WATCHES = ("watch", "exec-watch")


@dataclass
class Command:
    """One guide command: the shell line as printed, where it runs and what it should print."""

    line: str
    machine: str
    lineno: int
    expected: list[str] | None = None

    @property
    def subcommand(self) -> str:
        """The etcdctl subcommand, e.g. ``set`` or ``exec-watch``."""
        words = self.line.split()
        after = words[words.index("etcdctl") + 1 :]
        return next((w for w in after if not w.startswith("-")), "")

    @property
    def is_watch(self) -> bool:
        return self.subcommand in WATCHES


@dataclass(frozen=True)
class Export:
    """``export ETCDCTL_API=<api>``: the API version of the commands that follow."""

    api: str
    lineno: int


Step = Command | Export


def read_steps(text: str) -> list[Step]:
    """The guide's exports and commands in reading order, with their expected outputs."""
    steps: list[Step] = []
    machine = "host0"
    block: str | None = None  # info string of the open fence, or None outside blocks
    last_of_sh: Command | None = None  # the last line of the latest sh block, if a command
    body: list[tuple[int, str]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        fence = _FENCE.match(line)
        if block is None:
            if fence:
                block, body = fence.group(1), []
            else:
                found = _HOST.findall(line)
                if found:
                    machine = found[-1]
            continue
        if not fence or fence.group(1):
            body.append((lineno, line))
            continue
        if block == "sh":
            last_of_sh = _read_sh(body, machine, steps)
        elif block == "text" and last_of_sh is not None:
            last_of_sh.expected = [ln.rstrip() for _, ln in body if ln.strip()]
            last_of_sh = None
        else:
            last_of_sh = None
        block = None
    if block is not None:
        raise ValueError(f"{GUIDE.name}: a code block is never closed")
    return steps


def _read_sh(body: list[tuple[int, str]], machine: str, steps: list[Step]) -> Command | None:
    """Append the block's steps; return its last line's command (None if that is no command)."""
    last: Command | None = None
    for lineno, raw in body:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        last = None
        target = machine
        ssh = _SSH.match(line)
        if ssh:
            target, line = ssh.group(1), ssh.group(2).strip()
        export = _EXPORT_API.match(line)
        if export:
            steps.append(Export(export.group(1), lineno))
        elif _COMMAND.match(line):
            last = Command(line, target, lineno)
            steps.append(last)
    return last


def commands(steps: list[Step]) -> list[Command]:
    return [s for s in steps if isinstance(s, Command)]


def output_matches(expected: list[str], output: str) -> bool:
    """Whether ``output`` has exactly the expected lines, in any order; ``…`` matches any text."""
    lines = [ln.rstrip() for ln in output.strip().splitlines() if ln.strip()]
    if len(lines) != len(expected):
        return False
    patterns = [re.compile(".*".join(map(re.escape, e.split("…"))) + r"\Z") for e in expected]
    if len(lines) > 7:  # permutations would explode; the guide's outputs are short
        return all(p.match(ln) for p, ln in zip(patterns, lines, strict=True))
    return any(
        all(p.match(ln) for p, ln in zip(patterns, order, strict=True))
        for order in itertools.permutations(lines)
    )
