"""The generated #cloud-config: YAML that reads back as the document, accepted by
coreos-cloudinit's schema, within Azure's custom data limit, and the same machines as the
Ignition; and the validator refuses what coreos-cloudinit's validator reports."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
import yaml

from coreos_lab.azure.diff import Action, decide
from coreos_lab.boot import cloudconfig, formats, ignition, machine_config
from coreos_lab.boot.cloudconfig_schema import problems
from coreos_lab.boot.machine_config import EtcdBootstrap
from coreos_lab.errors import LabError
from coreos_lab.lab.kinds import VM
from coreos_lab.lab.plan import PlanInputs, build_plan
from coreos_lab.lab.roles import ETCD
from coreos_lab.lab.settings import PROVISIONINGS, LabSettings
from coreos_lab.lab.sources import load_settings
from coreos_lab.lab.tags import TAG_CUSTOM_DATA

DISCOVERY = "https://discovery.etcd.io/0123456789abcdef0123456789abcdef"


def _members(size: int) -> tuple[tuple[str, str], ...]:
    return ETCD.members(LabSettings(etcd=size))


def all_machines() -> list[tuple[str, machine_config.MachineConfig]]:
    machines = []
    for size in (3, 5, 7):
        members = _members(size)
        for mode, url in (("discovery", DISCOVERY), ("static", None)):
            for name, _ in members:
                machines.append(
                    (
                        f"{size}-{mode}-{name}",
                        machine_config.etcd_member(name, EtcdBootstrap(url, members)),
                    )
                )
        machines.append((f"{size}-host0", machine_config.container_host("host0", members)))
    return machines


MACHINES = all_machines()
IDS = [label for label, _ in MACHINES]


def parse(text: str) -> Any:
    return yaml.safe_load(text)


# --- the text is the document, and coreos-cloudinit accepts it ----------------------------------


@pytest.mark.parametrize(("label", "machine"), MACHINES, ids=IDS)
def test_every_document_reads_back_and_passes_the_schema(
    label: str, machine: machine_config.MachineConfig
) -> None:
    document = cloudconfig.config_of(machine)
    text = cloudconfig.render(document)
    assert text.startswith("#cloud-config\n")
    assert parse(text) == document
    assert problems(text, parse(text)) == []
    data = cloudconfig.custom_data(document)
    assert len(data) < cloudconfig.azure_custom_data.CUSTOM_DATA_LIMIT
    assert base64.b64decode(data).decode() == text


def test_block_strings_keep_every_character() -> None:
    odd = {"hostname": "h", "write_files": [{"path": "/etc/x", "content": " lead\ntrail \n"}]}
    for content in (" lead\n", "trail \n", "a\n\n", "tab\there\n", "no newline", "#x\n- y\n"):
        odd["write_files"][0]["content"] = content
        assert parse(cloudconfig.render(odd)) == odd, content


@pytest.mark.parametrize("token", cloudconfig.SUBSTITUTED)
def test_tokens_coreos_cloudinit_would_substitute_are_refused(token: str) -> None:
    document = cloudconfig.container_host_config("host0", _members(3))
    document["write_files"][0]["content"] += f"X={token}\n"
    with pytest.raises(ValueError, match="replaced by coreos-cloudinit"):
        cloudconfig.render(document)


def test_oversized_custom_data_is_refused() -> None:
    document = cloudconfig.container_host_config("host0", _members(3))
    document["write_files"].append({"path": "/etc/big", "content": "x" * 70_000})
    with pytest.raises(LabError, match=r"cloud-config is .* over Azure's custom data limit"):
        cloudconfig.custom_data(document)


# --- the validator refuses what coreos-cloudinit's validator reports ---------------------------


def _good() -> dict[str, Any]:
    return copy.deepcopy(cloudconfig.container_host_config("host0", _members(3)))


def _broken(change: str) -> tuple[str, dict[str, Any]]:
    doc = _good()
    unit = doc["coreos"]["units"][0]
    if change == "unknown top-level key":
        doc["runcmd"] = ["echo hi"]
    elif change == "unknown unit key":
        unit["enabled"] = unit.pop("enable")
    elif change == "unknown drop-in key":
        unit["drop_ins"][0]["contents"] = unit["drop_ins"][0].pop("content")
    elif change == "list where a struct is wanted":
        doc["coreos"] = [doc["coreos"]]
    elif change == "string where a bool is wanted":
        unit["enable"] = "yes"
    elif change == "bad unit command":
        unit["command"] = "enable"
    elif change == "bad permissions":
        doc["write_files"][0]["permissions"] = "0999"
    elif change == "bad reboot strategy":
        doc["coreos"]["update"] = {"reboot_strategy": "etcd_lock"}
    elif change == "file under /usr":
        doc["write_files"][0]["path"] = "/usr/share/flatcar/update.conf"
        doc["write-files"] = doc.pop("write_files")  # read as write_files, and still checked
    elif change == "deprecated etcd2":
        doc["coreos"]["etcd2"] = {"discovery": DISCOVERY}
    elif change == "undecodable content":
        doc["write_files"][0].update(encoding="base64", content="not base64!")
    elif change == "null value":
        doc["hostname"] = None
    return change, doc


CHANGES = [
    ("unknown top-level key", "unrecognized key 'runcmd'"),
    ("unknown unit key", "unrecognized key 'coreos.units[0].enabled'"),
    ("unknown drop-in key", "unrecognized key 'coreos.units[0].drop_ins[0].contents'"),
    ("list where a struct is wanted", "incorrect type for 'coreos' (want struct)"),
    ("string where a bool is wanted", "incorrect type for 'coreos.units[0].enable' (want bool)"),
    ("bad unit command", "invalid value 'enable' for 'coreos.units[0].command'"),
    ("bad permissions", "invalid value '0999'"),
    ("bad reboot strategy", "invalid value 'etcd_lock'"),
    ("file under /usr", "read-only filesystem"),
    ("deprecated etcd2", "deprecated key 'coreos.etcd2'"),
    ("undecodable content", "cannot be decoded as 'base64'"),
    ("null value", "incorrect type for 'hostname'"),
]


@pytest.mark.parametrize(("change", "message"), CHANGES, ids=[c for c, _ in CHANGES])
def test_the_validator_refuses_a_broken_document(change: str, message: str) -> None:
    _, doc = _broken(change)
    # Through real YAML text, as coreos-cloudinit gets it.
    text = "#cloud-config\n" + yaml.safe_dump(doc, sort_keys=False)
    found = problems(text, parse(text))
    assert any(message in p for p in found), found
    with pytest.raises(ValueError, match="coreos-cloudinit would refuse"):
        cloudconfig.render(doc)


def test_dashes_in_keys_read_as_underscores_and_scalars_fit_string_fields() -> None:
    text = (
        "#cloud-config\nhostname: 7\ncoreos:\n  update:\n    reboot-strategy: off\n"
        "  units:\n    - name: a.service\n      drop-ins:\n        - name: x.conf\n"
        "          content: '[Unit]'\nwrite_files:\n  - path: /etc/a\n    permissions: '644'\n"
    )
    # YAML 1.1 reads "off" as false; coreos-cloudinit's typed read gives "off" back, and an
    # empty/false value passes the pattern, so both accept it.
    assert problems(text, parse(text)) == []


@pytest.mark.parametrize("first", ["cloud-config", "#cloud-config: yes", "{}", ""])
def test_the_first_line_must_be_the_header(first: str) -> None:
    text = f"{first}\nhostname: h\n"
    assert problems(text, {"hostname": "h"})[0].startswith('line 1: must be "#cloud-config"')


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    found = problems("#cloud-config\n- a\n", ["a"])
    assert found == ["the document is a list, not a mapping of keys"]


# --- the same machines as the Ignition ---------------------------------------------------------


@pytest.mark.parametrize(("label", "machine"), MACHINES, ids=IDS)
def test_cloud_config_and_ignition_carry_the_same_units_and_drop_ins(
    label: str, machine: machine_config.MachineConfig
) -> None:
    cc = cloudconfig.config_of(machine)
    ign = ignition.config_of(machine)
    cc_units = {u["name"]: u for u in cc["coreos"]["units"]}
    for unit in ign["systemd"]["units"]:
        mirror = cc_units[unit["name"]]
        assert mirror.get("enable", False) == unit.get("enabled", False)
        assert (mirror.get("command") == "start") == unit.get("enabled", False)
        assert [(d["name"], d["content"]) for d in mirror.get("drop_ins", [])] == [
            (d["name"], d["contents"]) for d in unit.get("dropins", [])
        ]
    extra = set(cc_units) - {u["name"] for u in ign["systemd"]["units"]}
    assert extra == set(cloudconfig.UPDATE_SERVICES)
    assert all(cc_units[name] == {"name": name, "command": "restart"} for name in extra)
    assert cc["hostname"] == machine.hostname


# --- integration: settings and plan ------------------------------------------------------------


def test_provisioning_setting_flag_env_toml_and_refusal() -> None:
    assert PROVISIONINGS == formats.FORMATS
    assert load_settings({}, {}).provisioning == "ignition"
    env = {"COREOS_LAB_PROVISIONING": "cloud-config"}
    assert load_settings({}, env).provisioning == "cloud-config"
    toml = '[lab]\nprovisioning = "cloud-config"\n'
    assert load_settings({}, {}, toml).provisioning == "cloud-config"
    assert load_settings({"provisioning": "ignition"}, env, toml).provisioning == "ignition"
    with pytest.raises(Exception, match="--provisioning 'cloudinit' is not one of"):
        load_settings({"provisioning": "cloudinit"}, {})


INPUTS = PlanInputs(
    subscription_id="11111111-2222-3333-4444-555555555555",
    ssh_public_key="ssh-ed25519 AAAA test",
    discovery_url=DISCOVERY,
    etcd_image_version="4593.2.5",
    host_image_version="4459.2.2",
)


def _vms(provisioning_format: str) -> dict[str, Any]:
    settings = load_settings(
        {"ssh_from": "203.0.113.7/32", "provisioning": provisioning_format}, {}
    )
    return {r.name: r for r in build_plan(settings, INPUTS).of_kind(VM)}


def test_plan_carries_the_chosen_format_and_a_change_is_drift() -> None:
    ign, cc = _vms("ignition"), _vms("cloud-config")
    assert ign.keys() == cc.keys()
    for name, vm in cc.items():
        data = vm.body["properties"]["osProfile"]["customData"]
        text = base64.b64decode(data).decode()
        assert text.startswith("#cloud-config\n") and problems(text, parse(text)) == []
        assert formats.label(data) == "cloud-config"
        assert vm.summary["custom data"].startswith("cloud-config, ")
        assert vm.body["tags"][TAG_CUSTOM_DATA] != ign[name].body["tags"][TAG_CUSTOM_DATA]
        # ARM's answer for the lab built with Ignition: the custom data is drift, as any change.
        built = copy.deepcopy(ign[name].body)
        built["properties"]["provisioningState"] = "Succeeded"
        action, why = decide(vm, built)
        assert action is Action.DRIFT and TAG_CUSTOM_DATA in why
        assert decide(ign[name], built)[0] is Action.KEEP
