"""Exceptions: the component's `store-error` variant, one class per case.

Every exception is a `StoreError` whose `code` is the WIT case name (e.g. ``"table-missing"``),
the same string the Rust and JavaScript hosts report. Cases that carry DynamoDB's own answer
(`AccessDenied`, `Throttled`, `ConditionalConflict`, `ServiceError`) also have `service_code`,
`request_id`, `status` and `attempts`.
"""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """Base of every error of this package. `code` is stable across hosts and versions."""

    code: str = "store-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidConfig(StoreError):
    """The config breaks a rule (table name, key column, capacity, region, endpoint, ...)."""

    code = "invalid-config"


class InvalidInput(StoreError):
    """The user id or the item breaks a rule. Nothing was sent."""

    code = "invalid-input"


class ItemTooLarge(StoreError):
    """The marshalled item exceeds DynamoDB's 400 KB item limit. Nothing was stored."""

    code = "item-too-large"


class TableMissing(StoreError):
    """The table does not exist and `create_table_on_init` is False."""

    code = "table-missing"


class CredentialsUnavailable(StoreError):
    """Neither the arguments, the environment nor the shared credentials file had credentials."""

    code = "credentials-unavailable"


class TransportFailed(StoreError):
    """The request could not be delivered, on every attempt."""

    code = "transport-failed"


class TlsFailed(StoreError):
    """A TLS connection to the endpoint could not be established: its certificate failed
    verification (unknown CA, self-signed, wrong host name, expired) or no TLS version or
    cipher was agreed. Not retried. Trust a private CA with `AWS_CA_BUNDLE` or `ca_bundle=`."""

    code = "tls-failed"


class TimedOut(StoreError):
    """The last attempt, or the wait for a new table, ran out of time."""

    code = "timed-out"


class MalformedResponse(StoreError):
    """DynamoDB's answer could not be understood, on every attempt."""

    code = "malformed-response"


class _DynamoDbAnswered(StoreError):
    """An error DynamoDB itself returned, with the details AWS support asks for."""

    def __init__(
        self,
        message: str,
        *,
        service_code: str,
        request_id: str | None,
        status: int,
        attempts: int,
    ) -> None:
        super().__init__(message)
        self.service_code = service_code
        self.request_id = request_id
        self.status = status
        self.attempts = attempts

    def __str__(self) -> str:
        request = f", request id {self.request_id}" if self.request_id else ""
        return (
            f"{self.code}: DynamoDB answered {self.service_code} (HTTP {self.status}): "
            f"{self.message} [after {self.attempts} attempt(s){request}]"
        )


class AccessDenied(_DynamoDbAnswered):
    """DynamoDB refused the credentials or the signature, or a permission is missing."""

    code = "access-denied"


class Throttled(_DynamoDbAnswered):
    """DynamoDB kept throttling the requests until the attempts ran out."""

    code = "throttled"


class ConditionalConflict(_DynamoDbAnswered):
    """A conditional write failed: another writer changed the item first."""

    code = "conditional-conflict"


class ServiceError(_DynamoDbAnswered):
    """Any other error DynamoDB returned."""

    code = "service"


class RuntimeFailure(StoreError):
    """The component could not be loaded, or it trapped: a bug, please report the message."""

    code = "runtime"


_CASES: dict[str, type[StoreError]] = {
    cls.code: cls
    for cls in (
        InvalidConfig,
        InvalidInput,
        ItemTooLarge,
        TableMissing,
        CredentialsUnavailable,
        AccessDenied,
        Throttled,
        ConditionalConflict,
        TransportFailed,
        TlsFailed,
        TimedOut,
        MalformedResponse,
        ServiceError,
    )
}


def from_wit(tag: str, payload: Any) -> StoreError:
    """The exception for one `store-error` value: its case name and its payload."""
    cls = _CASES.get(tag)
    if cls is None:
        return RuntimeFailure(f"the component returned an unknown error case {tag!r}: {payload!r}")
    if issubclass(cls, _DynamoDbAnswered):
        return cls(
            payload.message,
            service_code=payload.code,
            request_id=getattr(payload, "request-id"),
            status=payload.status,
            attempts=payload.attempts,
        )
    return cls(payload)
