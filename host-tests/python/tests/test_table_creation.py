"""The table: created on the first visit, in either billing mode, never by surprise, and
never making that first visit fail."""

from __future__ import annotations

import threading

import pytest

from conftest import stored_item, unique_table
from jovo_dynamodb import DynamoDbStore, InvalidConfig, TableMissing, TableStatus, TimedOut


def test_the_first_visit_of_a_new_app_creates_the_table_and_succeeds(open_store, boto3_client):
    # dynalite keeps new tables CREATING for 500 ms, answering ResourceNotFound meanwhile:
    # the original plugin failed this request ("Please wait a moment and resend").
    table = unique_table("first-visit")
    store = open_store(table)
    assert store.load_user("alexa-user-1") is None
    store.save_user("alexa-user-1", {"user": {"data": {"visits": 1}}})
    assert boto3_client.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    assert store.load_user("alexa-user-1")["user"]["data"]["visits"] == 1


def test_ensure_table_says_whether_it_created_the_table(open_store):
    table = unique_table("ensure")
    first = open_store(table)
    assert first.ensure_table() is TableStatus.CREATED
    assert first.ensure_table() is TableStatus.ALREADY_EXISTED
    assert open_store(table).ensure_table() is TableStatus.ALREADY_EXISTED


def test_a_provisioned_table_gets_the_configured_capacity(open_store, boto3_client):
    table = unique_table("provisioned")
    open_store(table, read_capacity_units=5, write_capacity_units=7).ensure_table()
    description = boto3_client.describe_table(TableName=table)["Table"]
    assert description["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert description["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert description["KeySchema"] == [{"AttributeName": "userId", "KeyType": "HASH"}]


def test_a_pay_per_request_table_can_be_created_and_used(open_store, boto3_client):
    table = unique_table("on-demand")
    store = open_store(table, billing_mode="PAY_PER_REQUEST")
    assert store.ensure_table() is TableStatus.CREATED
    description = boto3_client.describe_table(TableName=table)["Table"]
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    store.save_user("u", {"user": {"data": {}}})
    assert store.load_user("u") is not None


def test_a_custom_primary_key_column_names_the_partition_key(open_store, boto3_client):
    table = unique_table("custom-key")
    open_store(table, primary_key_column="id").save_user("u-7", {"user": {"data": {}}})
    assert boto3_client.describe_table(TableName=table)["Table"]["KeySchema"][0]["AttributeName"] == "id"
    assert stored_item(boto3_client, table, "u-7", key_column="id") is not None


def test_with_auto_create_off_a_missing_table_is_an_error_that_names_it(open_store, boto3_client):
    table = unique_table("no-auto-create")
    store = open_store(table, create_table_on_init=False)
    for call in (lambda: store.load_user("u"), lambda: store.save_user("u", {}), store.ensure_table):
        with pytest.raises(TableMissing) as caught:
            call()
        assert caught.value.code == "table-missing"
        assert table in str(caught.value)
    with pytest.raises(boto3_client.exceptions.ResourceNotFoundException):
        boto3_client.describe_table(TableName=table)


def test_two_app_instances_starting_together_both_get_a_usable_table(open_store, boto3_client):
    table = unique_table("race")
    statuses = {}

    def start_app(number: int) -> None:
        store = open_store(table)
        statuses[number] = store.ensure_table()
        store.save_user(f"user-{number}", {"user": {"data": {"i": number}}})

    apps = [threading.Thread(target=start_app, args=(number,)) for number in range(2)]
    for app in apps:
        app.start()
    for app in apps:
        app.join()
    assert TableStatus.CREATED in statuses.values(), statuses
    assert stored_item(boto3_client, table, "user-0") is not None
    assert stored_item(boto3_client, table, "user-1") is not None


def test_a_table_with_another_key_schema_is_reported_not_misused(open_store, boto3_client):
    table = unique_table("other-schema")
    boto3_client.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(InvalidConfig) as caught:
        open_store(table).ensure_table()
    assert "partition key 'pk'" in caught.value.message and "'userId'" in caught.value.message


def test_a_table_that_takes_too_long_is_a_timeout_with_advice(start_dynalite, runtime):
    slow = start_dynalite(3000)
    table = unique_table("slow")

    def open_slow(**options) -> DynamoDbStore:
        return DynamoDbStore(table, endpoint=slow.endpoint, credentials=("a", "b"), runtime=runtime, **options)

    with pytest.raises(TimedOut) as caught:
        open_slow(table_ready_timeout_ms=600).ensure_table()
    assert "table ready timeout ms" in caught.value.message and table in caught.value.message
    # No bound on the time taken (a loaded machine could break one): TimedOut at all shows the
    # wait gave up before the table was ready (3 s), which is the behaviour under test.
    # A later call waits for the same table instead of creating it again.
    assert open_slow().ensure_table() is TableStatus.ALREADY_EXISTED
