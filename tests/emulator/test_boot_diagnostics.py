"""Boot diagnostics through the real SDK: retrieveBootDiagnosticsData and the SAS blob URL."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import models as cm

from . import lab


def _vm(resource: Any, network: Any, compute: Any, *, diagnostics: bool = True) -> None:
    lab.group(resource)
    [nic_id] = lab.network_for_vm(network)
    body = lab.vm_body(nic_id)
    if diagnostics:
        body.diagnostics_profile = cm.DiagnosticsProfile(
            boot_diagnostics=cm.BootDiagnostics(
                enabled=True, storage_uri="https://labdiag123.blob.core.windows.net/"
            )
        )
    compute.virtual_machines.begin_create_or_update("lab", "vm1", body).result()


def _get(url: str, ca: str) -> requests.Response:
    return requests.get(url, verify=ca, timeout=10)  # no bearer token: the SAS authorizes


def test_serial_log_through_the_sas_url(
    resource: Any, network: Any, compute: Any, admin: Any, connection: Any
) -> None:
    admin.configure(boot_log_pace=0.02)
    _vm(resource, network, compute)
    data = compute.virtual_machines.retrieve_boot_diagnostics_data(
        "lab", "vm1", sas_uri_expiration_time_in_minutes=5
    )
    url = data.serial_console_log_blob_uri
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == connection.endpoint  # loopback, never outside
    assert parts.path.startswith("/_blob/labdiag123/bootdiagnostics-vm1-")
    assert parts.path.endswith(".serialconsole.log")
    query = urllib.parse.parse_qs(parts.query)
    assert {"sv", "st", "se", "sr", "sp", "sig"} <= set(query)
    left = time.mktime(time.strptime(query["se"][0], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
        time.gmtime()
    )
    assert 4 * 60 <= left <= 5 * 60 + 1  # the minutes asked for
    first = _get(url, connection.ca_cert)
    assert first.status_code == 200, first.text
    assert first.text.splitlines()[0] == (
        "coreos-lab emulator: emulated serial console of vm1; not a real boot"
    )
    time.sleep(0.6)
    later = _get(url, connection.ca_cert).text
    assert later.startswith(first.text) and len(later) > len(first.text)  # it grows
    assert "Set hostname to <vm1>." in later and "4593.2.5" in later

    tampered = url.replace("se=", "se=2", 1)
    refused = _get(tampered, connection.ca_cert)
    assert refused.status_code == 403
    assert refused.headers["x-ms-error-code"] == "AuthenticationFailed"
    assert "Signature did not match" in refused.text


def test_an_expired_url_is_refused_as_blob_storage_refuses_it(
    resource: Any, network: Any, compute: Any, admin: Any, connection: Any
) -> None:
    _vm(resource, network, compute)
    admin.configure(sas_minute_seconds=0.2)  # one SAS minute lasts 0.2 s
    data = compute.virtual_machines.retrieve_boot_diagnostics_data(
        "lab", "vm1", sas_uri_expiration_time_in_minutes=1
    )
    time.sleep(0.5)
    refused = _get(data.serial_console_log_blob_uri, connection.ca_cert)
    assert refused.status_code == 403, refused.text
    assert refused.headers["x-ms-error-code"] == "AuthenticationFailed"
    assert "Signature not valid in the specified time frame" in refused.text


def test_refusals(resource: Any, network: Any, compute: Any) -> None:
    _vm(resource, network, compute, diagnostics=False)
    with pytest.raises(HttpResponseError) as off:
        compute.virtual_machines.retrieve_boot_diagnostics_data("lab", "vm1")
    assert off.value.status_code == 409 and off.value.error.code == "OperationNotAllowed"
    with pytest.raises(ResourceNotFoundError):
        compute.virtual_machines.retrieve_boot_diagnostics_data("lab", "nope")
    with pytest.raises(HttpResponseError) as bad:
        compute.virtual_machines.retrieve_boot_diagnostics_data(
            "lab", "vm1", sas_uri_expiration_time_in_minutes=1441
        )
    assert bad.value.status_code == 400
