"""`AsyncDynamoDbStore`: the asyncio twin of `DynamoDbStore`.

It drives the component through its step-driven export: `client.start(request)` gives an
`operation`, and each `operation.advance(outcome)` says what the operation needs next: *send
this signed request*, *sleep this long*, or *done*. This module performs those steps with
aiohttp and `asyncio.sleep`, so no thread blocks and many operations of one store are in
flight at once in one component instance. The `advance` calls themselves are synchronous
and short (validate, marshal, sign, parse), and never overlap: they all run on the event
loop's thread, one at a time, as wasmtime needs.

HTTP: one `aiohttp.ClientSession` per store, created in the event loop of the first call,
with kept-alive connections (no limit on their number: every operation in flight may need
one), a time limit on each whole exchange (`request_timeout_ms`), bodies capped at 16 MB,
and `accept-encoding: identity` (DynamoDB's `x-amz-crc32` covers the bytes on the wire).
Trust and proxies are the store's `network.Network`, as for the blocking store; redirects are
never followed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Callable

import aiohttp

from . import credentials as aws
from . import items, transport
from ._wit import Record, Variant, record
from .errors import RuntimeFailure
from .network import Network
from .runtime import Instance, ok
from .store import StoreOptions, TableStatus, TimeToLiveStatus, _user_id

MAX_RESPONSE_BYTES = transport.MAX_RESPONSE_BYTES


class AsyncDynamoDbStore(StoreOptions):
    """`DynamoDbStore` for asyncio: the same options, methods (awaited) and exceptions.

        async with AsyncDynamoDbStore("my-users", region="eu-west-1") as store:
            item = await store.load_user("user-1") or {"user": {"data": {}}}
            await store.save_user("user-1", item)

    Share one store between the tasks of one event loop: its operations run concurrently over
    one component instance and one connection pool. A store belongs to the loop of its first
    call until `close()`; a `credentials=` provider may be a plain or an async function.

    Options: see `StoreOptions.__init__`.
    """

    def _start(self) -> None:
        self._instance: Instance | None = self._open_instance()  # a bad config raises here
        self._http = _AioHttpSender(self._network)
        self._refresh_lock: asyncio.Lock | None = None

    async def ensure_table(self) -> TableStatus:
        """Makes sure the table exists and is ACTIVE, creating it when allowed (and waiting
        out DynamoDB's CREATING state). Other calls do this by themselves on first use."""
        result = await self._run(Variant("ensure-table"))
        return TableStatus(result.payload)

    async def ensure_time_to_live(self) -> TimeToLiveStatus:
        """Turns on Time to Live for the expiry attribute when `expire_after_days` is set, and
        says how it stands. `ensure_table` does this too, without failing on "unavailable"."""
        status: Any = (await self._run(Variant("ensure-time-to-live"))).payload
        return TimeToLiveStatus(status.tag, status.payload)

    async def load_user(self, user_id: str) -> dict[str, Any] | None:
        """The stored item of `user_id` (strongly consistent), or None when there is none.
        Integers load as `int`, other numbers as `Decimal`, binary as `bytes`, sets as
        `set` (of `str`, of `int`/`Decimal`, of `bytes`)."""
        text = (await self._run(Variant("load-user", _user_id(user_id)))).payload
        return None if text is None else items.decode(text)

    async def save_user(self, user_id: str, item: Mapping[str, Any]) -> None:
        """Replaces the stored item of `user_id` with `item`; see `DynamoDbStore.save_user`."""
        text = items.encode(item)
        await self._run(Variant("save-user", record(user_id=_user_id(user_id), item=text)))

    async def delete_user(self, user_id: str) -> None:
        """Deletes the stored item of `user_id`; deleting a missing item succeeds."""
        await self._run(Variant("delete-user", _user_id(user_id)))

    async def close(self) -> None:
        """Closes the HTTP connections. The store may be used again (in this or another event
        loop); it then opens new ones."""
        self._refresh_lock = None  # an asyncio.Lock belongs to one loop
        await self._http.close()

    async def __aenter__(self) -> AsyncDynamoDbStore:
        return self

    async def __aexit__(self, *exception: object) -> None:
        await self.close()

    async def _run(self, request: Variant) -> Variant:
        """Starts `request` and performs its steps; the `operation-result`, or the
        `StoreError` raised."""
        self._http.bind_to_running_loop()  # before touching the instance: one loop's thread only
        instance = self._live_instance()
        try:
            operation = instance.start(request)
        except RuntimeFailure:
            self._forget(instance)
            raise
        try:
            outcome: Any = None
            while True:
                answer = await self._credentials_answer()
                try:
                    with transport.answering_credentials_with(answer):
                        step = instance.advance(operation, outcome)
                except RuntimeFailure:
                    self._forget(instance)
                    raise
                if isinstance(step, Record):  # send
                    outgoing: Any = step
                    outcome = await self._http.send(outgoing.request, getattr(outgoing, "timeout-ms"))
                elif isinstance(step, int):  # sleep
                    await asyncio.sleep(step / 1000)
                    outcome = None
                else:  # done
                    result: Variant = ok(step)
                    return result
        finally:
            if instance is self._instance:
                instance.drop(operation)

    def _forget(self, instance: Instance) -> None:
        """A trapped instance cannot be called again: later operations get a new one."""
        if self._instance is instance:
            self._instance = None

    def _live_instance(self) -> Instance:
        if self._instance is None:
            self._instance = self._open_instance()
        return self._instance

    async def _credentials_answer(self) -> Callable[[], Record | str]:
        """What the `credentials` import answers during the next `advance`. The import is
        synchronous and must not block the loop, so credentials that need a process or a
        server (credential_process, ECS, IMDS, an async provider) are fetched here first."""
        if self._fixed_credentials:
            return _unused_credentials
        try:
            found = await (self._from_provider() if self._provider is not None else self._from_chain())
        except aws.NoCredentials as reason:
            text = str(reason)
            return lambda: text
        answer = transport.credentials_record(found)
        return lambda: answer

    async def _from_provider(self) -> aws.AwsCredentials:
        provider = self._provider
        assert provider is not None
        kept = provider.kept()
        if kept is not None:
            return kept
        try:
            value = provider.provider()
            if hasattr(value, "__await__"):
                value = await value
        except Exception as error:  # noqa: BLE001 - the user's code; reported as unavailable credentials
            return provider.failed(error)
        return provider.accept(value)

    async def _from_chain(self) -> aws.AwsCredentials:
        found = transport.DEFAULT_CHAIN.resolve_without_io()
        if found is not None:
            return found
        # A process or a metadata server must answer: in a thread, one refresh at a time.
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            return await asyncio.to_thread(transport.DEFAULT_CHAIN.resolve)


def _unused_credentials() -> str:
    # The config carries credentials, so the component never asks.
    return "the store's fixed credentials are in its config"


class _AioHttpSender:
    """Sends the component's requests with aiohttp. Never raises for a failed exchange: it
    answers a `transport-error`, which the component retries."""

    def __init__(self, network: Network) -> None:
        self._network = network
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind_to_running_loop(self) -> aiohttp.ClientSession:
        """The session of the running loop; `RuntimeFailure` when the store belongs to
        another loop (its connections, and the component instance, are that loop's)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, ssl=self._network.ssl_context())
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,  # the component checks x-amz-crc32 over these bytes
                skip_auto_headers=("User-Agent",),
                timeout=aiohttp.ClientTimeout(total=None),
            )
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeFailure(
                "this AsyncDynamoDbStore belongs to another event loop: create one per loop, or "
                "close it (await store.close()) before using it in another loop"
            )
        return self._session

    async def send(self, request: Any, timeout_ms: int) -> Record | Variant:
        session = self.bind_to_running_loop()
        unsendable = transport.unsendable_header(request.headers)
        if unsendable is not None:
            return Variant("failed", unsendable)
        headers = [*request.headers, ("accept-encoding", "identity")]
        # https: a CONNECT tunnel, TLS to DynamoDB inside it, with the proxy's credentials on
        # the CONNECT; http: absolute-form requests to the proxy, with them on each request.
        proxy = self._network.proxy_for(request.url)
        authorization = proxy.authorization() if proxy is not None else None
        proxy_headers = None
        if authorization is not None:
            if request.url.startswith("https:"):
                proxy_headers = {"proxy-authorization": authorization}
            else:
                headers.append(("proxy-authorization", authorization))
        try:
            async with session.request(
                request.method,
                request.url,
                data=request.body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_ms / 1000),
                allow_redirects=False,
                proxy=proxy.url if proxy is not None else None,
                proxy_headers=proxy_headers,
            ) as response:
                body = await _read_capped(response)
                return record(status=response.status, headers=list(response.headers.items()), body=body)
        except _TooLarge:
            return Variant("failed", f"the response is larger than {MAX_RESPONSE_BYTES} bytes")
        except asyncio.TimeoutError:
            return Variant("timed-out", f"no complete response within {timeout_ms} ms")
        except (aiohttp.ClientError, OSError, ValueError) as error:
            reason = transport.tls_reason(error)
            if reason is not None:
                return Variant("tls", reason)
            return Variant("failed", transport.describe(error))

    async def close(self) -> None:
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            await session.close()


class _TooLarge(Exception):
    pass


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The whole body, or `_TooLarge` past 16 MB (the connection is then closed, not reused)."""
    length = response.content_length
    if length is not None and length <= MAX_RESPONSE_BYTES:
        return await response.read()
    if length is None:
        body = bytearray()
        async for chunk in response.content.iter_any():
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                break
        else:
            return bytes(body)
    response.close()
    raise _TooLarge
