"""The production network, for both stores: HTTPS to a DynamoDB whose certificate comes from a
private CA, trust as boto3 users set it (AWS_CA_BUNDLE, REQUESTS_CA_BUNDLE, SSL_CERT_FILE,
SSL_CERT_DIR, the `ca_bundle=` option), refused certificates (self-signed, wrong host) as
`TlsFailed` after one attempt, keep-alive over TLS, proxies from the environment or the
`proxy=` option (CONNECT tunnels for https, absolute-form for http, NO_PROXY), a stalled TLS
handshake within the operation's deadline, redirects never followed, clock skew corrected,
and a body dripped one byte at a time cut off by the request timeout.

Servers, all on 127.0.0.1: the session's dynalite behind scripts/node/network-fixture.cjs
(TLS terminator, proxy, skewed clocks, redirect, stalled server, with counters), and a
dripping server of ours."""

from __future__ import annotations

import asyncio
import base64
import functools
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import KINDS, TEST_ACCESS_KEY, TEST_SECRET, NetworkFixture, Store, closed_endpoint, serving, unique_table
from jovo_dynamodb import (
    AsyncDynamoDbStore,
    DynamoDbStore,
    InvalidConfig,
    MalformedResponse,
    Runtime,
    StoreError,
    TimedOut,
    TlsFailed,
)

ITEM = {"user": {"data": {"visits": 1, "name": "Ada"}}}
_RUNTIME: list[Runtime] = []


@pytest.fixture(autouse=True)
def _own_runtime(fresh_runtime: Runtime) -> Iterator[None]:
    """Every test's stores use a runtime of the test's own: connections counted by the
    fixture are the test's, none kept open by an earlier one."""
    _RUNTIME.append(fresh_runtime)
    yield
    _RUNTIME.pop()


def run(kind: str, table: str, scenario: Any, **options: Any) -> None:
    """Runs `scenario(store)` with a store of `kind` in a fresh event loop, then closes it."""
    options.setdefault("runtime", _RUNTIME[-1])

    async def main() -> None:
        store = Store(kind, table, **options)
        try:
            await scenario(store)
        finally:
            await store.close()

    asyncio.run(main())


async def round_trip(store: Store, user: str = "user-1") -> None:
    await store.save(user, ITEM)
    assert await store.load(user) == {**ITEM, "userId": user}


def failure(kind: str, expected: type[Exception], endpoint: str, **options: Any) -> tuple[Exception, float]:
    """The error a first `load_user` at `endpoint` raises (it must be `expected`) and how long
    it took, in seconds."""
    caught: list[tuple[Exception, float]] = []

    async def scenario(store: Store) -> None:
        started = time.monotonic()
        with pytest.raises(expected) as raised:
            await store.load("user-1")
        caught.append((raised.value, time.monotonic() - started))

    run(kind, "users", scenario, endpoint=endpoint, **options)
    return caught[0]


@pytest.fixture
def fresh(network: NetworkFixture) -> NetworkFixture:
    """The session's network fixture with its counters at zero."""
    network.reset()
    return network


# ---- HTTPS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_user_round_trips_over_https_to_a_private_ca_endpoint(kind, fresh):
    for endpoint in (fresh.endpoints["tls"], fresh.endpoints["tlsIp"]):
        run(kind, unique_table("https"), round_trip, endpoint=endpoint, ca_bundle=fresh.ca)


@pytest.mark.parametrize("kind", KINDS)
def test_connections_stay_open_over_tls_for_a_hundred_operations(kind, fresh):
    async def fifty_visits(store: Store) -> None:
        for visit in range(50):
            await store.save(f"user-{visit % 5}", ITEM)
            await store.load(f"user-{visit % 5}")

    run(kind, unique_table("keep-alive"), fifty_visits, endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca)
    handshakes = fresh.counts()["handshakes"]["tls"]
    print(f"{kind}: {handshakes} TLS handshake(s) for 100 operations (+ the table check)")
    assert 1 <= handshakes <= 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "reason"), [
    ("selfSigned", "self-signed certificate"),
    ("wrongHost", "Hostname mismatch"),
])
def test_an_untrusted_certificate_is_refused_at_once_as_tls_failed(kind, name, reason, fresh):
    error, took = failure(kind, TlsFailed, fresh.endpoints[name], ca_bundle=fresh.ca)
    print(f"{kind}, {name}: TlsFailed after {took:.2f} s: {error}")
    assert error.code == "tls-failed"
    assert reason in str(error)
    assert "AWS_CA_BUNDLE" in str(error), "the text says how to trust a CA"
    assert fresh.counts()["handshakes"][name] <= 1, "one attempt: a certificate that fails verification fails again"
    assert took < 10


@pytest.mark.parametrize("kind", KINDS)
def test_a_private_ca_is_not_trusted_unless_configured(kind, fresh):
    error, _ = failure(kind, TlsFailed, fresh.endpoints["tls"])
    assert "unable to get local issuer certificate" in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stalled_handshake_ends_as_timed_out_within_the_operation_deadline(kind, fresh):
    # Alone, 4 attempts of the default 5 s request timeout would take 20 s.
    error, took = failure(kind, TimedOut, fresh.endpoints["stalled"], ca_bundle=fresh.ca, operation_timeout_ms=1500)
    print(f"{kind}: stalled handshake: TimedOut after {took:.2f} s (operation_timeout_ms=1500): {error}")
    assert fresh.counts()["stalledConnections"] >= 1
    assert took < 10


# ---- trust as users set it -----------------------------------------------------------------


def rehashed_directory(fixture: NetworkFixture, directory: Path) -> str:
    """An OpenSSL CA directory (`<subject hash>.0`) holding the fixture's CA."""
    directory.mkdir()
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", fixture.ca],
                                  check=True, capture_output=True, text=True).stdout.strip()
    (directory / f"{subject_hash}.0").write_text(Path(fixture.ca).read_text())
    return str(directory)


@pytest.mark.parametrize("kind", KINDS)
def test_each_way_of_trusting_the_private_ca_works(kind, fresh, monkeypatch, tmp_path):
    ca_text = Path(fresh.ca).read_text()
    ways: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("the ca_bundle option, a path", {}, {"ca_bundle": fresh.ca}),
        ("the ca_bundle option, a pathlib.Path", {}, {"ca_bundle": Path(fresh.ca)}),
        ("the ca_bundle option, PEM text", {}, {"ca_bundle": ca_text}),
        ("AWS_CA_BUNDLE", {"AWS_CA_BUNDLE": fresh.ca}, {}),
        ("REQUESTS_CA_BUNDLE", {"REQUESTS_CA_BUNDLE": fresh.ca}, {}),
        ("SSL_CERT_FILE", {"SSL_CERT_FILE": fresh.ca}, {}),
        ("SSL_CERT_DIR", {"SSL_CERT_DIR": rehashed_directory(fresh, tmp_path / "certs")}, {}),
    ]
    for what, variables, options in ways:
        with monkeypatch.context() as patch:
            for name, value in variables.items():
                patch.setenv(name, value)
            try:
                run(kind, unique_table("trust"), round_trip, endpoint=fresh.endpoints["tls"], **options)
            except Exception as error:
                pytest.fail(f"{what}: {error!r}")


@pytest.mark.parametrize("kind", KINDS)
def test_extra_cas_add_to_the_default_trust_and_aws_ca_bundle_comes_first(kind, fresh, monkeypatch, tmp_path):
    # The defaults (here SSL_CERT_FILE) trust the private CA; the option adds the self-signed
    # certificate: both endpoints work.
    monkeypatch.setenv("SSL_CERT_FILE", fresh.ca)
    self_signed = str(fresh.directory / "self-signed.pem")
    for endpoint in (fresh.endpoints["tls"], fresh.endpoints["selfSigned"]):
        run(kind, unique_table("trust-added"), round_trip, endpoint=endpoint, ca_bundle=self_signed)
    monkeypatch.delenv("SSL_CERT_FILE")
    # As in botocore, AWS_CA_BUNDLE is used when set, and REQUESTS_CA_BUNDLE only otherwise.
    monkeypatch.setenv("AWS_CA_BUNDLE", self_signed)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fresh.ca)
    failure(kind, TlsFailed, fresh.endpoints["tls"])


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreadable_or_invalid_ca_bundle_is_invalid_config_naming_its_source(kind, monkeypatch, tmp_path):
    cls = DynamoDbStore if kind == "blocking" else AsyncDynamoDbStore
    cls = functools.partial(cls, runtime=_RUNTIME[-1])
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    with pytest.raises(InvalidConfig, match="the ca_bundle option: cannot read"):
        cls("users", endpoint="https://localhost:1", ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(InvalidConfig, match="the ca_bundle option: the CA bundle .* holds no valid PEM"):
        cls("users", endpoint="https://localhost:1", ca_bundle=garbage)
    with pytest.raises(InvalidConfig, match="the ca_bundle option: the PEM text holds no valid PEM") as caught:
        cls("users", endpoint="https://localhost:1", ca_bundle=garbage.read_text())
    assert "not base64" not in str(caught.value)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(InvalidConfig, match="AWS_CA_BUNDLE: cannot read"):
        cls("users", endpoint="https://localhost:1")


# ---- proxies -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy"])
def test_an_https_endpoint_is_reached_through_the_proxy_of_the_environment(kind, variable, fresh, monkeypatch):
    monkeypatch.setenv(variable, fresh.endpoints["proxy"])

    async def twenty_operations(store: Store) -> None:
        for visit in range(10):
            await round_trip(store, f"user-{visit}")

    run(kind, unique_table("tunnel"), twenty_operations, endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca)
    counts = fresh.counts()
    print(f"{kind}: {counts['tunnels']} CONNECT tunnel(s) for 20 operations (+ the table check)")
    assert 1 <= counts["tunnels"] <= 2, f"one CONNECT tunnel, kept alive: {counts}"
    assert counts["handshakes"]["tls"] == counts["tunnels"], "TLS to the endpoint inside the tunnel"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
def test_an_http_endpoint_is_reached_through_the_proxy_in_absolute_form(kind, variable, fresh, dynalite, monkeypatch):
    monkeypatch.setenv(variable, fresh.endpoints["proxy"])
    monkeypatch.setenv("HTTPS_PROXY", closed_endpoint())  # for https endpoints only
    run(kind, unique_table("absolute"), round_trip, endpoint=dynalite.endpoint)
    counts = fresh.counts()
    assert counts["proxied"] >= 2 and counts["tunnels"] == 0, counts


@pytest.mark.parametrize("kind", KINDS)
def test_lower_case_proxy_variables_win_and_credentials_in_the_url_are_accepted(kind, fresh, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", closed_endpoint())
    monkeypatch.setenv("https_proxy", fresh.endpoints["proxy"].replace("http://", "http://user:p%40ss@"))
    run(kind, unique_table("lower-case"), round_trip, endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca)
    assert fresh.counts()["tunnels"] >= 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("variable", "value"), [
    ("NO_PROXY", "localhost"),
    ("no_proxy", "example.com, .localhost"),
    ("NO_PROXY", "*"),
])
def test_no_proxy_lets_an_endpoint_bypass_the_proxy(kind, variable, value, fresh, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", fresh.endpoints["proxy"])
    monkeypatch.setenv(variable, value)
    run(kind, unique_table("no-proxy"), round_trip, endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca)
    assert fresh.counts()["tunnels"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_proxy_option_overrides_the_environment_or_turns_proxies_off(kind, fresh, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", closed_endpoint())
    monkeypatch.setenv("NO_PROXY", "localhost")  # the option is explicit: NO_PROXY does not apply
    run(kind, unique_table("proxy-option"), round_trip, endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca,
        proxy=fresh.endpoints["proxy"])
    assert fresh.counts()["tunnels"] >= 1
    fresh.reset()
    monkeypatch.delenv("NO_PROXY")
    run(kind, unique_table("proxy-off"), round_trip, endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca, proxy=False)
    assert fresh.counts()["tunnels"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_proxy_that_is_not_http_is_invalid_config_without_its_password(kind, monkeypatch):
    cls = functools.partial(DynamoDbStore if kind == "blocking" else AsyncDynamoDbStore, runtime=_RUNTIME[-1])
    for proxy in ("https://user:hunter2@proxy.example:3128", "socks5://user:hunter2@proxy.example:1080", "", True):
        with pytest.raises(InvalidConfig, match="proxy") as caught:
            cls("users", endpoint="https://localhost:1", proxy=proxy)
        assert "hunter2" not in str(caught.value)
    monkeypatch.setenv("HTTPS_PROXY", "https://user:hunter2@proxy.example:3128")
    with pytest.raises(InvalidConfig, match="HTTPS_PROXY must be an http:// proxy URL") as caught:
        cls("users", endpoint="https://localhost:1")
    assert "hunter2" not in str(caught.value)


# ---- redirects, clock skew -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_is_never_followed(kind, fresh):
    error, _ = failure(kind, MalformedResponse, fresh.endpoints["redirect"])
    assert "REDIRECT-SECRET" not in str(error)
    assert fresh.counts()["redirectTargetHits"] == 0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("endpoint", ["skewAhead", "skewBehind"])
def test_a_server_clock_15_minutes_off_is_corrected_for(kind, endpoint, fresh):
    async def two_round_trips(store: Store) -> None:
        await round_trip(store, "user-1")
        await round_trip(store, "user-2")

    run(kind, unique_table("skew"), two_round_trips, endpoint=fresh.endpoints[endpoint])
    refused = fresh.counts()["skewRefused"]
    assert 1 <= refused <= 2, f"one refusal, then the offset is kept: {refused}"


# ---- the request timeout covers the whole exchange -----------------------------------------


class DripHandler(BaseHTTPRequestHandler):
    """Answers 200 with a 400-byte body, one byte every 50 ms (20 s in all); or, when the
    request's path is /headers (the endpoint's), drips 400 bytes of a header line first."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (http.server's spelling)
        self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 400\r\n")
            if self.path.startswith("/headers"):
                self.drip(b"x-drip: ")
                self.wfile.write(b"\r\n\r\n")
            else:
                self.wfile.write(b"\r\n")
                self.drip(b"")
        except OSError:
            pass  # the client gave up

    def drip(self, start: bytes) -> None:
        self.wfile.write(start)
        for _ in range(400):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.05)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def dripping() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), DripHandler)
    server.daemon_threads = True
    with serving(server) as endpoint:
        yield endpoint


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("part", ["body", "headers"])
def test_an_answer_dripped_byte_by_byte_is_cut_off_by_the_request_timeout(kind, part, dripping):
    endpoint = dripping + ("/headers" if part == "headers" else "")
    error, took = failure(kind, TimedOut, endpoint, request_timeout_ms=1000, max_attempts=1, create_table_on_init=False)
    print(f"{kind}: dripped {part}: TimedOut after {took:.2f} s (request_timeout_ms=1000): {error}")
    assert took < 5, "about 1 s, not the 20 s the server takes"


class RecordingProxy(socketserver.ThreadingTCPServer):
    """A proxy of ours that records the head of each request (CONNECT or absolute-form) and
    refuses it: to see what a store sends a proxy."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.heads: list[str] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                lines = []
                while (line := self.rfile.readline()) not in (b"\r\n", b""):
                    lines.append(line.decode("latin-1").strip())
                proxy.heads.append("\n".join(lines))
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.mark.parametrize("kind", KINDS)
def test_proxy_credentials_are_sent_as_basic_authorization_and_never_shown(kind, monkeypatch):
    proxy = RecordingProxy()
    threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://us%40er:hunter2@127.0.0.1:{proxy.server_address[1]}"
        for endpoint in ("https://localhost:1", "http://127.0.0.1:1"):
            error, _ = failure(kind, StoreError, endpoint, proxy=url, max_attempts=1)
            assert "hunter2" not in str(error), error
        expected = "proxy-authorization: basic " + base64.b64encode(b"us@er:hunter2").decode().lower()
        assert len(proxy.heads) == 2
        assert proxy.heads[0].startswith("CONNECT localhost:1 ")
        assert proxy.heads[1].startswith("POST http://127.0.0.1:1/ ")
        for head in proxy.heads:
            assert expected in head.lower()
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_two_stores_of_one_runtime_used_at_once_keep_their_own_trust(fresh, fresh_runtime):
    """Two blocking stores of one runtime, one trusting the private CA and one not, used from
    threads at the same time: each keeps its own trust (the runtime's pools are per setting)."""
    trusting = DynamoDbStore(unique_table("per-store"), endpoint=fresh.endpoints["tls"], ca_bundle=fresh.ca,
                             credentials=(TEST_ACCESS_KEY, TEST_SECRET), runtime=fresh_runtime)
    doubting = DynamoDbStore("users", endpoint=fresh.endpoints["tls"], credentials=(TEST_ACCESS_KEY, TEST_SECRET),
                             runtime=fresh_runtime, max_attempts=1)
    outcomes: dict[str, Any] = {}

    def use(name: str, store: DynamoDbStore) -> None:
        try:
            for _ in range(5):
                store.save_user("user-1", ITEM)
            outcomes[name] = "ok"
        except Exception as error:
            outcomes[name] = error

    threads = [threading.Thread(target=use, args=("trusting", trusting)),
               threading.Thread(target=use, args=("doubting", doubting))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes["trusting"] == "ok"
    assert isinstance(outcomes["doubting"], TlsFailed)
