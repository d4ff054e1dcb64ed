#!/usr/bin/python3
# Cost of one intercepted call, natively and under `pathvisor run` (unotify, embedded), with a
# path that no rule covers and with a redirected one; interleaved rounds, medians, ratios to
# native measured in the same run. Prints a markdown table. Never fails on time.
import os, statistics, subprocess, sys, tempfile

pathvisor, loop = sys.argv[1], sys.argv[2]
rounds = int(os.environ.get("PV_BENCH_ROUNDS", "7"))
n = int(os.environ.get("PV_BENCH_N", "20000"))

tmp = tempfile.mkdtemp(prefix="pv-bench-")
target = os.path.join(tmp, "target")
with open(target, "w") as f:
    f.write("x\n")
redirected = "/pathvisor-bench/redirected"
rule = ["-r", f"{redirected}={target}"]

cases = [
    # (name, call, path, under pathvisor?)
    ("getppid (never trapped)", "getppid", target, False),
    ("getppid (never trapped)", "getppid", target, True),
    ("openat+close, no rule", "openat", target, False),
    ("openat+close, no rule", "openat", target, True),
    ("openat+close, redirected", "openat", redirected, True),
    ("newfstatat, no rule", "stat", target, False),
    ("newfstatat, no rule", "stat", target, True),
    ("newfstatat, redirected", "stat", redirected, True),
]
results = {}
try:
    for _ in range(rounds):
        for name, call, path, sup in cases:
            cmd = [loop, call, str(n), path]
            if sup:
                cmd = [pathvisor, "run", "--embedded", "-b", "unotify"] + rule + ["--"] + cmd
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results.setdefault((name, sup), []).append(float(out.strip()))
finally:
    os.unlink(target)
    os.rmdir(tmp)

native = {}
for (name, sup), v in results.items():
    if not sup:
        native[name.split(",")[0]] = statistics.median(v)

print(f"| call | native (ns) | unotify embedded (ns) | ratio |")
print(f"|---|---:|---:|---:|")
for name, call, path, sup in cases:
    if not sup:
        continue
    med = statistics.median(results[(name, True)])
    base = native[name.split(",")[0]]
    print(f"| {name} | {base:,.0f} | {med:,.0f} | {med / base:.2f}x |")
print(f"\n{rounds} interleaved rounds of {n} calls, medians; {os.cpu_count()} CPUs, unpinned.")
