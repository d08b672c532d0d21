"""One visit of the demo user from Python, with the asyncio store: load, count, save.

    python visit.py <endpoint> <table> <user id>    prints one JSON line
"""

import asyncio
import json
import sys
import time
from datetime import datetime, timezone

from jovo_dynamodb import AsyncDynamoDbStore


async def visit(endpoint: str, table: str, user_id: str) -> dict[str, object]:
    started = time.perf_counter()
    async with AsyncDynamoDbStore(
        table, endpoint=endpoint, region="us-east-1", credentials=("demo", "demo-secret")
    ) as store:
        opened = time.perf_counter()
        item = await store.load_user(user_id)
        if item is None:
            raise SystemExit(f"user {user_id} not found")
        item["user"]["data"]["visits"] += 1
        item["updatedAt"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        await store.save_user(user_id, item)
        done = time.perf_counter()
    return {
        "visits": item["user"]["data"]["visits"],
        "open_ms": round((opened - started) * 1000, 1),
        "load_save_ms": round((done - opened) * 1000, 1),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(visit(*sys.argv[1:4]))))
