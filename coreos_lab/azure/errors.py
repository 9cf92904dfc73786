"""Turn what the SDK raises into one sentence: the resource, ARM's code, and what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from coreos_lab.errors import LabError
from coreos_lab.lab.clouds import Cloud

_ADVICE = {
    "QuotaExceeded": "request more vCPU quota for the region, pick a smaller VM size, "
    "or use fewer --hosts",
    "OperationNotAllowed": "request more vCPU quota for the region, pick a smaller VM size, "
    "or use fewer --hosts",
    "SkuNotAvailable": "pick another VM size (--etcd-vm-size/--host-vm-size) or --location",
    "StorageAccountAlreadyTaken": "choose another name with --storage-account",
    "AccountNameInvalid": "choose a name of 3-24 lowercase letters and digits",
    "ResourceGroupBeingDeleted": "wait until `coreos-lab down` has finished, then run up again",
    "AnotherOperationInProgress": "wait a minute and run up again",
    "AuthorizationFailed": "use an account with Contributor rights on the subscription",
    "InvalidAuthenticationToken": "sign in again with 'az login'",
    "AuthenticationFailed": "sign in again with 'az login'",
    "PlatformImageNotFound": "pick an image version that `coreos-lab check` lists",
    "MarketplacePurchaseEligibilityFailed": "accept the image terms or use the corevm offer",
    "SubscriptionNotFound": "check --subscription or 'az account show'",
    "TooManyRequests": "Azure is throttling this subscription; wait a minute and run up again",
}

_TRANSIENT = {
    "InternalServerError",
    "ServiceUnavailable",
    "GatewayTimeout",
    "InternalOperationError",
    "RetryableError",
}


def error_code(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    if code:
        return str(code)
    status = getattr(exc, "status_code", None)
    if status == 429:
        return "TooManyRequests"
    return type(exc).__name__


def error_message(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None) or str(exc).split("\n", 1)[0]
    return str(message).strip().rstrip(".")


_AUTH_CODES = ("InvalidAuthenticationToken", "AuthenticationFailed")


def describe(
    exc: BaseException, what: str, endpoint: str = "", *, cloud: Cloud | None = None
) -> str:
    """One sentence for a failed call on ``what`` (e.g. "virtual machine host1") in ``cloud``."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) is None:
        return (
            f"Could not get an Azure token ({error_message(exc)}); sign in with 'az login' or "
            "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET."
        )
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return (
            f"Could not reach Azure Resource Manager{' at ' + endpoint if endpoint else ''} "
            f"for {what} ({error_message(exc)}); check the network and run the command again."
        )
    code = error_code(exc)
    refused = cloud.refused_token(endpoint) if cloud else None
    if refused and (code in _AUTH_CODES or getattr(exc, "status_code", None) == 401):
        return refused
    status = getattr(exc, "status_code", None)
    if code in _ADVICE:
        advice = _ADVICE[code]
    elif (isinstance(status, int) and status >= 500) or code in _TRANSIENT:
        # Nothing for the user to fix: Azure failed on its side and says so with a 5xx.
        advice = "this is a passing failure on Azure's side; run the command again"
    else:
        advice = "fix the cause and run the command again"
    return f"{what}: {code}: {error_message(exc)}; {advice}."


def is_azure_error(exc: BaseException) -> bool:
    from azure.core.exceptions import AzureError

    return isinstance(exc, AzureError)


@contextmanager
def map_errors(what: str, endpoint: str = "", *, cloud: Cloud | None = None) -> Iterator[None]:
    """Turn an SDK exception raised inside into a LabError sentence about ``what``.

    Like httpx's ``map_exceptions``: callers write their calls plainly and the translation
    lives here, once. A LabError and anything not from the SDK pass through unchanged.
    """
    try:
        yield
    except LabError:
        raise
    except Exception as exc:
        if is_azure_error(exc):
            raise LabError(describe(exc, what, endpoint, cloud=cloud)) from exc
        raise
