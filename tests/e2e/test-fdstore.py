#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A restart of pathvisord loses no session: this plays systemd's part (NOTIFY_SOCKET with an fd
# store, LISTEN_FDS/LISTEN_FDNAMES for the successor), runs a program through the first daemon
# that opens a redirected file in a loop, stops that daemon in the middle, starts a second one
# with the stored fds, and checks that the program saw every open succeed.
#
# usage: test-fdstore.py PATHVISOR PATHVISORD
# Prints "ok - ..." lines and "N passed, M failed"; exit 77 when not root.
import array, os, signal, socket, subprocess, sys, tempfile, time

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)

pathvisor, pathvisord = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="pv-fdstore-")
notify_path = os.path.join(tmp, "notify")
sock_path = os.path.join(tmp, "pathvisord.sock")
policy_dir = os.path.join(tmp, "policy.d")
os.mkdir(policy_dir)
target = os.path.join(tmp, "target")
with open(target, "w") as f:
    f.write("target\n")

notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(0.05)
store = {}      # FDNAME -> fd
messages = []
passed = failed = 0
procs = []


def result(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}")
        for line in detail.splitlines():
            print(f"# {line}")


def pump(seconds):
    """Collect sd_notify messages (and fds) for up to `seconds`."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            msg, anc, _, _ = notify.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
        except socket.timeout:
            continue
        fds = []
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                a = array.array("i")
                a.frombytes(data[: len(data) - len(data) % a.itemsize])
                fds.extend(a)
        text = msg.decode()
        messages.append(text)
        fields = dict(l.split("=", 1) for l in text.splitlines() if "=" in l)
        if fields.get("FDSTORE") == "1" and fds:
            store[fields.get("FDNAME", "stored")] = fds[0]
            for extra in fds[1:]:
                os.close(extra)
        elif fds:
            for fd in fds:
                os.close(fd)
        if fields.get("FDSTOREREMOVE") == "1":
            fd = store.pop(fields.get("FDNAME", ""), None)
            if fd is not None:
                os.close(fd)


def start_daemon(passed_fds, extra_env=None):
    names = list(passed_fds)
    fds = [passed_fds[n] for n in names]

    def setup():
        # the stored fds become 3, 4, ... as systemd would pass them
        tmpfds = [os.dup(fd) for fd in fds]
        for i, fd in enumerate(tmpfds):
            os.dup2(fd, 3 + i)
            os.close(fd)

    env = dict(os.environ, NOTIFY_SOCKET=notify_path, **(extra_env or {}))
    if fds:
        env.update(LISTEN_FDS=str(len(fds)), LISTEN_FDNAMES=":".join(names))
    # LISTEN_PID must be the daemon's own pid: a shell sets it and execs
    cmd = ["sh", "-c", 'if [ -n "${LISTEN_FDS:-}" ]; then LISTEN_PID=$$; export LISTEN_PID; fi; exec "$0" "$@"',
           pathvisord, "--socket", sock_path, "--policy-dir", policy_dir]
    p = subprocess.Popen(cmd, env=env, preexec_fn=setup, pass_fds=list(range(3, 3 + len(fds))) if fds else (),
                         stderr=open(os.path.join(tmp, f"daemon-{len(procs)}.log"), "w"))
    procs.append(p)
    return p




def session_fds():
    """What the fd store holds of the sessions, for a successor daemon."""
    return {n: store[n] for n in store if n.startswith(("session-", "state-", "inflight-"))}

def run_sandboxed(rule, *cmd):
    """`cmd` under pathvisor through the daemon with the redirect `rule`, output captured."""
    p = subprocess.Popen([pathvisor, "run", "--daemon", "--socket", sock_path, "-r", rule, "--", *cmd],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs.append(p)
    return p

try:
    d1 = start_daemon({})
    pump(0.5)
    result(any("READY=1" in m for m in messages), "the first daemon says READY=1")

    loop = ("i=0; fail=0; while [ $i -lt 300 ]; do "
            "if ! read -r x < /pv-fdstore/file; then fail=$((fail+1)); fi; "
            "[ \"$x\" = target ] || fail=$((fail+1)); i=$((i+1)); sleep 0.01; done; echo \"fail=$fail\"")
    prog = run_sandboxed(f"/pv-fdstore/file={target}", "sh", "-c", loop)
    pump(1.0)
    stored = sorted(n for n in store if n.startswith(("session-", "state-")))
    result(len(stored) == 2, "the session's listener and state record are in the fd store", repr(stored))

    def trapped():
        import json
        out = subprocess.run([pathvisor, "status", "--socket", sock_path, "--json"], capture_output=True, text=True).stdout
        try:
            sessions = json.loads(out)["sessions"]
            return sessions[0]["trapped"] if sessions else -1
        except (ValueError, KeyError, IndexError):
            return -1

    before = trapped()
    d1.send_signal(signal.SIGTERM)
    d1.wait(timeout=10)
    pump(0.2)
    result(any("STOPPING=1" in m for m in messages), "the first daemon says STOPPING=1")
    # no daemon for a moment: the program's trapped calls wait in the kernel
    time.sleep(0.7)
    d2 = start_daemon({n: store[n] for n in stored + [n for n in store if n.startswith("inflight-")]})
    pump(0.5)
    after = trapped()
    result(before > 0 and after >= before, "the session's counters go on across the restart",
           f"trapped before {before}, after {after}")
    out, err = prog.communicate(timeout=60)
    result(prog.returncode == 0 and out.strip() == "fail=0",
           "the program saw no failed open across the restart", f"rc={prog.returncode} out={out!r} err={err!r}")
    log2 = open(os.path.join(tmp, "daemon-2.log")).read() if os.path.exists(os.path.join(tmp, "daemon-2.log")) else ""
    log2 = open(os.path.join(tmp, "daemon-1.log")).read() if not log2 else log2
    result("taken back from the fd store" in log2, "the second daemon took the session back", log2[-2000:])
    pump(0.5)
    result(not any(n.startswith("session-") for n in store), "the ended session left the fd store", repr(list(store)))

    # A daemon killed in the middle of a request (SIGKILL, a crash): the kernel does not deliver
    # a received notification again, so the successor must answer the one its predecessor left
    # in the in-flight record, or the program waits forever.
    tight = ("i=0; fail=0; while [ $i -lt 20000 ]; do "
             "read -r x < /pv-fdstore/file || fail=$((fail+1)); i=$((i+1)); done; echo \"fail=$fail\"")
    prog = run_sandboxed(f"/pv-fdstore/file={target}", "sh", "-c", tight)
    kills = 0
    current = d2
    for _ in range(8):
        pump(0.3)
        if prog.poll() is not None:
            break
        stored = session_fds()
        current.kill()
        current.wait(timeout=10)
        kills += 1
        current = start_daemon(stored)
    try:
        out, err = prog.communicate(timeout=60)
        result(prog.returncode == 0 and out.strip() == "fail=0",
               f"SIGKILL of the daemon {kills} times in a tight loop of opens: no failure, no hang",
               f"rc={prog.returncode} out={out!r} err={err[-500:]!r}")
    except subprocess.TimeoutExpired:
        result(False, f"SIGKILL of the daemon {kills} times in a tight loop of opens: no failure, no hang",
               "the program hung: a received request was never answered")
    logs = ""
    for name in sorted(os.listdir(tmp)):
        if name.startswith("daemon-"):
            logs += open(os.path.join(tmp, name)).read()
    print(f"# sessions with replayed requests: {logs.count('its predecessor had received')}")

    # A FIFO open waiting for its writer when the daemon restarts: the successor takes it over.
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    reader = run_sandboxed(f"/pv-fdstore/fifo={fifo}", "cat", "/pv-fdstore/fifo")
    pump(0.5)
    stored = session_fds()
    current.send_signal(signal.SIGTERM)
    current.wait(timeout=10)
    current = start_daemon(stored)
    pump(0.5)
    signal.alarm(20)  # the writer's open blocks until the reader's is answered
    try:
        with open(fifo, "w") as w:
            w.write("through the fifo\n")
    finally:
        signal.alarm(0)
    try:
        out, err = reader.communicate(timeout=20)
        result(out == "through the fifo\n", "a FIFO open waiting across a restart is taken over",
               f"rc={reader.returncode} out={out!r} err={err[-300:]!r}")
    except subprocess.TimeoutExpired:
        result(False, "a FIFO open waiting across a restart is taken over", "the reader hung")

    # The instant between NOTIF_RECV and the in-flight write, which the SIGKILLs above hit only by
    # chance: a daemon that dies right after it received its 50th request, before it kept it
    # (PATHVISOR_TEST_DIE_AFTER_RECV). The successor finds the lost request by its id and ends it
    # with EINTR (it cannot know what it asked); without that the program would wait forever.
    stored = session_fds()
    current.send_signal(signal.SIGTERM)
    current.wait(timeout=10)
    current = start_daemon(stored, {"PATHVISOR_TEST_DIE_AFTER_RECV": "50"})
    pump(0.5)
    loop = ("i=0; fail=0; while [ $i -lt 2000 ]; do "
            "read -r x < /pv-fdstore/file || fail=$((fail+1)); i=$((i+1)); done; echo \"fail=$fail\"")
    prog = run_sandboxed(f"/pv-fdstore/file={target}", "sh", "-c", loop)
    died = True
    try:
        current.wait(timeout=20)
    except subprocess.TimeoutExpired:
        died = False
    pump(0.3)
    stored = session_fds()
    current = start_daemon(stored)
    lost_log = os.path.join(tmp, f"daemon-{len(procs) - 1}.log")
    try:
        out, err = prog.communicate(timeout=60)
        # (dash retries an open that fails with EINTR: the loop may see no failure at all)
        result(died and prog.returncode == 0 and
               (out.strip() == "fail=0" or (out.strip() == "fail=1" and "Interrupted system call" in err)),
               "a daemon killed between receiving a request and keeping it: that call fails with EINTR, no hang",
               f"died={died} rc={prog.returncode} out={out!r} err={err[-300:]!r}")
    except subprocess.TimeoutExpired:
        result(False, "a daemon killed between receiving a request and keeping it: that call fails with EINTR, no hang",
               f"died={died}; the program hung: the lost request was never answered")
    pump(0.2)
    text = open(lost_log).read() if os.path.exists(lost_log) else ""
    result("lost with it before it was kept" in text, "the successor says it ended the lost call", text[-1000:])
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for fd in store.values():
        os.close(fd)
    notify.close()
    subprocess.run(["rm", "-rf", tmp])

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
