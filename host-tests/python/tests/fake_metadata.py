"""Fakes of our own of the two AWS metadata services, on 127.0.0.1 only: the ECS/EKS
container credentials endpoint and the EC2 instance metadata service (IMDSv2). The real
ones live at 169.254.170.2 and 169.254.169.254, which no test may ever contact; tests point
`AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_EC2_METADATA_SERVICE_ENDPOINT` here."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def expiring_in(seconds: float) -> str:
    """An `Expiration` as AWS writes it."""
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Server:
    """A threaded HTTP server on 127.0.0.1; `requests` lists (method, path, headers)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner._record(self)
                owner._answer(self)

            def do_PUT(self) -> None:
                owner._record(self)
                owner._answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _record(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.requests.append((handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}))

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("content-length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class FakeEcs(_Server):
    """Answers GET /creds with `credentials` (a dict) as JSON, or `status`/`raw` when set."""

    PATH = "/creds"

    def __init__(self) -> None:
        self.credentials: dict[str, Any] = {}
        self.status = 200
        self.raw: bytes | None = None
        super().__init__()

    @property
    def full_uri(self) -> str:
        return self.url + self.PATH

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.command != "GET" or handler.path != self.PATH:
            return self._send(handler, 404, b"not found")
        body = self.raw if self.raw is not None else json.dumps(self.credentials).encode()
        self._send(handler, self.status, body)


class FakeImds(_Server):
    """IMDSv2: PUT /latest/api/token (needs the TTL header) gives a token; the metadata paths
    answer only requests that carry it. `credentials` is the role's document."""

    TOKEN = "imds-session-token-1"
    ROLE = "app-instance-role"

    def __init__(self) -> None:
        self.credentials: dict[str, Any] = {}
        super().__init__()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        base = "/latest/meta-data/iam/security-credentials/"
        if handler.command == "PUT" and handler.path == "/latest/api/token":
            if handler.headers.get("x-aws-ec2-metadata-token-ttl-seconds") != "21600":
                return self._send(handler, 400, b"missing or wrong TTL header")
            return self._send(handler, 200, self.TOKEN.encode())
        if handler.headers.get("x-aws-ec2-metadata-token") != self.TOKEN:
            return self._send(handler, 401, b"")
        if handler.command == "GET" and handler.path == base:
            return self._send(handler, 200, f"{self.ROLE}\n".encode())
        if handler.command == "GET" and handler.path == base + self.ROLE:
            return self._send(handler, 200, json.dumps({"Code": "Success", "Type": "AWS-HMAC", **self.credentials}).encode())
        return self._send(handler, 404, b"")
