"""Runs every benchmark program and writes bench/results.json (bench/report.py turns it into
RESULTS.md and results.svg). Started by bench/run.sh, which builds and installs what this needs.

    python3 bench/run.py [--quick]
    python3 bench/run.py --only jovo-cold-start   only the Jovo cold start (both bundle flag
        sets), merged into the existing results.json; the deploy app must be prepared (bench/run.sh
        or js-shim/scripts/test-deploy.sh)

Servers, both on 127.0.0.1 and started here (stopped when their stdin closes):
  stub      bench/servers/stub.cjs: canned valid answers at once, so the client's cost shows
  dynalite  scripts/node/dynalite-server.cjs: a DynamoDB in Node, end to end

Each measurement runs the client in its own process. Repetitions are interleaved (rep 1
of every client, then rep 2, ...) so that drift on the shared machine spreads over all
clients instead of favouring one; ratios are taken between the same repetition of two
clients and summarised as median and min-max. Peak RSS comes from GNU time, CPU from the
programs themselves (process CPU, every thread).

Phases: latency + CPU per operation at concurrency 1 (stub small and large, dynalite small);
throughput at concurrency 64 (stub, dynalite); Node's event loop under 500 concurrent cycles
(dynalite); the bundled Jovo Lambda handler's cold start (js-shim/test/deploy/coldstart.sh);
process start to first item for the Rust and Python clients; installed sizes.
"""
from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
QUICK = "--quick" in sys.argv
# --only jovo-cold-start: a partial run that needs neither the bench's servers nor its clients
# (coldstart.sh starts its own dynalite), so re-measuring the cold start takes minutes, not 15.
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
if ONLY not in (None, "jovo-cold-start"):
    raise SystemExit(f"run.py: --only takes jovo-cold-start, not {ONLY!r}")

RUST_BIN = BENCH / "rust" / "target" / "release"
NODES = {
    "node20": "node",
    "node22": str(REPO / "js-shim" / "node_modules" / "node-22" / "bin" / "node"),
    "node24": str(REPO / "js-shim" / "node_modules" / "node-24" / "bin" / "node"),
}
PYTHON = str(BENCH / "python" / ".venv" / "bin" / "python")
NODE_BENCH = str(BENCH / "node" / "bench.mjs")
PY_BENCH = str(BENCH / "python" / "bench.py")
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)

ENV = dict(
    os.environ,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true",
    PYTHONPATH=str(REPO / "host-tests" / "python" / "src"),
    JOVO_DYNAMODB_COMPONENT=str(REPO / "build" / "jovo_dynamodb.wasm"),
    JOVO_DYNAMODB_CACHE_DIR=str(OUT / "compile-cache"),
)

# name -> (host, role, argv before "<endpoint> <mode> <shape>"); role: ours | peer | floor.
# "original" marks the SDK-v3 plugin, the peer issue 10's Node targets are stated against.
CLIENTS: dict[str, tuple[str, str, list[str]]] = {}
for host, node in NODES.items():
    CLIENTS[f"{host} ours"] = (host, "ours", [node, NODE_BENCH, "ours"])
    CLIENTS[f"{host} db-dynamodb 4.1.0"] = (host, "peer", [node, NODE_BENCH, "original"])
    CLIENTS[f"{host} aws-lite"] = (host, "peer", [node, NODE_BENCH, "awslite"])
    CLIENTS[f"{host} floor"] = (host, "floor", [node, NODE_BENCH, "floor"])
CLIENTS.update({
    "python ours (blocking)": ("python", "ours", [PYTHON, PY_BENCH, "ours"]),
    "python ours (asyncio)": ("python", "ours", [PYTHON, PY_BENCH, "ours-async"]),
    "python boto3": ("python", "peer", [PYTHON, PY_BENCH, "boto3"]),
    "rust ours (blocking)": ("rust", "ours", [str(RUST_BIN / "bench-ours")]),
    "rust ours (tokio)": ("rust", "ours", [str(RUST_BIN / "bench-ours-async")]),
    "rust aws-sdk-dynamodb": ("rust", "peer", [str(RUST_BIN / "bench-sdk")]),
    "rust floor": ("rust", "floor", [str(RUST_BIN / "bench-floor")]),
})
# BENCH_HOSTS=node20,python (for trying changes): only those hosts' clients.
if os.environ.get("BENCH_HOSTS"):
    CLIENTS = {n: c for n, c in CLIENTS.items() if c[0] in os.environ["BENCH_HOSTS"].split(",")}
# At concurrency 64 a blocking store is one per thread; Python's is left out (the GIL makes
# 64 threads of it a test of the GIL), its asyncio store and boto3 (64 threads) stay.
THROUGHPUT_CLIENTS = [n for n in CLIENTS if n != "python ours (blocking)"]
EVENT_LOOP_CLIENTS = [n for n, (h, _, argv) in CLIENTS.items() if h.startswith("node") and argv[-1] != "floor"]
COLD_CLIENTS = [n for n, (h, _, _) in CLIENTS.items() if h in ("python", "rust") and not n.endswith("floor")]

# (server, shape, ops per repetition, warm-up ops)
# Warm-up long enough for V8 and wasm tier-up to be over: a server runs in steady state.
LATENCY_CASES = [("stub", "small", 200, 150), ("stub", "large", 20, 10), ("dynalite", "small", 100, 50)]
PROCESSES = 2 if QUICK else 4       # processes per client and case, interleaved
REPS_IN_PROCESS = 2                 # timed repetitions inside each process
THROUGHPUT_SECONDS = 1 if QUICK else 2
THROUGHPUT_REPS = 1 if QUICK else 3
WORKERS = 64
EVENT_LOOP_REPS = 1 if QUICK else 3
EVENT_LOOP = (500, 100)             # cycles, users
# JOVO_COLD_RUNS=40 for a loaded machine: a plugin's share is a difference of two whole processes
# (tens of ms out of ~500), so its noise shrinks only with the number of rounds.
JOVO_COLD_RUNS = int(os.environ.get("JOVO_COLD_RUNS") or (5 if QUICK else 20))
COLD_RUNS = 3 if QUICK else 10


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def start_server(argv: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(argv + ["--exit-with-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening "):
        raise SystemExit(f"{argv}: {line!r}")
    return proc, line.split(" ", 1)[1]


def run(argv: list[str], env: dict | None = None, timeout: float = 300) -> dict:
    """Runs one benchmark process; returns its JSON lines, wall time to its first line and
    peak RSS (GNU time: a child forked from this Python process would count this process's
    pages too, since ru_maxrss survives exec)."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        argv = [TIME, "-f", "%M", "-o", rss.name] + argv
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env or ENV, text=True)
        first_line_at = None
        lines = []
        for line in proc.stdout:
            if first_line_at is None:
                first_line_at = time.perf_counter()
            lines.append(json.loads(line))
        proc.wait(timeout=timeout)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv} exited {proc.returncode}: {err.read().decode()[-2000:]}")
        maxrss_kb = int(rss.read().split()[-1])
    return {"lines": lines, "first_line_s": None if first_line_at is None else first_line_at - started, "maxrss_kb": maxrss_kb}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def latency(servers: dict[str, str]) -> list[dict]:
    rows = []
    for server, shape, ops, warmup in LATENCY_CASES:
        endpoint = servers[server]
        results: dict[str, list[dict]] = {name: [] for name in CLIENTS}
        load = []
        for proc in range(PROCESSES):
            for name, (_, _, argv) in CLIENTS.items():
                results[name].append(run(argv + [endpoint, "latency", shape, str(ops), str(REPS_IN_PROCESS), str(warmup)]))
            load.append(load_average()[0])
            log(f"latency {server} {shape}: process {proc + 1}/{PROCESSES} of every client done (load {load[-1]})")
        for name, procs in results.items():
            host, role, argv = CLIENTS[name]
            row = {"server": server, "shape": shape, "client": name, "host": host, "role": role,
                   "original": argv[-1] == "original", "ops_per_rep": ops, "load_average": load,
                   "maxrss_kb": statistics.median(r["maxrss_kb"] for r in procs)}
            for op in ("load", "save"):
                lines = [line for r in procs for line in r["lines"] if line.get("op") == op]
                row[op] = {
                    # per repetition, in order (process 1 rep 1, process 1 rep 2, ...): paired across clients
                    "cpu_us": [line["cpu_us"] for line in lines],
                    "p50_us": [statistics.median(line["wall_us"]) for line in lines],
                    "p99_us": [percentile(line["wall_us"], 0.99) for line in lines],
                    "mean_us": [statistics.fmean(line["wall_us"]) for line in lines],
                }
            # Concurrency 1: a load and a save in turn, one at a time.
            row["c1_ops_per_s"] = [2e6 / (a + b) for a, b in zip(row["load"]["mean_us"], row["save"]["mean_us"])]
            row["cycle_cpu_us"] = [(a + b) / 2 for a, b in zip(row["load"]["cpu_us"], row["save"]["cpu_us"])]
            rows.append(row)
    return rows


def throughput(servers: dict[str, str]) -> list[dict]:
    rows = []
    for server, endpoint in servers.items():
        results: dict[str, list[dict]] = {name: [] for name in THROUGHPUT_CLIENTS}
        load = []
        for _ in range(THROUGHPUT_REPS):
            for name in THROUGHPUT_CLIENTS:
                argv = CLIENTS[name][2] + [endpoint, "throughput", "small", str(WORKERS), str(THROUGHPUT_SECONDS), "cycle"]
                results[name].append(run(argv))
            load.append(load_average()[0])
        log(f"throughput {server} done (load {load})")
        for name, procs in results.items():
            host, role, argv = CLIENTS[name]
            lines = [r["lines"][-1] for r in procs]
            rows.append({
                "server": server, "client": name, "host": host, "role": role, "original": argv[-1] == "original",
                "workers": WORKERS, "seconds": THROUGHPUT_SECONDS, "load_average": load,
                "ops_per_s": [line["ops_per_s"] for line in lines],
                "cpu_us": [line["cpu_us"] for line in lines],
                "maxrss_kb": max(r["maxrss_kb"] for r in procs),
            })
    return rows


def event_loop(endpoint: str) -> list[dict]:
    cycles, users = EVENT_LOOP
    results: dict[str, list[dict]] = {name: [] for name in EVENT_LOOP_CLIENTS}
    for _ in range(EVENT_LOOP_REPS):
        for name in EVENT_LOOP_CLIENTS:
            results[name].append(run(CLIENTS[name][2] + [endpoint, "eventloop", "small", str(cycles), str(users)]))
    log("event loop done")
    rows = []
    for name, procs in results.items():
        host, role, argv = CLIENTS[name]
        lines = [r["lines"][-1] for r in procs]
        rows.append({
            "client": name, "host": host, "role": role, "original": argv[-1] == "original", "cycles": cycles, "users": users,
            "gap_ms": [line["gap_ms"] for line in lines], "gap_cpu_ms": [line["gap_cpu_ms"] for line in lines],
            "cpu_scope": lines[0]["cpu_scope"], "ops_per_s": [line["ops_per_s"] for line in lines],
            "maxrss_kb": max(r["maxrss_kb"] for r in procs), "load_average": load_average(),
        })
    return rows


def jovo_cold_start(bundle_flags: str = "exact") -> dict:
    """The bundled Jovo Lambda handler, one LaunchRequest per process: js-shim's own harness
    (test/deploy/coldstart.sh bundles ours, the original and the app with no database plugin
    with the same esbuild command, starts dynalite, creates both tables and times interleaved
    rounds with GNU time). A plugin's share is its run minus the same round's run with none."""
    deploy = REPO / "js-shim" / "test" / "deploy"
    argv = [str(deploy / "coldstart.sh"), "--runs", str(JOVO_COLD_RUNS), "--nodes", "20,22,24"]
    load_before = load_average()
    # exact: `esbuild --bundle --platform=node --format=cjs` (issue 10's command); template: the
    # Jovo template's bundle script (--minify --keep-names, the CLI and aws-sdk external).
    proc = subprocess.run(argv, check=False, capture_output=True, text=True, env=dict(ENV, BUNDLE_FLAGS=bundle_flags), timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited {proc.returncode}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    log(proc.stdout.strip())
    report = json.loads((deploy / ".work" / "coldstart.json").read_text())
    bundles = {}
    for variant in ("ours", "original", "none"):
        data = (deploy / ".work" / "coldstart" / variant / "index.js").read_bytes()
        bundles[variant] = {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, 9))}
    rows = []
    for version, entry in report.items():
        samples = entry["samples"]
        pairs = list(zip(samples["ours"], samples["original"]))
        row = {
            "node": version, "runs": len(pairs),
            **{variant: {k: [s[k] for s in samples[variant]] for k in ("wallMs", "cpuMs", "peakMiB")}
               for variant in ("ours", "original", "none")},
            "wall_ratio": [a["wallMs"] / b["wallMs"] for a, b in pairs],
            "cpu_ratio": [a["cpuMs"] / b["cpuMs"] for a, b in pairs],
            "rss_ratio": [a["peakMiB"] / b["peakMiB"] for a, b in pairs],
            "load_average": entry["loadAverage"],
        }
        # share_<wall|cpu>: each plugin's run minus the same round's run with no plugin (ms),
        # and ours' share over the original's, per round.
        for key, name in (("wallMs", "wall"), ("cpuMs", "cpu")):
            shares = entry["shares"][key]
            row[f"share_{name}"] = {"ours": shares["ours"], "original": shares["original"],
                                    "ours_over_original": shares["oursOverOriginal"]}
        rows.append(row)
    log("jovo cold start done")
    measured = deploy / ".work" / "measurements.json"  # written by scripts/test-deploy.sh's size test
    deploy_sizes = json.loads(measured.read_text()) if measured.exists() else None
    return {"command": f"BUNDLE_FLAGS={bundle_flags} js-shim/test/deploy/coldstart.sh " + " ".join(argv[1:]),
            "bundle_flags": bundle_flags, "bundles": bundles, "rows": rows,
            "deploy_measurements": deploy_sizes,
            "load_average_before": load_before, "load_average_after": load_average()}


def cold_starts(endpoint: str) -> list[dict]:
    """Process start to the first loaded item (small, stub), Rust and Python clients. Our
    wasmtime hosts keep Cranelift's output on disk; measured both ways."""
    variants = {name: (CLIENTS[name][2], None) for name in COLD_CLIENTS}
    for name in [n for n in ("rust ours (blocking)", "python ours (blocking)") if n in CLIENTS]:
        variants[name + ", compile cache cold"] = (CLIENTS[name][2], "cold")
    times: dict[str, list[float]] = {name: [] for name in variants}
    rss: dict[str, list[int]] = {name: [] for name in variants}
    for index in range(COLD_RUNS + 1):
        for name, (argv, cache) in variants.items():
            env, scratch = ENV, None
            if cache == "cold":
                scratch = tempfile.mkdtemp(prefix="bench-cache-")
                env = dict(ENV, JOVO_DYNAMODB_CACHE_DIR=scratch)
            result = run(argv + [endpoint, "cold", "small"], env=env)
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
            if index > 0:  # the first round warms the OS file cache and our compile cache
                times[name].append(result["first_line_s"] * 1e3)
                rss[name].append(result["maxrss_kb"])
    log("process cold starts done")
    rows = []
    for name, values in times.items():
        base = name.split(", compile cache")[0]
        host, role, _ = CLIENTS[base]
        rows.append({"client": name, "host": host, "role": role, "ms": values, "maxrss_kb": statistics.median(rss[name])})
    return rows


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def gzip_size(paths: list[Path], root: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "a.tar.gz"
        subprocess.run(["tar", "czf", str(archive), "-C", str(root)] + [str(p.relative_to(root)) for p in paths], check=True)
        return archive.stat().st_size


def sizes() -> list[dict]:
    """Installed sizes, bytes; the clean installs are made by run.sh in .sizes folders."""
    rows = []
    node = BENCH / "node"
    for host, what, path in (
        ("node", "ours: jovo-dynamodb-wasm installed from its npm pack tarball (dist: plugin, edge entry, wasm inlined + as files)",
         node / ".ours" / "node_modules" / "jovo-dynamodb-wasm"),
        ("node", "peer: @aws-sdk/client-dynamodb + @aws-sdk/util-dynamodb (what db-dynamodb 4.1.0 adds), clean npm install",
         node / ".sizes" / "sdk" / "node_modules"),
        ("node", "peer: @aws-lite/client + @aws-lite/dynamodb, clean npm install", node / ".sizes" / "awslite" / "node_modules"),
        ("python", "ours: jovo_dynamodb (py + component) + wasmtime + urllib3 + aiohttp and deps (pip --target)",
         BENCH / "python" / ".sizes" / "ours"),
        ("python", "peer: boto3 + botocore + deps (pip --target)", BENCH / "python" / ".sizes" / "boto3"),
    ):
        if path.is_dir():
            rows.append({"host": host, "what": what, "bytes": du(path), "gzip_bytes": gzip_size([path], path.parent)})
    py_pkg = BENCH / "python" / ".sizes" / "ours" / "jovo_dynamodb"
    if py_pkg.is_dir():
        rows.append({"host": "python", "what": "ours alone: the jovo_dynamodb package (what its wheel holds)",
                     "bytes": du(py_pkg), "gzip_bytes": gzip_size([py_pkg], py_pkg.parent)})
    for label, binary in (("ours: bench-ours (wasmtime host, component embedded)", "bench-ours"),
                          ("ours: bench-ours-async (tokio host, component embedded)", "bench-ours-async"),
                          ("peer: bench-sdk (aws-sdk-dynamodb, tokio, rustls)", "bench-sdk")):
        if not (RUST_BIN / binary).exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / binary
            shutil.copy(RUST_BIN / binary, copy)
            subprocess.run(["strip", "--strip-all", str(copy)], check=True)
            rows.append({"host": "rust", "what": label + ", stripped", "bytes": copy.stat().st_size,
                         "gzip_bytes": gzip_size([copy], copy.parent)})
    return rows


def versions() -> dict:
    def out(argv: list[str]) -> str:
        return subprocess.run(argv, check=False, capture_output=True, text=True, env=ENV).stdout.strip()

    def lock_version(lock: Path, name: str) -> str:
        text = lock.read_text().split("[[package]]")
        return ", ".join(sorted({b.split('version = "')[1].split('"')[0] for b in text if f'name = "{name}"\n' in b}))

    def npm_version(pkg: str) -> str:
        return json.loads((BENCH / "node" / "node_modules" / pkg / "package.json").read_text())["version"]

    lock = BENCH / "rust" / "Cargo.lock"
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), "?")
    dirty = out(["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "wit", "js-shim", "host-tests", "build"])
    return {
        "machine": {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release()},
        "git": out(["git", "-C", str(REPO), "rev-parse", "HEAD"]),
        "git_subject": out(["git", "-C", str(REPO), "log", "-1", "--format=%s"]),
        "dirty": [l for l in dirty.splitlines() if l.strip()],
        "component_bytes": (REPO / "build" / "jovo_dynamodb.wasm").stat().st_size,
        "rustc": out(["rustc", "--version"]),
        "wasmtime (Rust)": lock_version(lock, "wasmtime"),
        "aws-sdk-dynamodb": lock_version(lock, "aws-sdk-dynamodb"),
        "python": out([PYTHON, "--version"]),
        "wasmtime-py": out([PYTHON, "-c", "import importlib.metadata as m; print(m.version('wasmtime'))"]),
        "aiohttp": out([PYTHON, "-c", "import importlib.metadata as m; print(m.version('aiohttp'))"]),
        "boto3": out([PYTHON, "-c", "import importlib.metadata as m; print(m.version('boto3'), m.version('botocore'))"]),
        **{host: out([node, "--version"]) for host, node in NODES.items()},
        "@jovotech/db-dynamodb": npm_version("@jovotech/db-dynamodb"),
        "@aws-sdk/client-dynamodb": npm_version("@aws-sdk/client-dynamodb"),
        "@aws-lite/client": npm_version("@aws-lite/client"),
        "@aws-lite/dynamodb": npm_version("@aws-lite/dynamodb"),
        "jco": json.loads((REPO / "js-shim" / "node_modules" / "@bytecodealliance" / "jco" / "package.json").read_text())["version"],
    }


def run_cold_start_only() -> None:
    """--only jovo-cold-start: both bundle flag sets, merged into the existing results.json
    (the other phases keep the run that measured them; each cold-start phase carries its own
    command and load averages, and "jovo_cold_start_started" when it was measured)."""
    results = json.loads((BENCH / "results.json").read_text())
    started = time.time()
    for phase, flags in (("jovo_cold_start", "exact"), ("jovo_cold_start_template", "template")):
        t = time.time()
        results[phase] = jovo_cold_start(flags)
        results.setdefault("phase_seconds", {})[phase] = round(time.time() - t, 1)
    results["jovo_cold_start_started"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started))
    results["settings"]["jovo_cold_runs"] = JOVO_COLD_RUNS
    (BENCH / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    log(f"merged the Jovo cold start into {BENCH / 'results.json'} in {round(time.time() - started, 1)} s")


def main() -> None:
    if ONLY:
        run_cold_start_only()
        return
    OUT.mkdir(exist_ok=True)
    started = time.time()
    stub, stub_url = start_server(["node", str(BENCH / "servers" / "stub.cjs")])
    dyn, dyn_url = start_server(["node", str(REPO / "scripts" / "node" / "dynalite-server.cjs")])
    phases = {}
    try:
        # Creates the table in dynalite (initialize waits until ACTIVE), saves the items, fills the compile cache.
        for shape in ("small", "large"):
            run([NODES["node20"], NODE_BENCH, "ours", dyn_url, "latency", shape, "1", "1", "0"])
        if (RUST_BIN / "bench-ours").exists():
            run([str(RUST_BIN / "bench-ours"), stub_url, "cold", "small"])
        servers = {"stub": stub_url, "dynalite": dyn_url}
        results = {
            "command": "bench/run.sh" + (" --quick" if QUICK else ""),
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
            "load_average_start": load_average(),
            "versions": versions(),
            "settings": {"latency_cases": LATENCY_CASES, "processes": PROCESSES, "reps_in_process": REPS_IN_PROCESS,
                         "throughput_seconds": THROUGHPUT_SECONDS, "throughput_reps": THROUGHPUT_REPS, "workers": WORKERS,
                         "event_loop": EVENT_LOOP, "event_loop_reps": EVENT_LOOP_REPS,
                         "jovo_cold_runs": JOVO_COLD_RUNS, "cold_runs": COLD_RUNS},
        }
        for phase, fn in (("latency", lambda: latency(servers)), ("throughput", lambda: throughput(servers)),
                          ("event_loop", lambda: event_loop(dyn_url)), ("jovo_cold_start", jovo_cold_start),
                          ("jovo_cold_start_template", lambda: jovo_cold_start("template")),
                          ("cold_start", lambda: cold_starts(stub_url)), ("sizes", sizes)):
            if os.environ.get("BENCH_PHASES") and phase not in os.environ["BENCH_PHASES"].split(","):
                continue  # BENCH_PHASES=latency,sizes (for trying changes): only those phases
            t = time.time()
            results[phase] = fn()
            phases[phase] = round(time.time() - t, 1)
        results["phase_seconds"] = phases
        results["load_average_end"] = load_average()
        results["wall_s"] = round(time.time() - started, 1)
    finally:
        for proc in (stub, dyn):
            proc.stdin.close()
            proc.wait(timeout=10)
    if os.environ.get("BENCH_PHASES"):  # a partial run: merged into the previous results
        previous = json.loads((BENCH / "results.json").read_text())
        previous.update({k: v for k, v in results.items() if k != "phase_seconds"})
        previous.setdefault("phase_seconds", {}).update(results["phase_seconds"])
        results = previous
    (BENCH / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {BENCH / 'results.json'} in {results['wall_s']} s")


if __name__ == "__main__":
    main()
