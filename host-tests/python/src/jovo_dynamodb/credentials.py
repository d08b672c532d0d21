"""AWS credentials and region, the way the AWS SDKs find them.

Credentials: the `credentials=` argument (handed to the component in its config), else, asked
before every request so that rotated values are picked up, `AWS_ACCESS_KEY_ID` /
`AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, else the profile `AWS_PROFILE` (default
"default") of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
`~/.aws/credentials`).

Region: the `region=` argument, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.

No secret ever reaches a message, a log line or a repr().
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class NoCredentials(Exception):
    """Why no credentials were found; the text names places, never values."""


@dataclass(frozen=True)
class AwsCredentials:
    """An access key pair, with a session token for temporary credentials."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


def region_from_environment() -> str | None:
    """`AWS_REGION`, else `AWS_DEFAULT_REGION`, else None."""
    return _environment("AWS_REGION") or _environment("AWS_DEFAULT_REGION")


def from_environment_or_file() -> AwsCredentials:
    """The environment's credentials, else the shared file's; raises `NoCredentials`."""
    from_env = _from_environment()
    if from_env is not None:
        return from_env
    path, profile = _shared_file_location()
    from_file = _SHARED_FILE.read(path, profile)
    if from_file is not None:
        return from_file
    raise NoCredentials(
        "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set, and "
        f"{path} has no profile [{profile}] with aws_access_key_id and aws_secret_access_key"
    )


def _environment(name: str) -> str | None:
    return os.environ.get(name) or None


def _from_environment() -> AwsCredentials | None:
    access_key_id = _environment("AWS_ACCESS_KEY_ID")
    secret_access_key = _environment("AWS_SECRET_ACCESS_KEY")
    if access_key_id is None or secret_access_key is None:
        return None
    return AwsCredentials(access_key_id, secret_access_key, _environment("AWS_SESSION_TOKEN"))


def _shared_file_location() -> tuple[Path, str]:
    path = _environment("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    profile = _environment("AWS_PROFILE") or "default"
    return Path(path).expanduser(), profile


class _SharedCredentialsFile:
    """Reads the shared credentials file again only when it changed: it is consulted before
    every request, and a parse per request would cost more than the request's signing."""

    def __init__(self) -> None:
        # (path, profile, mtime, size) and what was parsed from it, in one attribute so that
        # a thread replacing it never leaves a mismatched pair for another thread to read.
        self._cache: tuple[tuple[Path, str, int, int] | None, AwsCredentials | None] = (None, None)

    def read(self, path: Path, profile: str) -> AwsCredentials | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        version = (path, profile, stat.st_mtime_ns, stat.st_size)
        cached_version, credentials = self._cache
        if version != cached_version:
            credentials = _parse(path, profile)
            self._cache = (version, credentials)
        return credentials


def _parse(path: Path, profile: str) -> AwsCredentials | None:
    import configparser  # here, not at the top: most deployments never read the file

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    if not parser.has_section(profile):
        return None
    section = parser[profile]
    access_key_id = section.get("aws_access_key_id", "").strip()
    secret_access_key = section.get("aws_secret_access_key", "").strip()
    if not access_key_id or not secret_access_key:
        return None
    session_token = section.get("aws_session_token", "").strip() or None
    return AwsCredentials(access_key_id, secret_access_key, session_token)


_SHARED_FILE = _SharedCredentialsFile()
