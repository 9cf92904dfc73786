"""Small pieces of English the messages share: counts with the right noun. Pure."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 resource``, ``2 resources``: the noun agrees with the count."""
    word = noun if count == 1 else (plural_form or noun + "s")
    return f"{count} {word}"
