"""One store shared by the threads of a web server: every call is served, nothing is lost
and no thread sees another's user."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import stored_item, unique_table

THREADS = 8
VISITS_PER_USER = 15


def test_one_store_shared_by_eight_threads_loses_nothing_and_mixes_nothing_up(open_store, boto3_client):
    table = unique_table("threads")
    store = open_store(table)

    def one_user_visits_repeatedly(number: int) -> int:
        user_id = f"user-{number}"
        for visit in range(1, VISITS_PER_USER + 1):
            item = store.load_user(user_id) or {"user": {"data": {"visits": 0, "owner": user_id}}}
            assert item["user"]["data"]["owner"] == user_id
            assert item["user"]["data"]["visits"] == visit - 1
            item["user"]["data"]["visits"] = visit
            store.save_user(user_id, item)
        return number

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        finished = list(pool.map(one_user_visits_repeatedly, range(THREADS)))

    assert finished == list(range(THREADS))
    for number in range(THREADS):
        stored = stored_item(boto3_client, table, f"user-{number}")
        assert stored["user"]["M"]["data"]["M"]["visits"] == {"N": str(VISITS_PER_USER)}
