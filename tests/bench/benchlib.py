# What the benchmark scripts of this directory share: the variants, a pathvisord of their own,
# the command of one variant, and the name a table gives it.
import os, subprocess, time

VARIANTS = "unotify unotify/daemon ptrace-seccomp ptrace-seccomp/daemon ptrace"


def variants(pathvisord):
    """PV_BENCH_VARIANTS, or every variant; the daemon ones only with a pathvisord."""
    v = os.environ.get("PV_BENCH_VARIANTS", VARIANTS).split()
    return v if pathvisord else [x for x in v if not x.endswith("/daemon")]


def start_daemon(pathvisord, tmp):
    """A pathvisord on TMP/pathvisord.sock with an empty policy directory: (process, socket)."""
    sock = os.path.join(tmp, "pathvisord.sock")
    os.makedirs(os.path.join(tmp, "policy.d"), exist_ok=True)
    daemon = subprocess.Popen([pathvisord, "--socket", sock, "--policy-dir", os.path.join(tmp, "policy.d")],
                              stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return daemon, sock


def stop_daemon(daemon):
    if daemon:
        daemon.terminate()
        daemon.wait()


def pathvisor_run(pathvisor, variant, sock, rule, cmd):
    """CMD under `pathvisor run` with VARIANT ("BACKEND" embedded, "BACKEND/daemon" through SOCK)."""
    backend = variant.split("/")[0]
    where = ["--daemon", "--socket", sock] if variant.endswith("/daemon") else ["--embedded"]
    return [pathvisor, "run"] + where + ["-b", backend] + rule + ["--"] + cmd


def title(variant):
    if variant == "proot":
        return "PRoot"
    if variant.startswith("floor-"):
        return f"floor of {variant[6:]} (bare supervisor)"
    b, _, d = variant.partition("/")
    return f"{b} via pathvisord" if d else f"{b} embedded"
