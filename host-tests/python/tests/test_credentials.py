"""Credentials and region come from where the AWS SDKs look for them, in the same order as the
Rust and Node hosts: the store's argument (fixed or a provider), the environment, the shared
files with profiles and credential_process, ECS container credentials, EC2 instance metadata.
Temporary credentials are refreshed before they expire, and no secret ever shows in an
exception, a log line or a repr().

The metadata services are fakes of ours on 127.0.0.1; the real addresses are never contacted
(instance metadata is off unless a test points it at its fake)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from fake_metadata import FakeEcs, FakeImds, expiring_in

from conftest import TEST_ACCESS_KEY, TEST_SECRET, closed_endpoint, unique_table
from jovo_dynamodb import (
    AsyncDynamoDbStore,
    AwsCredentials,
    CredentialsUnavailable,
    DynamoDbStore,
    InvalidConfig,
    StoreError,
    credentials,
)
from jovo_dynamodb.credentials import DefaultChain, NoCredentials

SECRET = "wJalrXUtnFEMI-SECRET-never-shown"
ACCESS_KEY = "AKIDNEVERSHOWN"
SESSION_TOKEN = "FwoGZX-TOKEN-never-shown"
AUTH_TOKEN = "container-auth-token-never-shown"
AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No AWS variable of the machine leaks into these tests, no real ~/.aws is read, and
    instance metadata stays off unless a test points it at its fake."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def ecs(monkeypatch):
    server = FakeEcs()
    yield server
    server.stop()


@pytest.fixture
def imds():
    server = FakeImds()
    yield server
    server.stop()


def use_ecs(monkeypatch, server: FakeEcs, expires_in: float = 3600, token: str | None = AUTH_TOKEN) -> None:
    server.credentials = {"AccessKeyId": "AKIDECS", "SecretAccessKey": SECRET, "Token": SESSION_TOKEN,
                          "Expiration": expiring_in(expires_in)}
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.full_uri)
    if token is not None:
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", token)


def use_imds(monkeypatch, server: FakeImds, expires_in: float = 3600) -> None:
    server.credentials = {"AccessKeyId": "AKIDIMDS", "SecretAccessKey": SECRET, "Token": SESSION_TOKEN,
                          "Expiration": expiring_in(expires_in)}
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def use_file(monkeypatch, variable: str, path: Path, text: str) -> Path:
    """Writes `text` to `path` and points `variable` (AWS_CONFIG_FILE, ...) at it."""
    monkeypatch.setenv(variable, str(write(path, text)))
    return path


def credential_process_script(tmp_path: Path, document: dict | None = None, *, exit_code: int = 0,
                              sleep: float = 0, name: str = "creds.py") -> Path:
    """A credential_process program: records its arguments and how often it ran, then prints
    `document` (and, to prove nothing of it is shown, the secret on stderr)."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(f"""
        import json, sys, time
        with open({str(tmp_path / (name + ".runs"))!r}, "a") as runs:
            runs.write(json.dumps(sys.argv[1:]) + "\\n")
        time.sleep({sleep})
        print(json.dumps({document or {}!r}))
        print({SECRET!r}, file=sys.stderr)
        sys.exit({exit_code})
    """))
    return script


def runs_of(script: Path) -> list[list[str]]:
    runs = script.parent / (script.name + ".runs")
    return [json.loads(line) for line in runs.read_text().splitlines()] if runs.exists() else []


def process_document(expires_in: float | None = 3600, **changes) -> dict:
    document = {"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": SECRET, "SessionToken": SESSION_TOKEN}
    if expires_in is not None:
        document["Expiration"] = expiring_in(expires_in)
    document.update(changes)
    return document


def found(chain: DefaultChain) -> tuple[str, str, str | None]:
    answer = chain.resolve()
    return answer.access_key_id, answer.secret_access_key, answer.session_token


def reason(chain: DefaultChain) -> str:
    with pytest.raises(NoCredentials) as caught:
        chain.resolve()
    return str(caught.value)


# --- the environment and the shared files ------------------------------------------------


def test_a_lambda_style_environment_supplies_credentials_with_session_token(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    assert found(DefaultChain()) == (ACCESS_KEY, SECRET, SESSION_TOKEN)


def test_profiles_come_from_the_credentials_file_over_the_config_file(monkeypatch, tmp_path):
    use_file(monkeypatch, "AWS_SHARED_CREDENTIALS_FILE", tmp_path / "credentials", """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [voice-app]
        aws_secret_access_key = secret-from-credentials-file
    """)
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"""
        [default]
        region = eu-west-1

        [profile voice-app]
        aws_access_key_id = AKIDVOICE
        aws_secret_access_key = secret-from-config-file
        aws_session_token = {SESSION_TOKEN}

        [profile config-only]
        aws_access_key_id = AKIDCONFIGONLY
        aws_secret_access_key = config-only-secret

        [voice-app]
        aws_access_key_id = AKIDNOTAPROFILE
    """)
    chain = DefaultChain()
    assert found(chain) == ("AKIDDEFAULT", "default-secret", None)
    monkeypatch.setenv("AWS_PROFILE", "voice-app")  # both files, the credentials file winning per key
    assert found(chain) == ("AKIDVOICE", "secret-from-credentials-file", SESSION_TOKEN)
    monkeypatch.setenv("AWS_PROFILE", "config-only")  # `[profile name]` in the config file
    assert found(chain) == ("AKIDCONFIGONLY", "config-only-secret", None)
    monkeypatch.setenv("AWS_PROFILE", "missing")
    assert "profile [missing]" in reason(chain)


def test_a_profile_with_half_a_key_pair_ends_the_chain(monkeypatch, tmp_path, imds):
    use_imds(monkeypatch, imds)
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", "[profile default]\naws_access_key_id = AKIDHALF\n")
    assert "only one of aws_access_key_id and aws_secret_access_key" in reason(DefaultChain())
    assert imds.requests == []


def test_rotated_credentials_in_the_file_are_picked_up(monkeypatch, tmp_path):
    credentials_file = write(tmp_path / "credentials", "[default]\naws_access_key_id = AKIDOLD\naws_secret_access_key = s1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    chain = DefaultChain()
    assert found(chain)[0] == "AKIDOLD"
    write(credentials_file, "[default]\naws_access_key_id = AKIDROTATED\naws_secret_access_key = rotated-secret-1\n")
    assert found(chain)[0] == "AKIDROTATED"


def test_credential_process_runs_without_a_shell_and_its_answer_is_kept_until_near_expiry(monkeypatch, tmp_path):
    script = credential_process_script(tmp_path, process_document(expires_in=3600))
    marker = tmp_path / "injected"
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"""
        [default]
        credential_process = {sys.executable} {script} "two words" ; touch {marker}
    """)
    chain = DefaultChain()
    assert found(chain) == ("AKIDPROCESS", SECRET, SESSION_TOKEN)
    assert chain.resolve().expiration is not None
    assert found(chain)[0] == "AKIDPROCESS"
    # Split as a POSIX shell splits (quotes group), but no shell ran: ';' is an argument.
    assert runs_of(script) == [["two words", ";", "touch", str(marker)]]
    assert not marker.exists()


def test_credential_process_is_run_again_when_its_credentials_are_about_to_expire(monkeypatch, tmp_path):
    script = credential_process_script(tmp_path, process_document(expires_in=240))  # inside the 5 minutes
    use_file(monkeypatch, "AWS_SHARED_CREDENTIALS_FILE", tmp_path / "credentials", f"""
        [default]
        credential_process = {sys.executable} {script}
    """)
    chain = DefaultChain()
    for _ in range(3):
        assert found(chain)[0] == "AKIDPROCESS"
    assert len(runs_of(script)) == 3


def test_credentials_without_expiration_from_a_process_are_kept(monkeypatch, tmp_path):
    script = credential_process_script(tmp_path, process_document(expires_in=None))
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"[default]\ncredential_process = {sys.executable} {script}\n")
    chain = DefaultChain()
    found(chain), found(chain)
    assert len(runs_of(script)) == 1


@pytest.mark.parametrize(
    "problem, script_options, expected",
    [
        ("fails", {"document": process_document(), "exit_code": 3}, "exited with status 3"),
        ("hangs", {"document": process_document(), "sleep": 5}, "did not finish within"),
        ("wrong version", {"document": process_document(Version=2)}, "Version"),
        ("no secret", {"document": {"Version": 1, "AccessKeyId": "AKID"}}, "without AccessKeyId and SecretAccessKey"),
    ],
)
def test_a_failing_credential_process_ends_the_chain_with_a_reason_that_shows_no_secret(
        monkeypatch, tmp_path, problem, script_options, expected):
    monkeypatch.setattr(credentials, "CREDENTIAL_PROCESS_TIMEOUT_S", 0.5)
    script = credential_process_script(tmp_path, **script_options)
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"""
        [profile app]
        credential_process = {sys.executable} {script} --secret {SECRET}
    """)
    monkeypatch.setenv("AWS_PROFILE", "app")
    text = reason(DefaultChain())
    assert expected in text and "credential_process of profile [app]" in text
    assert SECRET not in text and SESSION_TOKEN not in text


def test_static_keys_of_a_profile_win_over_its_credential_process(monkeypatch, tmp_path):
    script = credential_process_script(tmp_path, process_document())
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"""
        [default]
        credential_process = {sys.executable} {script}
        aws_access_key_id = AKIDSTATIC
        aws_secret_access_key = static-secret
    """)
    assert found(DefaultChain())[0] == "AKIDSTATIC"
    assert runs_of(script) == []


# --- ECS container credentials -----------------------------------------------------------


def test_container_credentials_come_from_the_full_uri_with_the_authorization_token(monkeypatch, ecs):
    use_ecs(monkeypatch, ecs)
    chain = DefaultChain()
    assert found(chain) == ("AKIDECS", SECRET, SESSION_TOKEN)
    assert found(chain)[0] == "AKIDECS"  # kept: it expires in an hour
    assert [(method, path, headers.get("authorization")) for method, path, headers in ecs.requests] == [
        ("GET", "/creds", AUTH_TOKEN)]


def test_the_authorization_token_file_wins_and_is_read_for_each_fetch(monkeypatch, ecs, tmp_path):
    use_ecs(monkeypatch, ecs, expires_in=60)  # inside the refresh window: fetched every time
    token_file = write(tmp_path / "token", "token-from-file-1\n")
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(token_file))
    chain = DefaultChain()
    found(chain)
    write(token_file, "token-from-file-2")  # EKS rotates it
    found(chain)
    assert [headers.get("authorization") for _, _, headers in ecs.requests] == ["token-from-file-1", "token-from-file-2"]


def test_a_relative_uri_means_the_ecs_agent_address(monkeypatch):
    # Never contacted: the request is captured before it would be sent.
    asked = []

    def capture(method, url, headers, timeout_s, where):
        asked.append((method, url, timeout_s))
        return 200, json.dumps({"AccessKeyId": "AKIDAGENT", "SecretAccessKey": SECRET}).encode()

    monkeypatch.setattr(credentials, "_http", capture)
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-role-id")
    assert found(DefaultChain())[0] == "AKIDAGENT"
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/credentials/other")
    assert found(DefaultChain())[0] == "AKIDAGENT"
    assert asked == [("GET", "http://169.254.170.2/v2/credentials/task-role-id", 1.0),
                     ("GET", "http://169.254.170.2/v2/credentials/other", 1.0)]


@pytest.mark.parametrize("uri", ["http://10.0.0.7/creds", "http://metadata.example.com/creds", "file:///etc/passwd",
                                 "http://user@127.0.0.1/creds",
                                 "http://169.254.169.254/latest/meta-data/iam/security-credentials/role"])
def test_a_full_uri_to_another_host_is_refused_without_asking_it(monkeypatch, uri):
    monkeypatch.setattr(credentials, "_http", lambda *args: pytest.fail(f"{uri} was contacted"))
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", AUTH_TOKEN)
    text = reason(DefaultChain())
    assert "loopback" in text and AUTH_TOKEN not in text


def test_loopback_full_uris_are_allowed(monkeypatch, ecs):
    use_ecs(monkeypatch, ecs)
    for host in ("localhost", "[::1]"):
        assert credentials._checked_full_uri(f"http://{host}:8080/creds")
    assert found(DefaultChain())[0] == "AKIDECS"


def test_a_failing_container_endpoint_ends_the_chain_and_keeps_still_valid_credentials(monkeypatch, ecs, imds):
    use_ecs(monkeypatch, ecs, expires_in=120)  # valid for 2 more minutes, due for refresh
    use_imds(monkeypatch, imds)
    chain = DefaultChain()
    assert found(chain)[0] == "AKIDECS"
    ecs.status = 500
    assert found(chain)[0] == "AKIDECS"  # the refresh failed; the old ones still work
    fresh_chain = DefaultChain()
    text = reason(fresh_chain)
    assert "HTTP 500" in text and imds.requests == []  # not on to instance metadata


# --- EC2 instance metadata (IMDSv2) --------------------------------------------------------


def test_instance_metadata_gives_the_role_credentials_after_a_session_token(monkeypatch, imds):
    use_imds(monkeypatch, imds)
    chain = DefaultChain()
    assert found(chain) == ("AKIDIMDS", SECRET, SESSION_TOKEN)
    found(chain)  # kept for an hour
    assert [(method, path) for method, path, _ in imds.requests] == [
        ("PUT", "/latest/api/token"),
        ("GET", "/latest/meta-data/iam/security-credentials/"),
        ("GET", f"/latest/meta-data/iam/security-credentials/{FakeImds.ROLE}"),
    ]
    assert imds.requests[0][2]["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    assert all(headers["x-aws-ec2-metadata-token"] == FakeImds.TOKEN for _, _, headers in imds.requests[1:])


def test_instance_credentials_about_to_expire_are_fetched_again(monkeypatch, imds):
    use_imds(monkeypatch, imds, expires_in=200)
    chain = DefaultChain()
    found(chain), found(chain)
    assert len(imds.requests) == 6


def test_instance_metadata_is_not_asked_when_disabled(monkeypatch, imds):
    use_imds(monkeypatch, imds)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "TRUE")
    assert "AWS_EC2_METADATA_DISABLED" in reason(DefaultChain())
    assert imds.requests == []


def test_an_unreachable_metadata_service_is_reported_quickly(monkeypatch):
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed_endpoint())
    text = reason(DefaultChain())
    assert "instance metadata at http://127.0.0.1:" in text and "unreachable" in text


# --- the order ---------------------------------------------------------------------------


def test_the_chain_takes_the_first_source_that_has_credentials(monkeypatch, tmp_path, ecs, imds):
    use_imds(monkeypatch, imds)
    chain = DefaultChain()
    assert found(chain)[0] == "AKIDIMDS"
    use_ecs(monkeypatch, ecs)
    assert found(chain)[0] == "AKIDECS"
    script = credential_process_script(tmp_path, process_document())
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"[default]\ncredential_process = {sys.executable} {script}\n")
    assert found(chain)[0] == "AKIDPROCESS"
    use_file(monkeypatch, "AWS_SHARED_CREDENTIALS_FILE", tmp_path / "credentials",
             "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n")
    assert found(chain)[0] == "AKIDFILE"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert found(chain)[0] == ACCESS_KEY


def test_nothing_anywhere_is_credentials_unavailable_naming_where_the_chain_looked(open_store, tmp_path):
    store = open_store(unique_table("no-credentials"), credentials=None)
    with pytest.raises(CredentialsUnavailable) as caught:
        store.load_user("u")
    assert caught.value.code == "credentials-unavailable"
    for place in ("AWS_ACCESS_KEY_ID", "no-such-credentials", "no-such-config", "profile [default]",
                  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED"):
        assert place in caught.value.message


# --- stores ---------------------------------------------------------------------------------


def test_stores_without_a_credentials_argument_sign_with_the_chain(open_store, open_async_store, monkeypatch, ecs):
    use_ecs(monkeypatch, ecs)
    table = unique_table("chain-credentials")
    open_store(table, credentials=None).save_user("u", {"user": {"data": {"from": "blocking"}}})

    async def scenario():
        async with open_async_store(table, credentials=None) as store:
            return await store.load_user("u")

    assert asyncio.run(scenario())["user"]["data"]["from"] == "blocking"
    assert len(ecs.requests) == 1  # one fetch for both stores: kept until near expiry


def test_the_async_store_refreshes_expiring_credentials_from_instance_metadata(open_async_store, monkeypatch, imds):
    use_imds(monkeypatch, imds, expires_in=100)
    table = unique_table("async-imds")

    async def scenario():
        async with open_async_store(table, credentials=None) as store:
            await store.ensure_table()
            fetches = len(imds.requests)
            await store.save_user("u", {"user": {"data": {}}})
            return fetches, len(imds.requests)

    before, after = asyncio.run(scenario())
    assert before >= 3 and after > before  # expiring within 5 minutes: fetched again


def test_a_provider_is_asked_before_each_request_unless_its_credentials_expire_later(open_store, open_async_store):
    calls = []

    def plain():
        calls.append("plain")
        return TEST_ACCESS_KEY, TEST_SECRET

    async def asynchronous():
        calls.append("async")
        return AwsCredentials(TEST_ACCESS_KEY, TEST_SECRET, expiration=credentials._parse_expiration(expiring_in(3600), ""))

    table = unique_table("provider")
    store = open_store(table, credentials=plain)
    store.save_user("u", {"user": {"data": {"n": 1}}})
    assert calls.count("plain") >= 2  # DescribeTable, PutItem

    async def scenario():
        async with open_async_store(table, credentials=asynchronous) as async_store:
            await async_store.load_user("u")
            return await async_store.load_user("u")

    assert asyncio.run(scenario())["user"]["data"]["n"] == 1
    assert calls.count("async") == 1  # kept: it expires in an hour


def test_a_boto3_session_plugs_in_as_a_provider(open_store):
    # The documented adapter: the AWS SDK's whole chain (SSO, web identity, assume-role ...).
    session = boto3.Session(aws_access_key_id=TEST_ACCESS_KEY, aws_secret_access_key=TEST_SECRET)
    store = open_store(unique_table("boto3-provider"), credentials=lambda: session.get_credentials().get_frozen_credentials())
    store.save_user("u", {"user": {"data": {}}})
    assert store.load_user("u") is not None


def test_a_failing_or_wrong_provider_is_credentials_unavailable(open_store, runtime, dynalite):
    def broken():
        raise RuntimeError("the vault is sealed")

    async def asynchronous():
        return TEST_ACCESS_KEY, TEST_SECRET

    # The provider's own message is never quoted (it may hold a secret): its class is.
    for provider, expected in ((broken, "the credentials provider raised RuntimeError"),
                               (lambda: {"key": SECRET}, "returned a dict"),
                               (asynchronous, "use it with AsyncDynamoDbStore")):
        with pytest.raises(CredentialsUnavailable) as caught:
            open_store(unique_table("bad-provider"), credentials=provider).load_user("u")
        assert expected in caught.value.message and SECRET not in str(caught.value)
        assert "vault" not in caught.value.message


# --- region --------------------------------------------------------------------------------


def test_the_region_comes_from_the_argument_else_the_environment_else_the_profile(runtime, monkeypatch, tmp_path):
    with pytest.raises(InvalidConfig, match="neither the client option 'region' nor the client option 'endpoint'"):
        DynamoDbStore("users", runtime=runtime)
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", """
        [default]
        region = ap-southeast-2
        [profile eu]
        region = eu-north-1
    """)
    use_file(monkeypatch, "AWS_SHARED_CREDENTIALS_FILE", tmp_path / "credentials", "[eu]\nregion = us-west-1\n")
    assert "ap-southeast-2" in repr(DynamoDbStore("users", runtime=runtime))
    monkeypatch.setenv("AWS_PROFILE", "eu")  # the config file's region, never the credentials file's
    assert "eu-north-1" in repr(AsyncDynamoDbStore("users", runtime=runtime))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert "eu-central-1" in repr(DynamoDbStore("users", runtime=runtime))
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert "eu-west-1" in repr(DynamoDbStore("users", runtime=runtime))
    assert "us-east-2" in repr(DynamoDbStore("users", region="us-east-2", runtime=runtime))


# --- secrets --------------------------------------------------------------------------------


def test_no_secret_shows_in_errors_logs_or_reprs(runtime, dynalite, caplog, monkeypatch, tmp_path, ecs, imds):
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []

    def failure_text(action) -> None:
        with pytest.raises((StoreError, NoCredentials)) as caught:
            action()
        shown.extend([str(caught.value), repr(caught.value)])

    fixed = AwsCredentials(ACCESS_KEY, SECRET, SESSION_TOKEN)
    unreachable = DynamoDbStore("users", endpoint=closed_endpoint(), credentials=fixed, max_attempts=1, runtime=runtime)
    missing_table = DynamoDbStore(unique_table("secret-check"), endpoint=dynalite.endpoint, credentials=fixed,
                                  create_table_on_init=False, runtime=runtime)
    failure_text(lambda: unreachable.load_user("u"))
    failure_text(lambda: unreachable.save_user("", {}))
    failure_text(lambda: missing_table.load_user("u"))
    failure_text(lambda: DynamoDbStore("x", endpoint=dynalite.endpoint, credentials=fixed, runtime=runtime))
    failure_text(lambda: DynamoDbStore("users", endpoint=dynalite.endpoint, credentials=(ACCESS_KEY, 42), runtime=runtime))

    # Every source answering garbage that holds the secret: none of it may be quoted.
    use_ecs(monkeypatch, ecs)
    ecs.status, ecs.raw = 403, f"denied {SECRET} {AUTH_TOKEN}".encode()
    failure_text(lambda: DefaultChain().resolve())
    ecs.status, ecs.raw = 200, f'{{"AccessKeyId": "{SECRET}", broken'.encode()
    failure_text(lambda: DefaultChain().resolve())
    ecs.raw = json.dumps({"AccessKeyId": ACCESS_KEY, "Token": SESSION_TOKEN, "Expiration": SECRET}).encode()
    failure_text(lambda: DefaultChain().resolve())
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    use_imds(monkeypatch, imds)
    imds.credentials = {"Code": f"Failed {SECRET}", "SecretAccessKey": SECRET}
    failure_text(lambda: DefaultChain().resolve())
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"[default\naws_secret_access_key = {SECRET}\n")
    failure_text(lambda: DefaultChain().resolve())
    script = credential_process_script(tmp_path, {"Version": 1, "AccessKeyId": SECRET}, exit_code=1)
    use_file(monkeypatch, "AWS_CONFIG_FILE", tmp_path / "config", f"[default]\ncredential_process = {sys.executable} {script} {SECRET}\n")
    failure_text(lambda: DefaultChain().resolve())
    provider_store = DynamoDbStore("users", endpoint=dynalite.endpoint, credentials=lambda: (ACCESS_KEY, 42), runtime=runtime)
    failure_text(lambda: provider_store.load_user("u"))

    shown += [repr(unreachable), repr(provider_store), repr(fixed), str(fixed), caplog.text]
    for text in shown:
        assert SECRET not in text and SESSION_TOKEN not in text and AUTH_TOKEN not in text, text
    assert len(shown) == 29
