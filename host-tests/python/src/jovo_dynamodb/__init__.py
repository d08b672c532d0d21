"""DynamoDB persistence for Python voice and chat backends, in the format of the Jovo
DynamoDB plugin, through the same WebAssembly component the Jovo (Node) and Rust hosts embed.

    from jovo_dynamodb import DynamoDbStore
    store = DynamoDbStore("users", region="eu-west-1")
    store.save_user("user-1", {"user": {"data": {"visits": 1}}})
    store.load_user("user-1")   # {"userId": "user-1", "user": {"data": {"visits": 1}}}

    from jovo_dynamodb import AsyncDynamoDbStore
    async with AsyncDynamoDbStore("users", region="eu-west-1") as store:
        await store.save_user("user-1", {"user": {"data": {"visits": 1}}})
        await store.load_user("user-1")
"""

from typing import TYPE_CHECKING, Any

from .credentials import AwsCredentials
from .errors import (
    AccessDenied,
    ConditionalConflict,
    CredentialsUnavailable,
    InvalidConfig,
    InvalidInput,
    ItemTooLarge,
    MalformedResponse,
    RuntimeFailure,
    ServiceError,
    StoreError,
    TableMissing,
    Throttled,
    TimedOut,
    TlsFailed,
    TransportFailed,
)
from .runtime import Runtime
from .store import BillingMode, DynamoDbStore, TableStatus, TimeToLiveStatus

if TYPE_CHECKING:
    from .aio import AsyncDynamoDbStore


def __getattr__(name: str) -> Any:
    # aiohttp is imported only by programs that use the async store.
    if name == "AsyncDynamoDbStore":
        from .aio import AsyncDynamoDbStore

        return AsyncDynamoDbStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AccessDenied",
    "AsyncDynamoDbStore",
    "AwsCredentials",
    "BillingMode",
    "ConditionalConflict",
    "CredentialsUnavailable",
    "DynamoDbStore",
    "InvalidConfig",
    "InvalidInput",
    "ItemTooLarge",
    "MalformedResponse",
    "Runtime",
    "RuntimeFailure",
    "ServiceError",
    "StoreError",
    "TableMissing",
    "TableStatus",
    "Throttled",
    "TimeToLiveStatus",
    "TimedOut",
    "TlsFailed",
    "TransportFailed",
]
