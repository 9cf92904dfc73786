"""The exceptions coreos-lab raises, arranged so callers catch the level they care about.

Every message is one sentence that says what is wrong and what to do; the CLI prints it
without a traceback and exits with the error's ``exit_code``.
"""

from __future__ import annotations


class LabError(Exception):
    """A failure the user can act on; the message says how."""

    exit_code = 1


class UsageError(LabError):
    """A bad input: a flag, an environment variable or a line of coreos-lab.toml."""

    exit_code = 2


class KeyFileError(UsageError):
    """An SSH key that is missing, malformed or readable by others."""


class DiscoveryError(LabError):
    """The etcd discovery service could not hand out a token."""


class Interrupted(LabError):
    """Ctrl-C stopped a command; the message says what exists and how to go on."""

    exit_code = 130
