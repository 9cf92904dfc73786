"""The roster and the class's labs: each mistake named by its line, each student's lab derived."""

from __future__ import annotations

from pathlib import Path

import pytest

from coreos_lab.classroom.labs import class_labs, lab_name
from coreos_lab.classroom.roster import parse_roster
from coreos_lab.errors import UsageError
from coreos_lab.lab.settings import LabSettings


def test_roster_reads_students_and_optional_columns(tmp_path: Path) -> None:
    text = (
        "\ufeffStudent,SSH_From,public_key,location\n"
        'Alice,"203.0.113.0/24,198.51.100.7",keys/alice.pub,\n'
        "bob,,,northeurope\n"
        "\n"
        "carol\n"
    )
    roster = parse_roster(text, "class.csv", tmp_path)
    assert roster.names == ["alice", "bob", "carol"]
    alice, bob, carol = roster.students
    assert alice.ssh_from == "203.0.113.0/24,198.51.100.7"
    assert alice.public_key == tmp_path / "keys/alice.pub"
    assert bob.location == "northeurope" and bob.public_key is None
    assert carol.line == 5


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", "is empty"),
        ("name\nalice\n", "class.csv:1: the header has no 'student' column"),
        ("student,email\nalice,a@x\n", "unknown column 'email'"),
        ("student\n", "has a header but no students"),
        ("student\nalice\nAlice\n", "class.csv:3: student 'alice' is also on line 2"),
        ("student\n-alice\n", "class.csv:2: student '-alice' is not usable"),
        ("student,ssh_from\nalice,0.0.0.0/0\n", "class.csv:2: ssh_from"),
        ("student,location\nalice,West Europe\n", "class.csv:2: location 'West Europe'"),
        ("student\nalice,203.0.113.0/24\n", "class.csv:2: 2 cells for 1 columns"),
        ("student,student\nalice,bob\n", "the column 'student' appears twice"),
    ],
)
def test_roster_mistakes_are_named_by_line(text: str, sentence: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_roster(text, "class.csv")
    assert sentence in str(caught.value)


def test_each_student_gets_own_lab_key_and_settings(tmp_path: Path) -> None:
    roster = parse_roster(
        "student,ssh_from,public_key,location\nalice,203.0.113.7/32,/k/alice.pub,\nbob,,,uksouth\n",
        "class.csv",
    )
    base = LabSettings(ssh_from="198.51.100.0/24", storage_account="shared123")
    alice, bob = class_labs(roster, base, "cs101", tmp_path)
    assert alice.name == lab_name("cs101", "alice") == "cs101-alice"
    assert alice.settings.resource_group == "cs101-alice"
    assert alice.settings.ssh_from == "203.0.113.7/32"
    assert alice.settings.ssh_public_key == Path("/k/alice.pub")
    assert bob.settings.ssh_from == "198.51.100.0/24" and bob.settings.location == "uksouth"
    assert bob.settings.ssh_key == tmp_path / "cs101-bob" and bob.settings.ssh_public_key is None
    assert alice.settings.storage_account == bob.settings.storage_account == ""


def test_class_names_that_cannot_be_labs_are_refused(tmp_path: Path) -> None:
    roster = parse_roster("student\n" + "a" * 30 + "\n", "class.csv")
    with pytest.raises(UsageError, match="longer than 40 characters"):
        class_labs(roster, LabSettings(), "prefix-of-15ch", tmp_path)
    with pytest.raises(UsageError, match="--prefix 'Bad_' is not usable"):
        class_labs(roster, LabSettings(), "Bad_", tmp_path)


def test_every_roster_mistake_is_named_in_one_pass() -> None:
    text = (
        "student,ssh_from,location\n"
        "alice,0.0.0.0/0,\n"
        "bob,,West Europe\n"
        "carol,,\n"
        "Carol,,\n"
        "dan,203.0.113.0/24,westeurope,extra\n"
    )
    with pytest.raises(UsageError) as caught:
        parse_roster(text, "class.csv")
    lines = str(caught.value).splitlines()
    assert lines[0] == "The roster class.csv has 4 mistakes; fix them and run again:"
    assert [line.split(":")[1] for line in lines[1:]] == ["2", "3", "5", "6"]


def test_every_student_whose_lab_cannot_be_built_is_named(tmp_path: Path) -> None:
    roster = parse_roster("student\n" + "a" * 30 + "\nbob\n" + "c" * 31 + "\n", "class.csv")
    with pytest.raises(UsageError) as caught:
        class_labs(roster, LabSettings(), "prefix-of-15ch", tmp_path)
    text = str(caught.value)
    assert "has 2 mistakes" in text and "class.csv:2:" in text and "class.csv:4:" in text
    assert "class.csv:3:" not in text
