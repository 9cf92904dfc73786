"""A local Azure Resource Manager emulator that the unmodified Azure SDK clients can talk to.

Start it with ``coreos-lab emulator`` (command.py, the server side's only door). Everything
else, in and outside coreos-lab, talks to it through client.py: its connection file, a
credential, the environment for the CLI, a subprocess emulator for tests, the admin API.
Nothing heavy is imported here, so the CLI stays fast.
"""
