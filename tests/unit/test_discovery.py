"""The etcd discovery token, against a real stand-in discovery service on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import socket
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from coreos_lab.discovery import discovery_url_for, request_token
from coreos_lab.errors import DiscoveryError, UsageError
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local.state import LabState, load_state, state_path

TOKEN_URL = re.compile(r"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}$")

# A scripted step: an HTTP status to fail with, a literal body to answer 200 with
# ("{base}" is replaced by the server's own URL), or seconds to stall before answering.
Step = int | str | float


@dataclass
class StandIn:
    """A discovery service that hands out tokens on itself and counts the requests."""

    url: str = ""
    script: list[Step] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.sizes)


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with stand_in.lock:
                stand_in.sizes.append(",".join(parse_qs(parts.query).get("size", [])))
                step = stand_in.script.pop(0) if stand_in.script else None
            if parts.path != "/new":
                return self._send(404, "404 page not found\n")
            if isinstance(step, int):
                return self._send(step, "try again later\n")
            if isinstance(step, str):
                return self._send(200, step.replace("{base}", stand_in.url))
            if isinstance(step, float):
                time.sleep(step)
            # Like discovery.etcd.io: the token URL, no trailing newline.
            self._send(200, f"{stand_in.url}/{secrets.token_hex(16)}")

        def _send(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The client may have given up (the timeout tests); nothing to tell it then.
            with contextlib.suppress(OSError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib honours proxy variables; loopback requests must not go through one.
    for var in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)


@pytest.fixture
def service() -> Iterator[StandIn]:
    stand_in = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there any more: connections are refused


def fast_request(service: str, size: int, attempts: int = 3) -> str:
    """request_token with backoffs short enough for tests."""
    return request_token(service, size, attempts=attempts, backoff=0.01, timeout=2.0)


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".")


# ---- request_token ---------------------------------------------------------------------------


def test_token_is_requested_for_the_size_and_checked(service: StandIn) -> None:
    url = request_token(service.url, 5)
    assert TOKEN_URL.match(url) and url.startswith(service.url + "/")
    assert service.sizes == ["5"]


def test_trailing_newline_is_tolerated(service: StandIn) -> None:
    service.script = ["{base}/" + "a" * 32 + "\n"]
    assert request_token(service.url, 3) == f"{service.url}/{'a' * 32}"


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ("http://203.0.113.9/" + "a" * 32, "a URL on another host"),
        ("http://127.0.0.1:1/" + "a" * 32, "a URL on another host"),
        ("https://{host}/" + "a" * 32, "a URL on another host"),
        ("<html><body>Welcome to nginx!</body></html>", "an HTML page"),
        ("", "an empty answer"),
        ("{base}/", "a URL that does not name a token"),
        ("{base}/abc?x=1", "a URL that does not name a token"),
        ("{base}/abc def", "text that is not a URL"),
    ],
)
def test_wrong_answer_is_refused_and_not_retried(service: StandIn, answer: str, what: str) -> None:
    answer = answer.replace("{host}", urlsplit(service.url).netloc)
    service.script = [answer]
    with pytest.raises(DiscoveryError) as err:
        fast_request(service.url, 3)
    message = str(err.value)
    assert f"answered with {what} instead of a token URL under {service.url}" in message
    assert "--discovery-url" in message and "--bootstrap static" in message
    assert one_sentence(message)
    if answer.strip():
        assert answer.replace("{base}", service.url) not in message  # never echo a token
    assert service.count == 1


def test_transient_503s_are_retried_then_succeed(service: StandIn) -> None:
    service.script = [503, 429]
    assert TOKEN_URL.match(fast_request(service.url, 3))
    assert service.count == 3


def test_persistent_503_gives_one_sentence_with_the_ways_out(service: StandIn) -> None:
    service.script = [503] * 10
    with pytest.raises(DiscoveryError) as err:
        fast_request(service.url, 3, attempts=3)
    assert str(err.value) == (
        f"Could not get an etcd discovery token from {service.url} (HTTP 503, after 3 attempts); "
        "pass --discovery-url with a token you already have, or --bootstrap static."
    )
    assert service.count == 3


def test_client_errors_are_not_retried(service: StandIn) -> None:
    with pytest.raises(DiscoveryError, match=r"refused the request \(HTTP 404\)") as err:
        fast_request(service.url + "/not-a-discovery-service", 3)
    assert "--bootstrap static" in str(err.value)
    assert service.count == 1


def test_a_stalled_answer_times_out_and_is_retried(service: StandIn) -> None:
    service.script = [1.0]
    started = time.monotonic()
    assert TOKEN_URL.match(request_token(service.url, 3, timeout=0.2, backoff=0.01))
    assert service.count == 2
    assert time.monotonic() - started < 1.0


def test_stall_on_every_attempt_reports_the_timeout(service: StandIn) -> None:
    service.script = [1.0, 1.0]
    with pytest.raises(DiscoveryError, match=r"\(timed out, after 2 attempts\)"):
        request_token(service.url, 3, timeout=0.2, attempts=2, backoff=0.01)


def test_connection_refused_fails_at_once(closed_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(DiscoveryError) as err:
        request_token(f"http://127.0.0.1:{closed_port}", 3)  # default attempts and backoff
    assert time.monotonic() - started < 0.5  # no retries, no backoff sleeps
    message = str(err.value)
    assert "refused the connection" in message and "--discovery-url" in message
    assert one_sentence(message)


# ---- discovery_url_for: reuse through the lab's state ---------------------------------------


def test_token_is_requested_once_then_reused_from_state(service: StandIn, tmp_path: Path) -> None:
    settings = LabSettings(name="lab1", etcd=3, discovery_service=service.url)
    url, new = discovery_url_for(settings, load_state("lab1", tmp_path), base=tmp_path)
    assert new is True and TOKEN_URL.match(url)
    assert service.count == 1

    path = state_path("lab1", tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["discovery_url"] == url

    # A later run reads the state from disk and does not ask the service again.
    again, new = discovery_url_for(settings, load_state("lab1", tmp_path), base=tmp_path)
    assert (again, new) == (url, False)
    assert service.count == 1


def test_discovery_url_flag_bypasses_the_service(service: StandIn, tmp_path: Path) -> None:
    mine = "https://discovery.etcd.io/" + "b" * 32
    settings = LabSettings(name="lab1", discovery_service=service.url, discovery_url=mine)
    assert discovery_url_for(settings, load_state("lab1", tmp_path), base=tmp_path) == (
        mine,
        False,
    )
    assert service.count == 0
    stored = load_state("lab1", tmp_path)
    assert (stored.discovery_url, stored.discovery_size) == (mine, 3)


def test_size_mismatch_is_refused_without_a_request(service: StandIn, tmp_path: Path) -> None:
    settings = LabSettings(name="lab1", etcd=3, discovery_service=service.url)
    url, _ = discovery_url_for(settings, load_state("lab1", tmp_path), base=tmp_path)
    bigger = LabSettings(name="lab1", etcd=5, discovery_service=service.url)
    with pytest.raises(UsageError) as err:
        discovery_url_for(bigger, load_state("lab1", tmp_path), base=tmp_path)
    message = str(err.value)
    assert "cluster size is fixed at 3" in message
    assert "--etcd 3" in message and "coreos-lab down" in message
    assert url not in message and url.rsplit("/", 1)[1] not in message
    assert service.count == 1
    assert load_state("lab1", tmp_path).discovery_url == url  # untouched


def test_failed_request_stores_nothing(service: StandIn, tmp_path: Path) -> None:
    service.script = [500] * 3
    settings = LabSettings(name="lab1", discovery_service=service.url)
    with pytest.raises(DiscoveryError):
        discovery_url_for(
            settings,
            load_state("lab1", tmp_path),
            request=fast_request,
            base=tmp_path,
        )
    assert not state_path("lab1", tmp_path).exists()


def test_labs_have_their_own_tokens(service: StandIn, tmp_path: Path) -> None:
    one = LabSettings(name="lab1", discovery_service=service.url)
    two = LabSettings(name="lab2", discovery_service=service.url)
    url1, _ = discovery_url_for(one, LabState(lab="lab1"), base=tmp_path)
    url2, _ = discovery_url_for(two, LabState(lab="lab2"), base=tmp_path)
    assert url1 != url2
    assert service.count == 2
