"""Groups the samples of a Rust bench process recorded with `perf record --call-graph dwarf`
by the part of an operation they belong to: kernel samples by their syscall, user samples
by the innermost frame that belongs to a known owner (wasmtime's JIT code cannot be
unwound, so a sample in it is the guest's or a trampoline's by its symbol). Issue 20's
"Rust host" section of bench/profile.md was made with it.

    perf record -F 2000 --call-graph dwarf,16384 -o ours.data <bench binary> <endpoint> ...
    perf script --no-inline -i ours.data -F tid,ip,sym,dso > ours.txt
    python3 bench/perf_groups.py ours.txt [cpu µs per operation, to print µs per group]
"""
import collections
import re
import sys

USER_OWNERS = [
    ("start-up (load, compile cache, instantiate, TLS roots)", ("_dl_", "Runtime::from_component", "load_or_compile", "rustls_native_certs", "pem_", "Runtime::open", "instantiate_pre")),
    ("DNS lookup (ureq resolver thread)", ("resolve_async", "DefaultResolver", "pthread_create", "lookups::")),
    ("credentials lookup", ("jovo_dynamodb_host::credentials",)),
    ("item JSON in the host (serde_json)", ("serde_json", "json_value", "parse_item")),
    ("wasmtime (calls, lift/lower, resources)", ("wasmtime::",)),
    ("HTTP client user space (ureq / hyper)", ("ureq", "hyper", "httparse", "http::", "async_http", "AsyncHttp", "tower")),
    ("host glue (transport.rs, async_store.rs, runtime.rs)", ("jovo_dynamodb_host::",)),
    ("tokio runtime (scheduler, timers, channels)", ("tokio::", "mio::")),
]

def owner(frames):
    leaf_sym, leaf_dso = frames[0]
    if leaf_sym.startswith("wasm["):
        return "guest wasm (JIT code)"
    if "cwasm" in leaf_dso:
        return "wasmtime trampolines (JIT code)"
    if leaf_dso.startswith("[kernel"):
        syms = [s for s, d in frames if d.startswith("[kernel")]
        syscall = next((s for s in syms if s.startswith(("__x64_sys", "__do_sys"))), "")
        if any(k in syscall for k in ("futex", "epoll", "sched_yield")) or any("eventfd" in s for s in syms) or (not syscall and any("schedule" in s for s in syms)):
            return "kernel: threads waking/sleeping (futex, epoll, schedule)"
        if any(k in syscall for k in ("sendto", "recvfrom", "writev", "setsockopt", "ioctl")) or any(s.startswith(("tcp_", "sock_", "inet_", "__tcp")) for s in syms):
            return "kernel: socket I/O (send/recv, loopback TCP, sockopts)"
        if any(k in syscall for k in ("clone", "mmap", "munmap", "mprotect", "sigaltstack")):
            return "kernel: thread/memory (clone, mmap, munmap)"
        if any(k in s for s, _ in frames for k in ("rustls_native", "pem_", "load_or_compile", "_dl_")) or any(s == "_start" for s, _ in frames):
            return "start-up (load, compile cache, instantiate, TLS roots)"
        return "kernel: other (" + (syscall or syms[-1]) + ")"
    for sym, _ in frames:
        for name, keys in USER_OWNERS:
            if any(k in sym for k in keys):
                return name
    return "other (" + leaf_sym[:50] + ")"

def samples(path):
    block = []
    with open(path, errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if block:
                    yield block
                block = []
            else:
                block.append(line)
    if block:
        yield block

def main():
    path = sys.argv[1]
    cpu = float(sys.argv[2]) if len(sys.argv) > 2 else None
    counts = collections.Counter()
    for block in samples(path):
        frames = [(m.group(1), m.group(2)) for m in (re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", l) for l in block[1:]) if m]
        if frames:
            counts[owner(frames)] += 1
    n = sum(counts.values())
    print(f"{path}: {n} samples")
    for g, c in counts.most_common():
        extra = f"  {c / n * cpu:6.1f} µs/op" if cpu else ""
        print(f"  {g:60s} {100 * c / n:5.1f} %{extra}")

main()
