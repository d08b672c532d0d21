"""Groups a callgrind profile of a bench binary by where the instructions ran (exclusive
costs): the component's JIT-compiled code (valgrind cannot name it: `???`), wasmtime,
the host's HTTP client, JSON, allocator, memcpy. Used by bench/profile.sh.

    python3 bench/profile_groups.py callgrind.out [ops]
"""
import collections
import re
import subprocess
import sys

GROUPS = [
    ("component (wasm, JIT code)", lambda n: n.startswith("???") and "[???]" in n),
    ("memcpy/memmove", lambda n: "memcpy" in n or "memmove" in n),
    ("malloc/free", lambda n: "malloc" in n or "free" in n or "_int_" in n or "unlink_chunk" in n),
    ("SHA-256 / HMAC", lambda n: "sha2::" in n or "hmac" in n or "ring::" in n or "aws_lc" in n),
    ("serde_json / JSON", lambda n: "serde_json" in n or "serde_core" in n or "serde::" in n or "indexmap" in n or "sip.rs" in n or "hashbrown" in n),
    ("wasmtime (calls, lifting/lowering)", lambda n: "wasmtime" in n),
    ("HTTP client (ureq/hyper/tokio)", lambda n: any(k in n for k in ("ureq", "hyper", "tokio", "httparse", "http::", "h2::", "tower"))),
    ("AWS SDK (smithy, sigv4)", lambda n: "aws_" in n or "smithy" in n),
    ("kernel entry / libc other", lambda n: "libc.so" in n or "ld-linux" in n),
]


def main() -> None:
    path = sys.argv[1]
    ops = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    out = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    totals = collections.Counter()
    body = out.split("file:function", 1)[1]
    for line in body.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if not m:
            continue
        count, name = int(m.group(1).replace(",", "")), m.group(2)
        group = next((g for g, test in GROUPS if test(name)), "other")
        totals[group] += count
    total = sum(totals.values())
    print(f"{path}: {total / ops / 1e6:.2f} M instructions per operation ({ops} operations)")
    for group, count in totals.most_common():
        print(f"  {group:36s} {count / ops / 1e6:8.2f} M  {100 * count / total:5.1f} %")


if __name__ == "__main__":
    main()
