"""What `logs` prints of a console: text only, and never the link it was read through."""

from __future__ import annotations

from coreos_lab.cli.logs import printable


def test_escape_sequences_and_control_characters_are_taken_out() -> None:
    # systemd colours its status on a serial console; a broken machine may print anything.
    raw = "[\x1b[0;32m  OK  \x1b[0m] Started sshd.\r\n\x1b]0;title\x07bell\x07\ttab\x00\x9b\n"
    assert printable(raw) == "[  OK  ] Started sshd.\nbell\ttab\n"
