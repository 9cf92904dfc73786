"""ARM's error answers as exception classes (moto's ``exceptions.py``).

A rule raises the provider's own error where it lives (in a model); the server turns it into
ARM's body ``{"error": {"code", "message", "target"?, "details"?}}`` with the class's status.
Codes marked *unverified* in docs/emulator.md are the best guess from public reports.
"""

from __future__ import annotations

from typing import Any


class ArmError(Exception):
    """An ARM error answer: HTTP status, error code and a one-sentence message."""

    status = 400
    code = "BadRequest"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        target: str | None = None,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.target = target
        self.headers = dict(headers or {})
        self.details = list(details or [])

    def error(self) -> dict[str, Any]:
        """The inner ``error`` object, also used in failed operation status resources."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            err["target"] = self.target
        err["details"] = self.details
        return err

    def body(self) -> dict[str, Any]:
        return {"error": self.error()}


class BadRequest(ArmError):
    """400 with a code given by the caller (``InvalidParameter`` unless told)."""

    code = "InvalidParameter"


class InvalidRequestContent(ArmError):
    code = "InvalidRequestContent"


class MissingApiVersionParameter(ArmError):
    code = "MissingApiVersionParameter"


class NotFound(ArmError):
    status = 404
    code = "NotFound"


class ResourceNotFound(NotFound):
    """A missing resource, in ARM's words; ``rtype`` is ``Namespace/type``."""

    code = "ResourceNotFound"

    def __init__(self, rtype: str, name: str, group: str) -> None:
        super().__init__(
            f"The Resource '{rtype}/{name}' under resource group '{group}' was not found. For "
            "more details please go to https://aka.ms/ARMResourceNotFoundFix"
        )


class ResourceGroupNotFound(NotFound):
    code = "ResourceGroupNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"Resource group '{name}' could not be found.")


class SubscriptionNotFound(NotFound):
    code = "SubscriptionNotFound"

    def __init__(self, subscription: str) -> None:
        super().__init__(f"The subscription '{subscription}' could not be found.")


class ProviderNotFound(NotFound):
    """The network provider's own 404 for a child resource (a subnet): ``NotFound`` "Resource
    <id> not found." (the shape quoted in the ``details`` of Azure/azure-quickstart-templates#2824;
    that a GET answers it is the issue's observation, not a public recording)."""

    def __init__(self, rid: str) -> None:
        super().__init__(f"Resource {rid} not found.")

    def detail(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


class InvalidResourceType(NotFound):
    code = "InvalidResourceType"


class PlatformImageNotFound(NotFound):
    code = "PlatformImageNotFound"


class InvalidResourceReference(ArmError):
    code = "InvalidResourceReference"


class InUse(ArmError):
    """Deleting something another resource still uses; the code names what (400)."""

    code = "InUse"


class Conflict(ArmError):
    status = 409
    code = "Conflict"


class AnotherOperationInProgress(Conflict):
    code = "AnotherOperationInProgress"


class ResourceGroupBeingDeleted(Conflict):
    code = "ResourceGroupBeingDeleted"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The resource group '{name}' is in deprovisioning state and cannot perform this "
            "operation."
        )


class QuotaExceeded(Conflict):
    """A vCPU quota passed: compute answers 409 ``OperationNotAllowed`` "Operation could not be
    completed as it results in exceeding approved <family> Cores quota. ..." (real answers in
    nforgeio/neonKUBE#1671, cloud-barista/cb-spider#1558, Azure/karpenter-provider-azure#192)."""

    code = "OperationNotAllowed"


class SkuNotAvailable(Conflict):
    code = "SkuNotAvailable"


class AuthenticationFailed(ArmError):
    status = 401
    code = "AuthenticationFailed"


class TooManyRequests(ArmError):
    status = 429
    code = "TooManyRequests"


class InternalServerError(ArmError):
    status = 500
    code = "InternalServerError"


class ServiceUnavailable(ArmError):
    status = 503
    code = "ServiceUnavailable"
