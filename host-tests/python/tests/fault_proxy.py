"""A small HTTP/1.1 proxy on 127.0.0.1 between a store and a real dynalite that injects
faults, as host-tests/rust/tests/support/fault_proxy.rs does for the Rust host. Each request
takes the next fault of a script (first in, first out); with the script empty, requests pass
through unchanged. Nothing of DynamoDB is imitated: every answer that is not an injected
error comes from dynalite.

Faults that damage the *answer* (truncate, delay) forward the request first, so dynalite has
applied it when the store sees the damage: the "applied but not acknowledged" case that only
idempotent retries survive. Faults that *refuse* the request (500, reset) do not forward it.
"""

from __future__ import annotations

import http.client
import json
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

PASS = "pass"
INTERNAL_SERVER_ERROR = "500"
RESET = "reset"
TRUNCATE = "truncate"


def delay(seconds: float) -> str:
    """Forwards, then answers only after `seconds` (past the client's timeout)."""
    return f"delay:{seconds}"


@dataclass
class Seen:
    """One request the proxy saw: its `x-amz-target` operation, what was done to it, and its
    headers (names in lower case)."""

    operation: str
    fault: str | None
    headers: dict[str, str] = field(repr=False)


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._script: list[str] = []
        self._seen: list[Seen] = []
        self.connections = 0
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with proxy._lock:
                    proxy.connections += 1
                upstream: http.client.HTTPConnection | None = None
                try:
                    while True:
                        request = _read_request(self.rfile)
                        if request is None:
                            return
                        if upstream is None:
                            upstream = http.client.HTTPConnection(*proxy._upstream, timeout=30)
                        if not proxy._serve(self.connection, self.wfile, upstream, *request):
                            return
                except OSError:
                    return
                finally:
                    if upstream is not None:
                        upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that went away mid-request is what these tests do

        self._server = Server(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def push(self, *faults: str) -> None:
        """Appends faults to the script; each is used by one request, in order."""
        with self._lock:
            self._script.extend(faults)

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def take_seen(self) -> list[Seen]:
        """The requests seen since the last call, and forgets them."""
        with self._lock:
            seen, self._seen = self._seen, []
            return seen

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _serve(self, connection: socket.socket, out: Any, upstream: http.client.HTTPConnection,
               method: str, path: str, headers: dict[str, str], body: bytes) -> bool:
        """Answers one request; False when the connection must end."""
        operation = headers.get("x-amz-target", "").rsplit(".", 1)[-1]
        with self._lock:
            fault = self._script.pop(0) if self._script else None
            self._seen.append(Seen(operation, fault, headers))
        if fault == INTERNAL_SERVER_ERROR:
            error = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                "message": "Internal server error (injected)"}).encode()
            out.write(_response(500, [("content-type", "application/x-amz-json-1.0")], error))
            return True
        if fault == RESET:
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
            return False
        status, answer_headers, answer = _forward(upstream, method, path, headers, body)
        if fault == TRUNCATE:
            out.write(_response(status, answer_headers, answer)[: -max(1, len(answer) // 2)])
            out.flush()
            return False
        if fault is not None and fault.startswith("delay:"):
            time.sleep(float(fault.split(":", 1)[1]))
        out.write(_response(status, answer_headers, answer))
        return True


def _read_request(reader: Any) -> tuple[str, str, dict[str, str], bytes] | None:
    line = reader.readline(65537)
    if not line:
        return None
    method, path, _version = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = reader.readline(65537).decode("latin-1")
        if header in ("\r\n", "\n", ""):
            break
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return method, path, headers, body


def _forward(upstream: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str],
             body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    upstream.request(method, path, body=body, headers={k: v for k, v in headers.items() if k != "connection"})
    response = upstream.getresponse()
    answer = response.read()
    kept = [(name, value) for name, value in response.getheaders()
            if name.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length")]
    return response.status, kept, answer


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {http.client.responses.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [f"content-length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body
