"""Runs every benchmark program and writes bench/results.json (bench/report.py turns it into
RESULTS.md and results.svg). Started by bench/run.sh, which builds what this needs.

    python3 bench/run.py [--quick]

Servers, both on 127.0.0.1 and started here (stopped when their stdin closes):
  stub      bench/servers/stub.cjs: canned valid answers at once, so the client's cost shows
  dynalite  scripts/node/dynalite-server.cjs: a DynamoDB in Node, end to end

Each measurement runs the client in its own process. Repetitions are interleaved (rep 1
of every client, then rep 2, ...) so that drift on the shared machine spreads over all
clients instead of favouring one. Peak RSS and total CPU come from wait4().
"""
from __future__ import annotations

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

RUST_BIN = BENCH / "rust" / "target" / "release"
NODE20 = "node"
NODE24 = str(BENCH / "node" / "node_modules" / "node-24" / "bin" / "node")
PYTHON = str(BENCH / "python" / ".venv" / "bin" / "python")
NODE_BENCH = str(BENCH / "node" / "bench.mjs")
TIME = shutil.which("time") or "/usr/bin/time"  # GNU time (Debian package `time`)
PY_BENCH = str(BENCH / "python" / "bench.py")

ENV = dict(
    os.environ,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true",
    PYTHONPATH=str(REPO / "host-tests" / "python" / "src"),
    JOVO_DYNAMODB_COMPONENT=str(REPO / "build" / "jovo_dynamodb.wasm"),
    JOVO_DYNAMODB_CACHE_DIR=str(OUT / "compile-cache"),
)

# name -> (language, role, argv before "<endpoint> <mode> <shape>")
CLIENTS: dict[str, tuple[str, str, list[str]]] = {
    "rust ours (wasmtime)": ("rust", "ours", [str(RUST_BIN / "bench-ours")]),
    "rust aws-sdk-dynamodb": ("rust", "peer", [str(RUST_BIN / "bench-sdk")]),
    "rust floor": ("rust", "floor", [str(RUST_BIN / "bench-floor")]),
    "python ours (wasmtime-py)": ("python", "ours", [PYTHON, PY_BENCH, "ours"]),
    "python boto3": ("python", "peer", [PYTHON, PY_BENCH, "boto3"]),
    "node24 ours (JSPI)": ("node24", "ours", [NODE24, NODE_BENCH, "ours-jspi"]),
    "node24 db-dynamodb 4.1.0": ("node24", "peer", [NODE24, NODE_BENCH, "original"]),
    "node24 floor": ("node24", "floor", [NODE24, NODE_BENCH, "floor"]),
    "node20 ours (sync)": ("node20", "ours", [NODE20, NODE_BENCH, "ours-sync"]),
    "node20 db-dynamodb 4.1.0": ("node20", "peer", [NODE20, NODE_BENCH, "original"]),
    "node20 floor": ("node20", "floor", [NODE20, NODE_BENCH, "floor"]),
}
THROUGHPUT_CLIENTS = [name for name, (lang, _, _) in CLIENTS.items() if lang != "python"]

# (ops per repetition, warm-up ops) per item shape; repetitions are processes.
LATENCY_OPS = {"small": (100, 30), "large": (20, 5)}
REPS = 3 if QUICK else 5
COLD_RUNS = 5 if QUICK else 10
THROUGHPUT_SECONDS = 2
THROUGHPUT_REPS = 1 if QUICK else 2
WORKERS = 64


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def start_server(argv: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(argv + ["--exit-with-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening "):
        raise SystemExit(f"{argv}: {line!r}")
    return proc, line.split(" ", 1)[1]


def run(argv: list[str], env: dict | None = None, timeout: float = 300) -> dict:
    """Runs one benchmark process; returns its JSON lines, peak RSS and CPU."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        # Peak RSS by GNU time: a child forked from this Python process would count this
        # process's pages too (ru_maxrss survives exec), and time's own image is ~2 MB.
        argv = [TIME, "-f", "%M", "-o", rss.name] + argv
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env or ENV, text=True)
        first_line_at = None
        lines = []
        for line in proc.stdout:
            if first_line_at is None:
                first_line_at = time.perf_counter()
            lines.append(json.loads(line))
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv} exited {proc.returncode}: {err.read().decode()[-2000:]}")
        maxrss_kb = int(rss.read().split()[-1])
    return {
        "lines": lines,
        "first_line_s": None if first_line_at is None else first_line_at - started,
        "maxrss_kb": maxrss_kb,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(servers: dict[str, str]) -> list[dict]:
    rows = []
    for server, endpoint in servers.items():
        for shape, (ops, warmup) in LATENCY_OPS.items():
            reps: dict[str, list[dict]] = {name: [] for name in CLIENTS}
            for rep in range(REPS):
                for name, (_, _, argv) in CLIENTS.items():
                    result = run(argv + [endpoint, "latency", shape, str(ops), "1", str(warmup)])
                    reps[name].append(result)
                log(f"latency {server} {shape}: rep {rep + 1}/{REPS} done")
            for name, results in reps.items():
                lang, role, _ = CLIENTS[name]
                for op in ("load", "save"):
                    lines = [line for r in results for line in r["lines"] if line.get("op") == op]
                    cpu = [line["cpu_us"] for line in lines]
                    p50 = [statistics.median(line["wall_us"]) for line in lines]
                    p99 = [percentile(line["wall_us"], 0.99) for line in lines]
                    rows.append({
                        "server": server, "shape": shape, "client": name, "lang": lang, "role": role, "op": op,
                        "ops_per_rep": ops, "reps": len(lines),
                        "cpu_us": statistics.median(cpu), "cpu_us_range": [min(cpu), max(cpu)],
                        "p50_us": statistics.median(p50), "p50_us_range": [min(p50), max(p50)],
                        "p99_us": statistics.median(p99), "p99_us_range": [min(p99), max(p99)],
                        "maxrss_kb": statistics.median(r["maxrss_kb"] for r in results),
                    })
    return rows


def throughput(servers: dict[str, str]) -> list[dict]:
    rows = []
    for server, endpoint in servers.items():
        for op in ("load", "save"):
            reps: dict[str, list[dict]] = {name: [] for name in THROUGHPUT_CLIENTS}
            for _ in range(THROUGHPUT_REPS):
                for name in THROUGHPUT_CLIENTS:
                    argv = CLIENTS[name][2] + [endpoint, "throughput", "small", str(WORKERS), str(THROUGHPUT_SECONDS), op]
                    reps[name].append(run(argv))
            log(f"throughput {server} {op} done")
            for name, results in reps.items():
                lang, role, _ = CLIENTS[name]
                lines = [r["lines"][-1] for r in results]
                rows.append({
                    "server": server, "op": op, "client": name, "lang": lang, "role": role, "workers": WORKERS,
                    "seconds": THROUGHPUT_SECONDS, "reps": len(lines),
                    "ops_per_s": statistics.median(line["ops_per_s"] for line in lines),
                    "ops_per_s_range": [min(line["ops_per_s"] for line in lines), max(line["ops_per_s"] for line in lines)],
                    "cpu_us": statistics.median(line["cpu_us"] for line in lines),
                    "maxrss_kb": max(r["maxrss_kb"] for r in results),
                })
    return rows


def cold_starts(endpoint: str) -> list[dict]:
    """Process start to the first loaded item, against the stub (a small item)."""
    variants = {name: (argv, None) for name, (_, _, argv) in CLIENTS.items()}
    # Our wasmtime hosts keep Cranelift's output on disk; measured both ways.
    for name in ("rust ours (wasmtime)", "python ours (wasmtime-py)"):
        variants[name + ", compile cache cold"] = (CLIENTS[name][2], "cold")
    times: dict[str, list[float]] = {name: [] for name in variants}
    rss: dict[str, list[int]] = {name: [] for name in variants}
    for run_index in range(COLD_RUNS + 1):
        for name, (argv, cache) in variants.items():
            env = ENV
            scratch = None
            if cache == "cold":
                scratch = tempfile.mkdtemp(prefix="bench-cache-")
                env = dict(ENV, JOVO_DYNAMODB_CACHE_DIR=scratch)
            result = run(argv + [endpoint, "cold", "small"], env=env)
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
            if run_index > 0:  # the first round warms the OS file cache and our compile cache
                times[name].append(result["first_line_s"] * 1e3)
                rss[name].append(result["maxrss_kb"])
    log("cold starts done")
    rows = []
    for name, values in times.items():
        base = name.split(", compile cache")[0]
        lang, role, _ = CLIENTS[base]
        warm = "cold" if name.endswith("cache cold") else ("warm" if role == "ours" and lang in ("rust", "python") else None)
        rows.append({
            "client": name, "lang": lang, "role": role, "compile_cache": warm, "runs": len(values),
            "ms": statistics.median(values), "ms_range": [min(values), max(values)],
            "maxrss_kb": statistics.median(rss[name]),
        })
    return rows


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def gzip_size(paths: list[Path], root: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "a.tar.gz"
        subprocess.run(["tar", "czf", str(archive), "-C", str(root)] + [str(p.relative_to(root)) for p in paths], check=True)
        return archive.stat().st_size


def sizes() -> list[dict]:
    """Shipped sizes, bytes. The SDK installs are made by run.sh in .sizes/ folders."""
    rows = []
    shim = BENCH / "node" / ".shim"
    shipped = [shim / "src", shim / "dist", shim / "package.json"]
    rows.append({"lang": "node", "what": "ours: js-shim src + dist (component core wasm, jspi.js, sync.js)",
                 "bytes": sum(du(p) if p.is_dir() else p.stat().st_size for p in shipped),
                 "gzip_bytes": gzip_size(shipped, shim)})
    sdk = BENCH / "node" / ".sizes" / "node_modules"
    if sdk.is_dir():
        rows.append({"lang": "node", "what": "peer: clean npm install of @aws-sdk/client-dynamodb + @aws-sdk/util-dynamodb",
                     "bytes": du(sdk), "gzip_bytes": gzip_size([sdk], sdk.parent)})
    for name, folder in (("ours: wasmtime==50.0.1 + urllib3 (pip --target) + jovo_dynamodb (py + component)", "ours"),
                         ("peer: boto3==1.44.5 + botocore + deps (pip --target)", "boto3")):
        path = BENCH / "python" / ".sizes" / folder
        if path.is_dir():
            rows.append({"lang": "python", "what": name, "bytes": du(path), "gzip_bytes": gzip_size([path], path.parent)})
    component = REPO / "build" / "jovo_dynamodb.wasm"
    for label, names in (("ours: bench-ours (wasmtime host) + component", ["bench-ours"]),
                         ("peer: bench-sdk (aws-sdk-dynamodb, tokio, rustls)", ["bench-sdk"])):
        stripped = 0
        for binary in names:
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / binary
                shutil.copy(RUST_BIN / binary, copy)
                subprocess.run(["strip", "--strip-all", str(copy)], check=True)
                stripped += copy.stat().st_size
        extra = component.stat().st_size if label.startswith("ours") else 0
        rows.append({"lang": "rust", "what": label + " (stripped)", "bytes": stripped + extra,
                     "gzip_bytes": None})
    return rows


def versions() -> dict:
    def out(argv: list[str]) -> str:
        return subprocess.run(argv, capture_output=True, text=True, env=ENV).stdout.strip()

    def lock_version(lock: Path, name: str) -> str:
        text = lock.read_text().split("[[package]]")
        return ", ".join(sorted({b.split('version = "')[1].split('"')[0] for b in text if f'name = "{name}"\n' in b}))

    def npm_version(pkg: str) -> str:
        return json.loads((BENCH / "node" / "node_modules" / pkg / "package.json").read_text())["version"]

    lock = BENCH / "rust" / "Cargo.lock"
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), "?")
    return {
        "machine": {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release()},
        "git": out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "component_bytes": (REPO / "build" / "jovo_dynamodb.wasm").stat().st_size,
        "rustc": out(["rustc", "--version"]),
        "wasmtime (Rust)": lock_version(lock, "wasmtime"),
        "aws-sdk-dynamodb": lock_version(lock, "aws-sdk-dynamodb"),
        "python": out([PYTHON, "--version"]),
        "wasmtime-py": out([PYTHON, "-c", "import importlib.metadata as m; print(m.version('wasmtime'))"]),
        "boto3": out([PYTHON, "-c", "import importlib.metadata as m; print(m.version('boto3'), m.version('botocore'))"]),
        "node20": out([NODE20, "--version"]),
        "node24": out([NODE24, "--version"]),
        "@jovotech/db-dynamodb": npm_version("@jovotech/db-dynamodb"),
        "@aws-sdk/client-dynamodb": npm_version("@aws-sdk/client-dynamodb"),
        "jco": npm_version("@bytecodealliance/jco"),
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    started = time.time()
    stub, stub_url = start_server(["node", str(BENCH / "servers" / "stub.cjs")])
    dyn, dyn_url = start_server(["node", str(REPO / "scripts" / "node" / "dynalite-server.cjs")])
    try:
        # Creates the table in dynalite (and waits until ACTIVE) and fills the compile cache.
        run([str(RUST_BIN / "bench-ours"), dyn_url, "cold", "small"])
        servers = {"stub": stub_url, "dynalite": dyn_url}
        results = {
            "command": "bench/run.sh" + (" --quick" if QUICK else ""),
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
            "versions": versions(),
            "settings": {"latency_ops": LATENCY_OPS, "reps": REPS, "cold_runs": COLD_RUNS,
                         "throughput_seconds": THROUGHPUT_SECONDS, "throughput_reps": THROUGHPUT_REPS, "workers": WORKERS},
            "latency": latency(servers),
            "throughput": throughput(servers),
            "cold_start": cold_starts(stub_url),
            "sizes": sizes(),
        }
        results["wall_s"] = round(time.time() - started, 1)
    finally:
        for proc in (stub, dyn):
            proc.stdin.close()
            proc.wait(timeout=10)
    (BENCH / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {BENCH / 'results.json'} in {results['wall_s']} s")


if __name__ == "__main__":
    main()
