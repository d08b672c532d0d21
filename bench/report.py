"""Turns bench/results.json (written by bench/run.py) into bench/RESULTS.md and
bench/results.svg. No third-party packages; the SVG is written by hand.

    python3 bench/report.py
"""
from __future__ import annotations

import json
import math
from pathlib import Path

BENCH = Path(__file__).resolve().parent
R = json.loads((BENCH / "results.json").read_text())
LANGS = {"rust": "Rust", "python": "Python", "node24": "Node 24", "node20": "Node 20"}
PEER = {"rust": "aws-sdk-dynamodb", "python": "boto3", "node24": "db-dynamodb 4.1.0 (SDK v3)",
        "node20": "db-dynamodb 4.1.0 (SDK v3)"}
OURS = {"rust": "ours (wasmtime)", "python": "ours (wasmtime-py)", "node24": "ours (JSPI)", "node20": "ours (sync)"}


def find(rows: list[dict], **keys) -> dict | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in keys.items())), None)


def us(v: float) -> str:
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def rng(pair: list[float]) -> str:
    return f"{us(pair[0])}–{us(pair[1])}"


def ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def kb(v: float) -> str:
    return f"{v / 1024:.0f} MB" if v >= 10240 else f"{v:.0f} KB"


def size(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v / 1e6:.1f} MB" if v >= 1e6 else f"{v / 1e3:.0f} KB"


lines: list[str] = []
w = lines.append
V = R["versions"]
S = R["settings"]
lat, thr, cold, sizes = R["latency"], R["throughput"], R["cold_start"], R["sizes"]

# ---------- headline ----------
def cpu_ratio(lang: str, shape: str, op: str, server: str = "stub", vs: str = "peer") -> float | None:
    o = find(lat, server=server, shape=shape, lang=lang, role="ours", op=op)
    p = find(lat, server=server, shape=shape, lang=lang, role=vs, op=op)
    return o["cpu_us"] / p["cpu_us"] if o and p else None


def p50_ratio(lang: str, shape: str, op: str, server: str, vs: str) -> float | None:
    o = find(lat, server=server, shape=shape, lang=lang, role="ours", op=op)
    p = find(lat, server=server, shape=shape, lang=lang, role=vs, op=op)
    return o["p50_us"] / p["p50_us"] if o and p else None


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×"


w("# Benchmarks: the component against the SDKs")
w("")
w(f"Measured {R['started']} with `{R['command']}` (all of it: {R['wall_s']:.0f} s) at commit `{V['git']}`. "
  f"Machine: {V['machine']['nproc']} cores, {V['machine']['cpu']}, Linux {V['machine']['kernel']}, "
  "shared with other engineers' builds and tests while this ran.")
w("")
w("**Noise.** Every latency figure is the median over "
  f"{S['reps']} repetitions, each a separate process (interleaved: repetition 1 of every client, then 2, …), "
  f"of {S['latency_ops']['small'][0]} (small item) or {S['latency_ops']['large'][0]} (large item) operations after "
  f"{S['latency_ops']['small'][1]}/{S['latency_ops']['large'][1]} warm-up operations; the range after it is the lowest and "
  "highest repetition. Ratios are between clients measured in the same run; between two full runs they "
  "moved by up to about 25 % (see below), so a ratio within that of 1× means level.")
w("")
w("**What is compared.** The same two Jovo user items (`bench/items/`: small = 325 bytes of JSON, large = 96.5 KB, "
  "a user with 560 saved games) are loaded and saved. *CPU* is the client process's user + system CPU time per "
  "operation (all its threads; the server is another process). *Stub* = `bench/servers/stub.cjs`, canned "
  "valid DynamoDB answers with a correct `x-amz-crc32`, so the client dominates; *dynalite* = a DynamoDB "
  "written in Node, end to end. *Floor* = the same request marshalled and signed once in advance, then sent "
  "again and again on a kept-alive connection (Rust: a raw TCP writer; Node: `node:http` with a keep-alive agent). "
  "Peers: `@jovotech/db-dynamodb` 4.1.0 (AWS SDK v3) through the same fake Jovo object as ours; boto3 "
  "`get_item`/`put_item` with its TypeSerializer/TypeDeserializer; `aws-sdk-dynamodb` with a hand-written "
  "JSON ↔ AttributeValue mapping, tokio, default features. The original plugin reads with `ConsistentRead: true`, "
  "as ours does.")
w("")
w("![client CPU per operation and end-to-end latency, ours ÷ peer](results.svg)")
w("")
w("## Headline ratios")
w("")
w("| | small load | small save | large load | large save |")
w("| --- | --- | --- | --- | --- |")
for lang in LANGS:
    w(f"| CPU per op, {LANGS[lang]} ours ÷ {PEER[lang]} (stub) | "
      + " | ".join(fmt(cpu_ratio(lang, s, o)) for s in ("small", "large") for o in ("load", "save")) + " |")
for lang in ("rust", "node24", "node20"):
    w(f"| CPU per op, {LANGS[lang]} ours ÷ floor (stub) | "
      + " | ".join(fmt(cpu_ratio(lang, s, o, vs="floor")) for s in ("small", "large") for o in ("load", "save")) + " |")
for lang in ("rust", "node24", "node20"):
    w(f"| p50 latency end to end, {LANGS[lang]} ours ÷ floor (dynalite) | "
      + " | ".join(fmt(p50_ratio(lang, s, o, "dynalite", "floor")) for s in ("small", "large") for o in ("load", "save")) + " |")
for lang in LANGS:
    w(f"| p50 latency end to end, {LANGS[lang]} ours ÷ {PEER[lang]} (dynalite) | "
      + " | ".join(fmt(p50_ratio(lang, s, o, "dynalite", "peer")) for s in ("small", "large") for o in ("load", "save")) + " |")
w("")

notes = BENCH / "notes.md"
if notes.exists():
    w(notes.read_text().rstrip())
    w("")

# ---------- latency tables ----------
for server in ("stub", "dynalite"):
    w(f"## Concurrency 1, {server}: CPU and wall latency per operation")
    w("")
    w("| client | item | op | CPU/op (range) | p50 (range) | p99 | CPU ÷ peer | CPU ÷ floor | p50 ÷ peer | p50 ÷ floor | peak RSS |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for lang in LANGS:
        for shape in ("small", "large"):
            for op in ("load", "save"):
                peer = find(lat, server=server, shape=shape, lang=lang, role="peer", op=op)
                floor = find(lat, server=server, shape=shape, lang=lang, role="floor", op=op)
                for role in ("ours", "peer", "floor"):
                    r = find(lat, server=server, shape=shape, lang=lang, role=role, op=op)
                    if not r:
                        continue
                    w(f"| {r['client']} | {shape} | {op} | {us(r['cpu_us'])} ({rng(r['cpu_us_range'])}) | "
                      f"{us(r['p50_us'])} ({rng(r['p50_us_range'])}) | {us(r['p99_us'])} | "
                      f"{ratio(r['cpu_us'], peer and peer['cpu_us']) if role != 'peer' else ''} | "
                      f"{ratio(r['cpu_us'], floor and floor['cpu_us']) if role != 'floor' else ''} | "
                      f"{ratio(r['p50_us'], peer and peer['p50_us']) if role != 'peer' else ''} | "
                      f"{ratio(r['p50_us'], floor and floor['p50_us']) if role != 'floor' else ''} | {kb(r['maxrss_kb'])} |")
    w("")

# ---------- throughput ----------
w(f"## Throughput at concurrency {S['workers']} (small item, {S['throughput_seconds']} s per run, median of {S['throughput_reps']})")
w("")
w("Rust: our host runs one store per thread (64 threads, one wasmtime instance each); the SDK runs 64 tokio "
  "tasks on one shared client; the floor 64 threads with a connection each. Node: 64 concurrent async callers; "
  "ours in JSPI mode uses the shim's default pool of 8 instances, ours in sync mode runs calls one after another "
  "(each blocks the thread), the original and the floor use their keep-alive agents.")
w("")
w("| server | op | client | ops/s (range) | CPU/op | ops/s ÷ peer | ops/s ÷ floor | peak RSS |")
w("| --- | --- | --- | --- | --- | --- | --- | --- |")
for server in ("stub", "dynalite"):
    for op in ("load", "save"):
        for lang in ("rust", "node24", "node20"):
            peer = find(thr, server=server, op=op, lang=lang, role="peer")
            floor = find(thr, server=server, op=op, lang=lang, role="floor")
            for role in ("ours", "peer", "floor"):
                r = find(thr, server=server, op=op, lang=lang, role=role)
                if not r:
                    continue
                lo, hi = r["ops_per_s_range"]
                w(f"| {server} | {op} | {r['client']} | {r['ops_per_s']:.0f} ({lo:.0f}–{hi:.0f}) | {us(r['cpu_us'])} | "
                  f"{ratio(r['ops_per_s'], peer and peer['ops_per_s']) if role != 'peer' else ''} | "
                  f"{ratio(r['ops_per_s'], floor and floor['ops_per_s']) if role != 'floor' else ''} | {kb(r['maxrss_kb'])} |")
w("")

# ---------- cold start ----------
w(f"## Cold start: process start to the first loaded item (stub, median of {S['cold_runs']} processes)")
w("")
w("Includes the runtime's start, imports, creating the client, the table check the client makes on first use "
  "(ours: DescribeTable; the original plugin's `initialize()`: DescribeTable too) and one GetItem. "
  "One unmeasured round first warms the OS file cache. *Compile cache warm*: our Rust and Python hosts "
  "deserialize Cranelift's output kept on disk from an earlier process; *cold*: an empty cache directory, "
  "so the component is compiled. Node compiles the wasm itself on every start (no cache).")
w("")
w("| client | compile cache | median (range) | ÷ peer | peak RSS |")
w("| --- | --- | --- | --- | --- |")
for lang in LANGS:
    peer = find(cold, lang=lang, role="peer")
    for r in [r for r in cold if r["lang"] == lang]:
        w(f"| {r['client']} | {r['compile_cache'] or ''} | {r['ms']:.0f} ms ({r['ms_range'][0]:.0f}–{r['ms_range'][1]:.0f}) | "
          f"{ratio(r['ms'], peer['ms']) if r['role'] != 'peer' else ''} | {kb(r['maxrss_kb'])} |")
w("")

# ---------- sizes ----------
w("## Shipped size")
w("")
w("Bytes on disk (files only) and as one gzip'd tar. Node and Python: clean installs into empty folders "
  "(`bench/run.sh` makes them). Rust: the release binaries, stripped; ours counts the component file "
  "the host loads at run time.")
w("")
w("| language | what | size | gzip | ours ÷ peer |")
w("| --- | --- | --- | --- | --- |")
for lang in ("node", "python", "rust"):
    rows = [r for r in sizes if r["lang"] == lang]
    peer = next((r for r in rows if r["what"].startswith("peer")), None)
    for r in rows:
        ours = r["what"].startswith("ours")
        w(f"| {lang} | {r['what']} | {size(r['bytes'])} | {size(r['gzip_bytes'])} | "
          f"{ratio(r['bytes'], peer and peer['bytes']) + ' (gzip ' + ratio(r['gzip_bytes'], peer and peer['gzip_bytes']) + ')' if ours and peer else ''} |")
w("")

# ---------- profile (hand-written) ----------
profile = BENCH / "profile.md"
if profile.exists():
    w(profile.read_text().rstrip())
    w("")

w("## Versions")
w("")
for k, v in V.items():
    if k != "machine":
        w(f"- {k}: {v}")
w("")
w("Reproduce: `bench/run.sh` (builds the bench crate in `bench/rust/target`, installs `bench/node/node_modules` "
  "and `bench/python/.venv`, copies and transpiles the current js-shim, then runs `bench/run.py` and "
  "`bench/report.py`). Raw numbers: `bench/results.json`.")
(BENCH / "RESULTS.md").write_text("\n".join(lines) + "\n")

# ---------- SVG: two panels of ratios, log scale ----------
panels = [
    ("Client CPU per operation, ours ÷ peer (stub server)", lambda lang, s, o: cpu_ratio(lang, s, o)),
    ("Wall latency p50, ours ÷ peer (dynalite, end to end)", lambda lang, s, o: p50_ratio(lang, s, o, "dynalite", "peer")),
]
bars = [(lang, s, o) for lang in LANGS for s in ("small", "large") for o in ("load", "save")]
row_h, label_w, plot_w, top = 16, 250, 420, 40
panel_h = top + len(bars) * row_h + 40
width, height = label_w + plot_w + 60, panel_h * len(panels) + 30
lo, hi = math.log2(1 / 8), math.log2(8)
x_of = lambda v: label_w + (math.log2(min(max(v, 1 / 8), 8)) - lo) / (hi - lo) * plot_w
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
       f'<rect width="{width}" height="{height}" fill="white"/>']
colors = {"rust": "#b7410e", "python": "#3572a5", "node24": "#3c873a", "node20": "#8fbf8a"}
for p, (title, fn) in enumerate(panels):
    y0 = p * panel_h + 10
    svg.append(f'<text x="10" y="{y0 + 14}" font-size="13" font-weight="bold">{title}</text>')
    svg.append(f'<text x="10" y="{y0 + 28}" fill="#555">left of 1× = ours cheaper/faster; log scale; median of the repetitions</text>')
    for tick in (1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8):
        x = x_of(tick)
        svg.append(f'<line x1="{x:.1f}" y1="{y0 + top}" x2="{x:.1f}" y2="{y0 + top + len(bars) * row_h}" stroke="{"#000" if tick == 1 else "#ddd"}"/>')
        label = f"{tick:g}×" if tick >= 1 else f"1/{1 / tick:g}×"
        svg.append(f'<text x="{x:.1f}" y="{y0 + top + len(bars) * row_h + 14}" text-anchor="middle" fill="#555">{label}</text>')
    for i, (lang, s, o) in enumerate(bars):
        y = y0 + top + i * row_h
        v = fn(lang, s, o)
        svg.append(f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end">{LANGS[lang]} vs {PEER[lang].split(" (")[0]}: {s} {o}</text>')
        if v is None:
            continue
        x1, x0 = x_of(v), x_of(1)
        svg.append(f'<rect x="{min(x0, x1):.1f}" y="{y + 2}" width="{abs(x1 - x0):.1f}" height="{row_h - 4}" fill="{colors[lang]}"/>')
        svg.append(f'<text x="{max(x0, x1) + 4:.1f}" y="{y + 11}">{v:.2f}×</text>')
svg.append(f'<text x="10" y="{height - 8}" fill="#555">bench/run.sh, {R["started"]}, {V["machine"]["nproc"]} cores {V["machine"]["cpu"]}; details in RESULTS.md</text>')
svg.append("</svg>")
(BENCH / "results.svg").write_text("\n".join(svg) + "\n")
print(f"wrote {BENCH / 'RESULTS.md'} and {BENCH / 'results.svg'}")
