"""The `coreos-lab` entry point: answers the top-level help before importing anything.

The top-level help is rendered once by click into ``help.txt`` (``make help-text``) and printed
from there when click would print exactly that; anything else goes to
:func:`coreos_lab.cli.app.main`. Why: docs/architecture.md, "Choices worth knowing"."""

from __future__ import annotations

import os
import sys

HELP_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "help.txt")
PROG = "coreos-lab"
# click wraps help at min(terminal width, 80) - 2 columns; from 80 up it is the same text.
_CLICK_MAX_WIDTH = 80


def _terminal_columns() -> int:
    """The width click would see, as shutil.get_terminal_size reckons it (not imported)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return _CLICK_MAX_WIDTH  # shutil's fallback


def static_help(args: list[str], prog: str, environ: dict[str, str] | os._Environ[str]) -> bool:
    """Whether click would print exactly ``help.txt`` for this command line."""
    if prog != PROG or any(k.startswith("_COREOS_LAB_COMPLETE") for k in environ):
        return False
    return args in ([], ["--help"], ["-h"]) and _terminal_columns() >= _CLICK_MAX_WIDTH


def main() -> None:
    args = sys.argv[1:]
    prog = os.path.basename(sys.argv[0])
    if static_help(args, prog, os.environ):
        try:
            with open(HELP_FILE, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            text = ""  # an install without the file: click renders it, slower but the same
        if text:
            if args:
                try:
                    sys.stdout.write(text)
                    sys.stdout.flush()
                except BrokenPipeError:
                    # The reader went away (`| head -1`): nothing to say, as for click.
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return
            # Without arguments click prints the help on stderr and exits 2, as a usage error.
            sys.stderr.write(text)
            sys.exit(2)
    from coreos_lab.cli.app import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
