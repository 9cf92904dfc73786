"""What a lab remembers of its settings, and how that fills in what a command was not given."""

from __future__ import annotations

from pathlib import Path

import pytest

from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings
from coreos_lab.local.memory import recall
from coreos_lab.local.state import LabState

SUB = "00000000-0000-4000-8000-000000000001"


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
