"""`--help` that helps: each command's own options first, then which lab, then the lab's
settings under one heading, then a few examples.

Plain click sections, not typer's rich panels: rich is not imported for --help, which keeps
`coreos-lab --help` fast (tests/unit/cli/test_app.py checks it; bench/cli_startup.py times it).
"""

from __future__ import annotations

# typer carries its own copy of click; its commands take that copy's context and formatter.
from typer import _click as click
from typer.core import TyperCommand

# The options that say which lab a command is about; every other setting shapes the lab.
WHICH_LAB = ("name", "cloud", "subscription", "config")

EXAMPLES: dict[str, tuple[str, ...]] = {
    "plan": (
        "coreos-lab plan --etcd 5 --hosts 3",
        "coreos-lab plan --json | jq -r '.resources[].name'",
    ),
    "up": (
        'coreos-lab up --ssh-from "$(curl -4s https://ifconfig.me)/32"',
        "coreos-lab up --name class-b --hosts 4 --location northeurope --wait",
        "coreos-lab up --json-events | jq -c 'select(.event == \"phase\")'",
    ),
    "verify": ("coreos-lab verify", "coreos-lab verify --name class-b --json"),
    "ips": ("coreos-lab ips", "coreos-lab ips --name class-b --json"),
    "down": ("coreos-lab down", "coreos-lab down --name class-b --yes --delete-key"),
    "check": ("coreos-lab check --location westeurope --hosts 4", "coreos-lab check --json"),
    "ssh": (
        "coreos-lab ssh",
        "coreos-lab ssh etcd1 -- etcdctl member list",
        "coreos-lab ssh host0 --print",
    ),
    "logs": (
        "coreos-lab logs host0",
        "coreos-lab logs etcd1 --follow",
        "coreos-lab logs host0 --json | jq -r '.lines[]'",
    ),
    "ssh-config": (
        "coreos-lab ssh-config --write && ssh host0",
        "coreos-lab ssh-config > lab.conf",
    ),
    "list": ("coreos-lab list", "coreos-lab list --json | jq -r '.[] | select(.in_azure) | .lab'"),
    # The class commands, by "class <command>" (see format_epilog).
    "class ips": (
        "coreos-lab class ips roster.csv --prefix cs101",
        "coreos-lab class ips roster.csv --prefix cs101 | grep host0",
    ),
    "class down": (
        "coreos-lab class down roster.csv --prefix cs101",
        "coreos-lab class down roster.csv --prefix cs101 --yes --json",
    ),
    "class handouts": ("coreos-lab class handouts roster.csv --prefix cs101 --out handouts",),
}


SETTINGS_TITLE = "Lab settings (how up builds the lab)"


class LabCommand(TyperCommand):
    """A command whose help puts its own options before the shared lab settings."""

    # A command that only finds an existing lab accepts the settings but needs none of them:
    # its help names them in one line and points at plan's full list.
    collapse_settings = False
    which_lab: tuple[str, ...] = WHICH_LAB

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from coreos_lab.lab.settings import SETTINGS_FIELDS

        settings = {f.name for f in SETTINGS_FIELDS} | {"config"}
        arguments: list[tuple[str, str]] = []
        sections: dict[str, list[tuple[str, str]]] = {"Options": [], "Which lab": []}
        sections[SETTINGS_TITLE] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(record)
            elif param.name in self.which_lab:
                sections["Which lab"].append(record)
            elif param.name in settings:
                sections[SETTINGS_TITLE].append(record)
            else:
                sections["Options"].append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        shaping = sections.pop(SETTINGS_TITLE)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)
        if not shaping:
            return
        with formatter.section(SETTINGS_TITLE):
            if self.collapse_settings:
                formatter.write_text(
                    f"{len(shaping)} more settings (--location, --etcd, --hosts, --ssh-from, …) "
                    "are accepted as well; `coreos-lab plan --help` explains "
                    "each."
                )
            else:
                formatter.write_dl(shaping)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        name = ctx.info_name or ""
        if ctx.parent is not None and ctx.parent.info_name == "class":
            name = f"class {name}"  # `class ips` is not `ips`
        examples = EXAMPLES.get(name, ())
        if examples:
            with formatter.section("Examples"):
                for line in examples:  # verbatim: a command is pasted, not re-wrapped
                    formatter.write(" " * formatter.current_indent + line + "\n")


class FindingCommand(LabCommand):
    """ips, ssh, ssh-config, logs, down: about an existing lab, found by its name."""

    collapse_settings = True
    which_lab = (*WHICH_LAB, "ssh_key")  # the key that logs in
