"""How a store reaches DynamoDB over the network: which certificate authorities it trusts and
which proxy it goes through. Both stores read these once, when they are constructed (as a
boto3 client does), and turn them into an `ssl.SSLContext` and a proxy per request URL.

Trust: the default context of Python's `ssl` module (the system's CAs; OpenSSL's
`SSL_CERT_FILE` and `SSL_CERT_DIR` work as before), PLUS the certificates of `AWS_CA_BUNDLE`
(else `REQUESTS_CA_BUNDLE`: the precedence botocore gives them) PLUS the `ca_bundle=` option.
They add to the defaults, never replace them: a bundle with only a private CA must not cut a
store off AWS's public endpoints.

Proxies: the `proxy=` option (a URL for every endpoint, or False for none), else the
environment as boto3 reads it (urllib's `getproxies_environment` and
`proxy_bypass_environment`: `HTTPS_PROXY`/`HTTP_PROXY` by the endpoint's scheme, lower case
winning, `NO_PROXY` with host names, `.suffix`/`suffix`, IPs, `:port`, `*`). Only http://
proxies: an https endpoint goes through a CONNECT tunnel (TLS to DynamoDB inside it, its
certificate verified), an http one as absolute-form requests.
"""

from __future__ import annotations

import base64
import functools
import os
import ssl
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Union
from urllib.parse import unquote, urlsplit

from .errors import InvalidConfig

PathLike = Union[str, "os.PathLike[str]"]

# What `proxy=` takes besides a URL: no proxy at all, whatever the environment says.
NO_PROXY = False

# The variables that name an extra CA bundle, in botocore's precedence: the first one set wins.
CA_BUNDLE_VARIABLES = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


@dataclass(frozen=True)
class Proxy:
    """A proxy for one request: its URL without credentials, and the user and password of
    its Basic authentication (never shown: `repr` leaves them out)."""

    url: str
    credentials: tuple[str, str] | None = None

    def authorization(self) -> str | None:
        """The `Proxy-Authorization` header value, when the proxy URL had credentials."""
        if self.credentials is None:
            return None
        return "Basic " + base64.b64encode(":".join(self.credentials).encode()).decode("ascii")

    def __repr__(self) -> str:
        return f"Proxy({self.url!r})"


@dataclass(frozen=True)
class Network:
    """Trust and proxies of one store, as read at construction. Hashable: stores with equal
    settings share one SSL context (and, for the blocking store, one connection pool)."""

    # (where it came from, PEM text or path) of each extra CA source, in order.
    extra_cas: tuple[tuple[str, str], ...]
    # OpenSSL's default-path variables at construction: they shape the default context.
    openssl_paths: tuple[str | None, str | None]
    # scheme -> proxy, as (source, URL); and the NO_PROXY list (None: nothing bypasses).
    proxies: tuple[tuple[str, str, str], ...]
    no_proxy: str | None

    def ssl_context(self) -> ssl.SSLContext:
        """The verifying context of these settings (made once per distinct settings)."""
        return _ssl_context(self)

    def proxy_for(self, url: str) -> Proxy | None:
        """The proxy a request to `url` goes through, or None for a direct connection."""
        parts = urlsplit(url)
        for scheme, _source, proxy_url in self.proxies:
            if scheme == parts.scheme:
                if self.no_proxy is not None and urllib.request.proxy_bypass_environment(  # type: ignore[attr-defined]
                    parts.netloc, {"no": self.no_proxy}
                ):
                    return None
                return _proxy(proxy_url)
        return None


def from_options(ca_bundle: PathLike | None, proxy: str | bool | None) -> Network:
    """The network settings of a store's options and the environment; `InvalidConfig` names
    the variable or option that is wrong (never its value: a proxy URL may hold a password)."""
    extra_cas: list[tuple[str, str]] = []
    for variable in CA_BUNDLE_VARIABLES:
        value = os.environ.get(variable)
        if value:
            extra_cas.append((variable, value))
            break
    if ca_bundle is not None:
        if not isinstance(ca_bundle, (str, os.PathLike)):
            raise InvalidConfig(f"ca_bundle must be PEM text or a path, got {type(ca_bundle).__name__}")
        extra_cas.append(("the ca_bundle option", os.fspath(ca_bundle)))
    network = Network(
        extra_cas=tuple(extra_cas),
        openssl_paths=(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")),
        proxies=_proxies(proxy),
        no_proxy=None if proxy is not None else urllib.request.getproxies_environment().get("no"),
    )
    network.ssl_context()  # an unreadable bundle fails here, at construction
    return network


def _proxies(option: str | bool | None) -> tuple[tuple[str, str, str], ...]:
    if option is None:
        found = urllib.request.getproxies_environment()
        chosen = [(scheme, f"{scheme.upper()}_PROXY", found[scheme]) for scheme in ("https", "http") if found.get(scheme)]
    elif option is NO_PROXY:
        chosen = []
    elif isinstance(option, str) and option:
        chosen = [(scheme, "the proxy option", option) for scheme in ("https", "http")]
    else:
        raise InvalidConfig("proxy must be a proxy URL (http://host:port) or False for no proxy")
    for _scheme, source, url in chosen:
        _check_proxy_url(source, url)
    return tuple(chosen)


def _check_proxy_url(source: str, url: str) -> None:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme != "http":
        raise InvalidConfig(f"{source} must be an http:// proxy URL; {parts.scheme}:// proxies are not supported")
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise InvalidConfig(f"{source} has an invalid port (http://[user:password@]host:port)") from None
    if not parts.hostname:
        raise InvalidConfig(f"{source} names no host (http://[user:password@]host:port)")


def _proxy(url: str) -> Proxy:
    """`url` (scheme optional, as curl and requests take it) split into the proxy to connect
    to and the Basic credentials it carries."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    address = f"http://{host}:{parts.port or 80}"
    if parts.username is None:
        return Proxy(address)
    return Proxy(address, (unquote(parts.username), unquote(parts.password or "")))


@functools.lru_cache(maxsize=16)
def _ssl_context(network: Network) -> ssl.SSLContext:
    context = ssl.create_default_context()
    for source, value in network.extra_cas:
        _add_cas(context, source, value)
    return context


def _add_cas(context: ssl.SSLContext, source: str, value: str) -> None:
    """Adds the CA certificates of `value` (PEM text, a PEM file or an OpenSSL hashed directory)."""
    try:
        if "-----BEGIN" in value:
            context.load_verify_locations(cadata=value)
        elif Path(value).is_dir():
            context.load_verify_locations(capath=value)
        else:
            context.load_verify_locations(cafile=value)
    except (ssl.SSLError, ValueError):  # before OSError: SSLError is one
        what = "the PEM text" if "-----BEGIN" in value else f"the CA bundle {value!r}"
        raise InvalidConfig(f"{source}: {what} holds no valid PEM certificate") from None
    except OSError as error:
        raise InvalidConfig(f"{source}: cannot read the CA bundle {value!r} ({type(error).__name__})") from None
