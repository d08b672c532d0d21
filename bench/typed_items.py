"""What sets and binary cost (issue 17's measurement), on Node 24 against dynalite: CPU per
load and per save of the small item plus a 1,000-member string set and 100 KB of binary
(bench.mjs's `typed` shape), for ours, @jovotech/db-dynamodb 4.1.0 and @aws-lite/dynamodb,
in interleaved processes. Run by `bench/run.sh --typed-items` (and at the end of the full
run), which prepares bench/node's packages and the packed js-shim it needs. Writes
bench/typed-items.md.
"""

from __future__ import annotations

import re
import statistics
import subprocess

from run import BENCH, NODE_BENCH, NODES, REPO, load_average, run, start_server

CLIENTS = {"ours": "ours", "db-dynamodb 4.1.0": "original", "aws-lite": "awslite"}
PROCESSES = 4
OPS, REPS, WARMUP = 50, 2, 30


def main() -> None:
    node = NODES["node24"]
    dynalite, endpoint = start_server(["node", str(REPO / "scripts" / "node" / "dynalite-server.cjs")])
    cpu: dict[str, dict[str, list[float]]] = {name: {"load": [], "save": []} for name in CLIENTS}
    failed: dict[str, str] = {}
    try:
        # Creates the table (our initialize waits until it is ACTIVE).
        run([node, NODE_BENCH, "ours", endpoint, "latency", "typed", "1", "1", "0"])
        for _ in range(PROCESSES):
            for name, client in CLIENTS.items():
                if name in failed:
                    continue
                try:
                    result = run([node, NODE_BENCH, client, endpoint, "latency", "typed", str(OPS), str(REPS), str(WARMUP)])
                except RuntimeError as error:
                    # A client that cannot store the item at all: what DynamoDB (dynalite) said.
                    codes = re.findall(r"code: '(\w+)'", str(error))
                    failed[name] = codes[0] if codes else "the process failed"
                    continue
                for line in result["lines"]:
                    if line.get("kind") == "latency":
                        cpu[name][line["op"]].append(line["cpu_us"])
    finally:
        assert dynalite.stdin is not None
        dynalite.stdin.close()
        dynalite.wait(timeout=10)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    lines = [
        "# Sets and binary: CPU per operation (bench/typed_items.py)",
        "",
        f"Commit {commit}, Node 24, dynalite, load average {load_average()}. The small bench item plus",
        "`user.data.tags`, a `Set` of 1,000 strings (SS), and `user.data.avatar`, 100 KB of binary",
        f"(a `Uint8Array`, B). {PROCESSES} interleaved processes per client, {REPS} repetitions of {OPS}",
        "operations each; median (min-max) of the repetitions, CPU of the whole process.",
        "",
        "| client | load, CPU ms | save, CPU ms |",
        "| --- | --- | --- |",
    ]
    for name, ops in cpu.items():
        if name in failed:
            lines.append(f"| {name} | cannot save the item: {failed[name]} | |")
            continue
        cells = [f"{statistics.median(v) / 1000:.2f} ({min(v) / 1000:.2f}-{max(v) / 1000:.2f})" for v in (ops["load"], ops["save"])]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    text = "\n".join(lines) + "\n"
    print(text)
    (BENCH / "typed-items.md").write_text(text)


if __name__ == "__main__":
    main()
