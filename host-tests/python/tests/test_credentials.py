"""Credentials and region come from where the AWS SDKs look for them, and no secret ever
shows in an exception, a log line or a repr()."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from conftest import closed_endpoint, unique_table
from jovo_dynamodb import AwsCredentials, CredentialsUnavailable, DynamoDbStore, InvalidConfig, StoreError
from jovo_dynamodb.transport import credentials_or_reason

SECRET = "wJalrXUtnFEMI-SECRET-never-shown"
ACCESS_KEY = "AKIDNEVERSHOWN"
SESSION_TOKEN = "FwoGZX-TOKEN-never-shown"
AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No AWS variable of the machine leaks into these tests, and no real ~/.aws is read."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-file"))


def write_credentials_file(path: Path) -> None:
    path.write_text(
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n"
        f"[voice-app]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
        f"aws_session_token = {SESSION_TOKEN}\n"
    )


def host_credentials():
    """What the component gets when it asks the host for credentials."""
    answer = credentials_or_reason()
    if isinstance(answer, str):
        return answer
    return (getattr(answer, "access-key-id"), getattr(answer, "secret-access-key"), getattr(answer, "session-token"))


def test_a_lambda_style_environment_supplies_credentials_with_session_token(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    assert host_credentials() == (ACCESS_KEY, SECRET, SESSION_TOKEN)


def test_the_shared_credentials_file_supplies_the_chosen_profile(monkeypatch, tmp_path):
    credentials_file = tmp_path / "credentials"
    write_credentials_file(credentials_file)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    assert host_credentials() == ("AKIDDEFAULT", "default-secret", None)
    monkeypatch.setenv("AWS_PROFILE", "voice-app")
    assert host_credentials() == ("AKIDPROFILE", "profile-secret", SESSION_TOKEN)


def test_rotated_credentials_in_the_file_are_picked_up(monkeypatch, tmp_path):
    credentials_file = tmp_path / "credentials"
    write_credentials_file(credentials_file)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    assert host_credentials()[0] == "AKIDDEFAULT"
    credentials_file.write_text("[default]\naws_access_key_id = AKIDROTATED\naws_secret_access_key = rotated-secret-1\n")
    assert host_credentials()[0] == "AKIDROTATED"


def test_the_environment_wins_over_the_file(monkeypatch, tmp_path):
    credentials_file = tmp_path / "credentials"
    write_credentials_file(credentials_file)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert host_credentials() == (ACCESS_KEY, SECRET, None)


def test_a_store_without_credentials_argument_uses_the_environment(open_store, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    store = open_store(unique_table("env-credentials"), credentials=None)
    store.save_user("u", {"user": {"data": {"from": "env"}}})
    assert store.load_user("u")["user"]["data"]["from"] == "env"


def test_missing_credentials_are_reported_as_such_and_name_where_we_looked(open_store):
    store = open_store(unique_table("no-credentials"), credentials=None)
    with pytest.raises(CredentialsUnavailable) as caught:
        store.load_user("u")
    assert caught.value.code == "credentials-unavailable"
    assert "AWS_ACCESS_KEY_ID" in caught.value.message and "no-such-file" in caught.value.message


def test_the_region_comes_from_the_argument_else_the_environment(runtime, monkeypatch):
    with pytest.raises(InvalidConfig, match="neither client.region nor client.endpoint"):
        DynamoDbStore("users", runtime=runtime)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert "eu-central-1" in repr(DynamoDbStore("users", runtime=runtime))
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert "eu-west-1" in repr(DynamoDbStore("users", runtime=runtime))
    assert "us-east-2" in repr(DynamoDbStore("users", region="us-east-2", runtime=runtime))


def test_no_secret_shows_in_errors_logs_or_reprs(runtime, dynalite, caplog):
    caplog.set_level(logging.DEBUG)
    shown = []
    credentials = AwsCredentials(ACCESS_KEY, SECRET, SESSION_TOKEN)
    unreachable = DynamoDbStore("users", endpoint=closed_endpoint(), credentials=credentials,
                                max_attempts=1, runtime=runtime)
    missing_table = DynamoDbStore(unique_table("secret-check"), endpoint=dynalite.endpoint,
                                  credentials=credentials, create_table_on_init=False, runtime=runtime)
    for failing in (
        lambda: unreachable.load_user("u"),
        lambda: unreachable.save_user("", {}),
        lambda: missing_table.load_user("u"),
        lambda: DynamoDbStore("x", endpoint=dynalite.endpoint, credentials=credentials, runtime=runtime),
        lambda: DynamoDbStore("users", endpoint=dynalite.endpoint, credentials=(ACCESS_KEY, 42), runtime=runtime),
    ):
        with pytest.raises(StoreError) as caught:
            failing()
        shown += [str(caught.value), repr(caught.value)]
    shown += [repr(unreachable), repr(credentials), str(credentials), caplog.text]
    for text in shown:
        assert SECRET not in text and SESSION_TOKEN not in text, text
    assert len(shown) == 14
