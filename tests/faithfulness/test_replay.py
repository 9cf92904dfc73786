"""Replay Microsoft's request/response examples (azure-rest-api-specs) against the emulator.

For each stored example: the status is one the example documents, a long-running answer
carries the header its poller needs, every response key of the example that the emulator
models is present with the example's JSON type, and every request value the example echoes
comes back. Keys it does not model are in ``NOT_MODELLED`` (also the table in
docs/emulator.md, "Faithfulness"), and keys a replay cannot reproduce are in ``ADAPTED``.
Every other key of every example must match: the emulator diverges from none today.
"""

from __future__ import annotations

import pytest

from .cases import CASES, Replayed
from .emulator import Emulator
from .replay import echo_gaps, leaves, load, shape_gaps

# Keys the replay cannot produce here, with why (the request was adapted, see cases.py).
ADAPTED: dict[str, dict[str, str]] = {
    "PublicIpAddressCreateDefaults.json": {
        "properties.ipConfiguration": "the example's address is attached to a NIC; ours is new",
    },
    "NetworkInterfaceCreate.json": {
        "properties.ipConfigurations[1]": "ipconfig2 (a private IP prefix) left out of the request",
    },
    "StorageAccountCreate.json": {
        "extendedLocation": "Edge Zone left out of the request (one plain region here)",
    },
    "VirtualMachine_Get.json": {
        "properties.osProfile.windowsConfiguration": "the example VM is Windows, ours Linux",
    },
    "VirtualMachine_Get_InstanceView.json": {
        "disks[1]": "the example VM has a data disk; the lab's VMs have only an OS disk",
    },
    "VirtualMachineImage_Get_MaximumSet_Gen.json": {
        "properties.dataDiskImages[0]": "Flatcar images carry no data disk image",
        "properties.imageDeprecationStatus.scheduledDeprecationTime": (
            "only for an image scheduled for deprecation; the served ones are Active"
        ),
        "properties.imageDeprecationStatus.alternativeOption": (
            "only for an image scheduled for deprecation; the served ones are Active"
        ),
        "extendedLocation": "Edge Zone images only",
        "tags": "a generated MaximumSet example; Marketplace image versions carry no tags",
    },
    "NetworkInterfaceGet.json": {
        "properties.ipConfigurations[1]": "ipconfig2 (a private IP prefix) not created",
    },
    "PublicIpAddressGet.json": {
        "properties.ddosSettings": "the example address is under a DDoS protection plan",
        "properties.ipTags[0]": "the example address carries ipTags; ours none (sent as [])",
        "properties.ipTags[1]": "the example address carries ipTags; ours none (sent as [])",
    },
    "Usage_List_MaximumSet_Gen.json": {
        "nextLink": "a generated MaximumSet placeholder; a list that fits one page has none",
    },
    "Disk_Get.json": {
        "properties.purchasePlan": "the example disk comes from a plan image; ours does not",
        "properties.supportedCapabilities": "the example image's accelerated networking flag",
        "properties.supportsHibernation": "returned when hibernation was asked for",
        "properties.securityProfile": "the example disk belongs to a Trusted Launch VM",
        "properties.encryptionSettingsCollection": "Azure Disk Encryption, not used",
    },
}

# Keys Azure returns that the emulator deliberately does not model (docs/emulator.md,
# "Keys deliberately not modelled").
NOT_MODELLED: dict[str, dict[str, str]] = {
    "VirtualMachine_Get_InstanceView.json": {
        "platformUpdateDomain": "no availability sets or fault domains",
        "platformFaultDomain": "no availability sets or fault domains",
        "vmAgent": "nothing boots, so no guest agent reports",
        "isVMInStandbyPool": "no standby pools",
    },
    "ListAvailableResourceSkusForARegion.json": {
        "value[0].locationInfo[0].zoneDetails": "no availability zones",
        # Compared by name in test_divergences (class 2), not by position.
        "value[0].capabilities": "compared by capability name in test_divergences",
    },
    "GetLocations.json": {"value[0].availabilityZoneMappings": "no availability zones"},
    "VirtualNetworkGet.json": {"properties.defaultPublicNatGateway": "no NAT gateways"},
    "NetworkInterfaceGet.json": {"properties.dscpConfiguration": "no DSCP configurations"},
}


def _gaps(replayed: Replayed, skip: set[str]) -> dict[str, str]:
    tag_values = {  # the examples' tag names are data, not schema
        f"{path}.{key}"
        for path, value in leaves(replayed.expected)
        if (path == "tags" or path.endswith(".tags")) and isinstance(value, dict)
        for key in value
    }
    skip = skip | tag_values
    gaps: dict[str, str] = {}
    if replayed.expected is not None:
        gaps.update(shape_gaps(replayed.expected, replayed.body, skip))
    if replayed.request is not None:
        for path, what in echo_gaps(
            replayed.request, replayed.responses, replayed.body, skip
        ).items():
            gaps[f"echo {path}"] = what
    return gaps


def _lro_header_gaps(replayed: Replayed) -> list[str]:
    answer = replayed.first
    method = answer.request.method
    headers = answer.headers
    if (
        answer.status_code == 202
        and "Location" not in headers
        and "Azure-AsyncOperation" not in headers
    ):
        return ["202 without Location or Azure-AsyncOperation"]
    path = (answer.request.path_url or "").lower()
    long_running = "microsoft.network" in path or "microsoft.compute/virtualmachines" in path
    # network and VM PUTs are long-running (x-ms-long-running-operation in their specs, final
    # state via Azure-AsyncOperation): the pollers follow that header
    lro_put = method == "PUT" and answer.status_code in (200, 201) and long_running
    if lro_put and "Azure-AsyncOperation" not in headers:
        return [f"{method} {answer.status_code} without Azure-AsyncOperation"]
    return []


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_replays(emu: Emulator, name: str) -> None:
    spec = load(name)
    replayed = CASES[name](emu)
    assert replayed.first.status_code in replayed.statuses, (
        f"{spec['spec_path']}: {replayed.first.status_code} not in {replayed.statuses}: "
        f"{replayed.first.text[:300]}"
    )
    assert _lro_header_gaps(replayed) == []
    skip = set(ADAPTED.get(name, {})) | set(NOT_MODELLED.get(name, {}))
    assert _gaps(replayed, skip) == {}, spec["spec_path"]
