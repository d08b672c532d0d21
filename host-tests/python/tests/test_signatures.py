"""Signatures as AWS checks them: a moto server (the one local DynamoDB stand-in that
verifies SigV4 signatures and IAM policies) with auth switched on, and credentials that
reach the stores through the chain: credential_process with an IAM user's key, and the
temporary credentials of a role (with session token) from the container endpoint and from
instance metadata (fakes of ours on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import urllib3
from fake_metadata import FakeEcs, FakeImds, expiring_in

from conftest import stop_process, unique_table
from jovo_dynamodb import AccessDenied, AsyncDynamoDbStore, DynamoDbStore

# The eight permissions the Jovo DynamoDB integration documents for its IAM user.
SEED_PERMISSIONS = [
    "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:Scan",
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
]
ACCOUNT = "123456789012"


class Moto:
    """moto_server of this venv on a free port of 127.0.0.1; stopped by its PID."""

    def __init__(self, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = Path(sys.executable).parent / "moto_server"
        self._log = log.open("w")
        self._process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                                         stdout=self._log, stderr=subprocess.STDOUT)
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start; see {log}") from None
                time.sleep(0.1)

    def client(self, service: str, **keys: str):
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=keys.get("key", "AKIDSETUP"),
                            aws_secret_access_key=keys.get("secret", "setup-secret"),
                            aws_session_token=keys.get("token"))

    def user_with_policy(self, name: str, actions: list[str]) -> dict:
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="jovo-dynamodb", PolicyDocument=policy(actions))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}

    def assumed_role(self, name: str, actions: list[str]) -> dict:
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName=name, PolicyName="jovo-dynamodb", PolicyDocument=policy(actions))
        answer = self.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="jovo-session")["Credentials"]
        return {"AccessKeyId": answer["AccessKeyId"], "SecretAccessKey": answer["SecretAccessKey"],
                "Token": answer["SessionToken"]}

    def enable_auth(self) -> None:
        answer = urllib3.request("POST", f"{self.endpoint}/moto-api/reset-auth", body=b"0",
                                 headers={"content-type": "text/plain"})
        assert answer.status == 200, answer.data

    def stop(self) -> None:
        stop_process(self._process)
        self._log.close()


def policy(actions: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})


@pytest.fixture(scope="module")
def moto(tmp_path_factory) -> Iterator[dict]:
    """moto with auth on, and the identities made before: the seed's IAM user, one lacking
    DeleteItem, and an assumed role's temporary credentials."""
    server = Moto(tmp_path_factory.mktemp("moto") / "moto.log")
    identities = {
        "user": server.user_with_policy("jovo-app", SEED_PERMISSIONS),
        "no-delete": server.user_with_policy("jovo-no-delete", [p for p in SEED_PERMISSIONS if p != "dynamodb:DeleteItem"]),
        "role": server.assumed_role("jovo-task-role", SEED_PERMISSIONS),
    }
    server.enable_auth()
    yield {"endpoint": server.endpoint, **identities}
    server.stop()


@pytest.fixture(autouse=True)
def chain_only(monkeypatch, tmp_path):
    """Credentials from the chain's later sources only, as on a server."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def visit(store: DynamoDbStore) -> dict | None:
    store.ensure_table()
    store.save_user("u", {"user": {"data": {"visits": 1}}})
    loaded = store.load_user("u")
    store.delete_user("u")
    assert store.load_user("u") is None
    return loaded


async def visit_async(store: AsyncDynamoDbStore) -> dict | None:
    async with store:
        await store.ensure_table()
        await store.save_user("u", {"user": {"data": {"visits": 1}}})
        loaded = await store.load_user("u")
        await store.delete_user("u")
        assert await store.load_user("u") is None
        return loaded


def test_an_iam_user_key_from_credential_process_signs_what_moto_accepts(moto, runtime, monkeypatch, tmp_path):
    script = tmp_path / "creds.py"
    script.write_text(f"import json\nprint(json.dumps({{'Version': 1, **{moto['user']!r}}}))\n")
    (tmp_path / "config").write_text(textwrap.dedent(f"""
        [profile jovo]
        region = us-east-1
        credential_process = {sys.executable} {script}
    """))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "jovo")
    store = DynamoDbStore(unique_table("moto-process"), endpoint=moto["endpoint"], runtime=runtime)
    assert visit(store) == {"userId": "u", "user": {"data": {"visits": 1}}}


def test_a_roles_temporary_credentials_from_the_container_endpoint_sign_async_requests(moto, runtime, monkeypatch):
    ecs = FakeEcs()
    try:
        ecs.credentials = {**moto["role"], "Expiration": expiring_in(3600)}
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri)
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-token")
        store = AsyncDynamoDbStore(unique_table("moto-ecs"), endpoint=moto["endpoint"], runtime=runtime)
        assert asyncio.run(visit_async(store))["user"]["data"]["visits"] == 1
    finally:
        ecs.stop()


def test_a_roles_temporary_credentials_from_instance_metadata_sign_both_stores(moto, runtime, monkeypatch):
    imds = FakeImds()
    try:
        imds.credentials = {**moto["role"], "Expiration": expiring_in(3600)}
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url)
        table = unique_table("moto-imds")
        assert visit(DynamoDbStore(table, endpoint=moto["endpoint"], runtime=runtime)) is not None
        assert asyncio.run(visit_async(AsyncDynamoDbStore(table, endpoint=moto["endpoint"], runtime=runtime)))
    finally:
        imds.stop()


def test_a_wrong_secret_and_a_missing_permission_are_access_denied(moto, runtime):
    wrong = (moto["user"]["AccessKeyId"], "not-the-secret")

    async def with_wrong_secret() -> AccessDenied:
        async with AsyncDynamoDbStore(unique_table("moto-wrong"), endpoint=moto["endpoint"], credentials=wrong,
                                      runtime=runtime) as store:
            with pytest.raises(AccessDenied) as caught:
                await store.load_user("u")
            return caught.value

    assert asyncio.run(with_wrong_secret()).status == 403
    limited = (moto["no-delete"]["AccessKeyId"], moto["no-delete"]["SecretAccessKey"])
    store = DynamoDbStore(unique_table("moto-no-delete"), endpoint=moto["endpoint"], credentials=limited, runtime=runtime)
    store.save_user("u", {"user": {"data": {}}})
    with pytest.raises(AccessDenied) as caught:
        store.delete_user("u")
    assert caught.value.status == 403 and "not-the-secret" not in str(caught.value)
