"""The cluster's fixed shape and token: its size, and when a discovery token is reused."""

from __future__ import annotations

import pytest

from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.cluster import Token, built_size, check_etcd_size, token_for
from coreos_lab.lab.settings import LabSettings


def test_the_size_is_the_recorded_one_else_the_highest_member() -> None:
    assert built_size(None, []) is None
    assert built_size(3, ["etcd0"]) == 3
    assert built_size(None, ["etcd0", "etcd4"]) == 5


def test_another_etcd_size_is_refused_once_members_exist() -> None:
    check_etcd_size(LabSettings(etcd=5), 3, [])  # the cluster is gone: a new one may differ
    with pytest.raises(UsageError, match="--etcd 3"):
        check_etcd_size(LabSettings(etcd=5), 3, ["etcd0", "etcd1", "etcd2"])


def test_a_token_is_reused_only_while_its_cluster_has_members() -> None:
    url = "https://discovery.example/abc"
    assert token_for(LabSettings(), url, ["etcd0"]) is Token.REUSE
    assert token_for(LabSettings(), url, []) is Token.RENEW
    assert token_for(LabSettings(), None, []) is Token.NEW
    assert token_for(LabSettings(discovery_url=url), None, ["etcd0"]) is Token.GIVEN
    with pytest.raises(LabError, match="--discovery-url"):
        token_for(LabSettings(), None, ["etcd0", "etcd1"])
