"""`DynamoDbStore`: the Python face of the component's `store` interface, blocking; and the
options it shares with `AsyncDynamoDbStore` (`StoreOptions`)."""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from . import credentials as aws
from . import items, network, transport
from ._wit import Record, record
from .credentials import AwsCredentials
from .errors import InvalidConfig, InvalidInput, RuntimeFailure
from .runtime import Instance, Runtime

U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1


class BillingMode(str, enum.Enum):
    """How DynamoDB bills a table this store creates; the plugin's spelling."""

    PROVISIONED = "PROVISIONED"
    PAY_PER_REQUEST = "PAY_PER_REQUEST"


class TableStatus(str, enum.Enum):
    """What `ensure_table` found or did; the values are the WIT case names."""

    ALREADY_EXISTED = "already-existed"
    CREATED = "created"
    CREATED_CONCURRENTLY = "created-concurrently"


@dataclass(frozen=True)
class TimeToLiveStatus:
    """How Time to Live (item expiry) stands on the table, as `ensure_time_to_live` found it.

    `state` is the WIT case name: "not-configured" (no `expire_after_days`), "enabled", or
    "unavailable" (the server has no TTL API or the identity lacks the TTL permissions;
    `reason` has the server's answer and the fix)."""

    state: str
    reason: str | None = None


# Fixed credentials, or a provider: a callable returning them (for `AsyncDynamoDbStore` it
# may be async), asked before each request unless what it returned carries an expiration.
CredentialsArgument = Union[
    AwsCredentials, tuple[str, str], tuple[str, str, Optional[str]], Callable[[], Any], None
]


class StoreOptions:
    """What `DynamoDbStore` and `AsyncDynamoDbStore` share: their options, checked and turned
    into the component's `config`.

    Options mirror the WIT `config` (the plugin's `table` and `libraryConfig`) in snake_case;
    None means the component's default, stated per option.
    """

    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        endpoint: str | None = None,
        credentials: CredentialsArgument = None,
        create_table_on_init: bool | None = None,
        primary_key_column: str | None = None,
        read_capacity_units: int | None = None,
        write_capacity_units: int | None = None,
        billing_mode: BillingMode | str | None = None,
        optimistic_locking: bool | None = None,
        version_attribute: str | None = None,
        expire_after_days: int | None = None,
        expiry_attribute: str | None = None,
        request_timeout_ms: int | None = None,
        max_attempts: int | None = None,
        retry_base_delay_ms: int | None = None,
        retry_max_delay_ms: int | None = None,
        table_ready_timeout_ms: int | None = None,
        operation_timeout_ms: int | None = None,
        ca_bundle: network.PathLike | None = None,
        proxy: str | bool | None = None,
        remove_undefined_values: bool | None = None,
        convert_class_instance_to_map: bool | None = None,
        convert_empty_values: bool | None = None,
        runtime: Runtime | None = None,
    ) -> None:
        """Validates the options and opens a first client; does no I/O.

        table: table name, 3 to 255 of ``A-Z a-z 0-9 _ - .``. Required.
        region: AWS region; default `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
            profile's `region` in the AWS config file. Required unless
            `endpoint` is set (then "us-east-1" signs).
        endpoint: e.g. "http://127.0.0.1:8000", instead of the region's DynamoDB.
        credentials: `AwsCredentials` or (access key id, secret[, session token]), or a
            provider: a callable returning those (async too for `AsyncDynamoDbStore`), e.g.
            ``lambda: session.get_credentials().get_frozen_credentials()`` of a boto3
            `Session`. Default: the AWS chain of `jovo_dynamodb.credentials` (environment,
            profiles with credential_process, ECS container, EC2 instance metadata), walked
            before each request.
        create_table_on_init: create the table when missing (default True).
        primary_key_column: partition key attribute holding the user id (default "userId").
        read_capacity_units, write_capacity_units: for PROVISIONED tables (default 2 each).
        billing_mode: "PROVISIONED" (default) or "PAY_PER_REQUEST".
        optimistic_locking: save only over the version that was loaded (default False, last
            writer wins); a save that overlaps another one raises `ConditionalConflict`.
            Pass back the item `load_user` returned: it carries the version.
        version_attribute: the attribute holding that version (default "version").
        expire_after_days: write an expiry time (save time + N days, epoch seconds) and turn on
            DynamoDB Time to Live for it (default None: items never expire).
        expiry_attribute: the attribute holding the expiry time (default "expiresAt").
        request_timeout_ms: limit for one HTTP exchange (default 5000).
        max_attempts: attempts per operation for retryable failures, 1 to 20 (default 4).
        retry_base_delay_ms, retry_max_delay_ms: full-jitter backoff (default 50 and 2000).
        table_ready_timeout_ms: how long to wait for a new table (default 60000).
        operation_timeout_ms: limit for one whole operation (`load_user`, `save_user`, ...,
            with the table check before it), across attempts, backoff and table waits; when
            it runs out the call raises `TimedOut` saying so (default None: no such limit).
        ca_bundle: extra CA certificates to trust, PEM text or the path of a PEM file (or of
            an OpenSSL hashed directory), added to the defaults: Python's default SSL context
            (the system's CAs, `SSL_CERT_FILE`, `SSL_CERT_DIR`) and the bundle named by
            `AWS_CA_BUNDLE`, else `REQUESTS_CA_BUNDLE` (read at construction).
        proxy: an http:// proxy URL (``http://[user:password@]host:port``) for every endpoint,
            or False for no proxy at all. Default None: `HTTPS_PROXY`/`HTTP_PROXY` by the
            endpoint's scheme and `NO_PROXY` (either case, lower case winning), as boto3 reads
            them, at construction. https endpoints go through a CONNECT tunnel.
        remove_undefined_values, convert_class_instance_to_map: accepted for compatibility
            with the plugin's `marshall` options (default True).
        convert_empty_values: store empty strings as NULL (default False).
        runtime: the compiled component to use (default `Runtime.default()`).

        Raises `InvalidConfig` for a bad option and `RuntimeFailure` when the component
        cannot be loaded.
        """
        self._table = table
        self._region = region or aws.region_from_environment()
        self._endpoint = endpoint
        self._config = record(
            table=record(
                name=_text("table", table),
                create_table_on_init=_flag("create_table_on_init", create_table_on_init),
                primary_key_column=_optional_text("primary_key_column", primary_key_column),
                read_capacity_units=_integer("read_capacity_units", read_capacity_units, U64_MAX),
                write_capacity_units=_integer("write_capacity_units", write_capacity_units, U64_MAX),
                billing_mode=_billing_mode(billing_mode),
                optimistic_locking=_flag("optimistic_locking", optimistic_locking),
                version_attribute=_optional_text("version_attribute", version_attribute),
                expire_after_days=_integer("expire_after_days", expire_after_days, U32_MAX),
                expiry_attribute=_optional_text("expiry_attribute", expiry_attribute),
            ),
            client=record(
                region=_optional_text("region", self._region),
                endpoint=_optional_text("endpoint", endpoint),
                credentials=_fixed_credentials(credentials),
                request_timeout_ms=_integer("request_timeout_ms", request_timeout_ms, U32_MAX),
                max_attempts=_integer("max_attempts", max_attempts, U32_MAX),
                retry_base_delay_ms=_integer("retry_base_delay_ms", retry_base_delay_ms, U32_MAX),
                retry_max_delay_ms=_integer("retry_max_delay_ms", retry_max_delay_ms, U32_MAX),
                table_ready_timeout_ms=_integer("table_ready_timeout_ms", table_ready_timeout_ms, U32_MAX),
                operation_timeout_ms=_integer("operation_timeout_ms", operation_timeout_ms, U32_MAX),
            ),
            marshall=record(
                remove_undefined_values=_flag("remove_undefined_values", remove_undefined_values),
                convert_class_instance_to_map=_flag("convert_class_instance_to_map", convert_class_instance_to_map),
                convert_empty_values=_flag("convert_empty_values", convert_empty_values),
            ),
        )
        self._fixed_credentials = credentials is not None and not callable(credentials)
        self._provider = aws.ProviderSource(credentials) if callable(credentials) else None
        self._network = network.from_options(ca_bundle, proxy)
        self._runtime = runtime or Runtime.default()
        self._start()

    def _start(self) -> None:
        """Opens what the store needs; a bad config raises here, not at the first call."""
        raise NotImplementedError

    def _open_instance(self) -> Instance:
        instance = self._runtime.instantiate()
        instance.open(self._config)
        return instance

    def __repr__(self) -> str:
        where = self._endpoint or self._region
        return f"{type(self).__name__}(table={self._table!r}, at={where!r})"


class DynamoDbStore(StoreOptions):
    """Users of a voice or chat app in one DynamoDB table, one item each, in the format of the
    Jovo DynamoDB plugin (`@jovotech/db-dynamodb`), through the same WebAssembly component the
    other hosts embed. Blocking; `AsyncDynamoDbStore` is the asyncio twin.

    Thread-safe: share one store between threads. Each call borrows a component instance from
    an internal pool (a wasmtime store is single-threaded); threads calling at the same time
    get instances of their own, created on demand and kept for reuse, and their HTTP requests
    run in parallel over one shared connection pool.

    Options: see `StoreOptions.__init__`.
    """

    def _start(self) -> None:
        self._idle: list[Instance] = []
        self._idle_lock = threading.Lock()
        source = self._provider or transport.DEFAULT_CHAIN
        self._credentials_answer = lambda: transport.credentials_or_reason(source)
        self._idle.append(self._open_instance())

    def close(self) -> None:
        """Lets go of the store's component instances. (HTTP connections belong to the
        runtime and are shared by its stores.) The store opens new ones if used again."""
        with self._idle_lock:
            self._idle.clear()

    def __enter__(self) -> DynamoDbStore:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def ensure_table(self) -> TableStatus:
        """Makes sure the table exists and is ACTIVE, creating it when allowed (and waiting
        out DynamoDB's CREATING state). Other calls do this by themselves on first use."""
        with self._instance() as instance:
            return TableStatus(instance.ensure_table())

    def ensure_time_to_live(self) -> TimeToLiveStatus:
        """Turns on Time to Live for the expiry attribute when `expire_after_days` is set, and
        says how it stands. `ensure_table` does this too, without failing on "unavailable"."""
        with self._instance() as instance:
            status = instance.ensure_time_to_live()
        return TimeToLiveStatus(status.tag, status.payload)

    def load_user(self, user_id: str) -> dict[str, Any] | None:
        """The stored item of `user_id` (strongly consistent), or None when there is none.
        Integers load as `int`, other numbers as `Decimal`, binary as `bytes`, sets as
        `set` (of `str`, of `int`/`Decimal`, of `bytes`)."""
        with self._instance() as instance:
            text = instance.load_user(_user_id(user_id))
        return None if text is None else items.decode(text)

    def save_user(self, user_id: str, item: Mapping[str, Any]) -> None:
        """Replaces the stored item of `user_id` with `item`, e.g.
        ``{"user": {"data": {}}, "createdAt": "...", "updatedAt": "..."}``. The primary key
        column is set to `user_id` whatever `item` holds there. Values as boto3's
        TypeSerializer takes them: `set`/`frozenset` of `str`, of numbers or of bytes become
        SS/NS/BS, `bytes`/`bytearray`/`memoryview`/`Binary` become B."""
        text = items.encode(item)
        with self._instance() as instance:
            instance.save_user(_user_id(user_id), text)

    def delete_user(self, user_id: str) -> None:
        """Deletes the stored item of `user_id`; deleting a missing item succeeds."""
        with self._instance() as instance:
            instance.delete_user(_user_id(user_id))

    @contextmanager
    def _instance(self) -> Iterator[Instance]:
        """Lends an instance to the calling thread; returns it to the pool afterwards unless
        the component trapped (a trapped instance cannot be called again)."""
        with self._idle_lock:
            instance = self._idle.pop() if self._idle else None
        if instance is None:
            instance = self._open_instance()
        healthy = True
        try:
            with transport.answering_credentials_with(self._credentials_answer), transport.sending_through(self._network):
                yield instance
        except RuntimeFailure:
            healthy = False
            raise
        finally:
            if healthy:
                with self._idle_lock:
                    self._idle.append(instance)


def _user_id(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"the user id must be a str, got {type(value).__name__}")
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError as error:
        surrogate_at = error.start
    # A lone surrogate (e.g. from a JSON '\ud800' or os.fsdecode) has no UTF-8 form; mapping it
    # to U+FFFD would give two different ids one item. Raised outside the `except`, so the
    # encoding error, which holds the id, is not chained to it.
    raise InvalidInput(f"the user id is not valid Unicode: a lone surrogate at index {surrogate_at}; nothing was sent")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidConfig(f"{name} must be a str, got {type(value).__name__}")
    return value


def _optional_text(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value)


def _flag(name: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidConfig(f"{name} must be True or False, got {value!r}")
    return value


def _integer(name: str, value: Any, maximum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise InvalidConfig(f"{name} must be an int from 0 to {maximum}, got {value!r}")
    return value


def _billing_mode(value: BillingMode | str | None) -> str | None:
    if value is None:
        return None
    try:
        mode = BillingMode(value)
    except ValueError:
        raise InvalidConfig(f"billing_mode must be 'PROVISIONED' or 'PAY_PER_REQUEST', got {value!r}") from None
    return mode.value.lower().replace("_", "-")


def _fixed_credentials(value: CredentialsArgument) -> Record | None:
    if value is None or callable(value):
        return None
    if isinstance(value, tuple) and len(value) in (2, 3):
        value = AwsCredentials(*value)
    if not isinstance(value, AwsCredentials) or not all(
        isinstance(part, str) for part in (value.access_key_id, value.secret_access_key)
    ):
        # The value itself is never shown: it may hold a secret.
        raise InvalidConfig(
            "credentials must be AwsCredentials, (access_key_id, secret_access_key[, session_token]) or a "
            "provider (a callable returning those)"
        )
    return record(
        access_key_id=value.access_key_id,
        secret_access_key=value.secret_access_key,
        session_token=value.session_token,
    )
