#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-process-tests.sh PATHVISOR BACKEND
#
# Integration tests of the process side of a backend: signal handlers, signals sent to `run`,
# exit statuses and deaths by signal, SIGSTOP/SIGCONT, terminal job control (tmux), fork and
# thread trees, execve from a second thread, the x86-64 red zone and the registers around a raw
# system call, nested runs, strace and gdb inside a sandbox, and the program's own ptrace. The
# programs are tests/helpers/pv-proc (PV_PROC, default: next to PATHVISOR in the build tree),
# coreutils, sh, tmux, strace and gdb; each case runs under
# `PATHVISOR run --embedded -b BACKEND` with a rule that redirects a directory to a target and,
# where that makes sense, natively on the target, and the outputs are compared.
#
# Prints "ok - NAME", "not ok - NAME" (details as "# " lines) or "ok - NAME # SKIP reason" per
# case, then "N passed, M failed, K skipped". Exit 0 when nothing failed, 1 otherwise, 77 when
# PATHVISOR has no `run` verb yet or BACKEND is not available (not built yet, or missing on this
# kernel), 99 on a set-up error.
#
# Environment: PV_TEST_FILTER=REGEX runs only the cases whose name matches; PV_TEST_KEEP=1 keeps
# the temporary directory; PV_PROC=PATH of the helper; PV_MODE=daemon PATHVISORD=PATH runs every
# case through a pathvisord that the script starts on a socket of its own (and stops by its pid),
# instead of `run --embedded`.

set -u
export LC_ALL=C

if [ $# -ne 2 ]; then
        echo "usage: $0 PATHVISOR BACKEND" >&2
        exit 99
fi
PV=$(readlink -f "$1")
BACKEND=$2
FILTER_RE=${PV_TEST_FILTER:-}
TMO=20 # seconds for one command

if [ -n "${PV_PROC:-}" ]; then
        H=$(readlink -f "$PV_PROC")
else
        H=$(readlink -f "$(dirname "$PV")/../tests/helpers/pv-proc")
fi
if ! [ -x "$PV" ]; then
        echo "$0: $1: not an executable" >&2
        exit 99
fi
if ! [ -x "$H" ]; then
        echo "$0: the helper pv-proc ($H) is not there: set PV_PROC" >&2
        exit 99
fi
if ! "$PV" run --help >/dev/null 2>&1; then
        echo "SKIP: $PV has no 'run' verb yet"
        exit 77
fi
case $BACKEND in
auto | unotify | ptrace-seccomp | ptrace) ;;
*)
        echo "$0: unknown backend '$BACKEND'" >&2
        exit 99
        ;;
esac
IS_PTRACE=
case $BACKEND in ptrace*) IS_PTRACE=1 ;; esac

PATHVISORD=${PATHVISORD:+$(readlink -f "$PATHVISORD")}

T=$(mktemp -d "${TMPDIR:-/tmp}/pv-process.XXXXXX") || exit 99
chmod 755 "$T"
cd "$T" || exit 99
ulimit -c 0

# Background processes that this script started, as "pid:starttime"; cleaned up by pid.
BG=()
TOPID=''
TOST=''
PVPID=''
PVST=''
DPID=
DST=
TMUX_SOCKS=()

# /proc/PID/stat after the command name: "state ppid ... starttime(20th)"; fails if PID is gone.
proc_stat() {
        local s
        { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
        echo "${s##*) }"
}

starttime() { # PID -> field 22 of /proc/PID/stat
        local s
        s=$(proc_stat "$1") || return 1
        set -- $s
        echo "${20}"
}

state() { # PID -> its state letter (R S D T t Z ...); fails if gone
        local s
        s=$(proc_stat "$1") || return 1
        echo "${s%% *}"
}

alive() { # PID: exists and is not a zombie
        local s
        s=$(state "$1") || return 1
        [ "$s" != Z ]
}

same_proc() { # PID STARTTIME: that process still exists (any state but zombie)
        local st
        st=$(starttime "$1") || return 1
        [ "$st" = "$2" ] && alive "$1"
}

track() { # PID: remember a process that we started
        local st
        st=$(starttime "$1") && BG+=("$1:$st")
}

cleanup() {
        local e pid st s i
        for s in "${TMUX_SOCKS[@]}"; do
                [ -S "$s" ] && timeout -k 1 5 tmux -S "$s" kill-server 2>/dev/null
        done
        # our pathvisord: SIGTERM (a clean stop) by its pid, SIGKILL if it does not go
        if [ -n "${DPID:-}" ] && same_proc "$DPID" "$DST"; then
                kill -TERM "$DPID" 2>/dev/null
                for ((i = 0; i < 40; i++)); do
                        alive "$DPID" || break
                        sleep 0.05
                done
        fi
        for e in "${BG[@]}"; do
                pid=${e%%:*}
                st=${e#*:}
                if same_proc "$pid" "$st"; then
                        kill -KILL "$pid" 2>/dev/null
                fi
        done
        { wait; } 2>/dev/null
        if [ -n "${PV_TEST_KEEP:-}" ]; then
                echo "# kept $T"
        else
                rm -rf "$T"
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PV_MODE_ARGS=--embedded
if [ "${PV_MODE:-embedded}" = daemon ]; then
        if ! [ -x "${PATHVISORD:-}" ]; then
                echo "$0: PV_MODE=daemon needs PATHVISORD=path of pathvisord" >&2
                exit 99
        fi
        mkdir -p "$T/policy.d"
        "$PATHVISORD" --socket "$T/pathvisord.sock" --policy-dir "$T/policy.d" 2>"$T/pathvisord.log" &
        DPID=$!
        DST=$(starttime "$DPID")
        track "$DPID"
        for ((i = 0; i < 100; i++)); do
                [ -S "$T/pathvisord.sock" ] && break
                sleep 0.05
        done
        [ -S "$T/pathvisord.sock" ] || { echo "$0: pathvisord did not start:" >&2; cat "$T/pathvisord.log" >&2; exit 99; }
        PV_MODE_ARGS="--daemon --socket $T/pathvisord.sock"
        echo "# through pathvisord (pid $DPID) on $T/pathvisord.sock"
fi

# ------------------------------------------------------------------------------------------------
# reporting

PASS=0
FAIL=0
SKIP=0
FAILED=()

selected() { # NAME: does the filter select this case?
        [ -z "$FILTER_RE" ] || [[ $1 =~ $FILTER_RE ]]
}

ok() {
        echo "ok - $1"
        PASS=$((PASS + 1))
}

notok() { # NAME [FILE-with-details...]
        local name=$1 f
        shift
        echo "not ok - $name"
        for f in "$@"; do
                [ -s "$f" ] && sed 's/^/# /' "$f"
        done
        FAIL=$((FAIL + 1))
        FAILED+=("$name")
}

skip() { # NAME REASON
        echo "ok - $1 # SKIP $2"
        SKIP=$((SKIP + 1))
}

# ------------------------------------------------------------------------------------------------
# running things

# nat OUT CMD...: run natively; OUT gets stdout and a last line "exit N"; OUT.err gets stderr.
nat() {
        local out=$1
        shift
        { timeout -k 3 "$TMO" env --default-signal "$@" >"$out" 2>"$out.err" </dev/null; } 2>/dev/null
        echo "exit $?" >>"$out"
}

# pvb OUT BACKEND [PATHVISOR RUN OPTIONS...] -- CMD...: the same under `pathvisor run -b BACKEND`.
pvb() {
        local out=$1 b=$2
        shift 2
        { timeout -k 3 "$TMO" env --default-signal "$PV" run $PV_MODE_ARGS -b "$b" "$@" >"$out" 2>"$out.err" </dev/null; } 2>/dev/null
        local rc=$?
        echo "exit $rc" >>"$out"
        [ $rc -ne 124 ] || echo "(timed out after ${TMO}s)" >>"$out.err"
}

# pv OUT [PATHVISOR RUN OPTIONS...] -- CMD...: under the backend under test.
pv() {
        local out=$1
        shift
        pvb "$out" "$BACKEND" "$@"
}

# compare NAME EXPECTED ACTUAL: equal outputs, or not ok with the diff and pathvisor's stderr.
compare() {
        if diff -u --label "expected" --label "under pathvisor" "$2" "$3" >"$T/diff"; then
                ok "$1"
        else
                if [ -s "$3.err" ]; then
                        { echo "stderr under pathvisor:"; head -c 3000 "$3.err"; } >"$T/diff.err"
                else
                        : >"$T/diff.err"
                fi
                notok "$1" "$T/diff" "$T/diff.err"
        fi
}

# expect_text NAME EXPECTED-TEXT ACTUAL-FILE
expect_text() {
        printf '%s\n' "$2" >"$T/e"
        compare "$1" "$T/e" "$3"
}

# both NAME NATIVE-ARGS... -- PV-ARGS...: run the helper natively with the first arguments and
# under pathvisor (the standard rules) with the second; compare.
both() {
        local name=$1
        shift
        selected "$name" || return 0
        local -a na=() pa=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                na+=("$1")
                shift
        done
        shift
        pa=("$@")
        nat "$T/n" "$H" "${na[@]}"
        pv "$T/p" "${RULES[@]}" -- "$H" "${pa[@]}"
        compare "$name" "$T/n" "$T/p"
}

# Wait until FILE contains a line matching REGEX (up to SECONDS); print the line.
wait_line() {
        local file=$1 re=$2 secs=$3 i line
        for ((i = 0; i < secs * 20; i++)); do
                line=$(grep -m1 -E "$re" "$file" 2>/dev/null) && { echo "$line"; return 0; }
                sleep 0.05
        done
        return 1
}

# Wait until PID is no longer running (up to SECONDS).
wait_gone() {
        local pid=$1 secs=$2 i
        for ((i = 0; i < secs * 20; i++)); do
                alive "$pid" || return 0
                sleep 0.05
        done
        return 1
}

# Wait until PID's state letter matches REGEX (up to SECONDS); print the state.
wait_state() {
        local pid=$1 re=$2 secs=$3 i s
        for ((i = 0; i < secs * 20; i++)); do
                s=$(state "$pid") || return 1
                [[ $s =~ ^($re)$ ]] && { echo "$s"; return 0; }
                sleep 0.05
        done
        return 1
}

# Wait until FILE exists and is not empty (up to SECONDS).
wait_file() {
        local file=$1 secs=$2 i
        for ((i = 0; i < secs * 20; i++)); do
                [ -s "$file" ] && return 0
                sleep 0.05
        done
        return 1
}

# The child of PID (the first found), waiting up to SECONDS for it to appear.
child_of() {
        local parent=$1 secs=$2 i f s
        for ((i = 0; i < secs * 20; i++)); do
                alive "$parent" || return 1
                for f in /proc/[0-9]*/stat; do
                        { read -r s <"$f"; } 2>/dev/null || continue
                        s=${s##*) }
                        set -- $s
                        if [ "$2" = "$parent" ]; then
                                f=${f#/proc/}
                                echo "${f%/stat}"
                                return 0
                        fi
                done
                sleep 0.05
        done
        return 1
}

# A descendant of PID whose comm is NAME, waiting up to SECONDS.
descendant_named() {
        local root=$1 name=$2 secs=$3 i f s pid comm
        local -A parent=() cname=()
        for ((i = 0; i < secs * 20; i++)); do
                parent=()
                cname=()
                for f in /proc/[0-9]*/stat; do
                        { read -r s <"$f"; } 2>/dev/null || continue
                        pid=${f#/proc/}
                        pid=${pid%/stat}
                        comm=${s#*(}
                        cname[$pid]=${comm%)*}
                        s=${s##*) }
                        set -- $s
                        parent[$pid]=$2
                done
                for pid in "${!cname[@]}"; do
                        [ "${cname[$pid]}" = "$name" ] || continue
                        local p=$pid
                        while [ -n "${parent[$p]:-}" ] && [ "$p" != 1 ] && [ "$p" != 0 ]; do
                                p=${parent[$p]}
                                if [ "$p" = "$root" ]; then
                                        echo "$pid"
                                        return 0
                                fi
                        done
                done
                sleep 0.05
        done
        return 1
}

# bg_start OUT [PATHVISOR RUN OPTIONS...] -- CMD...: start `pathvisor run` in the background under
# timeout(1); sets TOPID (timeout's pid: `wait` on it gives run's status) and PVPID (pathvisor
# run itself, the child of timeout). Fails if pathvisor run did not appear.
bg_start() {
        local out=$1 i
        shift
        TOPID=''
        PVPID=''
        timeout -k 3 "$TMO" env --default-signal "$PV" run $PV_MODE_ARGS -b "$BACKEND" "$@" >"$out" 2>"$out.err" </dev/null &
        TOPID=$!
        TOST=$(starttime "$TOPID")
        track "$TOPID"
        PVPID=$(child_of "$TOPID" 5) || return 1
        PVST=$(starttime "$PVPID")
        track "$PVPID"
        # env has exec'd pathvisor once the comm says so
        for ((i = 0; i < 100; i++)); do
                [ "$(cat "/proc/$PVPID/comm" 2>/dev/null)" = pathvisor ] && return 0
                sleep 0.02
        done
        return 1
}

# bg_finish SECONDS: wait for the background run (at most SECONDS, then kill it); sets RC.
bg_finish() {
        if ! wait_gone "$PVPID" "$1"; then
                RC=timeout
                bg_reap
                return 1
        fi
        { wait "$TOPID"; } 2>/dev/null
        RC=$?
        TOPID=''
        PVPID=''
        return 0
}

# bg_reap: if the background run is still there (a case gave up early), kill it by pid and reap.
bg_reap() {
        [ -z "$PVPID" ] || ! same_proc "$PVPID" "$PVST" || kill -KILL "$PVPID" 2>/dev/null
        [ -z "$TOPID" ] || ! same_proc "$TOPID" "$TOST" || kill -KILL "$TOPID" 2>/dev/null
        [ -z "$TOPID" ] || { wait "$TOPID"; } 2>/dev/null
        TOPID=''
        PVPID=''
}

# read_pidfile FILE SECONDS: wait for "PID STARTTIME" in FILE; sets FPID and FST.
read_pidfile() {
        FPID=''
        FST=''
        wait_file "$1" "$2" || return 1
        read -r FPID FST <"$1" || return 1
        BG+=("$FPID:$FST")
}

# The stopped states that count: 'T'; under a ptrace backend a stopped tracee is in a tracing
# stop ('t'), which is what the kernel shows for a traced process in group-stop (PTRACE_LISTEN
# keeps it there): ptrace(2), "Group-stop".
STOPPED_RE=T
[ -z "$IS_PTRACE" ] || STOPPED_RE='T|t'

# ------------------------------------------------------------------------------------------------
# the files
#
#   real/file          "target content"          virt/ decoys; virt/ is redirected to real/
#   denied/x, deniedN/x  exist; denied by rules (EACCES, ENOENT)
#   nest/{w,x,y}/file  for nested runs: w -> x (inner rule), x -> y (outer rule)

R=$T/real
V=$T/virt
mkdir -p "$R" "$V" "$T/denied" "$T/deniedN" "$T/nest/w" "$T/nest/x" "$T/nest/y"
printf 'target content\n' >"$R/file"
printf 'DECOY\n' >"$V/file"
printf 'denied content\n' >"$T/denied/x"
printf 'denied content\n' >"$T/deniedN/x"
printf 'W decoy\n' >"$T/nest/w/file"
printf 'X decoy\n' >"$T/nest/x/file"
printf 'Y content\n' >"$T/nest/y/file"
RULES=(-r "$V=$R" --deny "$T/denied" --deny "$T/deniedN:ENOENT")

# Is the backend there at all? ("not built yet", or missing on this kernel: skip, never fake)
"$PV" run $PV_MODE_ARGS -b "$BACKEND" -r "$V=$R" -- cat "$V/file" >"$T/probe" 2>"$T/probe.err"
rc=$?
if [ $rc -ne 0 ] && grep -qiE 'not (available|supported|built)|unsupported|ENOSYS' "$T/probe.err"; then
        echo "SKIP: backend $BACKEND not available here: $(head -n1 "$T/probe.err")"
        exit 77
fi
if [ $rc -ne 0 ] || [ "$(cat "$T/probe")" != "target content" ]; then
        # every case would fail the same way: say it once
        echo "not ok - probe: cat of a redirected file under -b $BACKEND"
        echo "# exit status $rc; stdout:"
        sed 's/^/#   /' "$T/probe"
        echo "# stderr:"
        sed 's/^/#   /' "$T/probe.err"
        echo "0 passed, 1 failed, 0 skipped"
        exit 1
fi

# Are the ptrace backends built? (-b auto falls back to them when unotify cannot be used)
PTRACE_BUILT=1
"$PV" run --embedded -b ptrace-seccomp -- true >/dev/null 2>"$T/probe.err" ||
        { grep -qiE 'not (available|supported|built)|unsupported|ENOSYS' "$T/probe.err" && PTRACE_BUILT=; }

echo "# pathvisor: $PV, backend $BACKEND, helper $H, dir $T"

# ------------------------------------------------------------------------------------------------
# 1. signal handlers

both "signal handlers (SA_RESTART) run during path calls: from self, a child, setitimer; SIGCHLD" \
        signals "$R/file" 200 restart -- signals "$V/file" 200 restart

# Natively a stat or an open of a regular file never fails with EINTR, handler or not. Under
# unotify it can: until the supervisor has received the notification the kernel waits
# interruptibly, and a signal then ends the call with ERESTARTSYS, which is EINTR for a handler
# without SA_RESTART (WAIT_KILLABLE_RECV covers only the time after the receipt). A documented
# limit of the kernel's mechanism (README, "Limits"); the ptrace backends must pass.
name="signal handlers without SA_RESTART: same counts, no path call fails with EINTR"
if [ "$BACKEND" = unotify ]; then
        selected "$name" && skip "$name" "unotify: a signal before the supervisor receives the call gives EINTR (kernel; README, Limits)"
else
        both "$name" signals "$R/file" 500 norestart -- signals "$V/file" 500 norestart
fi

both "read(2) on a pipe, handler with SA_RESTART (doing path calls): the read is restarted" \
        eintr restart "$R/file" -- eintr restart "$V/file"

both "read(2) on a pipe, handler without SA_RESTART (doing path calls): EINTR" \
        eintr norestart "$R/file" -- eintr norestart "$V/file"

# ------------------------------------------------------------------------------------------------
# 2. signals sent to `pathvisor run` reach the program

name="signal to run is forwarded: SIGTERM, program 'sleep 30', run exits 143"
if selected "$name"; then {
        why=
        if ! bg_start "$T/s1" "${RULES[@]}" -- sh -c 'cat "$1"; exec sleep 30' sh "$V/file"; then
                why="pathvisor run did not start"
        elif ! descendant_named "$PVPID" sleep 10 >/dev/null; then
                why="no 'sleep' under pathvisor run within 10 s"
        else
                kill -TERM "$PVPID"
                bg_finish 5 || why="pathvisor run still running 5 s after SIGTERM"
                [ -n "$why" ] || [ "$RC" = 143 ] || why="exit status $RC, want 143"
                [ -n "$why" ] || [ "$(cat "$T/s1")" = "target content" ] || why="output: $(cat "$T/s1")"
        fi
        bg_reap
        [ -z "$why" ] && ok "$name" || { { echo "$why"; echo "stderr:"; cat "$T/s1.err"; } >"$T/why"; notok "$name" "$T/why"; }
} 2>/dev/null; fi

name="signal to run is forwarded: SIGINT to a program that traps it prints 'got', exits 3"
if selected "$name"; then {
        why=
        if ! bg_start "$T/s2" "${RULES[@]}" -- sh -c 'trap "echo got; exit 3" INT; cat "$1"; echo ready; while :; do sleep 0.05; done' sh "$V/file"; then
                why="pathvisor run did not start"
        elif ! wait_line "$T/s2" '^ready$' 10 >/dev/null; then
                why="no 'ready' from the program within 10 s"
        else
                kill -INT "$PVPID"
                bg_finish 5 || why="pathvisor run still running 5 s after SIGINT"
                [ -n "$why" ] || [ "$RC" = 3 ] || why="exit status $RC, want 3"
        fi
        bg_reap
        printf 'target content\nready\ngot\n' >"$T/e"
        if [ -z "$why" ] && cmp -s "$T/e" "$T/s2"; then
                ok "$name"
        else
                { [ -z "$why" ] || echo "$why"; diff -u --label expected --label "under pathvisor" "$T/e" "$T/s2"
                  echo "stderr:"; cat "$T/s2.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
} 2>/dev/null; fi

# ------------------------------------------------------------------------------------------------
# 3. exit statuses and deaths by signal (compared with native, and with the number itself)

exit_case() { # NAME WANT HELPER-ARGS... (the last argument is a path under D, given as @/file)
        local name="exit status: $1" want=$2
        shift 2
        selected "$name" || return 0
        local -a na=() pa=()
        local a
        for a in "$@"; do
                na+=("${a//@/$R}")
                pa+=("${a//@/$V}")
        done
        { nat "$T/n" "$H" "${na[@]}"; pv "$T/p" "${RULES[@]}" -- "$H" "${pa[@]}"; } 2>/dev/null
        if [ "$(tail -n1 "$T/n")" != "exit $want" ]; then
                { echo "natively: $(tail -n1 "$T/n"), want exit $want"; } >"$T/why"
                notok "$name" "$T/why"
                return
        fi
        compare "$name" "$T/n" "$T/p"
}
exit_case "0" 0 exit 0 @/file
exit_case "42" 42 exit 42 @/file
exit_case "255" 255 exit 255 @/file
exit_case "killed by SIGKILL: 137" 137 raise KILL @/file
exit_case "SIGSEGV (NULL dereference): 139" 139 segv @/file
exit_case "SIGABRT (abort): 134" 134 abort @/file

# ------------------------------------------------------------------------------------------------
# 4. SIGSTOP / SIGCONT

count_lines() { # FILE -> number of lines (0 if missing)
        local n
        n=$(wc -l <"$1" 2>/dev/null) || n=0
        echo "${n:-0}"
}

name="SIGSTOP to the program: its output stops and it is stopped; SIGCONT: it goes on; SIGTERM to run: 143"
if selected "$name"; then {
        why=
        rm -f "$T/ticks" "$T/tick.pid"
        if ! bg_start "$T/tk" "${RULES[@]}" -- "$H" ticker "$T/ticks" "$T/tick.pid" "$V/file"; then
                why="pathvisor run did not start"
        elif ! read_pidfile "$T/tick.pid" 10; then
                why="no pid file from the program within 10 s"
        else
                tpid=$FPID
                for ((i = 0; i < 100; i++)); do [ "$(count_lines "$T/ticks")" -ge 3 ] && break; sleep 0.05; done
                if [ "$(count_lines "$T/ticks")" -lt 3 ]; then
                        why="fewer than 3 ticks within 5 s"
                else
                        kill -STOP "$tpid"
                        if ! st=$(wait_state "$tpid" "$STOPPED_RE" 5); then
                                why="state $(state "$tpid") 5 s after SIGSTOP, want $STOPPED_RE"
                        else
                                n1=$(count_lines "$T/ticks")
                                sleep 0.5
                                n2=$(count_lines "$T/ticks")
                                st2=$(state "$tpid")
                                if [ "$n1" != "$n2" ]; then
                                        why="the output grew while stopped: $n1 -> $n2 lines"
                                elif ! [[ $st2 =~ ^($STOPPED_RE)$ ]]; then
                                        why="state $st2 0.5 s after SIGSTOP (was $st)"
                                else
                                        kill -CONT "$tpid"
                                        for ((i = 0; i < 100; i++)); do [ "$(count_lines "$T/ticks")" -gt "$n2" ] && break; sleep 0.05; done
                                        n3=$(count_lines "$T/ticks")
                                        [ "$n3" -gt "$n2" ] || why="no new output 5 s after SIGCONT (state $(state "$tpid"))"
                                fi
                        fi
                fi
                kill -CONT "$tpid" 2>/dev/null
                kill -TERM "$PVPID"
                if ! bg_finish 5; then
                        why+="${why:+; }pathvisor run still running 5 s after SIGTERM"
                elif [ "$RC" != 143 ]; then
                        why+="${why:+; }exit status $RC, want 143"
                fi
                bad=$(grep -vcE '^tick [0-9]+ target content$' "$T/ticks")
                [ "$bad" = 0 ] || why+="${why:+; }$bad ticks with other content: $(grep -vE '^tick [0-9]+ target content$' "$T/ticks" | head -n 3)"
        fi
        bg_reap
        [ -z "$why" ] && ok "$name" || { { echo "$why"; echo "stderr:"; cat "$T/tk.err"; } >"$T/why"; notok "$name" "$T/why"; }
} 2>/dev/null; fi

name="the program stops itself (raise SIGSTOP); SIGCONT from outside wakes it; exit 0"
if selected "$name"; then {
        why=
        rm -f "$T/ss.pid"
        if ! bg_start "$T/ss" "${RULES[@]}" -- "$H" stopself "$V/file" "$T/ss.pid"; then
                why="pathvisor run did not start"
        elif ! read_pidfile "$T/ss.pid" 10; then
                why="no pid file from the program within 10 s"
        else
                if ! wait_state "$FPID" "$STOPPED_RE" 5 >/dev/null; then
                        why="state $(state "$FPID") 5 s after raise(SIGSTOP), want $STOPPED_RE"
                fi
                sleep 0.2 # pathvisor run must not end meanwhile
                alive "$PVPID" || why+="${why:+; }pathvisor run ended while the program was stopped"
                ( sleep 0.1; kill -CONT "$FPID" ) &
                bg_finish 5 || why+="${why:+; }pathvisor run still running 5 s after SIGCONT"
                [ "$RC" = 0 ] || why+="${why:+; }exit status $RC, want 0"
        fi
        bg_reap
        printf '%s\n' 'before: "target content\n"' continued 'after: "target content\n"' >"$T/e"
        if [ -z "$why" ] && cmp -s "$T/e" "$T/ss"; then
                ok "$name"
        else
                { [ -z "$why" ] || echo "$why"; diff -u --label expected --label "under pathvisor" "$T/e" "$T/ss"
                  echo "stderr:"; cat "$T/ss.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
} 2>/dev/null; fi

# ------------------------------------------------------------------------------------------------
# 5. terminal job control in tmux

name="job control in a terminal (tmux): C-z stops the job, jobs -l says Stopped, fg resumes, C-d ends it"
if selected "$name"; then
        if ! command -v tmux >/dev/null; then
                skip "$name" "needs tmux"
        else
                S=$T/tmux.sock
                TMUX_SOCKS+=("$S")
                why=
                tm() { timeout -k 3 "$TMO" tmux -S "$S" "$@"; }
                pane() { tm capture-pane -p -J -S - -t pv 2>/dev/null; }
                # wait until the pane shows a line matching REGEX (up to SECONDS)
                wait_pane() {
                        local i
                        for ((i = 0; i < $2 * 20; i++)); do
                                pane | grep -qE "$1" && return 0
                                sleep 0.05
                        done
                        return 1
                }
                keys() { tm send-keys -t pv "$@"; }
                printf '#!/bin/sh\nexec %q run %s -b %q %s -- %q echo-lines %q %q 5\n' \
                        "$PV" "$PV_MODE_ARGS" "$BACKEND" "-r $(printf %q "$V=$R")" "$H" "$V/file" "$T/tty.pid" >"$T/job"
                chmod +x "$T/job"
                rm -f "$T/tty.pid"
                if ! env -u TMUX PS1='pv$ ' timeout -k 3 "$TMO" tmux -S "$S" -f /dev/null new-session -d -s pv -x 200 -y 50 \
                        bash --norc --noprofile 2>"$T/tmux.err"; then
                        why="tmux did not start: $(cat "$T/tmux.err")"
                else
                        tpid=$(tm display -p -t pv '#{pid}' 2>/dev/null) && track "$tpid"
                        wait_pane '^pv\$' 5 || why="no prompt in the pane"
                fi
                [ -n "$why" ] || { keys "$T/job" Enter; wait_pane '^ready$' 10 || why="the program did not say ready"; }
                [ -n "$why" ] || { keys "hello" Enter; wait_pane '^got: hello \(target content\)$' 5 || why="no echo of 'hello'"; }
                if [ -z "$why" ]; then
                        read_pidfile "$T/tty.pid" 2 || why="no pid file"
                fi
                if [ -z "$why" ]; then
                        keys C-z
                        wait_pane 'Stopped' 5 || why="C-z: bash did not report the job Stopped"
                        [ -n "$why" ] || wait_state "$FPID" "$STOPPED_RE" 5 >/dev/null ||
                                why="C-z: the program's state is $(state "$FPID"), want $STOPPED_RE"
                fi
                if [ -z "$why" ]; then
                        keys "jobs -l" Enter
                        wait_pane '^\[1\]\+ +[0-9]+ +Stopped' 5 || why="jobs -l does not list the job as Stopped"
                fi
                if [ -z "$why" ]; then
                        keys "fg" Enter
                        wait_state "$FPID" 'S|R' 5 >/dev/null || why="fg: the program's state is $(state "$FPID")"
                        [ -n "$why" ] || { keys "world" Enter; wait_pane '^got: world \(target content\)$' 5 || why="after fg: no echo of 'world'"; }
                fi
                if [ -z "$why" ]; then
                        keys C-d
                        wait_pane '^eof$' 5 || why="C-d: no 'eof' from the program"
                        [ -n "$why" ] || { keys 'echo "status=$?"' Enter; wait_pane '^status=5$' 5 || why="exit status not 5"; }
                fi
                if [ -n "$why" ]; then
                        { echo "$why"; echo "the pane:"; pane | grep -v '^$'; } >"$T/why"
                fi
                tm kill-server 2>/dev/null
                [ -z "$why" ] && ok "$name" || notok "$name" "$T/why"
        fi
fi

# ------------------------------------------------------------------------------------------------
# 6. fork and thread trees

name="100 children (25 with 3 threads each) read the redirected path; statuses kept; exit 7; none left"
if selected "$name"; then
        nat "$T/n" "$H" forktree "$R/file" 100 "$T/tree-native.pids" 7
        pv "$T/p" "${RULES[@]}" -- "$H" forktree "$V/file" 100 "$T/tree.pids" 7
        left=
        if [ -s "$T/tree.pids" ]; then
                while read -r pid st; do
                        same_proc "$pid" "$st" && left+=" $pid"
                done <"$T/tree.pids"
                [ "$(wc -l <"$T/tree.pids")" = 101 ] || left+=" (the pid file has $(wc -l <"$T/tree.pids") lines, want 101)"
        else
                left=" (no pid file)"
        fi
        if [ -n "$left" ]; then
                echo "processes still there after run returned:$left" >"$T/why"
                notok "$name" "$T/why"
        else
                compare "$name" "$T/n" "$T/p"
        fi
fi

name="run returns only once an orphan of the program (300 ms later) has ended"
if selected "$name"; then
        rm -f "$T/orphan.out" "$T/orphan.pid"
        pv "$T/p" "${RULES[@]}" -- "$H" orphan "$V/file" "$T/orphan.out" 300 "$T/orphan.pid"
        why=
        got=$(cat "$T/orphan.out" 2>/dev/null)
        [ "$got" = 'orphan: "target content\n"' ] ||
                why="when run returned, the orphan had not written its line (got: '${got}')"
        if read -r opid ost <"$T/orphan.pid" 2>/dev/null; then
                BG+=("$opid:$ost")
                ! same_proc "$opid" "$ost" || why+="${why:+; }the orphan (pid $opid) was still running when run returned"
        else
                why+="${why:+; }no pid file from the orphan"
        fi
        if [ -z "$why" ]; then
                expect_text "$name" "child: status 0
exit 0" "$T/p"
        else
                { echo "$why"; echo "output:"; cat "$T/p"; } >"$T/why"
                notok "$name" "$T/why"
                wait_file "$T/orphan.out" 2 # let it finish before the next case
        fi
fi

# ------------------------------------------------------------------------------------------------
# 7. execve from a thread that is not the leader

both "execve of cat from a second thread (main thread in path calls): redirected content, exit 0" \
        thread-exec "$R/file" cat -- thread-exec "$V/file" cat
both "execve of a program from a second thread: same pid, redirected content, its exit status 23" \
        thread-exec "$R/file" self -- thread-exec "$V/file" self

# ------------------------------------------------------------------------------------------------
# 8. the red zone and the registers around a raw system call (x86-64)

if [ "$(uname -m)" = x86_64 ]; then
        both "red zone and registers intact: raw openat and newfstatat on a redirected path" \
                redzone open "$R/file" 200 -- redzone open "$V/file" 200
        both "red zone and registers intact: raw calls on a stack with nothing below its red zone (guard page)" \
                redzone open "$R/file" 50 lowstack -- redzone open "$V/file" 50 lowstack
        both "red zone and registers intact: raw calls on a path denied with ENOENT (as a missing one natively)" \
                redzone deny "$T/nonexistent/x" 50 -- redzone deny "$T/deniedN/x" 50
        name="red zone and registers intact: raw calls on a path denied with EACCES"
        if selected "$name"; then
                pv "$T/p" "${RULES[@]}" -- "$H" redzone deny "$T/denied/x" 50
                expect_text "$name" "openat: err EACCES
newfstatat: err EACCES
openat: registers intact, red zone intact (50 calls)
newfstatat: registers intact, red zone intact (50 calls)
exit 0" "$T/p"
        fi
else
        skip "red zone and registers around a raw system call" "x86-64 only"
fi

# ------------------------------------------------------------------------------------------------
# 9. nested runs: the inner policy applies first, the outer one to what comes out of it

NW=$T/nest/w
NX=$T/nest/x
NY=$T/nest/y

# nested NAME OUTER INNER [refuse]: outer -r X=Y around inner -r W=X; `cat W/file X/file` must
# print Y's content twice: W/file goes through both rules (inner first), X/file (which the inner
# supervisor lets through) through the outer one. With "refuse", the inner run may instead refuse
# to start (exit 125, a message, the program not run).
nested() {
        local name=$1 outer=$2 inner=$3 refuse=${4:-}
        selected "$name" || return 0
        pvb "$T/p" "$outer" -r "$NX=$NY" -- "$PV" run --embedded -v -b "$inner" -r "$NW=$NX" -- cat "$NW/file" "$NX/file"
        if [ -n "$refuse" ] && [ "$(cat "$T/p")" = "exit 125" ] && [ -s "$T/p.err" ]; then
                ok "$name"
                echo "# (refused: $(grep -v '^$' "$T/p.err" | tail -n1))"
                return
        fi
        if [ "$inner" = auto ] && [ "$outer" = unotify ] && ! grep -qi ptrace "$T/p.err"; then
                { echo "inner -b auto under unotify: its -v output does not name a ptrace backend:"; cat "$T/p.err"; } >"$T/why"
                notok "$name" "$T/why"
                return
        fi
        expect_text "$name" "Y content
Y content
exit 0" "$T/p"
}

# inner unotify under outer unotify: the kernel refuses a second listener (EBUSY); run must say so
# and exit 125 without running the program.
nested_busy() {
        local name="nested: outer -b unotify, inner -b unotify: inner fails cleanly (EBUSY), exit 125"
        selected "$name" || return 0
        pvb "$T/p" unotify -r "$NX=$NY" -- "$PV" run --embedded -b unotify -r "$NW=$NX" -- cat "$NW/file"
        if [ "$(cat "$T/p")" = "exit 125" ] && [ -s "$T/p.err" ]; then
                ok "$name"
        else
                { echo "want only 'exit 125' and a message on stderr; got:"; cat "$T/p"; echo "stderr:"; cat "$T/p.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
}

name="nested: outer -b unotify, inner -b auto falls back to a ptrace backend (EBUSY)"
if [ -n "$PTRACE_BUILT" ]; then
        nested "$name" unotify auto
else
        selected "$name" && skip "$name" "the ptrace backends are not built yet: -b auto has nothing to fall back to"
fi
# Seccomp runs every filter and takes "the highest precedence value" (seccomp(2)):
# SECCOMP_RET_USER_NOTIF comes before SECCOMP_RET_TRACE. So where a unotify filter and a
# ptrace-seccomp filter are stacked, the RET_TRACE stop never happens for the calls that the
# listener is notified of, and a CONTINUE runs them untouched. Outer unotify + inner
# ptrace-seccomp: the inner rules would never apply. Outer ptrace-seccomp + inner unotify: what
# the inner supervisor lets through (here `cat X/file`, no inner rule) would escape the outer
# rule. In both, run may refuse (exit 125) instead; it must never run the program with rules left
# unapplied. Plain ptrace stops at syscall entry, before any filter runs: it must just work.
refuse=
[ "$BACKEND" != ptrace-seccomp ] || refuse=refuse
if [ "$BACKEND" = unotify ]; then
        nested_busy
else
        nested "nested: outer -b $BACKEND, inner -b auto" "$BACKEND" auto $refuse
        nested "nested: outer -b $BACKEND, inner -b unotify" "$BACKEND" unotify $refuse
        nested "nested: outer -b unotify, inner -b $BACKEND" unotify "$BACKEND" $refuse
fi

# ------------------------------------------------------------------------------------------------
# 10. strace and gdb inside a unotify sandbox

name="strace -f inside the sandbox: the traced cat still gets the redirected file"
if selected "$name"; then
        if [ "$BACKEND" != unotify ]; then
                skip "$name" "unotify only (under a ptrace backend the program cannot ptrace)"
        elif ! command -v strace >/dev/null; then
                skip "$name" "needs strace"
        else
                pv "$T/p" "${RULES[@]}" -- strace -f -o /dev/null cat "$V/file"
                expect_text "$name" "target content
exit 0" "$T/p"
        fi
fi

name="gdb inside the sandbox: run, catch exit_group, bt, continue; the redirected content; exit 0"
if selected "$name"; then
        if [ "$BACKEND" != unotify ]; then
                skip "$name" "unotify only (under a ptrace backend the program cannot ptrace)"
        elif ! command -v gdb >/dev/null; then
                skip "$name" "needs gdb"
        else
                GDB=(gdb -nx -batch -iex 'set debuginfod enabled off' -ex 'catch syscall exit_group' -ex run -ex bt -ex continue --args cat "$V/file")
                pv "$T/p" "${RULES[@]}" -- "${GDB[@]}"
                why=
                grep -qx 'target content' "$T/p" || why="no 'target content' line"
                grep -qE '^#0 .*exit' "$T/p" || why+="${why:+; }no backtrace in _exit"
                grep -q 'exited normally' "$T/p" || why+="${why:+; }no 'exited normally'"
                [ "$(tail -n1 "$T/p")" = "exit 0" ] || why+="${why:+; }gdb: $(tail -n1 "$T/p"), want exit 0"
                [ -z "$why" ] && ok "$name" || { { echo "$why"; echo "output:"; cat "$T/p"; echo "stderr:"; cat "$T/p.err"; } >"$T/why"; notok "$name" "$T/why"; }
        fi
fi

# ------------------------------------------------------------------------------------------------
# 11. the program's own ptrace
#
# unotify does not trace, so PTRACE_TRACEME, PTRACE_SEIZE and PTRACE_ATTACH of one's own children
# work. Under a ptrace backend every process of the program is already traced (the children from
# fork on, through PTRACE_O_TRACEFORK), and a process has one tracer: ptrace(2) says EPERM for
# PTRACE_TRACEME, PTRACE_ATTACH and PTRACE_SEIZE of a process that "is already being traced".

if [ -n "$IS_PTRACE" ]; then
        name="the program's own ptrace (TRACEME, SEIZE, ATTACH) fails with EPERM; it goes on, exit 0"
        want="traceme: err EPERM
seize: err EPERM
attach: err EPERM
continued
exit 0"
else
        name="the program's own ptrace (TRACEME, SEIZE, ATTACH) works under $BACKEND; exit 0"
        want="traceme: ok
seize: ok
attach: ok (stopped, detached)
continued
exit 0"
fi
if selected "$name"; then
        pv "$T/p" "${RULES[@]}" -- "$H" ptrace
        expect_text "$name" "$want" "$T/p"
fi

# ------------------------------------------------------------------------------------------------
# summary

if [ $FAIL -gt 0 ]; then
        echo "# failed:"
        for f in "${FAILED[@]}"; do echo "#   $f"; done
fi
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL -eq 0 ]
