"""The component's `host` import: HTTP, clock, sleep and credentials.

HTTP goes through one `urllib3.PoolManager` per runtime: connections to DynamoDB stay open
between calls and are shared by all threads.

Credentials: the component asks the import before every request when its config has none.
Which store is asking is told by a context variable that the store sets around each call
into the component (`answering_credentials_with`): a thread (blocking store) or an asyncio
task (async store) sees only its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from . import credentials
from ._wit import Record, Variant, record

INTERFACE = "jovo:dynamodb/host@0.1.0"

# DynamoDB answers are at most a 400 KB item plus JSON overhead; anything far larger is not
# DynamoDB. The same bound as the Rust host.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

# Enough idle connections for a busy thread pool; beyond them urllib3 opens and drops extras.
CONNECTIONS_PER_HOST = 64


class Transport:
    """Implements `jovo:dynamodb/host`. Thread-safe: it keeps no per-call state."""

    def __init__(self) -> None:
        self._http = urllib3.PoolManager(maxsize=CONNECTIONS_PER_HOST, retries=False)

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
        reach the component as a trap instead of a retryable transport error."""
        try:
            return self._exchange(request, timeout_ms / 1000)
        except Urllib3Timeout as error:
            if isinstance(error, NewConnectionError):  # urllib3 files "refused" under timeouts
                return Variant("failed", _describe(error))
            return Variant("timed-out", _describe(error))
        except (HTTPError, OSError, ValueError) as error:
            return Variant("failed", _describe(error))

    def _exchange(self, request: Any, timeout_s: float) -> Record:
        response = self._http.request(
            request.method,
            request.url,
            body=request.body,
            headers=dict(request.headers),
            timeout=urllib3.Timeout(total=timeout_s),
            redirect=False,
            preload_content=False,
        )
        complete = False
        try:
            body = response.read(MAX_RESPONSE_BYTES + 1)
            complete = len(body) <= MAX_RESPONSE_BYTES
        finally:
            if not complete:
                response.close()  # a half-read connection must not go back to the pool
            response.release_conn()
        if not complete:
            raise ValueError(f"the response is larger than {MAX_RESPONSE_BYTES} bytes")
        headers: list[tuple[str, str]] = list(response.headers.items())
        return record(status=response.status, headers=headers, body=body)


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


def _describe(error: BaseException) -> str:
    # urllib3's texts name the pool and URL, never headers: no signature or token leaks here.
    return f"{type(error).__name__}: {error}"
