"""One time limit for a whole blocking HTTP exchange (connect, TLS handshake, request, status
line, headers, body), as aiohttp's `ClientTimeout(total=)` gives the async store.

urllib3 has no such limit: its timeouts are per socket operation, so a server that sends one
byte every 50 ms keeps a 1 s "timeout" waiting for as long as it likes (measured: 4.98 s for
`request_timeout_ms=1000` before this module). Here one watchdog thread per process keeps
the deadlines of the exchanges in flight and, when one passes, shuts the socket of that
exchange down, which ends the read it is blocked in. The connections that the blocking
store's pools make (`WatchedHTTPConnection`, `WatchedHTTPSConnection`) enter themselves into
the exchange of the thread that uses them.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Exchange:
    """One HTTP exchange with its deadline; `cut` tells that the watchdog ended it."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.cut = False
        # The connections entered (a connection once, though urllib3 may both connect and
        # send on it) and their watchdog entries.
        self.connections: list[HTTPConnection] = []
        self.entries: list[int] = []

    def left(self) -> float:
        """Seconds left, at least a millisecond (urllib3 refuses a timeout of 0)."""
        return max(self.deadline - time.monotonic(), 0.001)


_EXCHANGE: ContextVar[Exchange | None] = ContextVar("jovo_dynamodb_exchange", default=None)


class _Watchdog:
    """Shuts down the sockets of exchanges past their deadline. One thread, started on first
    use; the lock makes "forget" and "cut" exclusive, so a connection that finished in time
    is never cut after it went back to the pool."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._watched: dict[int, tuple[Exchange, HTTPConnection]] = {}
        self._numbers = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, exchange: Exchange, connection: HTTPConnection) -> int:
        with self._wake:
            number = next(self._numbers)
            self._watched[number] = (exchange, connection)
            heapq.heappush(self._heap, (exchange.deadline, number))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="jovo-dynamodb-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][1] == number:  # the earliest deadline now: the thread must wait less
                self._wake.notify()
            return number

    def forget(self, numbers: list[int]) -> None:
        with self._wake:
            for number in numbers:
                self._watched.pop(number, None)

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._heap and self._heap[0][1] not in self._watched:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                deadline, number = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
                exchange, connection = self._watched.pop(number)
                exchange.cut = True
                sock = connection.sock
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass  # already closed


_WATCHDOG = _Watchdog()


@contextmanager
def exchange(deadline: float) -> Iterator[Exchange]:
    """Within the block, the connections this thread uses are cut off at `deadline`."""
    current = Exchange(deadline)
    token = _EXCHANGE.set(current)
    try:
        yield current
    finally:
        _EXCHANGE.reset(token)
        _WATCHDOG.forget(current.entries)


def _enter(connection: HTTPConnection) -> None:
    current = _EXCHANGE.get()
    if current is not None and not any(known is connection for known in current.connections):
        current.connections.append(connection)
        current.entries.append(_WATCHDOG.watch(current, connection))


class WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _enter(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _enter(self)
        super().request(*args, **kwargs)


class WatchedHTTPSConnection(WatchedHTTPConnection, HTTPSConnection):
    # The method order puts WatchedHTTPConnection's hooks first, and their super() calls
    # reach HTTPSConnection: the TLS connection is watched by the same two hooks.
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


# For `PoolManager.pool_classes_by_scheme`.
POOL_CLASSES = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}
