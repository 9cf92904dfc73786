"""Lab settings: precedence, derived names, and one clear refusal per bad input."""

from __future__ import annotations

from typing import Any

import pytest

from coreos_lab.errors import UsageError
from coreos_lab.lab.roles import ETCD, HOST, storage_account_name
from coreos_lab.lab.settings import LabSettings
from coreos_lab.lab.sources import load_settings


def load(
    flags: dict[str, Any] | None = None, env: dict[str, str] | None = None, toml: str | None = None
) -> LabSettings:
    return load_settings(flags or {}, env or {}, toml)


def test_defaults_match_the_lab() -> None:
    s = load()
    assert (s.etcd, s.hosts) == (3, 2)
    assert (s.address_space, s.etcd_subnet, s.host_subnet) == (
        "10.0.0.0/16",
        "10.0.0.0/24",
        "10.0.1.0/24",
    )
    assert s.ssh_key.name == "id_rsa_coreos_azure_lab"
    assert not s.etcd_vm_size.startswith("Standard_A")
    assert s.image_sku == "stable-gen2"


def test_flags_beat_env_beat_toml_beat_defaults() -> None:
    toml = '[lab]\nname = "from-toml"\nlocation = "northeurope"\nhosts = 4\netcd = 5\n'
    env = {"COREOS_LAB_LOCATION": "eastus", "COREOS_LAB_HOSTS": "3"}
    s = load({"hosts": 1}, env, toml)
    assert s.hosts == 1  # flag
    assert s.location == "eastus"  # env over toml
    assert s.name == "from-toml"  # toml over default
    assert s.etcd == 5
    assert s.channel == "stable"  # default


def test_azure_subscription_env_is_read() -> None:
    sub = "11111111-2222-3333-4444-555555555555"
    assert load(env={"AZURE_SUBSCRIPTION_ID": sub}).subscription == sub


def test_static_private_ips_skip_azure_reserved_addresses() -> None:
    s = load()
    assert [ETCD.private_ip(s, i) for i in range(3)] == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
    assert HOST.private_ip(s, 0) == "10.0.1.4"


def test_storage_name_is_deterministic_valid_and_unique_per_subscription() -> None:
    s = load({"name": "my-lab"})
    a = storage_account_name(s, "11111111-2222-3333-4444-555555555555")
    assert a == storage_account_name(s, "11111111-2222-3333-4444-555555555555")
    assert a != storage_account_name(s, "99999999-2222-3333-4444-555555555555")
    assert a != storage_account_name(
        load({"name": "my-lab2"}), "11111111-2222-3333-4444-555555555555"
    )
    assert a.isalnum() and a.islower() and 3 <= len(a) <= 24
    assert storage_account_name(load({"storage_account": "mine123"}), "x") == "mine123"


@pytest.mark.parametrize(
    ("flags", "env", "toml", "needle"),
    [
        ({"etcd": 4}, {}, None, "even number adds no fault tolerance"),
        ({"etcd": 9}, {}, None, "use 3, 5 or 7"),
        ({"hosts": 0}, {}, None, "at least one host"),
        ({"name": "Bad_Name"}, {}, None, "Lab name 'Bad_Name'"),
        ({"location": "West Europe"}, {}, None, "not an Azure region"),
        ({"etcd_vm_size": "Standard_A1"}, {}, None, "retired"),
        ({"host_vm_size": "huge"}, {}, None, "not a VM size"),
        ({"etcd_subnet": "10.0.1.0/24"}, {}, None, "overlap"),
        ({"host_subnet": "10.1.0.0/24"}, {}, None, "outside --address-space"),
        ({"address_space": "8.8.0.0/16"}, {}, None, "not a private range"),
        ({"address_space": "10.0.0.1/16"}, {}, None, "not an IPv4 CIDR"),
        ({"ssh_from": "everyone"}, {}, None, "--ssh-from 'everyone'"),
        ({"ssh_from": "203.0.113.7/24"}, {}, None, "host bits"),
        ({"channel": "edge"}, {}, None, "--channel 'edge'"),
        ({"bootstrap": "magic"}, {}, None, "--bootstrap 'magic'"),
        ({"storage_account": "Bad-Name"}, {}, None, "3-24 lowercase"),
        ({"subscription": "abc"}, {}, None, "not a subscription id"),
        ({"host_image_version": "newest"}, {}, None, "not a Flatcar version"),
        ({"discovery_service": "discovery.etcd.io"}, {}, None, "must be a URL"),
        ({"bootstrap": "static", "discovery_url": "https://d.example/abc"}, {}, None, "exclude"),
        ({"hosts": 300, "host_subnet": "10.0.1.0/24"}, {}, None, "room for 251"),
        ({}, {"COREOS_LAB_HOSTS": "two"}, None, "COREOS_LAB_HOSTS must be a whole number"),
        ({}, {}, "[lab]\nhosts = ", "not valid TOML"),
        ({}, {}, "[lab]\ncolour = 'blue'\n", "unknown setting 'colour'"),
        ({}, {}, "[lab]\nhosts = true\n", "must be a whole number"),
    ],
)
def test_bad_input_is_one_clear_sentence(
    flags: dict[str, Any], env: dict[str, str], toml: str | None, needle: str
) -> None:
    with pytest.raises(UsageError) as info:
        load(flags, env, toml)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message and message.endswith((".", ")", "?"))
    assert info.value.exit_code == 2
