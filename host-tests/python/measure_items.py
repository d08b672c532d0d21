"""Measures the CPU an item costs this process per save and per load: the 96.5 KB bench item
(bench/items/large.json, JSON only) and the same item with a 1,000-member string set and a
100 KB bytes attribute (issue 17's closing note).

Two columns per item: the item text alone (`items.encode` / `items.decode`, what the
sets-and-binary change touches) and the whole call (`save_user` / `load_user` against a
dynalite started here; its CPU is another process's and not counted).

    .venv/bin/python measure_items.py [--calls 200]

Numbers are from one machine and one run; compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

from jovo_dynamodb import DynamoDbStore, StoreError, items

HERE = Path(__file__).resolve().parent
DYNALITE_SERVER = HERE.parent.parent / "scripts" / "node" / "dynalite-server.cjs"
LARGE_ITEM = HERE.parent.parent / "bench" / "items" / "large.json"
TABLE = "measure-items"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200, help="calls per measurement")
    calls = parser.parse_args().calls
    large = json.loads(LARGE_ITEM.read_text())
    with_types = json.loads(LARGE_ITEM.read_text())
    with_types["user"]["data"]["seen"] = {f"item-{number:04d}" for number in range(1000)}
    with_types["user"]["data"]["avatar"] = os.urandom(100 * 1024)
    server = subprocess.Popen(
        ["node", str(DYNALITE_SERVER), "--exit-with-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        endpoint = server.stdout.readline().strip().removeprefix("listening ")  # type: ignore[union-attr]
        store = DynamoDbStore(TABLE, endpoint=endpoint, credentials=("AKIDMEASURE", "measure-secret"))
        print(f"{'item':<34}{'encode':>9}{'decode':>9}{'save_user':>11}{'load_user':>11}   (CPU ms per call)")
        for name, item in (("bench large.json (96.5 KB)", large), ("+ 1,000-member set + 100 KB bytes", with_types)):
            print(f"{name:<34}" + "".join(measure(store, name, item, calls)))
    finally:
        server.terminate()
        server.wait()


def measure(store: DynamoDbStore, user: str, item: dict[str, Any], calls: int) -> list[str]:
    try:
        store.save_user(user, item)
    except StoreError as error:
        return [f"   refused: {error.code}"]
    text = items.encode(item)
    loaded = store.load_user(user)
    assert loaded is not None and items.decode(text) == {key: value for key, value in loaded.items() if key != "userId"}
    return [
        f"{cpu_ms(lambda: items.encode(item), calls * 5):>9.3f}",
        f"{cpu_ms(lambda: items.decode(text), calls * 5):>9.3f}",
        f"{cpu_ms(lambda: store.save_user(user, item), calls):>11.3f}",
        f"{cpu_ms(lambda: store.load_user(user), calls):>11.3f}",
    ]


def cpu_ms(call: Callable[[], object], calls: int) -> float:
    """Mean CPU time of this process per call, after 10 warm-up calls."""
    for _ in range(10):
        call()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e3


if __name__ == "__main__":
    main()
