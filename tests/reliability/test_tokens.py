"""A discovery token belongs to one cluster, and a cluster's shape is fixed once it exists;
a hostile discovery service costs one sentence and no writes.

The discovery service is a real HTTP server on 127.0.0.1 that counts the tokens it hands out.
"""

from __future__ import annotations

import pytest

from tests.reliability.harness import DiscoveryService, User, one_sentence


def _discovery(user: User, service: DiscoveryService) -> None:
    user.env.update(COREOS_LAB_BOOTSTRAP="discovery", COREOS_LAB_DISCOVERY_SERVICE=service.url)


def test_a_stored_token_is_reused_while_its_cluster_exists(
    alice: User, discovery: DiscoveryService
) -> None:
    _discovery(alice, discovery)
    alice.up()
    token = alice.state()["discovery_url"]
    out = alice.up()
    assert len(discovery.tokens) == 1 and alice.state()["discovery_url"] == token
    assert token not in out.stdout + out.stderr, "a token is a capability: never printed"
    assert alice.state_file().stat().st_mode & 0o777 == 0o600


def test_a_group_deleted_outside_gets_a_new_token_and_up_says_so(
    alice: User, discovery: DiscoveryService
) -> None:
    _discovery(alice, discovery)
    alice.up()
    spent = alice.state()["discovery_url"]
    alice.emulator.delete_group_outside(alice.lab)
    out = alice.up()
    assert len(discovery.tokens) == 2, "the spent token bootstrapped a cluster that is gone"
    assert alice.state()["discovery_url"] == discovery.tokens[1] != spent
    assert "new" in out.stdout.lower() and "token" in out.stdout.lower()


def test_every_etcd_vm_deleted_gets_a_new_token(alice: User, discovery: DiscoveryService) -> None:
    _discovery(alice, discovery)
    alice.up()
    alice.emulator.delete_vms_outside(alice.lab, "etcd0", "etcd1", "etcd2")
    alice.up()
    assert len(discovery.tokens) == 2
    assert alice.state()["discovery_url"] == discovery.tokens[1]


def test_etcd_vms_without_a_known_token_refuse_before_any_write(
    alice: User, discovery: DiscoveryService
) -> None:
    _discovery(alice, discovery)
    alice.up()
    alice.emulator.delete_vms_outside(alice.lab, "etcd2")
    alice.state_file().unlink()
    alice.emulator.admin.clear_requests()
    out = alice.run("up")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout[-1500:] + out.stderr
    assert "--discovery-url" in out.stderr
    assert len(discovery.tokens) == 1, "a second token would split the cluster"
    assert alice.emulator.writes(alice.lab) == []


def test_changing_etcd_of_a_discovery_lab_is_refused_before_any_write(
    alice: User, discovery: DiscoveryService
) -> None:
    _discovery(alice, discovery)
    alice.up()
    alice.emulator.admin.clear_requests()
    out = alice.run("up", "--etcd", "5")
    assert out.returncode == 2 and one_sentence(out.stderr), out.stderr
    assert "--etcd 3" in out.stderr
    assert alice.emulator.writes(alice.lab) == [] and len(discovery.tokens) == 1


def test_changing_etcd_of_a_static_lab_is_refused_before_any_write(alice: User) -> None:
    alice.up()
    alice.emulator.admin.clear_requests()
    out = alice.run("up", "--etcd", "5")
    assert out.returncode != 0 and one_sentence(out.stderr), out.stdout[-1500:] + out.stderr
    assert "--etcd 3" in out.stderr
    assert alice.emulator.writes(alice.lab) == []
    assert len(alice.emulator.resources(alice.lab, "Microsoft.Compute/virtualMachines")) == 4


@pytest.mark.parametrize(
    ("mode", "what"), [("html", "an HTML page"), ("other-host", "a URL on another host")]
)
def test_a_discovery_service_that_answers_no_token_costs_one_sentence_and_no_writes(
    alice: User, discovery: DiscoveryService, mode: str, what: str
) -> None:
    _discovery(alice, discovery)
    discovery.mode = mode
    out = alice.run("up")
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert what in out.stderr and "--discovery-url" in out.stderr
    assert discovery.requests == ["/new?size=3"]
    assert alice.emulator.writes() == []
    assert not alice.state_file().exists() or alice.state().get("discovery_url") is None


def test_a_discovery_service_nobody_listens_on_is_one_sentence(alice: User) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    alice.env.update(
        COREOS_LAB_BOOTSTRAP="discovery", COREOS_LAB_DISCOVERY_SERVICE=f"http://127.0.0.1:{port}"
    )
    out = alice.run("up")
    assert out.returncode == 1 and one_sentence(out.stderr), out.stderr
    assert "refused the connection" in out.stderr
    assert alice.emulator.writes() == []


def test_discovery_url_given_is_used_and_no_token_is_requested(
    alice: User, discovery: DiscoveryService
) -> None:
    _discovery(alice, discovery)
    given = f"{discovery.url}/{'ab' * 16}"
    alice.up("--discovery-url", given)
    assert discovery.requests == []
    assert alice.state()["discovery_url"] == given
