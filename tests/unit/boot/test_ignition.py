"""The generated Ignition: valid for Flatcar's Ignition (checked by ignition-validate), within
Azure's custom data limit, and carrying the settings the lab depends on."""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from coreos_lab.boot import ignition
from coreos_lab.boot.ignition import EtcdBootstrap
from coreos_lab.errors import LabError
from coreos_lab.lab.roles import ETCD
from coreos_lab.lab.settings import LabSettings

VALIDATE = shutil.which("ignition-validate") or "/usr/bin/ignition-validate"
DISCOVERY = "https://discovery.etcd.io/0123456789abcdef0123456789abcdef"


def _members(size: int) -> tuple[tuple[str, str], ...]:
    settings = LabSettings(etcd=size)
    return ETCD.members(settings)


def _need_validator() -> None:
    if Path(VALIDATE).exists():
        return
    reason = "ignition-validate is missing: install Debian's `ignition` package"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI must run this check)")
    pytest.skip(reason)


def validate(config: dict[str, Any] | str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    _need_validator()
    text = config if isinstance(config, str) else ignition.render(config)
    path = tmp_path / "config.ign"
    path.write_text(text)
    return subprocess.run(
        [VALIDATE, str(path)], capture_output=True, text=True, timeout=30, check=False
    )


def assert_valid(config: dict[str, Any], tmp_path: Path) -> None:
    result = validate(config, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"ignition-validate refused the config: {output}"
    assert "warning" not in output.lower(), f"ignition-validate warned: {output}"


def all_configs() -> list[tuple[str, dict[str, Any]]]:
    configs = []
    for size in ignition_sizes():
        members = _members(size)
        for name, _ in members:
            configs.append(
                (f"{size}-discovery-{name}", ignition.etcd_member_config(name, _disc(members)))
            )
            configs.append(
                (f"{size}-static-{name}", ignition.etcd_member_config(name, _static(members)))
            )
        configs.append((f"{size}-host0", ignition.container_host_config("host0", members)))
    return configs


def ignition_sizes() -> tuple[int, ...]:
    return (3, 5, 7)


def _disc(members: tuple[tuple[str, str], ...]) -> EtcdBootstrap:
    return EtcdBootstrap(discovery_url=DISCOVERY, members=members)


def _static(members: tuple[tuple[str, str], ...]) -> EtcdBootstrap:
    return EtcdBootstrap(discovery_url=None, members=members)


def etcd_dropin(config: dict[str, Any]) -> str:
    (unit,) = [u for u in config["systemd"]["units"] if u["name"] == "etcd-member.service"]
    assert unit["enabled"] is True
    (dropin,) = unit["dropins"]
    return str(dropin["contents"])


def file_text(config: dict[str, Any], path: str) -> str:
    (entry,) = [f for f in config["storage"]["files"] if f["path"] == path]
    source = entry["contents"]["source"]
    assert source.startswith("data:,")
    return urllib.parse.unquote(source.removeprefix("data:,"))


# --- validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "config"), all_configs(), ids=[c[0] for c in all_configs()])
def test_every_generated_config_passes_ignition_validate(
    label: str, config: dict[str, Any], tmp_path: Path
) -> None:
    assert config["ignition"]["version"] == "3.3.0"
    assert_valid(config, tmp_path)


def _broken(change: str) -> dict[str, Any]:
    config = copy.deepcopy(ignition.container_host_config("host0", _members(3)))
    if change == "unknown key":
        config["systemd"]["units"][1]["enabeld"] = config["systemd"]["units"][1].pop("enabled")
    elif change == "wrong version":
        config["ignition"]["version"] = "2.0.0"
    elif change == "bad type":
        config["systemd"]["units"][1]["enabled"] = "yes"
    return config


@pytest.mark.parametrize("change", ["unknown key", "wrong version", "bad type"])
def test_ignition_validate_catches_a_broken_config(change: str, tmp_path: Path) -> None:
    result = validate(_broken(change), tmp_path)
    output = (result.stdout + result.stderr).lower()
    # A broken config is either refused outright or warned about; both must be visible.
    assert result.returncode != 0 or "warning" in output, f"{change} went unnoticed: {output}"
    if change == "unknown key":
        assert "enabeld" in output
    if change == "wrong version":
        assert result.returncode != 0 and "version" in output


def test_not_json_is_refused(tmp_path: Path) -> None:
    result = validate('{"ignition": {"version": "3.3.0"}', tmp_path)
    assert result.returncode != 0


# --- size -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["discovery", "static"])
def test_custom_data_of_a_seven_member_lab_is_within_azure_limit(mode: str) -> None:
    members = _members(7)
    bootstrap = _disc(members) if mode == "discovery" else _static(members)
    for config in (
        ignition.etcd_member_config("etcd6", bootstrap),
        ignition.container_host_config("host0", members),
    ):
        data = ignition.custom_data(config)
        assert len(data) < ignition.CUSTOM_DATA_LIMIT
        # custom data is the rendered JSON, base64: Ignition reads back the same config.
        assert json.loads(base64.b64decode(data)) == config


def test_oversized_custom_data_is_refused() -> None:
    config = ignition.container_host_config("host0", _members(3))
    config["storage"]["files"].append(
        {"path": "/etc/big", "contents": {"source": "data:," + "x" * 70_000}}
    )
    with pytest.raises(LabError, match="87380"):
        ignition.custom_data(config)


def test_render_is_compact_and_stable() -> None:
    config = ignition.container_host_config("host0", _members(3))
    text = ignition.render(config)
    assert "\n" not in text and ": " not in text
    assert text == ignition.render(json.loads(text))


# --- content ----------------------------------------------------------------------------------


def test_etcd_member_enables_v2_and_pins_etcd_35() -> None:
    dropin = etcd_dropin(ignition.etcd_member_config("etcd0", _disc(_members(3))))
    assert "Environment=ETCD_ENABLE_V2=true" in dropin
    assert "Environment=ETCD_NAME=etcd0" in dropin
    assert "Environment=ETCD_IMAGE_TAG=v3.5." in dropin
    assert "Requires=coreos-metadata.service" in dropin
    assert "After=coreos-metadata.service" in dropin
    assert "EnvironmentFile=/run/metadata/flatcar" in dropin


def test_ip_dependent_urls_are_on_the_command_line_not_in_environment() -> None:
    dropin = etcd_dropin(ignition.etcd_member_config("etcd1", _static(_members(3))))
    lines = dropin.splitlines()
    assert "ExecStart=" in lines, "the unit's own ExecStart must be cleared first"
    (exec_start,) = [line for line in lines if line.startswith("ExecStart=/")]
    assert exec_start.startswith("ExecStart=/usr/lib/flatcar/etcd-wrapper $ETCD_OPTS ")
    ip_url = "http://${COREOS_AZURE_IPV4_DYNAMIC}"
    for flag in (
        f"--advertise-client-urls={ip_url}:2379",
        f"--listen-client-urls={ip_url}:2379,http://127.0.0.1:2379",
        f"--listen-peer-urls={ip_url}:2380",
        f"--initial-advertise-peer-urls={ip_url}:2380",
    ):
        assert flag in exec_start.split()
    for line in lines:
        if line.startswith("Environment="):
            assert "$" not in line, f"systemd does not expand variables in {line}"


def test_discovery_url_only_in_discovery_mode() -> None:
    members = _members(3)
    disc = etcd_dropin(ignition.etcd_member_config("etcd0", _disc(members)))
    static = etcd_dropin(ignition.etcd_member_config("etcd0", _static(members)))
    assert f"Environment=ETCD_DISCOVERY={DISCOVERY}" in disc
    assert "ETCD_INITIAL_CLUSTER" not in disc
    assert "ETCD_DISCOVERY" not in static
    assert "discovery.etcd.io" not in static


@pytest.mark.parametrize("size", [3, 5, 7])
def test_static_initial_cluster_lists_every_member(size: int) -> None:
    members = _members(size)
    dropin = etcd_dropin(ignition.etcd_member_config("etcd0", _static(members)))
    expected = ",".join(f"{name}=http://{ip}:2380" for name, ip in members)
    assert f"Environment=ETCD_INITIAL_CLUSTER={expected}" in dropin.splitlines()
    assert "Environment=ETCD_INITIAL_CLUSTER_STATE=new" in dropin.splitlines()
    assert "Environment=ETCD_INITIAL_CLUSTER_TOKEN=coreos-lab-" in dropin


def test_static_members_agree_on_everything_but_their_name() -> None:
    members = _members(5)
    dropins = [
        etcd_dropin(ignition.etcd_member_config(name, _static(members))).replace(
            f"ETCD_NAME={name}\n", "ETCD_NAME=NAME\n"
        )
        for name, _ in members
    ]
    assert len(set(dropins)) == 1


@pytest.mark.parametrize("size", [3, 5, 7])
def test_host_gateway_lists_every_etcd_endpoint(size: int) -> None:
    members = _members(size)
    dropin = etcd_dropin(ignition.container_host_config("host1", members))
    (exec_start,) = [line for line in dropin.splitlines() if line.startswith("ExecStart=/")]
    words = exec_start.removeprefix("ExecStart=").split()
    assert words[:3] == ["/usr/lib/flatcar/etcd-wrapper", "gateway", "start"]
    assert f"--endpoints={','.join(f'{ip}:2379' for _, ip in members)}" in words
    assert "--listen-addr=127.0.0.1:2379" in words


def test_host_runs_flannel_and_docker_and_holds_updates() -> None:
    config = ignition.container_host_config("host0", _members(3))
    enabled = {u["name"] for u in config["systemd"]["units"] if u.get("enabled")}
    assert {"flanneld.service", "docker.service", "etcd-member.service"} <= enabled
    update = file_text(config, "/etc/flatcar/update.conf").splitlines()
    assert "SERVER=disabled" in update
    assert "REBOOT_STRATEGY=etcd-lock" in update
    (entry,) = [f for f in config["storage"]["files"] if f["path"] == "/etc/flatcar/update.conf"]
    assert entry["mode"] == 0o644
    assert file_text(config, "/etc/hostname") == "host0\n"


def test_etcd_members_update_but_reboot_through_the_lock() -> None:
    config = ignition.etcd_member_config("etcd2", _disc(_members(3)))
    update = file_text(config, "/etc/flatcar/update.conf").splitlines()
    assert update == ["REBOOT_STRATEGY=etcd-lock"]
    assert file_text(config, "/etc/hostname") == "etcd2\n"


def test_no_ssh_key_in_ignition() -> None:
    for _, config in all_configs():
        assert "passwd" not in config
        assert "ssh-" not in ignition.render(config)


def test_percent_in_discovery_url_is_escaped_for_systemd() -> None:
    url = "http://192.0.2.10:2379/v2/keys/_etcd/registry/a%2Fb"
    dropin = etcd_dropin(
        ignition.etcd_member_config("etcd0", EtcdBootstrap(url, members=_members(3)))
    )
    assert "ETCD_DISCOVERY=http://192.0.2.10:2379/v2/keys/_etcd/registry/a%%2Fb" in dropin


@pytest.mark.parametrize(
    ("name", "bootstrap", "why"),
    [
        ("etcd9", EtcdBootstrap(None, (("etcd0", "10.0.0.4"),)), "not one of the etcd members"),
        ("Etcd0", EtcdBootstrap(DISCOVERY, ()), "not a valid machine name"),
        ("etcd0", EtcdBootstrap("ftp://x", ()), "not an http\\(s\\) discovery URL"),
        ("etcd0", EtcdBootstrap(None, (("etcd0", "10.0.0.400"),)), "not permitted"),
        (
            "etcd0",
            EtcdBootstrap(None, (("etcd0", "10.0.0.4"), ("etcd0", "10.0.0.5"))),
            "names repeat",
        ),
    ],
)
def test_bad_inputs_are_refused(name: str, bootstrap: EtcdBootstrap, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        ignition.etcd_member_config(name, bootstrap)


def test_host_without_members_is_refused() -> None:
    with pytest.raises(ValueError, match="needs at least one etcd member"):
        ignition.container_host_config("host0", ())
