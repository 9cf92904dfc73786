"""up with discovery bootstrap: one token per lab, requested once, carried in the Ignition."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import Lab


class _DiscoveryStandIn(BaseHTTPRequestHandler):
    """`GET /new?size=N` as discovery.etcd.io answers it: the token URL, no trailing newline."""

    requests: list[str] = []  # noqa: RUF012 - shared by the server's handler instances

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        host, port = self.server.server_address[:2]
        body = f"http://{host}:{port}/{secrets.token_hex(16)}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def discovery_service() -> Iterator[str]:
    _DiscoveryStandIn.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DiscoveryStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_up_requests_one_token_and_reuses_it(lab: Lab, discovery_service: str) -> None:
    lab.env.update(COREOS_LAB_BOOTSTRAP="discovery", COREOS_LAB_DISCOVERY_SERVICE=discovery_service)
    first = lab.run("up")
    assert first.returncode == 0, first.stdout + first.stderr
    assert _DiscoveryStandIn.requests == ["/new?size=3"]
    state_file = lab.home / "state" / "labs" / "e2e-lab" / "state.json"
    token_url = json.loads(state_file.read_text())["discovery_url"]
    assert token_url.startswith(discovery_service)
    assert token_url not in first.stdout + first.stderr, "the token is never printed"
    assert state_file.stat().st_mode & 0o777 == 0o600

    lab.emulator.admin.clear_requests()
    second = lab.run("up")
    assert second.returncode == 0
    assert _DiscoveryStandIn.requests == ["/new?size=3"], "the stored token is reused"
    assert lab.writes() == []

    # plan, offline, rebuilds the lab from the stored token, key and image versions: its
    # etcd0 custom data hash matches the one up applied (custom data itself ARM never returns).
    plan = json.loads(lab.run("plan", "--json").stdout)
    assert plan["complete"], plan["unknowns"]
    planned = next(r for r in plan["resources"] if r["name"] == "etcd0")
    applied = next(
        r for r in lab.emulator.admin.state()["resources"].values() if r["body"]["name"] == "etcd0"
    )
    tag = "coreos-lab-custom-data"
    assert planned["body"]["tags"][tag] == applied["body"]["tags"][tag]
    assert "customData" not in json.dumps(applied["body"])
