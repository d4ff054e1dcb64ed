#!/usr/bin/python3
# Whole programs, natively, under `pathvisor run` with each backend (unotify embedded and through
# pathvisord, ptrace-seccomp embedded and through pathvisord, plain ptrace embedded) and under
# PRoot when it is installed: wall-clock time, interleaved rounds, medians, ratios to native in
# the same run. The policy redirects a directory the workloads never touch: what a user pays for
# leaving pathvisor on. Prints a markdown table. Never fails on time.
# With BENCH-PROTO, the floors too: the workload under pathvisor's own filter served by a bare
# supervisor that answers every notification CONTINUE (unotify's floor) or lets every RET_TRACE
# stop go (ptrace-seccomp's floor): what the kernel mechanism alone costs these programs.
#   usage: bench-workloads.py PATHVISOR [PATHVISORD [BENCH-PROTO]]
#   PV_BENCH_ROUNDS (3), PV_BENCH_VARIANTS, PV_BENCH_PROOT=0, PV_BENCH_WORKLOADS="find gcc python"
import os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

pathvisor = sys.argv[1]
pathvisord = sys.argv[2] if len(sys.argv) > 2 else None
proto = sys.argv[3] if len(sys.argv) > 3 else None
rounds = int(os.environ.get("PV_BENCH_ROUNDS", "3"))
proot = shutil.which("proot") if os.environ.get("PV_BENCH_PROOT", "1") != "0" else None
python = "/usr/bin/python3"

tmp = tempfile.mkdtemp(prefix="pv-bench-work-")
vdir = "/pathvisor-bench"
rule = ["-r", f"{vdir}={tmp}"]

# a small C project: 16 files that include the usual headers, compiled one by one, then linked
proj = os.path.join(tmp, "proj")
os.mkdir(proj)
for i in range(16):
    with open(os.path.join(proj, f"m{i}.c"), "w") as f:
        f.write("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n"
                "#include <unistd.h>\n#include <sys/stat.h>\n#include <pthread.h>\n")
        f.write(f"int f{i}(int x) {{ char b[64]; snprintf(b, sizeof b, \"%d\", x); return (int) strlen(b) + {i}; }}\n")
with open(os.path.join(proj, "main.c"), "w") as f:
    f.write("".join(f"int f{i}(int);\n" for i in range(16)))
    f.write("int main(void) { int s = 0;\n" + "".join(f"  s += f{i}({i});\n" for i in range(16)) +
            "  return s == 0; }\n")

imports = ("json, email.parser, http.client, xml.dom.minidom, asyncio, decimal, argparse, logging, "
           "unittest, sqlite3, urllib.request, csv, difflib, tarfile, zipfile, statistics, fractions")
workloads = {
    "find": ("`find /usr/include -type f \\| xargs cat > /dev/null`",
             ["sh", "-c", "find /usr/include -type f | xargs cat > /dev/null"]),
    "gcc": ("gcc: 17 files compiled one by one (-O1), then linked",
            ["sh", "-c", f"cd {proj} && rm -f *.o app && for f in *.c; do gcc -O1 -c $f || exit 1; done "
                         "&& gcc -o app *.o -lm"]),
    "python": (f"python3 import storm: 17 standard modules, 5 interpreters",
               ["sh", "-c", f"for i in 1 2 3 4 5; do {python} -c 'import {imports}' || exit 1; done"]),
}
chosen = os.environ.get("PV_BENCH_WORKLOADS", "find gcc python").split()
if not os.path.isdir("/usr/include"):
    chosen = [w for w in chosen if w != "find"]
if not shutil.which("gcc"):
    chosen = [w for w in chosen if w != "gcc"]
if not os.path.exists(python):
    chosen = [w for w in chosen if w != "python"]

variants = benchlib.variants(pathvisord)
others = (["floor-unotify", "floor-ptrace-seccomp"] if proto else []) + (["proot"] if proot else [])
modes = [None] + variants + others
daemon, sock = benchlib.start_daemon(pathvisord, tmp) if any(v.endswith("/daemon") for v in variants) \
    else (None, None)


def command(mode, cmd):
    if mode is None:
        return cmd
    if mode == "proot":
        return [proot, "-b", f"{tmp}:{vdir}"] + cmd
    if mode.startswith("floor-"):
        return [proto, "run-continue" if mode == "floor-unotify" else "run-trace", "--"] + cmd
    return benchlib.pathvisor_run(pathvisor, mode, sock, rule, cmd)


results, failed = {}, {}
try:
    # warm the page cache and the compiler once
    for w in chosen:
        subprocess.run(workloads[w][1], capture_output=True)
    for _ in range(rounds):
        for w in chosen:
            for mode in modes:
                t0 = time.monotonic()
                p = subprocess.run(command(mode, workloads[w][1]), capture_output=True, text=True)
                dt = time.monotonic() - t0
                if p.returncode != 0:
                    failed[(w, mode)] = (p.stderr.strip().splitlines() or ["failed"])[-1]
                    continue
                results.setdefault((w, mode), []).append(dt)
finally:
    benchlib.stop_daemon(daemon)
    subprocess.run(["rm", "-rf", tmp])


shown = variants + others
print("| workload | native (s) | " + " | ".join(benchlib.title(v) + " (s, ratio)" for v in shown) + " |")
print("|---|---:|" + "---:|" * len(shown))
for w in chosen:
    if (w, None) not in results:
        print(f"| {workloads[w][0]} | fails natively: {failed.get((w, None))} |")
        continue
    base = statistics.median(results[(w, None)])
    line = f"| {workloads[w][0]} | {base:.2f} |"
    for mode in shown:
        if (w, mode) not in results:
            line += f" fails: {failed.get((w, mode), '?')[:60]} |"
            continue
        m = statistics.median(results[(w, mode)])
        line += f" {m:.2f} ({m / base:.2f}x) |"
    print(line)
print(f"\n{rounds} interleaved rounds, wall-clock medians; {os.cpu_count()} CPUs, unpinned.")
