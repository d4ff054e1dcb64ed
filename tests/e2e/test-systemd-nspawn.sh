#!/bin/bash
# SPDX-License-Identifier: MIT
# pathvisord under a real systemd: boots systemd (PID 1 of a container, systemd-nspawn) on an
# overlay of the host's / with a tmpfs as upper layer, installs pathvisor, its units, the
# tmpfiles.d file and profiles into that upper layer, and drives it with nsenter:
#   - socket activation: `pathvisor run --daemon` starts pathvisord.service through the socket;
#     `pathvisor status` shows the session; STATUS= reaches `systemctl show -p StatusText`;
#   - `systemctl reload`: a new profile becomes usable; a broken file keeps the profiles in force
#     and the journal has FILE:LINE:COL;
#   - `systemctl restart` and an automatic restart (Restart=on-failure after SIGKILL of the main
#     process) in the middle of a sandboxed loop that opens a redirected file every 10 ms: no
#     open fails, the new daemon takes the session back from the fd store, and the ended session
#     leaves the fd store;
#   - PID 1 keeps the fd store over `systemctl daemon-reload` and `daemon-reexec`;
#   - `systemctl stop pathvisord.socket pathvisord`.
# (systemd 252 keeps a service's fd store while a restart job or an automatic restart is under
# way, and releases it when the service stops for good: FileDescriptorStorePreserve= of v254
# only makes that configurable.)
# The container, the overlay, the cgroups and the /run/systemd/nspawn entries it leaves on the
# host are removed on every exit.
#
# usage: test-systemd-nspawn.sh PATHVISOR PATHVISORD UNIT_DIR SRC_SYSTEMD_DIR
#   UNIT_DIR: the build's systemd/ (configured pathvisord.service)
#   SRC_SYSTEMD_DIR: the source's systemd/ (pathvisord.socket, pathvisor.tmpfiles)
# Prints "ok - NAME" / "not ok - NAME" (with "# " diagnostics) and "N passed, M failed".
# Exit 77 when not root or when systemd-nspawn (package systemd-container) or nsenter is missing.
set -u

if [ $# -ne 4 ]; then
        echo "usage: $0 PATHVISOR PATHVISORD UNIT_DIR SRC_SYSTEMD_DIR" >&2
        exit 2
fi
PATHVISOR=$(realpath -- "$1") PATHVISORD=$(realpath -- "$2") UNIT_DIR=$3 SRC_SYSTEMD_DIR=$4

if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root"
        exit 77
fi
for prog in systemd-nspawn nsenter mount umount timeout; do
        if ! command -v "$prog" >/dev/null; then
                echo "SKIP: $prog is missing${prog/systemd-nspawn/ (package systemd-container)}"
                exit 77
        fi
done
for f in "$PATHVISOR" "$PATHVISORD" "$UNIT_DIR/pathvisord.service" "$SRC_SYSTEMD_DIR/pathvisord.socket" \
         "$SRC_SYSTEMD_DIR/pathvisor.tmpfiles"; do
        if [ ! -e "$f" ]; then
                echo "missing: $f" >&2
                exit 1
        fi
done

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
        failed=$((failed + 1))
        echo "not ok - $1"
        shift
        local line
        for line in "$@"; do
                printf '%s\n' "$line" | sed 's/^/# /'
        done
        DUMP_JOURNAL=1
}
check() { # NAME CONDITION-COMMAND... ; diagnostics in $diag
        local name=$1
        shift
        if "$@"; then ok "$name"; else not_ok "$name" "${diag:-}"; fi
        diag=
}
diag=
DUMP_JOURNAL=0

MACHINE=pv-e2e-$$
TMP=$(mktemp -d /tmp/pv-nspawn.XXXXXX)
ROOT=$TMP/root      # the overlay: the container's /
LAYER=$TMP/layer    # tmpfs: upper and work directories
NSPAWN_PID="" INIT="" IMAGE_LOCK="" CG_OWN=() CG_LEFT=() BG_PIDS=()
RUN_NSPAWN_EXISTED=0
[ -e /run/systemd/nspawn ] && RUN_NSPAWN_EXISTED=1
SECONDS=0

# ---- cleanup: whatever happened ------------------------------------------------------------------
cleanup() {
        local rc=$? p i d
        trap - EXIT INT TERM HUP
        # sandboxed programs still running, started in the background: kill what runs in the
        # container and let nsenter reap it. (A process that nsenter started and that is still
        # there at shutdown would stall the container: systemd-shutdown freezes everything with
        # SIGSTOP, nsenter on the host stops itself too, misses the SIGCONT and never reaps it.)
        for p in "${BG_PIDS[@]}"; do
                kill_in_container "$p"
        done
        for p in "${BG_PIDS[@]}"; do
                wait "$p" 2>/dev/null
        done
        if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
                # SIGTERM asks nspawn for an orderly shutdown of the booted container
                kill -TERM "$NSPAWN_PID" 2>/dev/null
                for ((i = 0; i < 150; i++)); do
                        kill -0 "$NSPAWN_PID" 2>/dev/null || break
                        sleep 0.1
                done
                if kill -0 "$NSPAWN_PID" 2>/dev/null; then
                        echo "# the container did not shut down in 15 s: killing its init and nspawn; its console:"
                        tail -n 15 "$TMP/nspawn.log" | sed 's/^/#   /'
                        echo "# its jobs and processes:"
                        ct_timeout 5 systemctl list-jobs --no-pager 2>&1 | sed 's/^/#   /'
                        ct_timeout 5 ps -e -o pid,stat,wchan:32,args 2>&1 | cut -c1-150 | sed 's/^/#   /'
                        # the death of a pid namespace's init kills every process in it; our
                        # nsenter processes are outside
                        [ -n "$INIT" ] && kill -KILL "$INIT" 2>/dev/null
                        for p in "${BG_PIDS[@]}"; do
                                # shellcheck disable=SC2046
                                kill -KILL "$p" $(descendants "$p") 2>/dev/null
                        done
                        sleep 0.5
                        kill -KILL "$NSPAWN_PID" 2>/dev/null
                fi
        fi
        [ -n "$NSPAWN_PID" ] && wait "$NSPAWN_PID" 2>/dev/null
        for d in "$ROOT" "$LAYER"; do
                if mountpoint -q "$d" 2>/dev/null; then
                        umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || echo "# cannot unmount $d"
                fi
        done
        # the cgroups: our own (nspawn's payload/ and supervisor/ are below it), or the payload/
        # and supervisor/ that nspawn created next to us
        for d in "${CG_OWN[@]}"; do
                [ -d "$d" ] || continue
                # processes left (there should be none once init is dead): cgroup v2 kills them
                if [ -e "$d/cgroup.kill" ] && [ -n "$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)" ]; then
                        echo 1 > "$d/cgroup.kill" 2>/dev/null
                        sleep 0.2
                fi
                find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
                [ -d "$d" ] && echo "# cannot remove the cgroup $d"
        done
        for d in "${CG_LEFT[@]}"; do
                [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
        # what nspawn leaves in /run/systemd/nspawn for this machine and this image (the lock
        # stays when nspawn was killed)
        if [ -d /run/systemd/nspawn ]; then
                [ -n "$IMAGE_LOCK" ] && rm -f "$IMAGE_LOCK"
                find /run/systemd/nspawn -mindepth 2 -maxdepth 2 -name "$MACHINE" -exec rm -rf {} + 2>/dev/null
                if [ "$RUN_NSPAWN_EXISTED" = 0 ]; then
                        find /run/systemd/nspawn -depth -type d -empty -exec rmdir {} \; 2>/dev/null
                fi
        fi
        rm -rf "$TMP"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- the container ---------------------------------------------------------------------------------
# in_ct CMD...: runs CMD inside the container (its mount, UTS, IPC, network and pid namespaces;
# not its cgroup); "${CT[@]}" CMD... & leaves nsenter's pid in $!
CT=()
in_ct() { "${CT[@]}" "$@"; }
# ct_timeout SECONDS CMD...
ct_timeout() {
        local t=$1
        shift
        timeout -k 2 "$t" "${CT[@]}" "$@"
}
# descendants PID: the pids of PID's descendants (host pids)
descendants() {
        local c
        # shellcheck disable=SC2013
        for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
                echo "$c"
                descendants "$c"
        done
}
# kill_in_container PID: kills what a background nsenter (PID) runs in the container; nsenter
# reaps it and exits
kill_in_container() {
        # shellcheck disable=SC2046
        kill -KILL $(descendants "$1") 2>/dev/null
}
prop() { in_ct systemctl show -p "$1" --value "$2" 2>/dev/null; }
journal() { in_ct journalctl -u pathvisord.service --no-pager -q -o cat 2>/dev/null; }
# the fds that the container's PID 1 holds: N of seccomp listeners, N of our state records
pid1_fds() {
        local l n_listeners=0 n_state=0
        for l in /proc/"$INIT"/fd/*; do
                case $(readlink "$l" 2>/dev/null) in
                "anon_inode:seccomp notify") n_listeners=$((n_listeners + 1)) ;;
                /memfd:pathvisord-state-*) n_state=$((n_state + 1)) ;;
                esac
        done
        echo "$n_listeners $n_state"
}

mkdir -p "$ROOT" "$LAYER"
if ! mount -t tmpfs -o mode=0755,size=512m pv-nspawn-upper "$LAYER" ||
   ! mkdir -p "$LAYER/upper" "$LAYER/work" ||
   ! mount -t overlay pv-nspawn -o "lowerdir=/,upperdir=$LAYER/upper,workdir=$LAYER/work" "$ROOT"; then
        echo "SKIP: cannot mount an overlay of / with a tmpfs as upper layer"
        exit 77
fi
IMAGE_LOCK=/run/systemd/nspawn/locks/inode-$(stat -c %d:%i "$ROOT")

# pathvisor in the upper layer, where the unit expects it
EXEC_START=$(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$UNIT_DIR/pathvisord.service" | head -n 1)
case $EXEC_START in
/*) ;;
*) echo "cannot find ExecStart= in $UNIT_DIR/pathvisord.service" >&2; exit 1 ;;
esac
install -D -m 0755 "$PATHVISOR" "$ROOT/usr/local/bin/pathvisor" &&
install -D -m 0755 "$PATHVISORD" "$ROOT$EXEC_START" &&
install -D -m 0644 "$UNIT_DIR/pathvisord.service" "$ROOT/etc/systemd/system/pathvisord.service" &&
install -D -m 0644 "$SRC_SYSTEMD_DIR/pathvisord.socket" "$ROOT/etc/systemd/system/pathvisord.socket" &&
install -D -m 0644 "$SRC_SYSTEMD_DIR/pathvisor.tmpfiles" "$ROOT/etc/tmpfiles.d/pathvisor.conf" || exit 1
rm -rf "$ROOT/etc/pathvisor" "$ROOT/srv/pv-e2e"   # the host's own, if any, stay out of the test
mkdir -p "$ROOT/etc/pathvisor/policy.d" "$ROOT/srv/pv-e2e"
for f in original target second third; do
        echo "$f" > "$ROOT/srv/pv-e2e/$f"
done
profile() { # NAME TARGET
        printf '{\n  "version": 1,\n  "rules": [\n    { "path": "/srv/pv-e2e/original", "redirect": "%s" }\n  ]\n}\n' \
                "$2" > "$ROOT/etc/pathvisor/policy.d/$1.json"
}
profile demo /srv/pv-e2e/target

# nspawn puts payload/ and supervisor/ cgroups below its own and leaves them behind. Where no
# systemd manages this host's cgroups, it runs in a cgroup of its own, removed with everything
# below it; otherwise next to us, and the payload/ and supervisor/ that were not there go.
while IFS=: read -r _ ctrl path; do
        mnt=
        case $ctrl in
        "") mnt=$(findmnt -n -t cgroup2 -o TARGET | head -n 1) ;;
        name=systemd) mnt=$(findmnt -n -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)name=systemd(,|$)/ { print $1; exit }') ;;
        esac
        [ -n "$mnt" ] || continue
        d=$mnt${path%/}
        if [ ! -d /run/systemd/system ] && mkdir "$d/$MACHINE" 2>/dev/null; then
                CG_OWN+=("$d/$MACHINE")
        else
                for p in payload supervisor; do
                        [ -e "$d/$p" ] || CG_LEFT+=("$d/$p")
                done
        fi
done < /proc/self/cgroup

(
        for d in "${CG_OWN[@]}"; do
                echo "$BASHPID" > "$d/cgroup.procs" || echo "# cannot move nspawn into $d" >&2
        done
        # basic.target: systemd, journald, the sockets; not the host's own services
        exec systemd-nspawn -q -D "$ROOT" -M "$MACHINE" --register=no --keep-unit --private-network \
                --link-journal=no --console=passive -b systemd.unit=basic.target
) > "$TMP/nspawn.log" 2>&1 &
NSPAWN_PID=$!

boot_failed() {
        not_ok "the container boots systemd" "$@" "nspawn's output:" "$(tail -n 30 "$TMP/nspawn.log")"
        echo "$passed passed, $failed failed"
        exit 1
}
for ((i = 0; i < 300; i++)); do
        kill -0 "$NSPAWN_PID" 2>/dev/null || boot_failed "systemd-nspawn exited"
        c=$(cat /proc/"$NSPAWN_PID"/task/*/children 2>/dev/null)
        for p in $c; do
                if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = systemd ]; then
                        INIT=$p
                fi
        done
        [ -n "$INIT" ] && break
        sleep 0.1
done
[ -n "$INIT" ] || boot_failed "no systemd under nspawn (pid $NSPAWN_PID) after 30 s"
CT=(nsenter -t "$INIT" -m -u -i -n -p -- env -i
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
    SYSTEMD_PAGER= SYSTEMD_COLORS=0 SYSTEMD_LOG_COLOR=0)
state=
for ((i = 0; i < 60; i++)); do
        state=$(ct_timeout 30 systemctl is-system-running --wait 2>/dev/null) && break
        case $state in running | degraded) break ;; esac
        sleep 0.5
done
case $state in
running | degraded) ok "the container boots systemd ($state, ${SECONDS}s)" ;;
*) boot_failed "systemctl is-system-running: '$state'" ;;
esac
[ "$state" = degraded ] && echo "# failed units: $(in_ct systemctl --failed --no-legend --plain | awk '{ print $1 }' | tr '\n' ' ')"

# ---- the units -------------------------------------------------------------------------------------
out=$(in_ct systemd-tmpfiles --create /etc/tmpfiles.d/pathvisor.conf 2>&1)
diag="systemd-tmpfiles: $out"
check "the tmpfiles.d file applies" test -d "$ROOT/etc/pathvisor/policy.d" -a -z "$out"

out=$(in_ct systemctl start pathvisord.socket 2>&1)
sock=$(prop ActiveState pathvisord.socket) svc=$(prop ActiveState pathvisord.service)
diag="systemctl start: $out; socket $sock, service $svc"
check "systemctl start pathvisord.socket (the service waits)" test "$sock" = active -a "$svc" = inactive

# ---- socket activation -----------------------------------------------------------------------------
out=$(ct_timeout 20 pathvisor run --daemon --profile demo -- cat /srv/pv-e2e/original 2>&1)
rc=$?
svc=$(prop ActiveState pathvisord.service)
diag="rc=$rc output: $out; service $svc"
check "pathvisor run --daemon starts pathvisord through the socket and is redirected" \
        test "$rc" = 0 -a "$out" = target -a "$svc" = active
diag="service: $(prop SubState pathvisord.service), StatusText: $(prop StatusText pathvisord.service)"
check "pathvisord.service is running after activation" test "$(prop SubState pathvisord.service)" = running

"${CT[@]}" pathvisor run --daemon --profile demo -- sleep 3 > "$TMP/sleep.out" 2>&1 &
BG_PIDS+=("$!")
sleep_client=$!
status="" text=""
for ((i = 0; i < 20; i++)); do
        sleep 0.2
        status=$(ct_timeout 10 pathvisor status 2>&1)
        case $status in *sleep*) break ;; esac
done
for ((i = 0; i < 20; i++)); do  # STATUS= comes in its own message, after the session's start
        text=$(prop StatusText pathvisord.service)
        [[ $text == "1 session,"* ]] && break
        sleep 0.1
done
diag="pathvisor status: $status"
# shellcheck disable=SC2016
check "pathvisor status shows the session" eval '[[ $status == *sleep* && $status == *demo* ]]'
diag="StatusText=$text"
# shellcheck disable=SC2016
check "STATUS= reaches systemctl show -p StatusText" eval '[[ $text =~ ^1\ session,\ [0-9]+\ profiles?$ ]]'
wait "$sleep_client"
rc=$?
diag="rc=$rc: $(cat "$TMP/sleep.out")"
check "the session's program ends normally" test "$rc" = 0

# ---- reload ----------------------------------------------------------------------------------------
profile second /srv/pv-e2e/second
pid_before=$(prop MainPID pathvisord.service)
out=$(ct_timeout 20 systemctl reload pathvisord 2>&1)
rc=$?
st="$(prop ActiveState pathvisord.service)/$(prop SubState pathvisord.service)"
diag="rc=$rc $out; state $st; MainPID $pid_before -> $(prop MainPID pathvisord.service)"
check "systemctl reload pathvisord: back to active/running, same process" \
        test "$rc" = 0 -a "$st" = active/running -a "$(prop MainPID pathvisord.service)" = "$pid_before"
out=$(ct_timeout 20 pathvisor run --daemon --profile second -- cat /srv/pv-e2e/original 2>&1)
diag="output: $out"
check "a profile added before the reload is usable" test "$out" = second

printf '{\n  "version": 1,\n  "rules": [\n    { "path": "/x" "redirect": "/y" }\n  ]\n}\n' \
        > "$ROOT/etc/pathvisor/policy.d/broken.json"
profile third /srv/pv-e2e/third
out=$(ct_timeout 20 systemctl reload pathvisord 2>&1)
rc=$?
st="$(prop ActiveState pathvisord.service)/$(prop SubState pathvisord.service)"
diag="rc=$rc $out; state $st"
check "a reload with a broken file: the service stays active/running" test "$rc" = 0 -a "$st" = active/running
o2=$(ct_timeout 20 pathvisor run --daemon --profile second -- cat /srv/pv-e2e/original 2>&1)
o3=$(ct_timeout 20 pathvisor run --daemon --profile third -- cat /srv/pv-e2e/original 2>&1)
rc3=$?
diag="--profile second: $o2; --profile third: rc=$rc3 $o3"
check "a reload with a broken file keeps the profiles in force (all or nothing)" \
        test "$o2" = second -a "$rc3" != 0 -a "$o3" != third
log=
for ((i = 0; i < 20; i++)); do
        log=$(journal)
        grep -Eq 'broken\.json:[0-9]+:[0-9]+' <<< "$log" && break
        sleep 0.1
done
diag="journal: $(tail -n 5 <<< "$log")"
check "journalctl -u pathvisord shows FILE:LINE:COL of the broken file" \
        grep -Eq '/etc/pathvisor/policy.d/broken\.json:[0-9]+:[0-9]+' <<< "$log"
rm -f "$ROOT/etc/pathvisor/policy.d/broken.json" "$ROOT/etc/pathvisor/policy.d/third.json" \
      "$ROOT/etc/pathvisor/policy.d/second.json"
out=$(ct_timeout 20 systemctl reload pathvisord 2>&1)
for ((i = 0; i < 20; i++)); do  # STATUS= comes in its own message, after READY=1
        text=$(prop StatusText pathvisord.service)
        [ "$text" = "0 sessions, 1 profile" ] && break
        sleep 0.1
done
diag="$out; StatusText=$text"
check "the reload after the fix loads the directory" test "$text" = "0 sessions, 1 profile"

# ---- restarts with a session in the middle of its calls --------------------------------------------
# The program opens the redirected file every 10 ms for about 5 s and runs `sleep` in between;
# it counts what fails and the longest wait of an open (µs).
# shellcheck disable=SC2016
LOOP='
now() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }
end=$(( $(now) + 5000000 )); n=0; fail=0; max=0; started=0
while :; do
        t0=$(now)
        [ "$t0" -lt "$end" ] || break
        x=
        if ! read -r x < /srv/pv-e2e/original || [ "$x" != target ]; then fail=$((fail + 1)); echo "open $n: got \"$x\""; fi
        t1=$(now); [ $((t1 - t0)) -gt "$max" ] && max=$((t1 - t0))
        n=$((n + 1))
        [ "$started" = 1 ] || { started=1; echo started; }
        sleep 0.01 || { fail=$((fail + 1)); echo "sleep failed"; }
done
echo "opens=$n fail=$fail max_us=$max"
'
# restart_during_loop NAME COMMAND...: runs the loop, COMMAND in its middle, and checks the result
restart_during_loop() {
        local name=$1 out_file=$TMP/loop-$1.out client i taken_before taken_after pid_before pid_after \
                fds_before fds_after fds_end rc res t0 t1
        shift
        taken_before=$(journal | grep -c "taken back from the fd store")
        pid_before=$(prop MainPID pathvisord.service)
        "${CT[@]}" pathvisor run --daemon --profile demo -- bash -c "$LOOP" > "$out_file" 2>&1 &
        client=$!
        BG_PIDS+=("$client")
        for ((i = 0; i < 100; i++)); do
                grep -q started "$out_file" && break
                sleep 0.05
        done
        sleep 1.5
        fds_before=$(pid1_fds)
        t0=${EPOCHREALTIME/./}
        res=$("$@" 2>&1)
        rc=$?
        t1=${EPOCHREALTIME/./}
        # an automatic restart comes RestartSec= (100 ms) after the death
        for ((i = 0; i < 50; i++)); do
                [ "$(prop SubState pathvisord.service)" = running ] && break
                sleep 0.1
        done
        pid_after=$(prop MainPID pathvisord.service)
        fds_after=$(pid1_fds)
        for ((i = 0; i < 120; i++)); do
                kill -0 "$client" 2>/dev/null || break
                sleep 0.1
        done
        local stuck=""
        if kill -0 "$client" 2>/dev/null; then
                # a call that the killed daemon had received and not answered stays in
                # seccomp_do_user_notification for as long as PID 1 holds the listener
                stuck="the program did not end: its processes (host pid, name, wait channel, syscall):"
                local p
                for p in $(descendants "$client"); do
                        stuck+=$'\n'"- $p $(cat /proc/"$p"/comm 2>/dev/null) $(cat /proc/"$p"/wchan 2>/dev/null)"
                        stuck+=" $(cut -d' ' -f1-3 /proc/"$p"/syscall 2>/dev/null)"
                done
                kill_in_container "$client"
        fi
        wait "$client" 2>/dev/null
        local crc=$?
        local result
        result=$(grep '^opens=' "$out_file")
        echo "# $name: $* took $(( (t1 - t0) / 1000 )) ms; MainPID $pid_before -> $pid_after; $result"
        diag="rc=$rc $res"
        check "$name: the command succeeds and a new daemon runs" \
                test "$rc" = 0 -a "$(prop SubState pathvisord.service)" = running -a "$pid_after" != "$pid_before"
        diag="PID 1 holds (listeners state-records): before $fds_before, after $fds_after"
        check "$name: PID 1 kept the session's listener and state record in the fd store" \
                test "$fds_before" = "1 1" -a "$fds_after" = "1 1"
        diag="client rc=$crc; program output: $(cat "$out_file")${stuck:+$'\n'$stuck}"
        # shellcheck disable=SC2016
        check "$name: no open failed in the sandboxed loop" eval '[ "$crc" = 0 ] && [[ $result =~ ^opens=[1-9][0-9]*\ fail=0\  ]]'
        for ((i = 0; i < 20; i++)); do
                taken_after=$(journal | grep -c "taken back from the fd store")
                [ "$taken_after" -gt "$taken_before" ] && break
                sleep 0.1
        done
        diag="journal: $(journal | tail -n 8)"
        check "$name: the new daemon logged \"taken back from the fd store\"" test "$taken_after" -gt "$taken_before"
        for ((i = 0; i < 20; i++)); do
                fds_end=$(pid1_fds)
                [ "$fds_end" = "0 0" ] && break
                sleep 0.1
        done
        diag="PID 1 still holds (listeners state-records) $fds_end; StatusText=$(prop StatusText pathvisord.service)"
        check "$name: the ended session left the fd store" test "$fds_end" = "0 0"
}

# PID 1 serializes its fd store over daemon-reload and daemon-reexec
# shellcheck disable=SC2016
"${CT[@]}" pathvisor run --daemon --profile demo -- bash -c 'sleep 2; read -r x < /srv/pv-e2e/original; echo "$x"' \
        > "$TMP/reexec.out" 2>&1 &
client=$!
BG_PIDS+=("$client")
for ((i = 0; i < 20; i++)); do
        [ "$(pid1_fds)" = "1 1" ] && break
        sleep 0.1
done
fds_before=$(pid1_fds)
out=$(ct_timeout 30 systemctl daemon-reload 2>&1 && ct_timeout 30 systemctl daemon-reexec 2>&1)
rc=$?
for ((i = 0; i < 30; i++)); do
        fds_after=$(pid1_fds)
        [ "$fds_after" = "1 1" ] && break
        sleep 0.1
done
wait "$client"
crc=$?
diag="rc=$rc $out; PID 1 holds (listeners state-records): before $fds_before, after $fds_after; program: rc=$crc $(cat "$TMP/reexec.out")"
check "the fd store survives systemctl daemon-reload and daemon-reexec" \
        test "$rc" = 0 -a "$fds_before" = "1 1" -a "$fds_after" = "1 1" -a "$crc" = 0 -a "$(cat "$TMP/reexec.out")" = target

restart_during_loop "systemctl restart" ct_timeout 30 systemctl restart pathvisord
nrestarts=$(prop NRestarts pathvisord.service)
restart_during_loop "SIGKILL and Restart=on-failure" \
        ct_timeout 10 systemctl kill --kill-who=main --signal=SIGKILL pathvisord
n=$(prop NRestarts pathvisord.service)
diag="NRestarts $nrestarts -> $n"
check "SIGKILL and Restart=on-failure: systemd restarted the service by itself" test "$n" -gt "$nrestarts"

# ---- stop --------------------------------------------------------------------------------------------
out=$(ct_timeout 30 systemctl stop pathvisord.socket pathvisord 2>&1)
rc=$?
sock=$(prop ActiveState pathvisord.socket) svc=$(prop ActiveState pathvisord.service)
diag="rc=$rc $out; socket $sock, service $svc"
check "systemctl stop pathvisord.socket pathvisord" test "$rc" = 0 -a "$sock" = inactive -a "$svc" = inactive
out=$(ct_timeout 10 pathvisor run --daemon -r /srv/pv-e2e/original=/srv/pv-e2e/target -- cat /srv/pv-e2e/original 2>&1)
rc=$?
diag="rc=$rc $out"
check "after the stop, pathvisor run --daemon fails" test "$rc" != 0

if [ "$DUMP_JOURNAL" = 1 ] && [ -n "$INIT" ]; then
        echo "# journalctl -u pathvisord.socket -u pathvisord.service in the container:"
        in_ct journalctl -u pathvisord.socket -u pathvisord.service --no-pager -q -o short-monotonic 2>&1 |
                tail -n 80 | sed 's/^/#   /'
fi
echo "# ${SECONDS}s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
