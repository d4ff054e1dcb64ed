#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-daemon-tests.sh PATHVISOR PATHVISORD [PV_SYSCALL]
#
# End-to-end tests of pathvisord with real clients, as root:
#   1. the daemon on a socket of its own: run --daemon, exit codes, profiles, status (text, JSON,
#      root sees all, a user their own), a second daemon on a live socket
#   2. acting as the tracee: an unprivileged user (setpriv/runuser to nobody) gets EACCES, owns
#      what it creates, with its umask and its supplementary groups; root gets the same results
#      through the daemon as embedded
#   3. a catalogue of bad messages (tests/e2e/pv-client.py), each rejected with a reply or a log
#      line, while a long-running good session keeps opening redirected files (zero failures),
#      a good client works after each, and the daemon leaks no fd
#   4. SIGHUP reload: new profiles, sessions keep theirs, a bad file keeps the old set (FILE:LINE:COL)
#   5. sd_notify to a NOTIFY_SOCKET of our own: READY (socket answers), STATUS, RELOADING, READY,
#      WATCHDOG, STOPPING
#   6. socket activation through systemd-socket-activate
#   7. runc (if installed, with /bin/busybox): a container whose linux.seccomp.listenerPath is the
#      daemon's socket, the profile named by listenerMetadata (and by annotation)
#
# Prints "ok - NAME" / "not ok - NAME" (details as "# " lines), "ok - NAME # SKIP why" for a case
# whose requirement is missing, then "N passed, M failed[, K skipped]". Exit 0 when nothing
# failed, 1 otherwise, 77 when not root, 99 on a set-up error.
# Each daemon runs on a socket in a temporary directory with its own --policy-dir and is stopped
# by its pid. PV_TEST_KEEP=1 keeps the temporary directory (with the daemons' logs).

set -u
export LC_ALL=C

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
        echo "usage: $0 PATHVISOR PATHVISORD [PV_SYSCALL]" >&2
        exit 99
fi
if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: the pathvisord e2e tests need root"
        exit 77
fi
PV=$(readlink -f "$1")
PVD=$(readlink -f "$2")
H=
[ $# -eq 3 ] && H=$(readlink -f "$3")
HERE=$(dirname "$(readlink -f "$0")")
PYC=$HERE/pv-client.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
TMO=20 # seconds for one client command
NOBODY_UID=$(id -u nobody 2>/dev/null || echo 65534)
NOBODY_GID=$(id -g nobody 2>/dev/null || echo 65534)

for x in "$PV" "$PVD"; do
        [ -x "$x" ] || { echo "$0: $x: not an executable" >&2; exit 99; }
done
[ -z "$H" ] || [ -x "$H" ] || { echo "$0: $H: not an executable" >&2; exit 99; }
[ -x "$PY" ] && [ -r "$PYC" ] || { echo "$0: need python3 and $PYC" >&2; exit 99; }
command -v setpriv >/dev/null || { echo "$0: need setpriv (util-linux)" >&2; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pv-e2e.XXXXXX") || exit 99
chmod 755 "$T" # the unprivileged user reaches the sockets and files below
cd "$T" || exit 99
ulimit -c 0

# ------------------------------------------------------------------------------------------------
# processes that we started, as "pid:starttime"; ended by pid at exit

BG=()
RUNC_IDS=()
RUNC_ROOT=$T/runc-root

proc_stat() { # PID -> the fields after the command name; fails if PID is gone
        local s
        { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
        echo "${s##*) }"
}
starttime() {
        local s
        s=$(proc_stat "$1") || return 1
        set -- $s
        echo "${20}"
}
alive() { # PID exists and is not a zombie
        local s
        s=$(proc_stat "$1") || return 1
        [ "${s%% *}" != Z ]
}
same_proc() { local st; st=$(starttime "$1") || return 1; [ "$st" = "$2" ]; }
track() { local st; st=$(starttime "$1") && BG+=("$1:$st"); }

cleanup() {
        local e pid st id
        for id in "${RUNC_IDS[@]}"; do
                timeout 10 runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1
        done
        for e in "${BG[@]}"; do
                pid=${e%%:*}
                st=${e#*:}
                same_proc "$pid" "$st" && kill -TERM "$pid" 2>/dev/null
        done
        sleep 0.2
        for e in "${BG[@]}"; do
                pid=${e%%:*}
                st=${e#*:}
                same_proc "$pid" "$st" && alive "$pid" && kill -KILL "$pid" 2>/dev/null
        done
        wait 2>/dev/null
        if [ -n "${PV_TEST_KEEP:-}" ]; then
                echo "# kept $T"
        else
                rm -rf "$T"
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_gone PID SECS: until PID has ended (zombie or gone); returns 1 on time-out
wait_gone() {
        local i n=$(($2 * 20))
        for ((i = 0; i < n; i++)); do
                alive "$1" || return 0
                sleep 0.05
        done
        return 1
}

# wait_for SECS CMD...: until CMD succeeds; returns 1 on time-out
wait_for() {
        local i n=$(($1 * 20))
        shift
        for ((i = 0; i < n; i++)); do
                "$@" && return 0
                sleep 0.05
        done
        return 1
}

# ------------------------------------------------------------------------------------------------
# reporting

PASS=0
FAIL=0
SKIP=0
FAILED=()

ok() { echo "ok - $1"; PASS=$((PASS + 1)); }
notok() { # NAME [DETAIL-FILE or "-" followed by text lines...]
        local name=$1 f
        shift
        echo "not ok - $name"
        while [ $# -gt 0 ]; do
                if [ "$1" = - ]; then
                        shift
                        printf '%s\n' "$1" | sed 's/^/# /'
                elif [ -s "$1" ]; then
                        head -c 4000 "$1" | sed 's/^/# /'
                fi
                shift
        done
        FAIL=$((FAIL + 1))
        FAILED+=("$name")
}
skip() { echo "ok - $1 # SKIP $2"; SKIP=$((SKIP + 1)); }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# why LINE...: a reason for the case being checked, shown if it fails
why() { printf '%s\n' "$@" >>"$T/why"; }

# ------------------------------------------------------------------------------------------------
# daemons

# start_daemon DIR [PATHVISORD OPTIONS...]: pathvisord on DIR/sock with DIR/policy.d, log in
# DIR/log (debug level); sets DPID. DAEMON_ENV: extra VAR=VALUE for its environment.
DAEMON_ENV=()
start_daemon() {
        local dir=$1
        shift
        mkdir -p "$dir/policy.d"
        chmod 755 "$dir"
        env "${DAEMON_ENV[@]}" "$PVD" --socket "$dir/sock" --policy-dir "$dir/policy.d" --log-level debug "$@" \
                2>"$dir/log" </dev/null &
        DPID=$!
        track "$DPID"
        if ! wait_for 5 grep -q "listening on" "$dir/log"; then
                echo "$0: pathvisord did not start in $dir:" >&2
                sed 's/^/  /' "$dir/log" >&2
                exit 99
        fi
}

# stop_daemon PID: SIGTERM, wait; sets STOP_RC to the exit status (or "timeout")
stop_daemon() {
        kill -TERM "$1" 2>/dev/null
        if wait_gone "$1" 5; then
                wait "$1" 2>/dev/null
                STOP_RC=$?
        else
                kill -KILL "$1" 2>/dev/null
                wait "$1" 2>/dev/null
                STOP_RC=timeout
        fi
}

# log_mark FILE -> the number of lines now; log_since FILE MARK -> the lines written since
log_mark() { wc -l <"$1"; }
log_since() { tail -n +"$(($2 + 1))" "$1"; }
# the same without the debug lines of decisions (for diagnostics)
log_since_nd() { log_since "$@" | grep -v '^<7>'; }

# (in the background, use "${NOBODY[@]}" CMD &: a function in the background is a subshell, and
# its pid is not the program's)
NOBODY=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
as_nobody() { "${NOBODY[@]}" "$@"; }

# pvr OUT SOCK [RUN OPTIONS...] -- CMD...: pathvisor run --daemon; stdout in OUT, stderr in
# OUT.err, the exit status in OUT.rc
pvr() {
        local out=$1 sock=$2
        shift 2
        { timeout -k 3 "$TMO" "$PV" run --daemon --socket "$sock" "$@" >"$out" 2>"$out.err" </dev/null; } 2>/dev/null
        echo $? >"$out.rc"
}
# the same as nobody
pvr_nobody() {
        local out=$1 sock=$2
        shift 2
        { timeout -k 3 "$TMO" setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- \
                "$PV" run --daemon --socket "$sock" "$@" >"$out" 2>"$out.err" </dev/null; } 2>/dev/null
        echo $? >"$out.rc"
}

# expect_out NAME OUT EXPECTED-STDOUT EXPECTED-RC
expect_out() {
        local got rc
        got=$(cat "$2")
        rc=$(cat "$2.rc")
        if [ "$got" = "$3" ] && [ "$rc" = "$4" ]; then
                ok "$1"
        else
                notok "$1" - "expected exit $4 and output: $3" - "got exit $rc and output: $got" - "stderr:" "$2.err"
        fi
}

HOSTNAME_TEXT=$(cat /etc/hostname)

# ================================================================================================
# 1. the daemon on a temporary socket, real clients

A=$T/a
mkdir -p "$A/policy.d" "$A/files"
echo from-profile-demo >"$A/files/demo-target"
cat >"$A/policy.d/demo.json" <<EOF
{
  "version": 1,
  "rules": [
    { "path": "/etc/passwd", "redirect": "$A/files/demo-target" }
  ]
}
EOF
chmod -R a+rX "$A"
start_daemon "$A"
APID=$DPID
SA=$A/sock
diag "pathvisord (pid $APID) on $SA"

pvr "$T/o" "$SA" -r /etc/passwd=/etc/hostname -- cat /etc/passwd
expect_out "daemon: run -r /etc/passwd=/etc/hostname -- cat /etc/passwd prints the host name" "$T/o" "$HOSTNAME_TEXT" 0

for code in 0 42; do
        pvr "$T/o" "$SA" -- sh -c "exit $code"
        expect_out "daemon: exit status $code passes through" "$T/o" "" "$code"
done
pvr "$T/o" "$SA" -- sh -c 'kill -TERM $$'
expect_out "daemon: a program killed by SIGTERM gives 143" "$T/o" "" 143
pvr "$T/o" "$SA" -- /nonexistent/program
expect_out "daemon: a missing program gives 127" "$T/o" "" 127

pvr "$T/o" "$SA" --profile demo -- cat /etc/passwd
expect_out "daemon: --profile demo (policy.d/demo.json) redirects" "$T/o" from-profile-demo 0

pvr "$T/o" "$SA" --profile missing -- cat /etc/passwd
if [ "$(cat "$T/o.rc")" = 125 ] && grep -q 'no profile "missing"' "$T/o.err" && ! [ -s "$T/o" ]; then
        ok "daemon: --profile missing: exit 125 and a clear error"
else
        notok "daemon: --profile missing: exit 125 and a clear error" - "exit $(cat "$T/o.rc")" "$T/o.err" "$T/o"
fi

# a second daemon on the same live socket must refuse, and the first one goes on
timeout 5 "$PVD" --socket "$SA" --policy-dir "$A/policy.d" >"$T/o2" 2>&1 </dev/null
rc=$?
pvr "$T/o" "$SA" -r /etc/passwd=/etc/hostname -- cat /etc/passwd
if [ $rc = 1 ] && grep -q "another pathvisord" "$T/o2" && [ "$(cat "$T/o")" = "$HOSTNAME_TEXT" ]; then
        ok "daemon: a second pathvisord on a live socket refuses; the first goes on"
else
        notok "daemon: a second pathvisord on a live socket refuses; the first goes on" - "second daemon exit $rc:" "$T/o2" "$T/o.err"
fi

# --- status: a sleeping program of root (profile demo) and one of nobody
"$PV" run --daemon --socket "$SA" --profile demo -- sleep 60 >"$T/sleep-root.out" 2>&1 </dev/null &
RUN_ROOT=$!
track "$RUN_ROOT"
"${NOBODY[@]}" "$PV" run --daemon --socket "$SA" -r /etc/passwd=/etc/hostname -- sleep 61 >"$T/sleep-nobody.out" 2>&1 </dev/null &
RUN_NOBODY=$!
track "$RUN_NOBODY"

status_has() { "$PV" status --socket "$SA" 2>/dev/null | grep -q "$1"; }
wait_for 5 status_has "sleep 60" && wait_for 5 status_has "sleep 61"
"$PV" status --socket "$SA" >"$T/st.txt" 2>&1
rc=$?
: >"$T/why"
st_text_ok() {
        [ $rc = 0 ] || { why "exit $rc"; return 1; }
        grep -q '^pathvisord .*, up [0-9]*s, 2 sessions$' "$T/st.txt" || { why "no 'pathvisord V, up Ns, 2 sessions' line"; return 1; }
        grep -q 'ID.*UID.*PID.*BACKEND.*PROFILE.*TRAPPED.*PASSED.*REDIRECTED.*DENIED.*COMMAND' "$T/st.txt" ||
                { why "no header"; return 1; }
        grep -Eq "^ +[0-9]+ +0 +[0-9]+ +unotify +demo +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+  sleep 60$" "$T/st.txt" ||
                { why "no line for root's 'sleep 60' with profile demo"; return 1; }
        grep -Eq "^ +[0-9]+ +$NOBODY_UID +[0-9]+ +unotify +- .* sleep 61$" "$T/st.txt" ||
                { why "no line for nobody's 'sleep 61'"; return 1; }
}
if st_text_ok; then ok "status (text): version, uptime, both sessions with their columns"; else notok "status (text): version, uptime, both sessions with their columns" "$T/why" "$T/st.txt"; fi

# JSON: fields, the pid of the program, counters
"$PV" status --socket "$SA" --json >"$T/st.json" 2>&1
ROOT_CHILD=$(cat "/proc/$RUN_ROOT/task/$RUN_ROOT/children" 2>/dev/null | tr -d ' ')
"$PY" - "$T/st.json" "$ROOT_CHILD" "$NOBODY_UID" >"$T/why" 2>&1 <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
child, nobody = int(sys.argv[2] or 0), int(sys.argv[3])
bad = []
for k in ("ok", "version", "uptime_sec", "sessions"):
    if k not in o:
        bad.append("no %r" % k)
ss = o.get("sessions", [])
root = [s for s in ss if s.get("command") == "sleep 60"]
nob = [s for s in ss if s.get("command") == "sleep 61"]
if len(root) != 1 or len(nob) != 1:
    bad.append("expected one 'sleep 60' and one 'sleep 61' session: %r" % ss)
else:
    r, n = root[0], nob[0]
    for s in (r, n):
        for k in ("id", "uid", "pid", "command", "backend", "profile", "trapped", "passed", "redirected", "denied"):
            if k not in s:
                bad.append("session %r has no %r" % (s.get("id"), k))
        for k in ("id", "uid", "pid", "trapped", "passed", "redirected", "denied"):
            if not isinstance(s.get(k), int):
                bad.append("session %r: %r is not an integer" % (s.get("id"), k))
    if r.get("uid") != 0 or n.get("uid") != nobody:
        bad.append("uids %r/%r" % (r.get("uid"), n.get("uid")))
    if r.get("pid") != child:
        bad.append("root's session pid %r, the program is %r" % (r.get("pid"), child))
    if r.get("profile") != "demo" or n.get("profile") is not None:
        bad.append("profiles %r/%r" % (r.get("profile"), n.get("profile")))
    if not r.get("trapped", 0) > 0:
        bad.append("root's session trapped nothing (sleep loads libraries)")
    if r.get("id") == n.get("id"):
        bad.append("same id")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
if [ $? = 0 ]; then ok "status --json: id, uid, pid, command, backend, profile, counters"; else notok "status --json: id, uid, pid, command, backend, profile, counters" "$T/why" "$T/st.json"; fi

as_nobody "$PV" status --socket "$SA" --json >"$T/st-n.json" 2>&1
"$PY" - "$T/st-n.json" "$NOBODY_UID" >"$T/why" 2>&1 <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
ss = o["sessions"]
uids = sorted(s["uid"] for s in ss)
if uids != [int(sys.argv[2])] or ss[0]["command"] != "sleep 61":
    print("nobody sees %r" % ss)
    sys.exit(1)
EOF
if [ $? = 0 ]; then ok "status as nobody: only nobody's own session"; else notok "status as nobody: only nobody's own session" "$T/why" "$T/st-n.json"; fi
as_nobody "$PV" status --socket "$SA" >"$T/st-n.txt" 2>&1
if grep -q "1 session$" "$T/st-n.txt" && grep -q "sleep 61" "$T/st-n.txt" && ! grep -q "sleep 60" "$T/st-n.txt"; then
        ok "status (text) as nobody: only nobody's own session"
else
        notok "status (text) as nobody: only nobody's own session" "$T/st-n.txt"
fi

# SIGTERM to run is passed on (exit 143); the sessions end with their programs
kill -TERM "$RUN_ROOT" "$RUN_NOBODY"
wait_gone "$RUN_ROOT" 5
wait_gone "$RUN_NOBODY" 5
wait "$RUN_ROOT" 2>/dev/null
r1=$?
wait "$RUN_NOBODY" 2>/dev/null
r2=$?
no_sessions() {
        "$PV" status --socket "$SA" --json 2>/dev/null |
                "$PY" -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["sessions"] == [] else 1)' 2>/dev/null
}
if [ $r1 = 143 ] && [ $r2 = 143 ] && wait_for 3 no_sessions; then
        ok "status: the sessions end with their programs (SIGTERM passed on, exit 143)"
else
        notok "status: the sessions end with their programs (SIGTERM passed on, exit 143)" - "exits $r1 $r2" "$T/sleep-root.out" "$T/sleep-nobody.out"
        "$PV" status --socket "$SA" >"$T/st.txt" 2>&1
        diag "$(cat "$T/st.txt")"
        for p in $("$PV" status --socket "$SA" --json 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'); do
                diag "program $p: $(ps -o user=,stat=,args= -p "$p" 2>&1)"
                kill -KILL "$p" 2>/dev/null # a leftover of ours
        done
fi

# ================================================================================================
# 2. acting as the tracee

# nobody asks root's daemon for /etc/shadow (runuser, as the issue says); what a broken daemon
# would let through goes to a directory that only root reads, and is never shown
P=$T/private
mkdir -m 0700 "$P"
{ timeout -k 3 "$TMO" runuser -u nobody -- "$PV" run --daemon --socket "$SA" -r /x=/etc/shadow -- cat /x \
        >"$P/o" 2>"$P/o.err" </dev/null; } 2>/dev/null
rc=$?
if [ $rc = 1 ] && grep -q "Permission denied" "$P/o.err" && ! [ -s "$P/o" ]; then
        ok "tracee: nobody (runuser): -r /x=/etc/shadow -- cat /x gives Permission denied"
else
        notok "tracee: nobody (runuser): -r /x=/etc/shadow -- cat /x gives Permission denied" - \
                "exit $rc, $(wc -l <"$P/o") lines on stdout (not shown)" "$P/o.err"
fi

# the same from inside a user namespace of nobody's: "root" there has every capability in that
# namespace only; the daemon must not act with them on the host's files
if as_nobody unshare -Ur true 2>/dev/null; then
        pvr_nobody "$P/o" "$SA" -r /x=/etc/shadow -- unshare -Ur cat /x
        if [ "$(cat "$P/o.rc")" = 1 ] && grep -q "Permission denied" "$P/o.err" && ! [ -s "$P/o" ]; then
                ok "tracee: nobody in its own user namespace (unshare -Ur): /etc/shadow still Permission denied"
        else
                notok "tracee: nobody in its own user namespace (unshare -Ur): /etc/shadow still Permission denied" - \
                        "exit $(cat "$P/o.rc"), $(wc -l <"$P/o") lines of /etc/shadow on stdout (not shown)" "$P/o.err"
        fi
        rm -f "$P/o"
else
        skip "tracee: nobody in its own user namespace (unshare -Ur): /etc/shadow still Permission denied" \
                "unprivileged user namespaces are not available"
fi

# nobody in its own user and mount namespaces still reads what it may read (the daemon acts in
# the program's root and mount namespace with nobody's rights on the host)
echo readable-by-all >"$T/readable"
chmod 644 "$T/readable"
if as_nobody unshare -Urm true 2>/dev/null; then
        pvr_nobody "$T/o" "$SA" -r "/x=$T/readable" -- unshare -Urm cat /x
        expect_out "tracee: nobody in its own user and mount namespaces (unshare -Urm) reads a redirect to a 0644 file" "$T/o" readable-by-all 0
else
        skip "tracee: nobody in its own user and mount namespaces (unshare -Urm) reads a redirect to a 0644 file" \
                "unprivileged user namespaces are not available"
fi

# files created through a redirect belong to nobody, with the umask honoured
mkdir -m 1777 "$T/pub"
mkdir -m 0755 "$T/rootonly"
# (mkdir is not covered by the engine yet: README "Not yet covered"; add it here once it is)
pvr_nobody "$T/o" "$SA" -r "/virt=$T/pub" -- sh -c 'umask 027 && echo hi >/virt/f027'
st1=$(stat -c '%U:%G %a' "$T/pub/f027" 2>&1)
if [ "$(cat "$T/o.rc")" = 0 ] && [ "$st1" = "nobody:$(id -gn nobody) 640" ]; then
        ok "tracee: nobody creates a file through a redirect into a 1777 directory (umask 027): nobody's, 640"
else
        notok "tracee: nobody creates a file through a redirect into a 1777 directory (umask 027): nobody's, 640" - \
                "exit $(cat "$T/o.rc"); file: $st1" "$T/o.err"
fi
as_nobody sh -c "umask 077 && exec timeout $TMO $PV run --daemon --socket $SA -r /virt=$T/pub -- sh -c 'echo hi >/virt/f077'" \
        >"$T/o" 2>"$T/o.err" </dev/null
rc=$?
st1=$(stat -c '%U %a' "$T/pub/f077" 2>&1)
if [ $rc = 0 ] && [ "$st1" = "nobody 600" ]; then
        ok "tracee: the umask inherited by the program (077) is honoured: nobody 600"
else
        notok "tracee: the umask inherited by the program (077) is honoured: nobody 600" - "exit $rc; file: $st1" "$T/o.err"
fi
if [ -n "$H" ]; then
        pvr_nobody "$T/o" "$SA" -r "/virt=$T/pub" -- sh -c "umask 002 && exec $H creat /virt/creat002 0666"
        st1=$(stat -c '%U %a' "$T/pub/creat002" 2>&1)
        if grep -q '^ok' "$T/o" && [ "$st1" = "nobody 664" ]; then
                ok "tracee: raw creat(0666) under umask 002 through a redirect: nobody 664"
        else
                notok "tracee: raw creat(0666) under umask 002 through a redirect: nobody 664" - "file: $st1" "$T/o" "$T/o.err"
        fi
else
        skip "tracee: raw creat(0666) under umask 002 through a redirect: nobody 664" "no PV_SYSCALL helper given"
fi
pvr_nobody "$T/o" "$SA" -r "/virt=$T/rootonly" -- sh -c 'echo x >/virt/nope'
if [ "$(cat "$T/o.rc")" != 0 ] && grep -q "Permission denied" "$T/o.err" && ! [ -e "$T/rootonly/nope" ]; then
        ok "tracee: nobody cannot create in root's 0755 directory through a redirect"
else
        notok "tracee: nobody cannot create in root's 0755 directory through a redirect" - \
                "exit $(cat "$T/o.rc"); $(ls -l "$T/rootonly")" "$T/o.err"
fi

# supplementary groups: a 0640 file of group 4242
mkdir -m 0755 "$T/grp"
echo group-secret >"$T/grp/secret"
chown 0:4242 "$T/grp/secret"
chmod 0640 "$T/grp/secret"
for g in 4242 4243; do
        { timeout -k 3 "$TMO" setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --groups="$g" -- \
                "$PV" run --daemon --socket "$SA" -r "/x=$T/grp/secret" -- cat /x >"$T/o.$g" 2>"$T/o.$g.err" </dev/null; } 2>/dev/null
        echo $? >"$T/o.$g.rc"
done
if [ "$(cat "$T/o.4242")" = group-secret ] && [ "$(cat "$T/o.4242.rc")" = 0 ] &&
        [ "$(cat "$T/o.4243.rc")" = 1 ] && grep -q "Permission denied" "$T/o.4243.err"; then
        ok "tracee: the program's supplementary groups decide (group 4242 reads a 0640 file, 4243 does not)"
else
        notok "tracee: the program's supplementary groups decide (group 4242 reads a 0640 file, 4243 does not)" - \
                "with 4242: exit $(cat "$T/o.4242.rc") '$(cat "$T/o.4242")'" "$T/o.4242.err" \
                - "with 4243: exit $(cat "$T/o.4243.rc") '$(cat "$T/o.4243")'" "$T/o.4243.err"
fi

# root: the daemon gives what embedded gives
C=$T/cmp
mkdir -p "$C/sub"
printf 'line one\nline two\n' >"$C/a.txt"
echo bee >"$C/sub/b.txt"
ln -s a.txt "$C/link"
chmod 0640 "$C/a.txt"
touch -h -d '2020-01-02 03:04:05' "$C/a.txt" "$C/sub/b.txt" "$C/sub" "$C/link" "$C"
# cmp_case NAME CMD...: run embedded and through the daemon with -r /virt=$C (and the rules in
# the array CMP_RULES); the same exit status, stdout and stderr. EXPECT, when set, is the stdout
# that both must give.
CMP_RULES=()
EXPECT=
cmp_case() {
        local name=$1
        shift
        { timeout -k 3 "$TMO" "$PV" run --embedded -r "/virt=$C" "${CMP_RULES[@]}" -- "$@" >"$T/e.out" 2>"$T/e.err" </dev/null; } 2>/dev/null
        echo "exit $?" >>"$T/e.out"
        if [ -n "$EXPECT" ] && [ "$(head -n -1 "$T/e.out")" != "$EXPECT" ]; then
                notok "embedded = daemon: $name" - "embedded gives (expected '$EXPECT'):" "$T/e.out" "$T/e.err"
                return
        fi
        { timeout -k 3 "$TMO" "$PV" run --daemon --socket "$SA" -r "/virt=$C" "${CMP_RULES[@]}" -- "$@" >"$T/d.out" 2>"$T/d.err" </dev/null; } 2>/dev/null
        echo "exit $?" >>"$T/d.out"
        cat "$T/e.err" >>"$T/e.out"
        cat "$T/d.err" >>"$T/d.out"
        if diff -u --label embedded --label daemon "$T/e.out" "$T/d.out" >"$T/diff"; then
                ok "embedded = daemon: $name"
        else
                notok "embedded = daemon: $name" "$T/diff"
        fi
}
cmp_case "cat" cat /virt/a.txt /virt/sub/b.txt /virt/link
cmp_case "cat of a missing file" cat /virt/missing
cmp_case "ls -l" ls -l --time-style=+%s /virt /virt/sub
cmp_case "ls -lR" ls -lR --time-style=+%s /virt
cmp_case "stat" stat -c '%n|%s|%a|%U|%G|%F|%h|%i|%Y' /virt/a.txt /virt/link /virt/sub /virt
cmp_case "stat -L" stat -L -c '%n|%s|%a|%F|%i' /virt/link
cmp_case "readlink" readlink /virt/link
cmp_case "create, write, read" sh -c 'echo new >/virt/new.txt && cat /virt/new.txt && stat -c "%s %a" /virt/new.txt'
cmp_case "find" find /virt -printf '%p %y %m\n'
# a relative path, against the program's cwd (a directory outside /virt's target: a cwd below a
# redirect target stands for the redirected name, pv_policy_reverse())
mkdir -p "$T/rel/sub"
echo rel-b >"$T/rel/sub/b.txt"
echo rel-target >"$T/rel/target"
CMP_RULES=(-r "$T/rel/sub/b.txt=$T/rel/target")
EXPECT=rel-target
cmp_case "a relative path against the program's cwd" sh -c "cd $T/rel/sub && cat b.txt"
# a private mount of the program's (its own mount namespace)
mkdir -p "$C/mnt"
CMP_RULES=(-r "/etc/passwd=$C/mnt/private")
EXPECT=in-a-private-mount
cmp_case "the program's private mount (unshare -m)" unshare -m sh -c "mount -t tmpfs none $C/mnt && echo in-a-private-mount >$C/mnt/private && cat /etc/passwd"
# a chroot: the target is the chroot's file
if [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then
        mkdir -p "$T/chroot/bin" "$T/chroot/etc"
        cp /bin/busybox "$T/chroot/bin/busybox"
        echo chroot-passwd >"$T/chroot/etc/passwd"
        echo chroot-target >"$T/chroot/etc/target"
        CMP_RULES=(-r /etc/passwd=/etc/target)
        EXPECT=chroot-target
        cmp_case "a program in a chroot: the target in its root" chroot "$T/chroot" /bin/busybox cat /etc/passwd
else
        skip "embedded = daemon: a program in a chroot: the target in its root" "no static /bin/busybox"
fi
CMP_RULES=()
EXPECT=
if [ -n "$H" ]; then
        cmp_case "raw open" "$H" open /virt/a.txt "O_RDONLY|O_CLOEXEC"
        cmp_case "raw stat" sh -c "$H stat /virt/a.txt | grep -v '^atime '"
        cmp_case "raw statx" sh -c "$H statx - /virt/link 0 STATX_BASIC_STATS | grep -v '^atime'"
        cmp_case "raw access" "$H" access /virt/a.txt "R_OK|W_OK"
        cmp_case "raw openat2 RESOLVE_BENEATH" "$H" openat2 dir:/virt sub/b.txt O_RDONLY RESOLVE_BENEATH
else
        skip "embedded = daemon: raw calls" "no PV_SYSCALL helper given"
fi

stop_daemon "$APID"
        r=$STOP_RC
if [ "$r" = 0 ] && ! [ -e "$SA" ]; then
        ok "daemon: SIGTERM stops it (exit 0) and removes its socket"
else
        notok "daemon: SIGTERM stops it (exit 0) and removes its socket" - "exit $r; socket $(ls -l "$SA" 2>&1)"
fi

# ================================================================================================
# 3. bad messages: each rejected, while a good session goes on and good clients keep working

B=$T/b
mkdir -p "$B/loop" "$B/files"
echo loop-content >"$B/loop/in"
echo good-client >"$B/files/good"
start_daemon "$B"
BPID=$DPID
SB=$B/sock

# the long-running good session: opens a redirected file ~50 times a second until told to stop
"$PV" run --daemon --socket "$SB" -r "/pvloop=$B/loop" -- bash -c '
        ok=0 bad=0
        while [ ! -e "$1/stop" ]; do
                if read -r l </pvloop/in && [ "$l" = loop-content ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
                sleep 0.02
        done
        echo "$ok $bad" >"$1/result"' _ "$B/loop" >"$B/loop.out" 2>&1 </dev/null &
LOOP=$!
track "$LOOP"

good_client() { # -> 0 when a good client works now
        pvr "$T/g" "$SB" -r "/etc/passwd=$B/files/good" -- cat /etc/passwd
        [ "$(cat "$T/g")" = good-client ] && [ "$(cat "$T/g.rc")" = 0 ]
}
daemon_fds() { ls "/proc/$BPID/fd" 2>/dev/null | wc -l; }

good_client
# a first good message from the python client itself (checks the client)
GOOD='{"ociVersion":"1.0.2","fds":["seccompFd","pidFd"],"pid":@CHILD@,"pathvisor":{"version":1,"sources":[{"redirect":"/a=/b"}],"command":"pv-client"}}'
"$PY" "$PYC" send --socket "$SB" --json "$GOOD" --fd listener --fd pidfd:child >"$T/c" 2>&1
if grep -q '^REPLY {"ok":true,"session":[0-9]*}' "$T/c"; then
        ok "bad messages: (sanity) pv-client.py's good message with a real listener is accepted"
else
        notok "bad messages: (sanity) pv-client.py's good message with a real listener is accepted" "$T/c" - "daemon log:" - "$(tail -5 "$B/log")"
fi
sleep 0.3
FDS0=$(daemon_fds)

# bad NAME REPLY-ERE LOG-ERE [pv-client send options...]
#   the first line of what pv-client printed must match REPLY-ERE, a line that the daemon logged
#   meanwhile LOG-ERE (empty: not checked); then a good client must work
bad() {
        local name=$1 rre=$2 lre=$3 mark
        shift 3
        mark=$(log_mark "$B/log")
        timeout -k 3 "$TMO" "$PY" "$PYC" send --socket "$SB" "$@" >"$T/c" 2>&1
        sleep 0.05
        : >"$T/why"
        head -1 "$T/c" | grep -Eq -- "$rre" || why "the client got: $(head -1 "$T/c") (expected /$rre/)"
        [ -z "$lre" ] || log_since "$B/log" "$mark" | grep -Eq -- "$lre" ||
                why "no log line /$lre/; the daemon logged:" "$(log_since_nd "$B/log" "$mark" | head -10)"
        alive "$BPID" || why "the daemon died"
        good_client || why "a good client failed afterwards: exit $(cat "$T/g.rc"), '$(cat "$T/g")' $(cat "$T/g.err")"
        if [ -s "$T/why" ]; then notok "bad message: $name" "$T/why" "$T/c"; else ok "bad message: $name"; fi
}
E='^REPLY \{"ok":false,"error":"' # the start of an error reply

bad "not JSON (no reply: nothing says it is our client), logged" '^EOF' 'bad message' \
        --json 'hello world'
bad "not JSON naming \"pathvisor\": error reply EBADMSG" "$E"'bad message.*"errno":74\}' 'bad message' \
        --json '{"pathvisor": nonsense'
bad "truncated JSON, then the client closes: logged" '^EOF' 'closed in the middle of a message' \
        --json '{"ociVersion":"1.0.2","fds":["seccompFd"],"pathvisor":{"vers' --close
bad "1 MB of data: dropped at 64 KiB, logged" '^EOF' 'larger than 64 KiB' \
        --json '{"ociVersion":"1.0.2","pad":"' --junk 1048576
bad "1 MB message with a \"pathvisor\" member: error reply EMSGSIZE" "$E"'.*64 KiB.*"errno":90\}' 'larger than 64 KiB' \
        --json '{"ociVersion":"1.0.2","fds":[],"pathvisor":{"version":1},"pad":"' --junk 1048576
bad "JSON that is not an object" "$E"'.*"errno":71\}' 'bad message' \
        --json '["pathvisor"]'
bad "\"fds\" not an array" "$E"'.*fds.*"errno":71\}' 'bad message' \
        --json '{"ociVersion":"1.0.2","fds":"seccompFd","pathvisor":{"version":1}}'
bad "data after the message: EBADMSG" "$E"'.*"errno":74\}' 'bad message' \
        --json '{"ociVersion":"1.0.2","fds":[],"pathvisor":{"version":1,"status":true}} {"more":1}'
bad "a message with no fds: EBADMSG" "$E"'the message names 2 fds but 0 came with it","errno":74\}' 'names 2 fds but 0' \
        --json "$GOOD"
bad "more fds than named: EBADMSG" "$E"'the message names 2 fds but 3 came with it","errno":74\}' 'names 2 fds but 3' \
        --json "$GOOD" --fd listener --fd pidfd:child --fd devnull
bad "5 fds by SCM_RIGHTS: EMSGSIZE" "$E"'too many fds.*"errno":90\}' 'too many fds' \
        --json "$GOOD" --fd devnull --fd devnull --fd devnull --fd devnull --fd devnull
bad "a regular file as seccompFd: EBADF" "$E"'seccompFd is not a seccomp listener","errno":9\}' 'not a seccomp listener' \
        --json '{"ociVersion":"1.0.2","fds":["seccompFd"],"pathvisor":{"version":1}}' --fd file:/etc/hostname
bad "a pipe as seccompFd: EBADF" "$E"'seccompFd is not a seccomp listener","errno":9\}' 'not a seccomp listener' \
        --json '{"ociVersion":"1.0.2","fds":["seccompFd"],"pathvisor":{"version":1}}' --fd pipe
bad "/dev/null as pidFd: EBADF" "$E"'pidFd is not a pidfd","errno":9\}' 'not a pidfd' \
        --json "$GOOD" --fd listener --fd devnull
bad "unknown protocol version 2: EPROTO" "$E"'.*unsupported protocol version 2.*"errno":71\}' 'unsupported protocol version' \
        --json "${GOOD/\"version\":1/\"version\":2}" --fd listener --fd pidfd:child
bad "unknown key in \"pathvisor\": EPROTO" "$E"'.*unknown key.*"errno":71\}' 'unknown key' \
        --json "${GOOD/\"version\":1/\"version\":1,\"bogus\":true}" --fd listener --fd pidfd:child
bad "fds in a second message: closed, not used (EBADMSG)" "$E"'the message names 2 fds but 0 came with it' 'names 2 fds but 0' \
        --json "$GOOD" --fd listener --fd pidfd:child --split 20 --split-wait 0.3
bad "nobody hands over a root process's listener with its pidFd: EPERM" "$E"'process [0-9]+ does not belong to uid '"$NOBODY_UID"'","errno":1\}' "uid $NOBODY_UID: process" \
        --json "$GOOD" --fd listener --fd pidfd:child --as-uid "$NOBODY_UID"
bad "nobody hands over a root process's listener by pid, no pidFd: EPERM" "$E"'.*"errno":1\}' "uid $NOBODY_UID" \
        --json '{"ociVersion":"1.0.2","fds":["seccompFd"],"pid":@CHILD@,"pathvisor":{"version":1}}' --fd listener --as-uid "$NOBODY_UID"
bad "an OCI runtime's message naming no profile: logged" '^EOF' 'no profile named' \
        --json '{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":@CHILD@,"metadata":"","state":{"ociVersion":"1.0.2-dev","id":"ctr-x","status":"creating","pid":@CHILD@,"bundle":"/x","annotations":{}}}' --fd listener --close
bad "an OCI runtime's message naming a missing profile: logged" '^EOF' 'no profile "nope"' \
        --json '{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":@CHILD@,"metadata":"profile=nope","state":{"id":"ctr-y"}}' --fd listener --close
bad "an invalid profile name: EPROTO" "$E"'.*invalid profile name' 'invalid profile name' \
        --json '{"ociVersion":"1.0.2","fds":["seccompFd","pidFd"],"pid":@CHILD@,"pathvisor":{"version":1,"profile":"../etc"}}' --fd listener --fd pidfd:child

# a client that connects and sends nothing: dropped after 5 s; others are served meanwhile
mark=$(log_mark "$B/log")
"$PY" "$PYC" send --socket "$SB" --idle --timeout 12 >"$T/idle" 2>&1 &
IDLE=$!
track "$IDLE"
sleep 0.5
t0=$(date +%s%N)
good_client
g1=$?
t1=$(date +%s%N)
sleep 2
good_client
g2=$?
t2=$(date +%s%N)
alive "$IDLE"
still=$?
wait_gone "$IDLE" 12
wait "$IDLE" 2>/dev/null
el=$(sed -n 's/^ELAPSED //p' "$T/idle")
: >"$T/why"
[ $g1 = 0 ] && [ $g2 = 0 ] || why "a good client failed while the idle one was connected"
[ $(((t1 - t0) / 1000000)) -lt 2000 ] && [ $(((t2 - t1) / 1000000)) -lt 4000 ] ||
        why "the good clients took $(((t1 - t0) / 1000000)) ms and $(((t2 - t1) / 1000000 - 2000)) ms"
[ $still = 0 ] || why "the idle client was already dropped before 3 s"
head -1 "$T/idle" | grep -Eq "$E"'no complete message within 5 s","errno":110}' || why "reply: $(head -1 "$T/idle")"
awk -v e="$el" 'BEGIN { exit !(e >= 4.5 && e <= 7.5) }' || why "dropped after ${el}s, expected about 5"
log_since "$B/log" "$mark" | grep -q "no complete message within 5 s" || why "not logged"
if [ -s "$T/why" ]; then
        notok "bad message: a client that sends nothing is dropped after 5 s (ETIMEDOUT); good clients served meanwhile" "$T/why"
else
        ok "bad message: a client that sends nothing is dropped after 5 s (ETIMEDOUT); good clients served meanwhile"
fi

# many idle connections of one unprivileged user must not lock out the others (root, runc)
"${NOBODY[@]}" "$PY" -c '
import socket, sys, time
held = []
for i in range(300):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1])
    except OSError:
        break
    held.append(s)
print(len(held), flush=True)
time.sleep(3)' "$SB" >"$T/flood" 2>&1 &
FLOOD=$!
track "$FLOOD"
wait_for 3 test -s "$T/flood"
sleep 0.3
good_client
g=$?
wait_gone "$FLOOD" 5
wait "$FLOOD" 2>/dev/null
if [ $g = 0 ]; then
        ok "bad message: $(cat "$T/flood") idle connections of nobody do not lock root's client out"
else
        notok "bad message: $(cat "$T/flood") idle connections of nobody do not lock root's client out" - \
                "root's client: exit $(cat "$T/g.rc") $(cat "$T/g.err")" - "$(grep -c refusing "$B/log") 'refusing' lines in the daemon log"
fi
# the daemon drops those after their 5 s too
sleep 2.5

# no fd left behind by all of that (sessions of the good clients end asynchronously)
fds_back() { [ "$(daemon_fds)" -le "$FDS0" ]; }
if wait_for 3 fds_back; then
        ok "bad messages: the daemon holds no more fds than before the catalogue ($FDS0)"
else
        notok "bad messages: the daemon holds no more fds than before the catalogue ($FDS0)" - "now $(daemon_fds):" - "$(ls -l "/proc/$BPID/fd" 2>&1)"
fi

touch "$B/loop/stop"
wait_gone "$LOOP" 10
wait "$LOOP" 2>/dev/null
rc=$?
read -r n_ok n_bad <"$B/loop/result" 2>/dev/null
if [ $rc = 0 ] && [ "${n_bad:-x}" = 0 ] && [ "${n_ok:-0}" -gt 20 ]; then
        ok "bad messages: the long-running good session opened its redirected file $n_ok times, no failure"
else
        notok "bad messages: the long-running good session opened its redirected file ${n_ok:-?} times, no failure" - \
                "exit $rc, result: '$(cat "$B/loop/result" 2>&1)', failures: ${n_bad:-?}" "$B/loop.out"
fi
stop_daemon "$BPID"
        r=$STOP_RC
[ "$r" = 0 ] || notok "bad messages: the daemon stops cleanly afterwards" - "exit $r" - "$(grep -v '^<7>' "$B/log" | tail -20)"

# ================================================================================================
# 4. SIGHUP: reload the policy directory

R=$T/reload
mkdir -p "$R/policy.d" "$R/files"
for f in one one-b two three; do echo "content-$f" >"$R/files/$f"; done
profile() { # NAME TARGET: a profile redirecting /etc/passwd to TARGET
        printf '{\n  "version": 1,\n  "rules": [\n    { "path": "/etc/passwd", "redirect": "%s" }\n  ]\n}\n' "$2" \
                >"$R/policy.d/$1.json.tmp" && mv "$R/policy.d/$1.json.tmp" "$R/policy.d/$1.json"
}
profile one "$R/files/one"
start_daemon "$R"
RPID=$DPID
SR=$R/sock
hup() { # send SIGHUP, wait until the reload is logged
        local n
        n=$(grep -c 'profiles\? loaded\|failed to load' "$R/log")
        kill -HUP "$RPID"
        wait_for 3 eval '[ "$(grep -c "profiles\? loaded\|failed to load" "$R/log")" -gt '"$n"' ]'
}

pvr "$T/o" "$SR" --profile two -- cat /etc/passwd
r0=$(cat "$T/o.rc")
# a session with profile one, alive across the reload
"$PV" run --daemon --socket "$SR" --profile one -- sh -c "cat /etc/passwd; while [ ! -e $R/go ]; do sleep 0.05; done; cat /etc/passwd" \
        >"$T/keep.out" 2>&1 </dev/null &
KEEP=$!
track "$KEEP"
wait_for 5 grep -q content-one "$T/keep.out"
profile two "$R/files/two"
profile one "$R/files/one-b"
hup
pvr "$T/o" "$SR" --profile two -- cat /etc/passwd
if [ "$r0" = 125 ] && [ "$(cat "$T/o")" = content-two ] && [ "$(cat "$T/o.rc")" = 0 ]; then
        ok "reload: a profile added to the policy directory is usable after SIGHUP"
else
        notok "reload: a profile added to the policy directory is usable after SIGHUP" - "before: exit $r0; after: exit $(cat "$T/o.rc") '$(cat "$T/o")'" "$T/o.err"
fi
pvr "$T/o" "$SR" --profile one -- cat /etc/passwd
expect_out "reload: a changed profile applies to new sessions" "$T/o" content-one-b 0
touch "$R/go"
wait_gone "$KEEP" 5
wait "$KEEP" 2>/dev/null
if [ "$(cat "$T/keep.out")" = "content-one
content-one" ]; then
        ok "reload: a session keeps the policy it started with"
else
        notok "reload: a session keeps the policy it started with" - "got:" "$T/keep.out"
fi

# a broken file: the old set stays, the error is logged as FILE:LINE:COL
profile three "$R/files/three"
cat >"$R/policy.d/broken.json" <<'EOF'
{
  "version": 1,
  "rules": [ { "path": "relative/path", "redirect": "/tmp" } ]
}
EOF
mark=$(log_mark "$R/log")
hup
pvr "$T/o" "$SR" --profile two -- cat /etc/passwd
pvr "$T/o3" "$SR" --profile three -- cat /etc/passwd
: >"$T/why"
log_since "$R/log" "$mark" | grep -Eq "$R/policy.d/broken.json:3:[0-9]+: " ||
        why "no FILE:LINE:COL line for broken.json:" "$(log_since "$R/log" "$mark")"
[ "$(cat "$T/o")" = content-two ] || why "profile two is gone: exit $(cat "$T/o.rc") $(cat "$T/o.err")"
[ "$(cat "$T/o3.rc")" = 125 ] || why "profile three (added with the broken file) is in force: exit $(cat "$T/o3.rc") '$(cat "$T/o3")'"
alive "$RPID" || why "the daemon died"
if [ -s "$T/why" ]; then
        notok "reload: a broken profile keeps the old profiles, logs FILE:LINE:COL" "$T/why"
else
        ok "reload: a broken profile keeps the old profiles, logs FILE:LINE:COL"
fi
rm "$R/policy.d/broken.json" "$R/policy.d/two.json"
hup
pvr "$T/o3" "$SR" --profile three -- cat /etc/passwd
pvr "$T/o" "$SR" --profile two -- cat /etc/passwd
if [ "$(cat "$T/o3")" = content-three ] && [ "$(cat "$T/o.rc")" = 125 ]; then
        ok "reload: once fixed, the next SIGHUP applies the directory (new profile in, removed one out)"
else
        notok "reload: once fixed, the next SIGHUP applies the directory (new profile in, removed one out)" - \
                "three: exit $(cat "$T/o3.rc") '$(cat "$T/o3")'; two: exit $(cat "$T/o.rc")"
fi
stop_daemon "$RPID"
        r=$STOP_RC
[ "$r" = 0 ] || notok "reload: the daemon stops cleanly" - "exit $r"

# ================================================================================================
# 5. sd_notify to a NOTIFY_SOCKET of ours

N=$T/notify
mkdir -p "$N"
: >"$N/msgs"
"$PY" "$PYC" notify-collect --path "$N/notify.sock" --out "$N/msgs" --connect "$N/sock" --timeout 60 >"$N/collect.err" 2>&1 &
COLL=$!
track "$COLL"
wait_for 5 grep -q LISTENING "$N/msgs" || { echo "$0: the notify collector did not start" >&2; cat "$N/collect.err" >&2; exit 99; }
DAEMON_ENV=("NOTIFY_SOCKET=$N/notify.sock" "WATCHDOG_USEC=1000000")
start_daemon "$N"
DAEMON_ENV=()
NPID=$DPID
msgs_have() { grep -q -- "$1" "$N/msgs"; }
wait_for 5 msgs_have 'READY=1'
wait_for 3 msgs_have 'CONNECT'
: >"$T/why"
msgs_have '^READY=1$' || why "no READY=1"
msgs_have '^CONNECT ok$' || why "the socket did not answer at READY=1: $(grep CONNECT "$N/msgs")"
grep -q '^STATUS=0 sessions, 0 profiles$' "$N/msgs" || why "no STATUS=0 sessions, 0 profiles"
if [ -s "$T/why" ]; then notok "sd_notify: READY=1 once the socket answers, then STATUS=" "$T/why" "$N/msgs"; else ok "sd_notify: READY=1 once the socket answers, then STATUS="; fi

if wait_for 3 msgs_have '^WATCHDOG=1$'; then
        ok "sd_notify: WATCHDOG=1 pings under WATCHDOG_USEC"
else
        notok "sd_notify: WATCHDOG=1 pings under WATCHDOG_USEC" "$N/msgs"
fi

# a session shows in STATUS=
"$PV" run --daemon --socket "$N/sock" -- sleep 30 >/dev/null 2>&1 </dev/null &
NS=$!
track "$NS"
if wait_for 5 msgs_have '^STATUS=1 session,'; then
        ok "sd_notify: STATUS= counts the sessions"
else
        notok "sd_notify: STATUS= counts the sessions" "$N/msgs"
fi
kill -TERM "$NS"
wait_gone "$NS" 5
wait "$NS" 2>/dev/null

m=$(wc -l <"$N/msgs")
kill -HUP "$NPID"
wait_for 5 eval 'tail -n +$((m + 1)) "$N/msgs" | grep -q "^READY=1$"'
tail -n +$((m + 1)) "$N/msgs" | grep -v '^WATCHDOG=1$\|^--$' >"$T/after-hup"
if grep -q '^RELOADING=1$' "$T/after-hup" && grep -q '^MONOTONIC_USEC=[0-9]\+$' "$T/after-hup" &&
        [ "$(grep -n '^RELOADING=1$' "$T/after-hup" | head -1 | cut -d: -f1)" -lt "$(grep -n '^READY=1$' "$T/after-hup" | head -1 | cut -d: -f1)" ]; then
        ok "sd_notify: SIGHUP gives RELOADING=1 (with MONOTONIC_USEC) then READY=1"
else
        notok "sd_notify: SIGHUP gives RELOADING=1 (with MONOTONIC_USEC) then READY=1" - "after SIGHUP:" "$T/after-hup"
fi

m=$(wc -l <"$N/msgs")
stop_daemon "$NPID"
        r=$STOP_RC
wait_for 2 eval 'tail -n +$((m + 1)) "$N/msgs" | grep -q "^STOPPING=1$"'
if tail -n +$((m + 1)) "$N/msgs" | grep -q '^STOPPING=1$' && [ "$r" = 0 ]; then
        ok "sd_notify: SIGTERM gives STOPPING=1 and exit 0"
else
        notok "sd_notify: SIGTERM gives STOPPING=1 and exit 0" - "exit $r; after SIGTERM:" - "$(tail -n +$((m + 1)) "$N/msgs")"
fi
kill -TERM "$COLL" 2>/dev/null

# ================================================================================================
# 6. socket activation

SAN="socket activation: systemd-socket-activate -l SOCK pathvisord, then a client through SOCK"
if command -v systemd-socket-activate >/dev/null; then
        S6=$T/activate
        mkdir -p "$S6/policy.d"
        chmod 755 "$S6"
        echo from-activated >"$S6/target"
        printf '{"version":1,"rules":[{"path":"/etc/passwd","redirect":"%s"}]}\n' "$S6/target" >"$S6/policy.d/act.json"
        systemd-socket-activate -l "$S6/sock" "$PVD" --policy-dir "$S6/policy.d" --log-level debug >"$S6/log" 2>&1 </dev/null &
        SPID=$!
        track "$SPID"
        wait_for 5 test -S "$S6/sock"
        pvr "$T/o" "$S6/sock" -r /etc/passwd=/etc/hostname -- cat /etc/passwd
        pvr "$T/o2" "$S6/sock" --profile act -- cat /etc/passwd
        : >"$T/why"
        [ "$(cat "$T/o")" = "$HOSTNAME_TEXT" ] || why "first client: exit $(cat "$T/o.rc") '$(cat "$T/o")' $(cat "$T/o.err")"
        [ "$(cat "$T/o2")" = from-activated ] || why "second client (--profile act): exit $(cat "$T/o2.rc") '$(cat "$T/o2")' $(cat "$T/o2.err")"
        grep -q "listening on the activated socket" "$S6/log" || why "the daemon did not use the passed socket"
        if [ -s "$T/why" ]; then notok "$SAN" "$T/why" "$S6/log"; else ok "$SAN"; fi
        stop_daemon "$SPID"
        r=$STOP_RC
        [ "$r" = 0 ] || notok "socket activation: the daemon stops cleanly" - "exit $r" "$S6/log"
else
        skip "$SAN" "systemd-socket-activate is not installed (Debian package systemd)"
fi

# ================================================================================================
# 7. runc: a container handed over through linux.seccomp.listenerPath

RN="runc: a container's cat /etc/passwd prints the target of the profile named by listenerMetadata"
RA="runc: the profile named by the annotation org.pathvisor.profile"
if ! command -v runc >/dev/null; then
        skip "$RN" "runc is not installed (Debian package runc)"
        skip "$RA" "runc is not installed (Debian package runc)"
elif ! [ -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
        skip "$RN" "no static /bin/busybox (Debian package busybox-static)"
        skip "$RA" "no static /bin/busybox (Debian package busybox-static)"
else
        RC=$T/runc
        mkdir -p "$RC/policy.d" "$RC/bundle/rootfs"/{bin,etc,proc,sys,dev,tmp} "$RUNC_ROOT"
        cp /bin/busybox "$RC/bundle/rootfs/bin/busybox"
        for a in sh cat ls; do ln -s busybox "$RC/bundle/rootfs/bin/$a"; done
        echo "root:x:0:0:the container's own passwd:/:/bin/sh" >"$RC/bundle/rootfs/etc/passwd"
        echo "redirected inside the container" >"$RC/bundle/rootfs/etc/pv-target"
        # the daemon resolves paths in the container's root: the target is a container path
        printf '{"version":1,"rules":[{"path":"/etc/passwd","redirect":"/etc/pv-target"}]}\n' >"$RC/policy.d/ctr.json"
        start_daemon "$RC"
        CPID=$DPID
        (cd "$RC/bundle" && runc spec) 2>"$RC/spec.err"
        # make_config OUT [caps...]: config.json with the seccomp listener, named by METHOD
        make_config() {
                "$PY" - "$RC/bundle/config.json" "$1" "$RC/sock" "$2" "${@:3}" <<'EOF'
import json, sys
src, out, sock, method = sys.argv[1:5]
extra_caps = sys.argv[5:]
c = json.load(open(src))
c["process"]["terminal"] = False
c["process"]["args"] = ["cat", "/etc/passwd"]
c["root"] = {"path": src.rsplit("/", 1)[0] + "/rootfs", "readonly": False}
seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": sock,
           "syscalls": [{"names": ["openat", "open", "newfstatat", "statx"], "action": "SCMP_ACT_NOTIFY"}]}
if method == "metadata":
    seccomp["listenerMetadata"] = "profile=ctr"
else:
    c.setdefault("annotations", {})["org.pathvisor.profile"] = "ctr"
c["linux"]["seccomp"] = seccomp
for k in c["process"]["capabilities"]:
    c["process"]["capabilities"][k] += extra_caps
json.dump(c, open(out, "w"), indent=1)
EOF
        }
        # run_container NAME METHOD [caps...]: prints the container's output; status in $RC/rc
        run_container() {
                local id=pvtest-$$-$1 b=$RC/b-$1
                mkdir -p "$b"
                make_config "$b/config.json" "${@:2}"
                RUNC_IDS+=("$id")
                timeout -k 3 30 runc --root "$RUNC_ROOT" run --bundle "$b" "$id" >"$RC/out-$1" 2>"$RC/err-$1" </dev/null
                echo $? >"$RC/rc-$1"
                timeout 10 runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1
        }
        mark=$(log_mark "$RC/log")
        run_container meta metadata
        if [ "$(cat "$RC/out-meta")" = "redirected inside the container" ] && [ "$(cat "$RC/rc-meta")" = 0 ]; then
                ok "$RN"
        else
                notok "$RN" - "exit $(cat "$RC/rc-meta"), stdout: $(cat "$RC/out-meta")" - "stderr:" "$RC/err-meta" \
                        - "daemon log:" - "$(log_since "$RC/log" "$mark" | head -30)"
                # is it the capabilities of the container (runc's default set has no CAP_SYS_CHROOT)?
                run_container caps metadata CAP_SYS_CHROOT
                if [ "$(cat "$RC/out-caps")" = "redirected inside the container" ]; then
                        diag "with CAP_SYS_CHROOT added to the container's capabilities the same container works:" \
                                "the daemon chroots into the container's root after taking the tracee's capabilities"
                fi
        fi
        mark=$(log_mark "$RC/log")
        run_container ann annotation
        if [ "$(cat "$RC/out-ann")" = "redirected inside the container" ] && [ "$(cat "$RC/rc-ann")" = 0 ]; then
                ok "$RA"
        else
                notok "$RA" - "exit $(cat "$RC/rc-ann"), stdout: $(cat "$RC/out-ann")" - "stderr:" "$RC/err-ann" \
                        - "daemon log:" - "$(log_since "$RC/log" "$mark" | head -30)"
        fi
        stop_daemon "$CPID"
        r=$STOP_RC
        [ "$r" = 0 ] || notok "runc: the daemon stops cleanly" - "exit $r"
fi

# ================================================================================================
# every daemon's log: no sanitizer report, failed assertion or abort

BADLOG='AddressSanitizer|LeakSanitizer|runtime error:|Assertion|aborting'
if grep -Eq "$BADLOG" "$T"/*/log; then
        notok "logs: no sanitizer report, assertion or abort in any daemon's log" - \
                "$(grep -EH "$BADLOG" "$T"/*/log | head -20)"
else
        ok "logs: no sanitizer report, assertion or abort in any daemon's log"
fi

if [ $FAIL -gt 0 ]; then
        echo "# failed:"
        for f in "${FAILED[@]}"; do echo "#   $f"; done
fi
if [ $SKIP -gt 0 ]; then
        echo "$PASS passed, $FAIL failed, $SKIP skipped"
else
        echo "$PASS passed, $FAIL failed"
fi
[ $FAIL -eq 0 ]
