"""``python -m coreos_lab.emulator``: the same as ``coreos-lab emulator``."""

from __future__ import annotations

import typer

from .command import emulator


def main() -> None:
    typer.run(emulator)


if __name__ == "__main__":
    main()
