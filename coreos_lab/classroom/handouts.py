"""What `class handouts` writes for each student, as text: her ssh config and her one-page
sheet, and the instructor's roster sheet. Pure: handout_files.py writes the files.

Why every path in a handout is relative, and how a student uses it: docs/class.md, "Hand out".
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from coreos_lab.lab.plan import ADMIN_USER
from coreos_lab.lab.results import MachineInfo
from coreos_lab.ssh.config import alias, config_block

KEY_FILE = "ssh_key"  # the private key coreos-lab generated for the lab; .pub beside it
CONFIG_FILE = "ssh_config"
KNOWN_HOSTS_FILE = "known_hosts"
SHEET_FILE = "handout.html"
ROSTER_SHEET = "roster.html"
GUIDE = "docs/lab.md"


@dataclass(frozen=True)
class Handout:
    """One student's handout: her lab's machines, and whether her key is in the folder."""

    student: str
    lab: str
    machines: tuple[MachineInfo, ...]
    has_key: bool  # coreos-lab generated the key: the folder holds it. Else she has her own.


def folder_name(handout: Handout) -> str:
    return handout.lab


def reachable(handout: Handout) -> list[MachineInfo]:
    return [m for m in handout.machines if m.public_ip]


def ssh_config_text(handout: Handout) -> str:
    """The student's ssh config: one Host ``<lab>-<machine>`` per machine, paths relative."""
    block = config_block(
        handout.machines,
        KEY_FILE if handout.has_key else None,
        KNOWN_HOSTS_FILE,
        handout.lab,
        prefixed=True,
    )
    first = next((alias(handout.lab, m.name, prefixed=True) for m in reachable(handout)), "")
    head = [
        f"# The lab of {handout.student}: run ssh inside this folder, e.g.",
        f"#   ssh -F {CONFIG_FILE} {first}",
        "# (the paths below are relative to the folder ssh runs in).",
    ]
    if not handout.has_key:
        head.append("# No IdentityFile: log in with your own key, the one you sent.")
    return "\n".join(head) + "\n" + block.split("\n", 1)[1]


def login_lines(handout: Handout) -> list[tuple[MachineInfo, str, str]]:
    """Per machine: the short command (through the config) and the one without it."""
    lines = []
    for m in reachable(handout):
        short = f"ssh -F {CONFIG_FILE} {alias(handout.lab, m.name, prefixed=True)}"
        key = ["-i", KEY_FILE] if handout.has_key else []
        direct = shlex.join(
            [
                "ssh",
                *key,
                "-o",
                f"UserKnownHostsFile={KNOWN_HOSTS_FILE}",
                f"{ADMIN_USER}@{m.public_ip}",
            ]
        )
        lines.append((m, short, direct))
    return lines


_STYLE = """
@page { margin: 12mm; }
* { box-sizing: border-box; }
body { font: 9.5pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #000; margin: 0;
       max-width: 186mm; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 11pt; margin: 3.5mm 0 1mm; border-bottom: 0.3mm solid #444; }
p, ol, ul { margin: 1mm 0; }
ol, ul { padding-left: 6mm; }
li { margin: 0.5mm 0; }
code, pre { font: 8.5pt/1.3 "DejaVu Sans Mono", Consolas, monospace; }
pre { margin: 1mm 0; padding: 1.2mm 2mm; background: #f2f2f2; white-space: pre-wrap;
      word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0; }
th, td { text-align: left; padding: 0.6mm 2mm; border-bottom: 0.2mm solid #bbb;
         vertical-align: top; }
th { background: #e6e6e6; }
.small { font-size: 8pt; color: #333; }
tr, pre, li { break-inside: avoid; }
tr.first td { border-top: 0.5mm solid #444; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def student_sheet(handout: Handout) -> str:
    """The student's one-page sheet: her machines, how to log in, the first steps."""
    h, lab = handout, escape(handout.lab)
    rows = "".join(
        f"<tr><td>{escape(alias(h.lab, m.name, prefixed=True))}</td><td>{escape(m.role)}</td>"
        f"<td>{escape(m.public_ip or 'none yet')}</td><td>{escape(m.private_ip or '-')}</td></tr>"
        for m in h.machines
    )
    logins = login_lines(h)
    host = next((m for m, _, _ in logins if m.role == "host"), None)
    host_short = next((s for m, s, _ in logins if m is host), "ssh -F ssh_config …")
    host_direct = next((d for m, _, d in logins if m is host), "")
    key_note = (
        f"<p>Your private key is <code>{KEY_FILE}</code> in this folder: keep it to yourself.</p>"
        if h.has_key
        else "<p>Log in with <b>your own key</b>, the one whose public key you sent: add "
        "<code>-i</code> and its path if ssh does not find it by itself.</p>"
    )
    chmod = f"chmod 600 {KEY_FILE}\n" if h.has_key else ""
    icacls = (
        f'icacls {KEY_FILE} /inheritance:r /grant:r "${{env:USERNAME}}:(R)"\n' if h.has_key else ""
    )
    windows_key = (
        "; make the key yours alone (OpenSSH refuses a key others can read)" if h.has_key else ""
    )
    putty_key = (
        f"In PuTTYgen, Conversions → Import key, choose <code>{KEY_FILE}</code>, then Save "
        "private key (a <code>.ppk</code> file)."
        if h.has_key
        else "Use the <code>.ppk</code> of the key you sent."
    )
    body = f"""
<h1>Container Linux on Azure lab: {escape(h.student)}</h1>
<p class="small">Lab <b>{lab}</b>. Your machines (user <code>{ADMIN_USER}</code>):</p>
<table><tr><th>machine</th><th>role</th><th>public IP</th><th>private IP</th></tr>{rows}</table>
{key_note}
<h2>Log in (Linux, macOS, WSL)</h2>
<p>Copy this folder to your computer, open a terminal <b>inside it</b>, then:</p>
{_pre(chmod + host_short)}
<p>Every machine the same way ({", ".join(escape(s.split()[-1]) for _, s, _ in logins)}),
or without the config file: <code>{escape(host_direct)}</code></p>
<h2>Windows</h2>
<p><b>Windows Terminal</b> (OpenSSH comes with Windows 10 and 11): open PowerShell in this
folder{windows_key}, then log in:</p>
{_pre(icacls + host_short)}
<p><b>PuTTY</b>: {putty_key} In PuTTY, Host Name <code>{ADMIN_USER}@{
        escape(host.public_ip if host and host.public_ip else "…")
    }</code>; Connection → SSH → Auth →
Credentials: your <code>.ppk</code>. Save one session per machine.</p>
<h2>First steps</h2>
<ol>
<li>The prompt reads <code>core@host0 ~ $</code> once you are in. Check etcd:
<code>etcdctl version</code> (a command, not a flag).</li>
<li>Open two terminals, one on <b>host0</b> and one on <b>host1</b>: most exercises use both.</li>
<li>Exercise 1 starts on host0: <code>mount | grep -E ' on /(usr)? '</code>, then
<code>cat /etc/os-release</code> and <code>update_engine_client -status</code>.</li>
<li>Follow the lab guide ({GUIDE}) from Exercise 1 on.</li>
</ol>
<p class="small">SSH is open only to the address your instructor registered for you. Your
instructor deletes the lab after the class.</p>
"""
    return _page(f"Lab {h.lab}", body)


def roster_sheet(handouts: Sequence[Handout], prefix: str) -> str:
    """The instructor's sheet: every student's lab and machines."""
    rows = []
    for h in handouts:
        for i, m in enumerate(h.machines or ()):
            first = i == 0  # the student's first row: her name, and a rule above it
            rows.append(
                f"<tr{' class=first' if first else ''}><td>{escape(h.student) if first else ''}"
                f"</td><td>{escape(h.lab) if first else ''}</td><td>{escape(m.name)}</td>"
                f"<td>{escape(m.public_ip or '-')}</td><td>{escape(m.private_ip or '-')}</td>"
                f"<td>{escape(m.state)}</td></tr>"
            )
        if not h.machines:
            rows.append(
                f"<tr class=first><td>{escape(h.student)}</td><td>{escape(h.lab)}</td>"
                "<td colspan='4'>no machines</td></tr>"
            )
    body = (
        f"<h1>Class {escape(prefix)}: {len(handouts)} labs</h1>"
        "<table><thead><tr><th>student</th><th>lab</th><th>machine</th><th>public IP</th>"
        f"<th>private IP</th><th>state</th></tr></thead>{''.join(rows)}</table>"
        "<p class='small'>Each student's folder holds her sheet, ssh config and (when "
        "coreos-lab made it) key. <code>coreos-lab class ips ROSTER</code> shows the same, "
        "live; <code>coreos-lab class down ROSTER</code> deletes every lab.</p>"
    )
    return _page(f"Class {prefix}", body)
