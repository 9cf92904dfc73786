"""Whose group it is: the lab id its tags carry, against this machine's state."""

from __future__ import annotations

import pytest

from coreos_lab.errors import LabError
from coreos_lab.lab.tags import TAG_LAB_ID, check_identity, lab_tags


def _group(lab_id: str | None) -> dict[str, object]:
    return {"name": "lab", "tags": lab_tags("lab", lab_id=lab_id)}


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
