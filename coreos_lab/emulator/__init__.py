"""A local Azure Resource Manager emulator that the unmodified Azure SDK clients can talk to.

Start it with ``coreos-lab emulator``; read its connection file with
:func:`coreos_lab.emulator.connection.load_connection`; drive it from tests with
:func:`coreos_lab.emulator.harness.running_emulator`. Nothing heavy is imported here, so the
CLI stays fast.
"""
