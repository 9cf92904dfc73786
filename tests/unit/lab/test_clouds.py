"""The cloud rows answer what differs between clouds, so no code tests a cloud's name."""

from __future__ import annotations

from coreos_lab.azure.errors import describe
from coreos_lab.lab.clouds import CLOUD_NAMES, cloud_of
from coreos_lab.lab.hints import lab_command
from coreos_lab.lab.settings import LabSettings


def test_only_the_emulator_is_local_and_ignores_subscriptions() -> None:
    local = [name for name in CLOUD_NAMES if cloud_of(name).local]
    assert local == ["emulator"]
    assert [n for n in CLOUD_NAMES if not cloud_of(n).subscription_applies] == local
    assert cloud_of("emulator").described == "the local emulator"
    assert cloud_of("usgov").described == "cloud usgov"


def test_a_hint_names_the_subscription_only_where_it_chooses_something() -> None:
    sub = "11111111-2222-3333-4444-555555555555"
    azure = LabSettings(name="l1", cloud="usgov", subscription=sub)
    emulated = LabSettings(name="l1", cloud="emulator", subscription=sub)
    assert f"--subscription {sub}" in lab_command("up", azure)
    assert "--subscription" not in lab_command("up", emulated)


def test_a_refused_token_is_worded_for_the_cloud_that_refused_it() -> None:
    from azure.core.exceptions import HttpResponseError

    exc = HttpResponseError(message="the token was refused")
    exc.status_code = 401
    emulated = describe(exc, "the lab", "https://127.0.0.1:1", cloud=cloud_of("emulator"))
    assert "COREOS_LAB_EMULATOR_DIR" in emulated and "127.0.0.1:1" in emulated
    assert "COREOS_LAB_EMULATOR_DIR" not in describe(exc, "the lab", cloud=cloud_of("azure"))


def test_retries_back_off_less_against_the_emulator_and_china_is_unpriced() -> None:
    assert cloud_of("emulator").retry_backoff_max < cloud_of("azure").retry_backoff_max
    assert cloud_of("china").unpriced and not cloud_of("azure").unpriced
