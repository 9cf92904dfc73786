"""Is the lab ready, and if not, why: `coreos-lab verify` and `up --wait`.

The pure part (what to run on each machine, reading its output, deciding colours and
sentences) is in ``probe``, ``expect``, ``parse``, ``reach`` and ``judge`` and does no I/O;
``ssh_runner`` is the only module that starts ssh. A later per-machine command (the serial
console, ``logs``) sits beside it as its own module and reuses ``findings`` for what it reports.
"""
