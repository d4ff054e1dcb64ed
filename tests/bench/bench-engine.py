#!/usr/bin/python3
# Cost of one intercepted call, natively, under `pathvisor run` with each backend (unotify
# embedded and through pathvisord, ptrace-seccomp embedded and through pathvisord, plain ptrace
# embedded), under PRoot when it is installed, and under the bare kernel mechanisms
# (bench-proto: the floor each backend stands on); with a path that no rule covers and with a
# redirected one. Interleaved rounds, medians, ratios to native measured in the same run. Prints
# markdown tables. Never fails on time.
#   usage: bench-engine.py PATHVISOR BENCH-LOOP [PATHVISORD [BENCH-PROTO]]
#   PV_BENCH_VARIANTS="unotify unotify/daemon ..."  which pathvisor variants
#   PV_BENCH_ROUNDS (7), PV_BENCH_N (20000)         rounds, calls per run
#   PV_BENCH_PROOT=0                                leave PRoot out even when installed
#   PV_BENCH_PLACEMENT=0                            leave out the placement table (taskset)
import os, shutil, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

pathvisor, loop = sys.argv[1], sys.argv[2]
pathvisord = sys.argv[3] if len(sys.argv) > 3 else None
proto = sys.argv[4] if len(sys.argv) > 4 else None
rounds = int(os.environ.get("PV_BENCH_ROUNDS", "7"))
n = int(os.environ.get("PV_BENCH_N", "20000"))
proot = shutil.which("proot") if os.environ.get("PV_BENCH_PROOT", "1") != "0" else None

tmp = tempfile.mkdtemp(prefix="pv-bench-")
target = os.path.join(tmp, "target")
with open(target, "w") as f:
    f.write("x\n")
target_link = os.path.join(tmp, "link")
os.symlink(target, target_link)
vdir = "/pathvisor-bench"
redirected = f"{vdir}/target"
redirected_link = f"{vdir}/link"
rule = ["-r", f"{vdir}={tmp}"]

variants = benchlib.variants(pathvisord)
others = ["proot"] if proot else []
modes = [None] + variants + others
daemon, sock = benchlib.start_daemon(pathvisord, tmp) if any(v.endswith("/daemon") for v in variants) \
    else (None, None)

calls = [
    # (name, bench-loop call, path, redirected?)
    ("getppid (never trapped)", "getppid", target, False),
    ("openat+close, no rule", "openat", target, False),
    ("openat+close, redirected", "openat", redirected, True),
    ("newfstatat, no rule", "stat", target, False),
    ("newfstatat, redirected", "stat", redirected, True),
    ("statx, no rule", "statx", target, False),
    ("statx, redirected", "statx", redirected, True),
    ("faccessat2, no rule", "access", target, False),
    ("faccessat2, redirected", "access", redirected, True),
    ("readlink, no rule", "readlink", target_link, False),
    ("readlink, redirected", "readlink", redirected_link, True),
    ("getsockname (AF_UNIX)", "getsockname", os.path.join(tmp, "gsock"), False),
    ("connect (AF_UNIX dgram), no rule", "connect", os.path.join(tmp, "csock"), False),
    ("connect (AF_UNIX dgram), redirected", "connect", f"{vdir}/csock", True),
]
# the floor under each backend: (row, bench-proto mechanism, the pathvisor figure it bounds)
floors = [
    ("any backend but ptrace, never trapped: a 6-instruction filter, getppid", "filter",
     "getppid (never trapped)", "unotify"),
    ("unotify, no rule: CONTINUE", "continue", "openat+close, no rule", "unotify"),
    ("unotify, redirected: ADDFD + SYNC'd NOTIF_SEND", "addfd", "openat+close, redirected", "unotify"),
    ("ptrace-seccomp, no rule: one RET_TRACE stop", "trace", "openat+close, no rule", "ptrace-seccomp"),
    ("ptrace-seccomp, redirected: RET_TRACE stop + exit stop", "trace-exit", "openat+close, redirected",
     "ptrace-seccomp"),
    ("ptrace, no rule: PTRACE_SYSCALL, 4 stops", "syscall", "openat+close, no rule", "ptrace"),
]
if not proto:
    floors = []


def command(mode, call, path):
    cmd = [loop, call, str(n), path]
    if mode is None:
        return cmd
    if mode == "proot":
        return [proot, "-b", f"{tmp}:{vdir}"] + cmd
    return benchlib.pathvisor_run(pathvisor, mode, sock, rule, cmd)


# placement: the supervisor and the program on one CPU, or on two, against unpinned
taskset = shutil.which("taskset")
placement = [] if (os.environ.get("PV_BENCH_PLACEMENT", "1") == "0" or not taskset or (os.cpu_count() or 1) < 2) \
    else [v for v in ("unotify", "ptrace-seccomp", "ptrace") if v in variants]


def placed(mode, where, call, path):
    inner = [loop, call, str(n), path]
    if where == "split":
        inner = [taskset, "-c", "1"] + inner
    cmd = inner if mode is None else [pathvisor, "run", "--embedded", "-b", mode] + rule + ["--"] + inner
    return [taskset, "-c", "0"] + cmd


results = {}
failed = {}
try:
    for _ in range(rounds):
        for name, call, path, redir in calls:
            for mode in modes:
                if mode is None and redir:
                    continue
                p = subprocess.run(command(mode, call, path), capture_output=True, text=True)
                if p.returncode != 0:
                    if mode != "proot":
                        sys.exit(f"{command(mode, call, path)} failed: {p.stderr.strip()}")
                    # a call that PRoot does not translate (statx in 5.1): shown as such
                    failed[(name, mode)] = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed"
                    continue
                results.setdefault((name, mode), []).append(float(p.stdout.strip()))
        for name, mech, _, _ in floors:
            out = subprocess.run([proto, mech, str(n), target], check=True, capture_output=True, text=True).stdout
            results.setdefault((name, "floor"), []).append(float(out.strip()))
        for mode in ([None] + placement) if placement else []:
            for where in ("same", "split"):
                if mode is None and where == "split":
                    continue
                for call, path in (("openat", target), ("openat", redirected)):
                    if mode is None and path == redirected:
                        continue
                    out = subprocess.run(placed(mode, where, call, path), check=True, capture_output=True,
                                         text=True).stdout
                    results.setdefault(("placed", mode, where, path), []).append(float(out.strip()))
finally:
    benchlib.stop_daemon(daemon)
    subprocess.run(["rm", "-rf", tmp])

med = {k: statistics.median(v) for k, v in results.items()}
native = {name.split(",")[0]: med[(name, None)] for name, _, _, redir in calls if not redir}


shown = variants + others
print("| call | native (ns) | " + " | ".join(benchlib.title(v) + " (ns, ratio)" for v in shown) + " |")
print("|---|---:|" + "---:|" * len(shown))
for name, call, path, _ in calls:
    base = native[name.split(",")[0]]
    line = f"| {name} | {base:,.0f} |"
    for mode in shown:
        if (name, mode) not in med:
            line += f" fails: {failed.get((name, mode), '?').split(': ')[-1]} |"
            continue
        m = med[(name, mode)]
        line += f" {m:,.0f} ({m / base:.2f}x) |"
    print(line)
print(f"\n{rounds} interleaved rounds of {n} calls, medians; {os.cpu_count()} CPUs, unpinned.")

if floors:
    print("\nThe floor: the bare kernel mechanism (bench-proto, same rounds) against pathvisor embedded,"
          " openat+close (getppid for the first row):\n")
    print("| backend and case: mechanism | native (ns) | floor (ns, ratio) | pathvisor (ns, ratio) | pathvisor / floor |")
    print("|---|---:|---:|---:|---:|")
    for name, mech, ours, backend in floors:
        base = native[ours.split(",")[0]]
        f = med[(name, "floor")]
        line = f"| {name} | {base:,.0f} | {f:,.0f} ({f / base:.2f}x) |"
        if (ours, backend) in med:
            o = med[(ours, backend)]
            line += f" {o:,.0f} ({o / base:.2f}x) | {o / f:.2f}x |"
        else:
            line += " | |"
        print(line)

if placement:
    print("\nPlacement, openat+close, embedded (same rounds): unpinned; the supervisor and the program on one CPU"
          " (taskset -c 0); on two CPUs (the program on CPU 1):\n")
    print("| backend, case | unpinned (ns, ratio) | one CPU (ns, ratio to native on one CPU) | two CPUs (ns, ratio) |")
    print("|---|---:|---:|---:|")
    nat1 = med[("placed", None, "same", target)]
    base = native["openat+close"]
    for mode in placement:
        for path, case, name in ((target, "no rule", "openat+close, no rule"),
                                 (redirected, "redirected", "openat+close, redirected")):
            u = med[(name, mode)]
            a = med[("placed", mode, "same", path)]
            b = med[("placed", mode, "split", path)]
            print(f"| {mode}, {case} | {u:,.0f} ({u / base:.2f}x) | {a:,.0f} ({a / nat1:.2f}x) | {b:,.0f} ({b / nat1:.2f}x) |")
