"""The component's `host` import: HTTP, clock, sleep and credentials.

HTTP goes through urllib3 pools kept by the runtime and shared by all threads: one
`PoolManager` (direct connections) and one `ProxyManager` per proxy, for each distinct
`network.Network` (trust and proxy settings) of its stores, so connections to DynamoDB stay
open between calls, TLS ones too. Redirects are never followed: a 3xx answer goes to the
component, which reports it.

Which store is calling is told by context variables that the store sets around each call
into the component (`answering_credentials_with`, `sending_through`): a thread (blocking
store) or an asyncio task (async store) sees only its own.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, TypeVar

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from . import _deadline, credentials
from ._wit import Record, Variant, record
from .network import Network, Proxy

INTERFACE = "jovo:dynamodb/host@0.1.0"

# DynamoDB answers are at most a 400 KB item plus JSON overhead; anything far larger is not
# DynamoDB. The same bound as the Rust host.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

# Enough idle connections for a busy thread pool; beyond them urllib3 opens and drops extras.
CONNECTIONS_PER_HOST = 64

_Manager = TypeVar("_Manager", bound=urllib3.PoolManager)

# The network settings of the store calling (set around each call into the component).
_NETWORK: ContextVar[Network] = ContextVar("jovo_dynamodb_network")


class Transport:
    """Implements `jovo:dynamodb/host`. Thread-safe: it keeps no per-call state."""

    def __init__(self) -> None:
        self._pools: dict[Network, _Pools] = {}
        self._pools_lock = threading.Lock()

    def functions(self) -> dict[str, Callable[..., Any]]:
        """The import's functions by WIT name, as wasmtime-py calls them (store first)."""
        return {
            "send": lambda _store, request, timeout_ms: self.send(request, timeout_ms),
            "now-ms": lambda _store: now_ms(),
            "sleep-ms": lambda _store, ms: sleep_ms(ms),
            "credentials": lambda _store: _CREDENTIALS_ANSWER.get(credentials_or_reason)(),
        }

    def send(self, request: Any, timeout_ms: int) -> Record | Variant:
        """`http-response`, or a `transport-error` variant. Never raises: an exception would
        reach the component as a trap instead of a transport error."""
        unsendable = unsendable_header(request.headers)
        if unsendable is not None:
            return Variant("failed", unsendable)
        timed_out = Variant("timed-out", f"no complete response within {timeout_ms} ms")
        with _deadline.exchange(time.monotonic() + timeout_ms / 1000) as exchange:
            try:
                answer = self._exchange(request, exchange)
            except _TooLarge:
                return Variant("failed", f"the response is larger than {MAX_RESPONSE_BYTES} bytes")
            except Urllib3Timeout as error:
                if isinstance(error, NewConnectionError):  # urllib3 files "refused" under timeouts
                    return Variant("failed", describe(error))
                return timed_out
            except (HTTPError, OSError, ValueError) as error:
                if exchange.cut:  # the watchdog ended it: the error is the socket shut down
                    return timed_out
                reason = tls_reason(error)
                if reason is not None:
                    return Variant("tls", reason)
                return Variant("failed", describe(error))
            return timed_out if exchange.cut else answer

    def _exchange(self, request: Any, exchange: _deadline.Exchange) -> Record:
        pools = self._pools_of(_NETWORK.get(DEFAULT_NETWORK))
        response = pools.manager_for(request.url).request(
            request.method,
            request.url,
            body=request.body,
            headers=dict(request.headers),
            # Each socket operation waits at most for what is left; the watchdog of
            # `_deadline` ends the exchange at the deadline whatever it waits for.
            timeout=urllib3.Timeout(total=exchange.left()),
            redirect=False,
            preload_content=False,
        )
        complete = False
        try:
            body = _read_body(response)
            complete = True
        finally:
            if not complete:
                response.close()  # a half-read connection must not go back to the pool
            response.release_conn()
        headers: list[tuple[str, str]] = list(response.headers.items())
        return record(status=response.status, headers=headers, body=body)

    def _pools_of(self, network: Network) -> _Pools:
        with self._pools_lock:
            pools = self._pools.get(network)
            if pools is None:
                pools = self._pools[network] = _Pools(network)
            return pools


class _Pools:
    """The connection pools of one `Network`: direct, and one per proxy."""

    def __init__(self, network: Network) -> None:
        self._network = network
        self._context = network.ssl_context()
        self._direct = _watched(urllib3.PoolManager(maxsize=CONNECTIONS_PER_HOST, retries=False, ssl_context=self._context))
        self._proxied: dict[Proxy, urllib3.ProxyManager] = {}
        self._lock = threading.Lock()

    def manager_for(self, url: str) -> urllib3.PoolManager:
        proxy = self._network.proxy_for(url)
        if proxy is None:
            return self._direct
        with self._lock:
            manager = self._proxied.get(proxy)
            if manager is None:
                # https: a CONNECT tunnel, TLS to DynamoDB inside it (urllib3's default);
                # http: absolute-form requests to the proxy.
                authorization = proxy.authorization()
                headers = {"proxy-authorization": authorization} if authorization else None
                manager = self._proxied[proxy] = _watched(urllib3.ProxyManager(
                    proxy.url, proxy_headers=headers, maxsize=CONNECTIONS_PER_HOST, retries=False, ssl_context=self._context
                ))
            return manager


def _watched(manager: _Manager) -> _Manager:
    """`manager`, whose connections are cut off at the deadline of their exchange."""
    manager.pool_classes_by_scheme = _deadline.POOL_CLASSES
    return manager


class _TooLarge(Exception):
    pass


def _read_body(response: urllib3.BaseHTTPResponse) -> bytes:
    """The whole body, or `_TooLarge` past 16 MB."""
    body = bytearray()
    while True:
        chunk = response.read1(64 * 1024)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise _TooLarge


@contextmanager
def sending_through(network: Network) -> Iterator[None]:
    """Within the block (on this thread or asyncio task), `send` uses `network`'s trust and
    proxies."""
    token = _NETWORK.set(network)
    try:
        yield
    finally:
        _NETWORK.reset(token)


def unsendable_header(headers: Sequence[tuple[str, str]]) -> str | None:
    """Why `headers` cannot go on the wire (a line break or control character, e.g. a session
    token with CR/LF), naming the header, never its value; None when they can."""
    for name, value in headers:
        if any(c in value for c in "\r\n\0"):
            return f"the {name} header holds a line break or NUL and cannot be sent (check the credentials)"
    return None


# Failures of an established TLS connection (the peer closed it, the socket broke): retried
# like any broken connection, not reported as a TLS failure.
_BROKEN_CONNECTION = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError)


def tls_reason(error: BaseException) -> str | None:
    """A short reason when `error` is, or wraps, a failed TLS handshake (the certificate
    failed verification, or no version or cipher was agreed); None for any other error.

    urllib3 and aiohttp wrap the `ssl` module's error (in `args`, the exception chain, or
    aiohttp's `certificate_error`/`os_error`): the search follows all of them."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        # aiohttp's ClientConnectorCertificateError is one too, without the details: they
        # are in the `ssl` error it wraps (searched next).
        detail = getattr(current, "verify_message", None)
        if isinstance(current, ssl.SSLCertVerificationError) and detail:
            return f"certificate verify failed: {detail}"
        if isinstance(current, ssl.SSLError) and not isinstance(current, (_BROKEN_CONNECTION, ssl.SSLCertVerificationError)):
            return current.reason or type(current).__name__
        wrapped = [*current.args, getattr(current, "certificate_error", None), getattr(current, "os_error", None),
                   current.__cause__, current.__context__]
        pending += [item for item in wrapped if isinstance(item, BaseException)]
    return "certificate verify failed" if isinstance(error, ssl.SSLCertVerificationError) else None


def now_ms() -> int:
    return int(time.time() * 1000)


def sleep_ms(ms: int) -> None:
    time.sleep(ms / 1000)


# Answers the `credentials` import: `aws-credentials`, or the text of the
# `credentials-unavailable` error.
CredentialsAnswer = Callable[[], "Record | str"]
_CREDENTIALS_ANSWER: ContextVar[CredentialsAnswer] = ContextVar("jovo_dynamodb_credentials")

# The default chain (environment, profiles, containers, instance metadata), shared by every
# store of the process that has no `credentials=` argument.
DEFAULT_CHAIN = credentials.DefaultChain()


@contextmanager
def answering_credentials_with(answer: CredentialsAnswer) -> Iterator[None]:
    """Within the block (on this thread or asyncio task), the `credentials` import answers
    with `answer()`."""
    token = _CREDENTIALS_ANSWER.set(answer)
    try:
        yield
    finally:
        _CREDENTIALS_ANSWER.reset(token)


def credentials_or_reason(source: Any = None) -> Record | str:
    """`source.resolve()` (default: the default chain) as the import's answer."""
    try:
        found = (source or DEFAULT_CHAIN).resolve()
    except credentials.NoCredentials as reason:
        return str(reason)
    return credentials_record(found)


def credentials_record(found: credentials.AwsCredentials) -> Record:
    """`aws-credentials` of `found`."""
    return record(
        access_key_id=found.access_key_id,
        secret_access_key=found.secret_access_key,
        session_token=found.session_token,
    )


def describe(error: BaseException) -> str:
    """The class and text of a transport error. urllib3's and aiohttp's texts name the pool,
    URL or proxy (without credentials), never headers; a ValueError's text may quote what it
    refused (a header value), so only its class is shown."""
    if isinstance(error, ValueError):
        return f"{type(error).__name__} (the request could not be sent as it is)"
    return f"{type(error).__name__}: {error}"


# The default trust and no proxy: for calls into a runtime that no store made (no network set).
DEFAULT_NETWORK = Network(extra_cas=(), openssl_paths=(None, None), proxies=(), no_proxy=None)
