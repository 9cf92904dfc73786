"""The pure rules behind a lab's identity (issue 10, items 1-5, 11, 12; issue 12, item 5):
whose group it is, the cluster's fixed shape and token, what a lab remembers, and the hints
that name it. The CLI-level cases are in tests/reliability/."""

from __future__ import annotations

from pathlib import Path

import pytest

from coreos_lab.errors import LabError, UsageError
from coreos_lab.lab.clouds import storage_suffix
from coreos_lab.lab.cluster import Token, built_size, check_etcd_size, token_for
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.tags import TAG_LAB_ID, check_identity, lab_tags
from coreos_lab.local.memory import recall
from coreos_lab.local.state import LabState

SUB = "00000000-0000-4000-8000-000000000001"
OTHER_SUB = "00000000-0000-4000-8000-000000000002"


def _group(lab_id: str | None) -> dict[str, object]:
    return {"name": "lab", "tags": lab_tags("lab", lab_id=lab_id)}


# ---- whose group it is -----------------------------------------------------------------------


def test_the_same_id_is_this_lab() -> None:
    assert check_identity(_group("a" * 32), "lab", "a" * 32, known=True, adopt=False) == "a" * 32


@pytest.mark.parametrize(
    ("local", "known"),
    [("b" * 32, True), (None, False), (None, True)],
    ids=["other", "none", "lost"],
)
def test_another_id_or_no_state_is_refused_naming_the_group_and_adopt(
    local: str | None, known: bool
) -> None:
    with pytest.raises(LabError) as refused:
        check_identity(_group("a" * 32), "lab", local, known=known, adopt=False)
    assert "Resource group lab" in str(refused.value) and "--adopt" in str(refused.value)


def test_adopt_takes_the_groups_id() -> None:
    assert check_identity(_group("a" * 32), "lab", "b" * 32, known=True, adopt=True) == "a" * 32


def test_a_group_without_id_is_this_machines_only_when_it_has_state() -> None:
    assert check_identity(_group(None), "lab", None, known=True, adopt=False) is None
    with pytest.raises(LabError, match="--adopt"):
        check_identity(_group(None), "lab", None, known=False, adopt=False)


def test_only_the_group_carries_the_id() -> None:
    assert TAG_LAB_ID in lab_tags("lab", lab_id="x") and TAG_LAB_ID not in lab_tags("lab", "etcd")


# ---- the cluster: its size and its token -----------------------------------------------------


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


# ---- what a lab remembers ---------------------------------------------------------------------


def _record(**fields: object) -> LabState:
    state = LabState(lab="coreos-lab")
    for name, value in fields.items():
        setattr(state, name, value)
    return state


def test_what_was_not_given_comes_from_the_record() -> None:
    record = _record(cloud="usgov", subscription_id=SUB, ssh_key="/k/lab")
    got = recall(LabSettings(), {}, record)
    assert (got.cloud, got.subscription, got.ssh_key) == ("usgov", SUB, Path("/k/lab"))


def test_the_emulators_subscription_is_its_own() -> None:
    got = recall(
        LabSettings(cloud="emulator"),
        {"cloud": "--cloud"},
        _record(cloud="emulator", subscription_id=SUB),
    )
    assert got.subscription == ""


@pytest.mark.parametrize(
    ("given", "settings", "says"),
    [
        ({"cloud": "COREOS_LAB_CLOUD"}, LabSettings(cloud="china"), "--cloud usgov"),
        (
            {"subscription": "--subscription"},
            LabSettings(subscription="0" * 8 + "-0000-4000-8000-" + "0" * 12),
            SUB,
        ),
        ({"ssh_key": "--ssh-key"}, LabSettings(ssh_key=Path("/k/other")), "/k/lab"),
    ],
    ids=["cloud", "subscription", "key"],
)
def test_a_setting_that_contradicts_the_record_is_refused(
    given: dict[str, str], settings: LabSettings, says: str
) -> None:
    record = _record(cloud="usgov", subscription_id=SUB, ssh_key="/k/lab")
    with pytest.raises(UsageError) as refused:
        recall(settings, given, record)
    assert says in str(refused.value) and next(iter(given.values())) in str(refused.value)


def test_the_same_key_given_again_is_fine() -> None:
    record = _record(ssh_key="/k/lab")
    assert recall(
        LabSettings(ssh_key=Path("/k/lab")), {"ssh_key": "--ssh-key"}, record
    ).ssh_key == Path("/k/lab")


# ---- hints and clouds -------------------------------------------------------------------------


def test_hints_carry_the_flags_that_select_the_lab() -> None:
    assert lab_command("up", LabSettings()) == "coreos-lab up"
    assert lab_command("down", LabSettings(name="my-lab", cloud="emulator")) == (
        "coreos-lab down --name my-lab --cloud emulator"
    )
    assert lab_command("up", LabSettings(subscription=SUB)) == f"coreos-lab up --subscription {SUB}"


def test_each_cloud_has_its_storage_suffix() -> None:
    assert storage_suffix("azure") == storage_suffix("emulator") == "core.windows.net"
    assert storage_suffix("usgov") == "core.usgovcloudapi.net"
    assert storage_suffix("china") == "core.chinacloudapi.cn"
