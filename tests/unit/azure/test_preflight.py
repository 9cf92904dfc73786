"""Preflight through the real SDK clients against the emulator: one test per failed precondition.

Every test also reads the emulator's request log: the preflight must never write (the storage
name check is a POST that the emulator logs as a read).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from coreos_lab.azure.clients import Clients, emulator_target
from coreos_lab.azure.inventory import Inventory
from coreos_lab.azure.preflight import (
    FAMILY_QUOTA,
    IMAGES,
    LOCATION,
    REGIONAL_QUOTA,
    STORAGE_NAME,
    SUBSCRIPTION,
    run_preflight,
)
from coreos_lab.emulator.client import (
    AdminClient,
    Connection,
    StaticTokenCredential,
)
from coreos_lab.errors import LabError
from coreos_lab.lab.events import Event, PhaseEvent
from coreos_lab.lab.results import ImageVersions, Outcome, PreflightReport
from coreos_lab.lab.settings import LabSettings
from coreos_lab.views.check import preflight_as_dict, preflight_table, render_preflight

pytestmark = pytest.mark.timeout(60)

DEADLINE = 20.0  # run_preflight's own bound, well inside the test timeout
NEWEST, PREVIOUS = "4593.2.5", "4459.2.2"  # the emulator's stable-gen2 catalogue


def make_clients(
    conn: Connection, token: str | None = None, subscription_id: str | None = None
) -> Clients:
    target = dataclasses.replace(
        emulator_target(conn),
        subscription_id=subscription_id or conn.subscription_id,
        credential=StaticTokenCredential(token or conn.token),
    )
    return Clients(target, retry_total=1)


@pytest.fixture(scope="module")
def module_clients(emulator: Connection) -> Iterator[Clients]:
    clients = make_clients(emulator)
    yield clients
    clients.close()


@pytest.fixture
def clients(module_clients: Clients, admin: AdminClient) -> Clients:
    return module_clients


def preflight(clients: Clients, settings: LabSettings | None = None, **kw: Any) -> PreflightReport:
    return run_preflight(clients, settings or LabSettings(), deadline=DEADLINE, **kw)


def assert_read_only(admin: AdminClient) -> list[dict[str, Any]]:
    log = admin.requests_log()
    assert log, "the preflight made no request at all"
    writes = [e for e in log if e["kind"] != "read"]
    assert writes == [], f"the preflight wrote: {writes}"
    return log


def only_failure(report: PreflightReport, name: str) -> str:
    failed = {c.name: c.message for c in report.failures}
    assert list(failed) == [name], report.checks
    with pytest.raises(LabError) as raised:
        report.raise_if_failed()
    lines = str(raised.value).splitlines()
    assert lines[0] == "Preflight found 1 problem; nothing was created:"
    assert lines[1] == f"- {failed[name]}"
    assert raised.value.exit_code != 0
    message = failed[name]
    assert message.endswith(".") and "\n" not in message
    return message


def outcome(report: PreflightReport, name: str) -> Outcome:
    return next(c.outcome for c in report.checks if c.name == name)


# ---- the default lab passes -------------------------------------------------------------


def test_default_lab_passes_and_reads_only(clients: Clients, admin: AdminClient) -> None:
    events: list[Event] = []
    report = preflight(clients, sink=events.append)
    assert report.ok, report.checks
    report.raise_if_failed()
    names = [c.name for c in report.checks]
    assert names == [
        SUBSCRIPTION,
        LOCATION,
        "VM size Standard_B2ats_v2",
        "VM size Standard_B2als_v2",
        REGIONAL_QUOTA,
        FAMILY_QUOTA,
        STORAGE_NAME,
        IMAGES,
    ]
    assert all(c.seconds >= 0 and c.message for c in report.checks)
    assert report.images == ImageVersions(etcd=NEWEST, host=PREVIOUS)
    regional = next(c.message for c in report.checks if c.name == REGIONAL_QUOTA)
    assert "needs 10" in regional and "0 of 20" in regional
    log = assert_read_only(admin)
    # The shared reads (SKUs, usages) are made once, not once per check.
    assert sum(e["path"].endswith("/Microsoft.Compute/skus") for e in log) == 1
    assert sum(e["path"].endswith("/usages") for e in log) == 1
    assert [e for e in events if isinstance(e, PhaseEvent)][-1].done


def test_etcd_gets_newest_and_hosts_the_previous_major(
    clients: Clients, admin: AdminClient
) -> None:
    versions = ["4459.2.1", "4459.2.2", "4550.2.0", "4593.2.3", "4593.2.4", "4593.2.9"]
    admin.configure(
        image_versions={"flatcar-container-linux-corevm-amd64": {"stable-gen2": versions}}
    )
    report = preflight(clients)
    assert report.ok, report.checks
    assert report.images == ImageVersions(etcd="4593.2.9", host="4550.2.0")
    message = next(c.message for c in report.checks if c.name == IMAGES)
    assert "4593.2.9" in message and "4550.2.0" in message
    assert_read_only(admin)


def test_existing_lab_keeps_its_versions_and_needs_quota_only_for_missing_vms(
    clients: Clients, admin: AdminClient
) -> None:
    def vm(role: str, version: str) -> dict[str, Any]:
        return {
            "tags": {"coreos-lab-role": role},
            "properties": {"storageProfile": {"imageReference": {"version": version}}},
        }

    # etcd0-2 exist with older images; the hosts are still to be created.
    existing = Inventory(
        resource_group={"name": "coreos-lab"},
        resources={f"virtualmachine/etcd{i}": vm("etcd", "4593.2.3") for i in range(3)},
    )
    admin.configure(quotas={"cores": 4, "*": 10})  # room for the two hosts, not for five VMs
    report = preflight(clients, existing=existing)
    assert report.ok, report.checks
    assert report.images == ImageVersions(etcd="4593.2.3", host=PREVIOUS)
    regional = next(c.message for c in report.checks if c.name == REGIONAL_QUOTA)
    assert "needs 4 (2 hosts × 2)" in regional

    # Versions recorded in the lab's state file win over 'latest' too.
    pinned = preflight(clients, pinned=ImageVersions("4593.2.4", "4459.2.1"))
    assert pinned.images == ImageVersions("4593.2.4", "4459.2.1")
    assert_read_only(admin)


def test_storage_account_already_ours_is_not_checked(clients: Clients, admin: AdminClient) -> None:
    settings = LabSettings(storage_account="coreoslab")  # "taken" by another subscription
    existing = Inventory(
        resource_group={"name": "coreos-lab"}, resources={"storageaccount/coreoslab": {}}
    )
    report = preflight(clients, settings, existing=existing)
    assert outcome(report, STORAGE_NAME) is Outcome.PASSED
    log = assert_read_only(admin)
    assert not any("checkNameAvailability" in e["path"] for e in log)


# ---- one test per failed precondition ---------------------------------------------------


def test_bad_token(emulator: Connection, admin: AdminClient) -> None:
    bad = make_clients(emulator, token="not-the-token")
    try:
        report = preflight(bad)
    finally:
        bad.close()
    message = only_failure(report, SUBSCRIPTION)
    # The emulator's token is in its connection file: 'az login' cannot help.
    assert "refused the token" in message and "az login" not in message
    # Everything else is "not checked", not failed a second time with the same cause.
    assert {c.outcome for c in report.checks if c.name != SUBSCRIPTION} <= {
        Outcome.SKIPPED,
        Outcome.PASSED,
    }
    assert all(e["kind"] == "read" for e in admin.requests_log())


def test_unknown_subscription(emulator: Connection, admin: AdminClient) -> None:
    other = "00000000-1111-2222-3333-444444444444"
    wrong = make_clients(emulator, subscription_id=other)
    try:
        report = preflight(wrong)
    finally:
        wrong.close()
    message = only_failure(report, SUBSCRIPTION)
    assert message.startswith(f"subscription {other}: SubscriptionNotFound: ")
    assert message.endswith("check --subscription or 'az account show'.")
    assert all(e["kind"] == "read" for e in admin.requests_log())


def test_unknown_location(clients: Clients, admin: AdminClient) -> None:
    report = preflight(clients, LabSettings(location="westeurop"))
    message = only_failure(report, LOCATION)
    assert message.startswith("Location 'westeurop' is not available to subscription ")
    assert "--location with one of westeurope" in message
    for name in ("VM size Standard_B2ats_v2", REGIONAL_QUOTA, IMAGES):
        assert outcome(report, name) is Outcome.SKIPPED
    assert report.images is None
    assert_read_only(admin)


def test_size_restricted_in_location(clients: Clients, admin: AdminClient) -> None:
    admin.configure(sku_restrictions={"Standard_B2als_v2": ["westeurope"]})
    report = preflight(clients)
    message = only_failure(report, "VM size Standard_B2als_v2")
    assert message.startswith(
        "VM size Standard_B2als_v2 is restricted in westeurope for this subscription "
        "(NotAvailableForSubscription); pick another --host-vm-size (e.g. Standard_B2as_v2 or "
    )
    assert "another --location" in message
    # The quota cannot be counted for a size that cannot be used.
    assert outcome(report, REGIONAL_QUOTA) is Outcome.SKIPPED
    assert_read_only(admin)


def test_size_not_offered(clients: Clients, admin: AdminClient) -> None:
    report = preflight(clients, LabSettings(etcd_vm_size="Standard_E2s_v5"))
    message = only_failure(report, "VM size Standard_E2s_v5")
    assert message.startswith(
        "VM size Standard_E2s_v5 is not offered in westeurope; pick another --etcd-vm-size "
        "(e.g. Standard_B2als_v2 or Standard_B2as_v2) or another --location."
    )
    assert_read_only(admin)


def test_regional_quota_exhausted(clients: Clients, admin: AdminClient) -> None:
    admin.configure(quotas={"cores": 8, "*": 10})
    report = preflight(clients)
    message = only_failure(report, REGIONAL_QUOTA)
    assert message.startswith(
        "The regional vCPU quota in westeurope is too small: the lab needs 10 vCPUs in total "
        "(3 etcd members × 2 + 2 hosts × 2), 8 available (0 of 8 in use); request more quota"
    )
    assert "fewer --hosts" in message and "smaller" in message
    assert_read_only(admin)


def test_family_quota_exhausted(clients: Clients, admin: AdminClient) -> None:
    admin.configure(quotas={"cores": 20, "standardBasv2Family": 6, "*": 10})
    report = preflight(clients, LabSettings(etcd=5))
    message = only_failure(report, FAMILY_QUOTA)
    assert message.startswith(
        "The Standard Basv2 Family vCPUs quota in westeurope is too small: the lab needs 14 "
        "vCPUs in total (5 etcd members × 2 + 2 hosts × 2), 6 available (0 of 6 in use);"
    )
    assert_read_only(admin)


def test_storage_name_taken_by_another_subscription(clients: Clients, admin: AdminClient) -> None:
    report = preflight(clients, LabSettings(storage_account="flatcar"))
    message = only_failure(report, STORAGE_NAME)
    assert message == (
        "Storage account name 'flatcar' is already taken (names are global across Azure); "
        "choose another with --storage-account, 3-24 lowercase letters and digits."
    )
    assert_read_only(admin)


def test_storage_name_invalid(clients: Clients, admin: AdminClient) -> None:
    # Settings validation refuses such a name; build them directly to reach Azure's answer.
    report = preflight(clients, LabSettings(storage_account="Lab_Storage"))
    message = only_failure(report, STORAGE_NAME)
    assert message.startswith("Storage account name 'Lab_Storage' is not valid (")
    assert message.endswith("pass --storage-account with 3-24 lowercase letters and digits.")
    assert_read_only(admin)


def test_image_version_missing(clients: Clients, admin: AdminClient) -> None:
    report = preflight(clients, LabSettings(etcd_image_version="4593.2.9"))
    message = only_failure(report, IMAGES)
    assert message.startswith(
        "Flatcar 4593.2.9 for the etcd members is not offered in westeurope "
        "(flatcar-container-linux-corevm-amd64, stable-gen2), which has 4459.2.1, 4459.2.2, "
        "4593.2.3, 4593.2.4 and 4593.2.5; pass --etcd-image-version latest or one of those."
    )
    assert report.images is None
    assert_read_only(admin)


def test_no_earlier_release_for_the_hosts(clients: Clients, admin: AdminClient) -> None:
    admin.configure(
        image_versions={"flatcar-container-linux-corevm-amd64": {"stable-gen2": [NEWEST]}}
    )
    message = only_failure(preflight(clients), IMAGES)
    assert message.startswith(f"Azure offers no Flatcar release older than {NEWEST} in westeurope")
    assert_read_only(admin)


def test_offer_needing_a_plan(clients: Clients, admin: AdminClient) -> None:
    report = preflight(clients, offer="flatcar-container-linux")
    message = only_failure(report, IMAGES)
    assert message.startswith(
        f"Flatcar image kinvolk:flatcar-container-linux:stable-gen2:{PREVIOUS} needs purchase "
        "plan 'stable-gen2' whose terms must be accepted; accept them with 'az vm image terms "
        "accept --urn "
    )
    assert message.endswith(
        "or use the flatcar-container-linux-corevm-amd64 offer, which needs none."
    )
    assert_read_only(admin)


def test_several_failures_are_listed_one_per_line(clients: Clients, admin: AdminClient) -> None:
    admin.configure(quotas={"cores": 2, "*": 2})
    report = preflight(clients, LabSettings(storage_account="coreoslab"))
    with pytest.raises(LabError) as raised:
        report.raise_if_failed()
    lines = str(raised.value).splitlines()
    assert lines[0] == "Preflight found 3 problems; nothing was created:"
    assert len(lines) == 4 and all(line.startswith("- ") for line in lines[1:])
    assert_read_only(admin)


def test_view_renders_table_and_json(clients: Clients, admin: AdminClient) -> None:
    report = preflight(clients, LabSettings(storage_account="flatcar"))
    data = preflight_as_dict(report)
    assert data["ok"] is False
    assert data["images"] == {"etcd": NEWEST, "host": PREVIOUS}
    assert [c["outcome"] for c in data["checks"]].count("failed") == 1
    assert {"name", "outcome", "message", "seconds"} <= set(data["checks"][0])
    console = Console(record=True, width=200)
    render_preflight(report, console)
    text = console.export_text()
    assert "✗ failed" in text and "1 of 8 checks failed" in text
    assert f"etcd members {NEWEST}, container hosts {PREVIOUS}" in text
    table = preflight_table(report)
    assert [col.header for col in table.columns] == ["check", "result", "message", "time"]
    assert table.row_count == len(report.checks)


def test_channel_without_images(clients: Clients, admin: AdminClient) -> None:
    admin.configure(
        image_versions={"flatcar-container-linux-corevm-amd64": {"stable-gen2": [NEWEST]}}
    )
    message = only_failure(preflight(clients, LabSettings(channel="beta")), IMAGES)
    assert message == (
        "Azure lists no Flatcar images in westeurope (flatcar-container-linux-corevm-amd64, "
        "beta-gen2); try another --channel or --location."
    )
    assert_read_only(admin)


def test_rerun_of_a_built_lab_keeps_its_versions(clients: Clients, admin: AdminClient) -> None:
    """Build a small lab in the emulator, publish a newer Flatcar, and preflight again."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from coreos_lab.azure.inventory import read_inventory
    from coreos_lab.engine.dag import apply_plan
    from coreos_lab.lab.events import discard
    from coreos_lab.lab.plan import PlanInputs, build_plan

    settings = LabSettings(ssh_from="203.0.113.7/32", bootstrap="static", hosts=1)
    first = preflight(clients, settings)
    assert first.images == ImageVersions(NEWEST, PREVIOUS)
    key = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    plan = build_plan(
        settings,
        PlanInputs(
            subscription_id=clients.subscription_id,
            ssh_public_key=key,
            etcd_image_version=first.images.etcd,
            host_image_version=first.images.host,
        ),
    )
    apply_plan(clients, plan, read_inventory(clients, settings.resource_group), discard)

    newer = ["4459.2.2", "4593.2.5", "4628.2.0"]  # a new major, and 4459.2.1 withdrawn
    admin.configure(image_versions={"flatcar-container-linux-corevm-amd64": {"stable-gen2": newer}})
    admin.clear_requests()
    inventory = read_inventory(clients, settings.resource_group)
    again = preflight(clients, settings, existing=inventory)
    assert again.ok, again.checks
    assert again.images == ImageVersions(NEWEST, PREVIOUS)
    # All VMs exist: no vCPUs needed, and the storage account is the lab's own.
    regional = next(c.message for c in again.checks if c.name == REGIONAL_QUOTA)
    assert "needs 0 (all VMs exist)" in regional
    assert outcome(again, STORAGE_NAME) is Outcome.PASSED
    assert_read_only(admin)
    # A new lab would get the new major for etcd, and the hosts the one before.
    assert preflight(clients).images == ImageVersions("4628.2.0", NEWEST)
