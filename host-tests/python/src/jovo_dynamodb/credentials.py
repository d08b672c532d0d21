"""AWS credentials and region, found where the AWS SDKs find them, in the same order as the
Rust and Node hosts of this project.

Credentials, first match wins:

1. the store's `credentials=` argument: fixed `AwsCredentials` (or a tuple), or a provider,
   a callable returning them (the whole chain is then the provider's business; this is how
   web identity, SSO or a boto3 `Session` plug in);
2. the environment: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
3. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`): not built in, use a provider;
4. the shared files, profile `AWS_PROFILE` or "default": the credentials file
   (`AWS_SHARED_CREDENTIALS_FILE`, default ~/.aws/credentials, section `[name]`) over the config
   file (`AWS_CONFIG_FILE`, default ~/.aws/config, section `[profile name]`, or `[default]`),
   key by key; static keys, else `credential_process`;
5. ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
   `AWS_CONTAINER_CREDENTIALS_FULL_URI` (loopback, 169.254.170.2 or 169.254.170.23 only), with
   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` / `AWS_CONTAINER_AUTHORIZATION_TOKEN`;
6. EC2 instance metadata (IMDSv2) at `AWS_EC2_METADATA_SERVICE_ENDPOINT` (default
   http://169.254.169.254), unless `AWS_EC2_METADATA_DISABLED=true`.

The chain is walked before every request, so rotated keys are used at once; it is cheap:
the environment is read, the files only when their size or time stamp changed, and
temporary credentials (those with an expiration) are kept until 5 minutes before they
expire. A refresh that fails while the old credentials are still valid keeps the old ones.

Region: the `region=` argument, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
profile's `region` in the config file.

No secret ever reaches a message, a log line or a repr(): texts name places, never values,
and never quote what a credential source printed or answered.
"""

from __future__ import annotations

import configparser
import ipaddress
import json
import logging
import os
import shlex
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Union
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# Temporary credentials are replaced this long before they expire, as the AWS SDKs do.
REFRESH_BEFORE_EXPIRY_S = 5 * 60
# `credential_process` may prompt for nothing; one that hangs is stopped after this long.
CREDENTIAL_PROCESS_TIMEOUT_S = 30
# Each request to the instance metadata service; short, so a laptop is not slowed.
IMDS_TIMEOUT_S = 1.0
# Each request to the container credentials endpoint (as for IMDS, and as the Rust host).
CONTAINER_TIMEOUT_S = 1.0
ECS_HOST = "169.254.170.2"
CONTAINER_HOSTS = frozenset({ECS_HOST, "169.254.170.23", "fd00:ec2::23"})
IMDS_DEFAULT_ENDPOINT = "http://169.254.169.254"
IMDS_TOKEN_TTL_S = "21600"  # noqa: S105 - a lifetime, not a secret


class NoCredentials(Exception):
    """Why no credentials were found; the text names places, never values."""


@dataclass(frozen=True)
class AwsCredentials:
    """An access key pair, with a session token (and an expiration) for temporary ones."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    # When temporary credentials stop working (timezone-aware); None: they do not expire.
    expiration: datetime | None = None

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        """Whether they expire within `seconds` from now (never, without an expiration)."""
        if self.expiration is None:
            return False
        return (now if now is not None else time.time()) + seconds >= self.expiration.timestamp()


# What a provider may return: `AwsCredentials`, (access key id, secret[, session token]), or
# boto3's `ReadOnlyCredentials` (`session.get_credentials().get_frozen_credentials()`), which
# has `access_key`, `secret_key` and `token`.
CredentialsLike = Union[AwsCredentials, "tuple[str, str]", "tuple[str, str, str | None]"]
CredentialsProvider = Callable[[], Any]


def coerce(value: Any, source: str) -> AwsCredentials:
    """`value` as `AwsCredentials`; raises `NoCredentials` naming `source`, never the value."""
    if not isinstance(value, AwsCredentials) and hasattr(value, "access_key") and hasattr(value, "secret_key"):
        value = AwsCredentials(value.access_key, value.secret_key, getattr(value, "token", None))
    elif isinstance(value, tuple) and len(value) in (2, 3):
        value = AwsCredentials(*value)
    if (
        not isinstance(value, AwsCredentials)
        or not isinstance(value.access_key_id, str)
        or not isinstance(value.secret_access_key, str)
        or not value.access_key_id
        or not value.secret_access_key
        or not (value.session_token is None or isinstance(value.session_token, str))
    ):
        raise NoCredentials(
            f"{source} returned a {type(value).__name__}, not AwsCredentials or "
            "(access_key_id, secret_access_key[, session_token]) strings"
        )
    return value


def _environment(name: str) -> str | None:
    return os.environ.get(name) or None


def _profile_name() -> str:
    return _environment("AWS_PROFILE") or "default"


def _credentials_file() -> Path:
    return Path(_environment("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials").expanduser()


def _config_file() -> Path:
    return Path(_environment("AWS_CONFIG_FILE") or "~/.aws/config").expanduser()


def region_from_environment() -> str | None:
    """`AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region` in the config file,
    else None."""
    found = _environment("AWS_REGION") or _environment("AWS_DEFAULT_REGION")
    if found:
        return found
    profile = _PROFILE_FILES.config_section(_config_file(), _profile_name())
    return profile.get("region") or None


# --- 1. a user-supplied provider -------------------------------------------------------


class ProviderSource:
    """Calls a user's provider; keeps what it returned while it is not about to expire.

    Credentials without an expiration are asked for again before every request: the
    provider decides (boto3's own credential objects refresh themselves)."""

    def __init__(self, provider: CredentialsProvider) -> None:
        self.provider = provider
        self._kept: AwsCredentials | None = None

    def kept(self) -> AwsCredentials | None:
        """Credentials from an earlier call that need no refresh yet."""
        kept = self._kept
        if kept is not None and not kept.expires_within(REFRESH_BEFORE_EXPIRY_S):
            return kept
        return None

    def accept(self, value: Any) -> AwsCredentials:
        """What the provider returned (or raised, as `error`), as credentials to sign with."""
        credentials = coerce(value, "the credentials provider")
        self._kept = credentials if credentials.expiration is not None else None
        return credentials

    def failed(self, error: BaseException) -> AwsCredentials:
        """The provider raised: still-valid kept credentials, else `NoCredentials`."""
        kept = self._kept
        if kept is not None and not kept.expires_within(0):
            log.debug("credentials provider failed (%s); keeping credentials until they expire", type(error).__name__)
            return kept
        # Its message is never quoted: a provider's own error may hold a secret.
        raise NoCredentials(f"the credentials provider raised {type(error).__name__}") from None

    def resolve(self) -> AwsCredentials:
        """Blocking: for `DynamoDbStore`, whose provider must be a plain function."""
        kept = self.kept()
        if kept is not None:
            return kept
        try:
            value = self.provider()
        except Exception as error:  # noqa: BLE001 - the user's code; reported as unavailable credentials
            return self.failed(error)
        if hasattr(value, "__await__"):
            close = getattr(value, "close", None)
            if close is not None:
                close()  # a coroutine never awaited would warn
            raise NoCredentials("the credentials provider is async: use it with AsyncDynamoDbStore")
        return self.accept(value)


# --- 2.-6. the default chain -------------------------------------------------------------


class _NeedsIo(Exception):
    """A source must run a process or ask a server before it can answer."""


class _Refreshing:
    """Credentials of one slow source (a process, a server), kept until 5 minutes before they
    expire; one refresh at a time."""

    def __init__(self) -> None:
        self._kept: tuple[Any, AwsCredentials] | None = None
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], AwsCredentials], allow_io: bool) -> AwsCredentials:
        """The kept credentials of `key` when fresh, else `load()` them (when `allow_io`,
        else `_NeedsIo`). A failing load keeps credentials that are still valid."""
        kept = self._fresh(key)
        if kept is not None:
            return kept
        if not allow_io:
            raise _NeedsIo
        with self._lock:
            kept = self._fresh(key)  # another thread may have refreshed meanwhile
            if kept is not None:
                return kept
            try:
                loaded = load()
            except NoCredentials:
                still_valid = self._kept
                if still_valid is not None and still_valid[0] == key and not still_valid[1].expires_within(0):
                    log.debug("credential refresh failed; keeping credentials until they expire")
                    return still_valid[1]
                raise
            self._kept = (key, loaded)
            return loaded

    def _fresh(self, key: Any) -> AwsCredentials | None:
        kept = self._kept
        if kept is not None and kept[0] == key and not kept[1].expires_within(REFRESH_BEFORE_EXPIRY_S):
            return kept[1]
        return None


class DefaultChain:
    """Sources 2 to 6 of the module docstring. Thread-safe. `resolve()` may block (files,
    a process, the metadata services); `resolve_without_io()` answers only from what needs
    no process and no network, so an event loop can call it and move the rest to a thread."""

    def __init__(self) -> None:
        self._process = _Refreshing()
        self._container = _Refreshing()
        self._instance = _Refreshing()

    def resolve(self) -> AwsCredentials:
        """Credentials, or `NoCredentials` saying where the chain looked."""
        return self._walk(allow_io=True)

    def resolve_without_io(self) -> AwsCredentials | None:
        """Credentials, None when only a process or a server can tell, or `NoCredentials`."""
        try:
            return self._walk(allow_io=False)
        except _NeedsIo:
            return None

    def _walk(self, allow_io: bool) -> AwsCredentials:
        looked: list[str] = []
        found = _from_environment()
        if found is not None:
            return found
        looked.append("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")

        found = self._from_profile(allow_io, looked)
        if found is not None:
            return found

        found = self._from_container(allow_io, looked)
        if found is not None:
            return found

        found = self._from_instance_metadata(allow_io, looked)
        if found is not None:
            return found
        raise NoCredentials("no AWS credentials: " + "; ".join(looked))

    def _from_profile(self, allow_io: bool, looked: list[str]) -> AwsCredentials | None:
        name = _profile_name()
        credentials_file, config_file = _credentials_file(), _config_file()
        profile = {
            **_PROFILE_FILES.config_section(config_file, name),
            **_PROFILE_FILES.credentials_section(credentials_file, name),
        }
        access_key_id = profile.get("aws_access_key_id")
        secret_access_key = profile.get("aws_secret_access_key")
        command = profile.get("credential_process")
        if access_key_id and secret_access_key:
            return AwsCredentials(access_key_id, secret_access_key, profile.get("aws_session_token") or None)
        if (access_key_id or secret_access_key) and not command:
            raise NoCredentials(f"profile [{name}] has only one of aws_access_key_id and aws_secret_access_key")
        if command:
            return self._process.get(command, lambda: _run_credential_process(command, name), allow_io)
        looked.append(
            f"profile [{name}] has no aws_access_key_id with aws_secret_access_key and no "
            f"credential_process in {credentials_file} or {config_file}"
        )
        return None

    def _from_container(self, allow_io: bool, looked: list[str]) -> AwsCredentials | None:
        relative = _environment("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        full = _environment("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        if relative is None and full is None:
            looked.append("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")
            return None
        if relative is not None:
            url = f"http://{ECS_HOST}{'' if relative.startswith('/') else '/'}{relative}"
        else:
            url = _checked_full_uri(full or "")
        token_file = _environment("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        token = _environment("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        key = (url, token_file, token)
        return self._container.get(key, lambda: _fetch_container_credentials(url, token_file, token), allow_io)

    def _from_instance_metadata(self, allow_io: bool, looked: list[str]) -> AwsCredentials | None:
        if (_environment("AWS_EC2_METADATA_DISABLED") or "").strip().lower() == "true":
            looked.append("instance metadata is off (AWS_EC2_METADATA_DISABLED=true)")
            return None
        endpoint = (_environment("AWS_EC2_METADATA_SERVICE_ENDPOINT") or IMDS_DEFAULT_ENDPOINT).rstrip("/")
        try:
            return self._instance.get(endpoint, lambda: _fetch_instance_credentials(endpoint), allow_io)
        except NoCredentials as reason:
            looked.append(str(reason))
            return None


def _from_environment() -> AwsCredentials | None:
    access_key_id = _environment("AWS_ACCESS_KEY_ID")
    secret_access_key = _environment("AWS_SECRET_ACCESS_KEY")
    if access_key_id is None or secret_access_key is None:
        return None
    return AwsCredentials(access_key_id, secret_access_key, _environment("AWS_SESSION_TOKEN"))


# --- the shared files ----------------------------------------------------------------------


class _ProfileFiles:
    """Parses each file again only when it changed: the chain reads them before every request,
    and a parse per request would cost more than signing the request."""

    def __init__(self) -> None:
        # path -> ((mtime, size), sections); replaced whole, so threads never see half.
        self._parsed: dict[Path, tuple[tuple[int, int], dict[str, dict[str, str]]]] = {}

    def credentials_section(self, path: Path, profile: str) -> dict[str, str]:
        return self._sections(path).get(profile, {})

    def config_section(self, path: Path, profile: str) -> dict[str, str]:
        sections = self._sections(path)
        if profile == "default":  # `[default]`, or `[profile default]`, which the CLI accepts too
            return {**sections.get("default", {}), **sections.get("profile default", {})}
        return sections.get(f"profile {profile}", {})

    def _sections(self, path: Path) -> dict[str, dict[str, str]]:
        try:
            stat = path.stat()
        except OSError:
            return {}
        version = (stat.st_mtime_ns, stat.st_size)
        parsed = self._parsed.get(path)
        if parsed is not None and parsed[0] == version:
            return parsed[1]
        sections = _parse_ini(path)
        self._parsed = {**self._parsed, path: (version, sections)}
        return sections


def _parse_ini(path: Path) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section="\0none")
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError) as error:
        # The parser's message may quote a line of the file, and lines hold secrets.
        log.debug("cannot read %s (%s); skipping it", path, type(error).__name__)
        return {}
    return {
        name.strip(): {key: value.strip() for key, value in parser[name].items()}
        for name in parser.sections()
    }


_PROFILE_FILES = _ProfileFiles()


# --- credential_process ---------------------------------------------------------------------


def _run_credential_process(command: str, profile: str) -> AwsCredentials:
    """Runs `command` as the AWS CLI does: split like a POSIX shell (quotes work), but no shell
    runs it, so `;`, `|` or `$(...)` are plain arguments."""
    where = f"credential_process of profile [{profile}]"
    try:
        arguments = shlex.split(command)
    except ValueError:
        raise NoCredentials(f"{where} cannot be split into arguments (unbalanced quotes?)") from None
    if not arguments:
        raise NoCredentials(f"{where} is empty")
    program = os.path.basename(arguments[0])  # the arguments may hold secrets: never shown
    try:
        finished = subprocess.run(  # noqa: S603 - the user's configured command, run without a shell
            arguments, stdin=subprocess.DEVNULL, capture_output=True, timeout=CREDENTIAL_PROCESS_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise NoCredentials(f"{where} ({program}) did not finish within {CREDENTIAL_PROCESS_TIMEOUT_S} s") from None
    except OSError as error:
        raise NoCredentials(f"{where} ({program}) could not be started: {error.strerror}") from None
    if finished.returncode != 0:
        raise NoCredentials(f"{where} ({program}) exited with status {finished.returncode}")
    document = _json_object(finished.stdout, f"{where} ({program})")
    if document.get("Version") != 1:
        raise NoCredentials(f"{where} ({program}) printed no \"Version\": 1; only version 1 is understood")
    return _credentials_from_document(document, "SessionToken", f"{where} ({program})")


# --- ECS / EKS container credentials ------------------------------------------------------------


def _checked_full_uri(uri: str) -> str:
    """AWS_CONTAINER_CREDENTIALS_FULL_URI, if its host is one the SDKs allow: a loopback
    address or the ECS/EKS agents' link-local addresses. Anything else could hand the
    authorization token to another machine."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    allowed = host == "localhost" or host in CONTAINER_HOSTS
    if not allowed:
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = False
    if parts.scheme not in ("http", "https") or not allowed or "@" in parts.netloc:
        raise NoCredentials(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http(s) URL, without user information, of a "
            f"loopback host, {ECS_HOST} or 169.254.170.23; its host is {host!r}"
        )
    return uri


def _fetch_container_credentials(url: str, token_file: str | None, token: str | None) -> AwsCredentials:
    where = "the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*)"
    headers = {"accept": "application/json"}
    if token_file is not None:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise NoCredentials(f"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE cannot be read: {error.strerror}") from None
    if token is not None:
        if "\r" in token or "\n" in token:
            raise NoCredentials("the container authorization token holds a line break")
        headers["authorization"] = token
    status, body = _http("GET", url, headers, CONTAINER_TIMEOUT_S, where)
    if status != 200:
        raise NoCredentials(f"{where} answered HTTP {status}")
    return _credentials_from_document(_json_object(body, where), "Token", where)


# --- EC2 instance metadata (IMDSv2) ------------------------------------------------------------


def _fetch_instance_credentials(endpoint: str) -> AwsCredentials:
    where = f"instance metadata at {endpoint}"
    status, token = _http(
        "PUT", f"{endpoint}/latest/api/token", {"x-aws-ec2-metadata-token-ttl-seconds": IMDS_TOKEN_TTL_S},
        IMDS_TIMEOUT_S, where,
    )
    if status != 200 or not token:
        raise NoCredentials(f"{where} gave no session token (HTTP {status})")
    headers = {"x-aws-ec2-metadata-token": token.decode("ascii", "replace").strip()}
    roles_url = f"{endpoint}/latest/meta-data/iam/security-credentials/"
    status, roles = _http("GET", roles_url, headers, IMDS_TIMEOUT_S, where)
    role = next((line.strip() for line in roles.decode("utf-8", "replace").splitlines() if line.strip()), "")
    if status != 200 or not role:
        raise NoCredentials(f"{where} names no instance role (HTTP {status}); attach an IAM role to the instance")
    status, body = _http("GET", roles_url + role, headers, IMDS_TIMEOUT_S, where)
    if status != 200:
        raise NoCredentials(f"{where} gave no credentials for role {role!r} (HTTP {status})")
    document = _json_object(body, where)
    if document.get("Code", "Success") != "Success":
        raise NoCredentials(f"{where} did not answer Code \"Success\" for role {role!r}")
    return _credentials_from_document(document, "Token", where)


# --- shared by the sources ----------------------------------------------------------------------


_http_pool: Any = None
_http_pool_lock = threading.Lock()


def _http(method: str, url: str, headers: dict[str, str], timeout_s: float, where: str) -> tuple[int, bytes]:
    """One small request to a metadata service, no retries; `NoCredentials` when it fails."""
    global _http_pool
    import urllib3  # here: most processes never ask a metadata service

    with _http_pool_lock:
        if _http_pool is None:
            _http_pool = urllib3.PoolManager(retries=False)
        pool = _http_pool
    try:
        response = pool.request(
            method, url, headers=headers, timeout=urllib3.Timeout(total=timeout_s), redirect=False,
            preload_content=False,
        )
        try:
            body = response.read(64 * 1024 + 1)
        finally:
            response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
        raise NoCredentials(f"{where} is unreachable ({type(error).__name__})") from None
    if len(body) > 64 * 1024:
        raise NoCredentials(f"{where} answered more than 64 KB")
    return response.status, body


def _json_object(text: bytes, where: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise NoCredentials(f"{where} did not answer a JSON object") from None  # never quote it
    if not isinstance(document, dict):
        raise NoCredentials(f"{where} did not answer a JSON object")
    return document


def _credentials_from_document(document: dict[str, Any], token_field: str, where: str) -> AwsCredentials:
    access_key_id = document.get("AccessKeyId")
    secret_access_key = document.get("SecretAccessKey")
    token = document.get(token_field)
    if not isinstance(access_key_id, str) or not isinstance(secret_access_key, str) or not access_key_id \
            or not secret_access_key:
        raise NoCredentials(f"{where} answered without AccessKeyId and SecretAccessKey")
    if token is not None and not isinstance(token, str):
        raise NoCredentials(f"{where} answered a {token_field} that is not a string")
    expiration = document.get("Expiration")
    return AwsCredentials(access_key_id, secret_access_key, token or None, _parse_expiration(expiration, where))


def _parse_expiration(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise NoCredentials(f"{where} answered an Expiration that is not an ISO 8601 text")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise NoCredentials(f"{where} answered an Expiration that is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
