#!/usr/bin/python3
# Cost of one intercepted call, natively and under `pathvisor run` with each backend (unotify
# embedded and through pathvisord, ptrace-seccomp embedded and through pathvisord, plain ptrace
# embedded), with a path that no rule covers and with a redirected one; interleaved rounds,
# medians, ratios to native measured in the same run. Prints a markdown table. Never fails on time.
# PV_BENCH_VARIANTS="unotify unotify/daemon ..." picks variants.
import os, statistics, subprocess, sys, tempfile, time

pathvisor, loop = sys.argv[1], sys.argv[2]
pathvisord = sys.argv[3] if len(sys.argv) > 3 else None
rounds = int(os.environ.get("PV_BENCH_ROUNDS", "7"))
n = int(os.environ.get("PV_BENCH_N", "20000"))

tmp = tempfile.mkdtemp(prefix="pv-bench-")
target = os.path.join(tmp, "target")
with open(target, "w") as f:
    f.write("x\n")
redirected = "/pathvisor-bench/redirected"
rule = ["-r", f"{redirected}={target}"]

daemon = None
variants = os.environ.get("PV_BENCH_VARIANTS",
                          "unotify unotify/daemon ptrace-seccomp ptrace-seccomp/daemon ptrace").split()
if not pathvisord:
    variants = [v for v in variants if not v.endswith("/daemon")]
modes = [None] + variants
if any(v.endswith("/daemon") for v in variants):
    sock = os.path.join(tmp, "pathvisord.sock")
    os.mkdir(os.path.join(tmp, "policy.d"))
    daemon = subprocess.Popen([pathvisord, "--socket", sock, "--policy-dir", os.path.join(tmp, "policy.d")],
                              stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)

calls = [
    # (name, call, path, native too?)
    ("getppid (never trapped)", "getppid", target, True),
    ("openat+close, no rule", "openat", target, True),
    ("openat+close, redirected", "openat", redirected, False),
    ("newfstatat, no rule", "stat", target, True),
    ("newfstatat, redirected", "stat", redirected, False),
]
results = {}
try:
    for _ in range(rounds):
        for name, call, path, native in calls:
            for mode in modes:
                if mode is None and not native:
                    continue
                cmd = [loop, call, str(n), path]
                if mode is not None:
                    backend = mode.split("/")[0]
                    where = ["--daemon", "--socket", sock] if mode.endswith("/daemon") else ["--embedded"]
                    cmd = [pathvisor, "run"] + where + ["-b", backend] + rule + ["--"] + cmd
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                results.setdefault((name, mode), []).append(float(out.strip()))
finally:
    if daemon:
        daemon.terminate()
        daemon.wait()
    subprocess.run(["rm", "-rf", tmp])

native = {}
for (name, mode), v in results.items():
    if mode is None:
        native[name.split(",")[0]] = statistics.median(v)

def title(v):
    b, _, d = v.partition("/")
    return f"{b} via pathvisord" if d else f"{b} embedded"

print("| call | native (ns) | " + " | ".join(title(v) + " (ns, ratio)" for v in variants) + " |")
print("|---|---:|" + "---:|" * len(variants))
for name, call, path, _ in calls:
    base = native[name.split(",")[0]]
    line = f"| {name} | {base:,.0f} |"
    for mode in variants:
        med = statistics.median(results[(name, mode)])
        line += f" {med:,.0f} ({med / base:.2f}x) |"
    print(line)
print(f"\n{rounds} interleaved rounds of {n} calls, medians; {os.cpu_count()} CPUs, unpinned.")
