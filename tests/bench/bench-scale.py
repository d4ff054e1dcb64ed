#!/usr/bin/python3
# Many tracees on one pathvisord: S sessions (`pathvisor run --daemon`) of P processes each, all at
# once, every process making N redirected openat+close calls, each timed on its own. Reports
# whether every program finished without error, the per-call latency (p50, p99 over all
# processes' own p50/p99), the daemon's memory (VmHWM above its idle VmRSS, per session) and
# its fds before, at the peak and after. Prints a markdown table. Never fails on time; exits 1
# when a program failed or the daemon kept fds or sessions afterwards.
#   usage: bench-scale.py PATHVISOR PATHVISORD BENCH-LOOP
#   PV_SCALE_SESSIONS (100), PV_SCALE_PROCS (10), PV_SCALE_N (1000), PV_SCALE_BACKEND (unotify)
import os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

pathvisor, pathvisord, loop = sys.argv[1:4]
S = int(os.environ.get("PV_SCALE_SESSIONS", "100"))
P = int(os.environ.get("PV_SCALE_PROCS", "10"))
N = int(os.environ.get("PV_SCALE_N", "1000"))
backend = os.environ.get("PV_SCALE_BACKEND", "unotify")

tmp = tempfile.mkdtemp(prefix="pv-bench-scale-")
with open(os.path.join(tmp, "target"), "w") as f:
    f.write("x\n")


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def nfds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


daemon, sock = benchlib.start_daemon(pathvisord, tmp)
try:
    # one session first, so that the daemon's lazily made state is part of its baseline
    subprocess.run([pathvisor, "run", "--daemon", "--socket", sock, "-b", backend, "-r",
                    f"/pathvisor-bench={tmp}", "--", loop, "openat", "100", "/pathvisor-bench/target"],
                   check=True, capture_output=True)
    time.sleep(0.2)
    rss0, fds0 = status(daemon.pid, "VmRSS"), nfds(daemon.pid)

    script = " ".join(f"{loop} openat {N} /pathvisor-bench/target each > {tmp}/out.$$.{i} &" for i in range(P))
    script += " wait; for f in " + " ".join(f"{tmp}/out.$$.{i}" for i in range(P)) + "; do cat $f; done"
    t0 = time.monotonic()
    procs = [subprocess.Popen([pathvisor, "run", "--daemon", "--socket", sock, "-b", backend, "-r",
                               f"/pathvisor-bench={tmp}", "--", "sh", "-c", script],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(S)]
    peak_fds = 0
    while any(p.poll() is None for p in procs):
        peak_fds = max(peak_fds, nfds(daemon.pid))
        time.sleep(0.05)
    wall = time.monotonic() - t0
    p50s, p99s, maxs, failures = [], [], [], []
    for p in procs:
        out, err = p.communicate()
        lines = [l for l in out.splitlines() if l.strip()]
        if p.returncode != 0 or len(lines) != P:
            failures.append(f"exit {p.returncode}, {len(lines)} results: {err.strip()[:200]}")
            continue
        for l in lines:
            a, b, c = map(float, l.split())
            p50s.append(a)
            p99s.append(b)
            maxs.append(c)
    hwm = status(daemon.pid, "VmHWM")
    fds_after = None
    for _ in range(50):  # sessions end as their listeners hang up
        fds_after = nfds(daemon.pid)
        if fds_after <= fds0:
            break
        time.sleep(0.1)
    rss1 = status(daemon.pid, "VmRSS")
finally:
    benchlib.stop_daemon(daemon)
    subprocess.run(["rm", "-rf", tmp])

print(f"| sessions x processes | calls | failed programs | wall (s) | per-call p50 (us) | per-call p99 (us) "
      f"| worst call (ms) | daemon memory per session (KiB) | daemon fds: idle / peak / after |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
per_session = (hwm - rss0) / S
print(f"| {S} x {P} ({backend}) | {S * P * N:,} | {len(failures)} | {wall:.1f} | "
      f"{statistics.median(p50s) / 1000 if p50s else float('nan'):.1f} | "
      f"{statistics.median(p99s) / 1000 if p99s else float('nan'):.1f} (worst process "
      f"{max(p99s) / 1000 if p99s else float('nan'):.0f}) | {max(maxs) / 1e6 if maxs else float('nan'):.1f} | "
      f"{per_session:.0f} (VmHWM {hwm} KiB, idle {rss0} KiB, after {rss1} KiB) | {fds0} / {peak_fds} / {fds_after} |")
for f in failures[:5]:
    print(f"failed: {f}")
if failures or fds_after > fds0:
    sys.exit(1)
