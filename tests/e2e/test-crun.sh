#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test-crun.sh PATHVISORD
#
# pathvisord serving crun containers (as root; Debian packages crun and busybox-static):
# a busybox container whose linux.seccomp.listenerPath is the socket of a pathvisord of our own
# (in a temporary directory, with its own --policy-dir) and whose profile is named by
# listenerMetadata "profile=NAME" or by the annotation org.pathvisor.profile. Checks:
#   1. cat /etc/passwd in the container prints the redirect target (a file in the container's root)
#   2. the profile named by the annotation (empty listenerMetadata) works the same way
#   3. a deny rule (/etc/shadow: ENOENT) fails the container's open with that error, while the
#      same file is readable under a profile without the rule
#   4. the daemon accepted crun's message, which crun pretty-prints over several lines with
#      ociVersion "0.2.0": one session line per container, with its profile, and no error lines
#   5. the daemon stops cleanly on SIGTERM, with no sanitizer report or assertion in its log
#
# crun 1.8.1 refuses a hybrid cgroup layout (cgroup v1 controllers plus a cgroup2 hierarchy that
# has a controller of its own, here hugetlb on /sys/fs/cgroup/unified): "cgroups in hybrid mode
# not supported, drop all controllers from cgroupv2", even with --cgroup-manager=disabled. So
# every crun command runs in a private mount namespace (unshare -m) with cgroup2 mounted on
# /sys/fs/cgroup, with --cgroup-manager=disabled, a config without linux.resources, and a
# private --root for crun's state. Those mounts end with the namespace's last process; this
# script mounts nothing in its own namespace.
#
# Prints "ok - NAME" / "not ok - NAME" (details as "# " lines, with the daemon's debug log), then
# "N passed, M failed". Exit 0 when nothing failed, 1 otherwise, 77 (with the reason) when not
# root, when crun, unshare or a static /bin/busybox is missing, or when crun cannot run even a
# plain container here. PV_TEST_KEEP=1 keeps the temporary directory.

set -u
export LC_ALL=C

if [ $# -ne 1 ]; then
        echo "usage: $0 PATHVISORD" >&2
        exit 1
fi
skip_all() { echo "SKIP: $1"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip_all "the crun test needs root"
PVD=$(readlink -f "$1")
[ -x "$PVD" ] || { echo "$0: $1: not an executable" >&2; exit 1; }
command -v crun >/dev/null || skip_all "crun is not installed (Debian package crun)"
command -v unshare >/dev/null || skip_all "unshare is not installed (util-linux)"
if ! [ -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
        skip_all "no static /bin/busybox (Debian package busybox-static)"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/pv-crun.XXXXXX") || exit 1
chmod 755 "$T"
cd "$T" || exit 1
ulimit -c 0
CROOT=$T/crun-state # crun --root
ROOTFS=$T/rootfs
mkdir -p "$CROOT" "$T/policy.d" "$ROOTFS"/{bin,etc,proc,dev,tmp}

DPID=
CIDS=()

# gone PID: PID (a child of ours) has ended: a zombie or no more
gone() {
        local s
        { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 0
        s=${s##*) }
        [ "${s%% *}" = Z ]
}

# ------------------------------------------------------------------------------------------------
# crun in a private mount namespace with cgroup2 on /sys/fs/cgroup (see above)

CRUN=(unshare -m sh -c 'mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"'
        sh crun --root "$CROOT" --cgroup-manager=disabled)

cleanup() {
        local id
        for id in "${CIDS[@]}"; do
                { timeout -k 1 10 "${CRUN[@]}" delete -f "$id" >/dev/null 2>&1; } 2>/dev/null
        done
        if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
                kill -TERM "$DPID" 2>/dev/null
                for _ in $(seq 50); do gone "$DPID" && break; sleep 0.1; done
                gone "$DPID" || kill -KILL "$DPID" 2>/dev/null
                wait "$DPID" 2>/dev/null
        fi
        if [ -n "${PV_TEST_KEEP:-}" ]; then
                echo "# kept $T"
        else
                cd / && rm -rf "$T"
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------
# reporting

PASS=0
FAIL=0
ok() { echo "ok - $1"; PASS=$((PASS + 1)); }
notok() { # NAME [FILE or "-" TEXT]...
        local name=$1
        shift
        echo "not ok - $name"
        while [ $# -gt 0 ]; do
                if [ "$1" = - ]; then
                        shift
                        printf '%s\n' "$1" | sed 's/^/# /'
                elif [ -s "$1" ]; then
                        head -c 6000 "$1" | sed 's/^/# /'
                fi
                shift
        done
        FAIL=$((FAIL + 1))
}
finish() {
        echo "$PASS passed, $FAIL failed"
        [ $FAIL -eq 0 ] && exit 0
        exit 1
}

# ------------------------------------------------------------------------------------------------
# the container's root and the profiles (the daemon resolves paths in the container's root: the
# redirect targets are container paths)

cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh cat echo; do ln -s busybox "$ROOTFS/bin/$a"; done
echo "root:x:0:0:the container's own passwd:/:/bin/sh" >"$ROOTFS/etc/passwd"
echo "redirected inside the container" >"$ROOTFS/etc/pv-target"
echo "redirected by the annotation's profile" >"$ROOTFS/etc/pv-target-ann"
echo "root:the-container-secret:19000:0:99999:7:::" >"$ROOTFS/etc/shadow"
chmod 600 "$ROOTFS/etc/shadow"
cat >"$T/policy.d/ctr.json" <<'EOF'
{
  "version": 1,
  "rules": [
    { "path": "/etc/passwd", "redirect": "/etc/pv-target" },
    { "path": "/etc/shadow", "deny": "ENOENT" }
  ]
}
EOF
cat >"$T/policy.d/ann.json" <<'EOF'
{
  "version": 1,
  "rules": [
    { "path": "/etc/passwd", "redirect": "/etc/pv-target-ann" }
  ]
}
EOF

# make_bundle NAME SECCOMP(yes|no) METADATA ANNOTATION ARG...: $T/b-NAME/config.json; an empty
# ANNOTATION gives no annotation. The args must not contain '"' or '\'.
make_bundle() {
        local b=$T/b-$1 seccomp=$2 meta=$3 ann=$4 args='' a sc='' annj='{}'
        shift 4
        for a in "$@"; do
                case $a in *[\"\\]*) printf '%s: make_bundle: %s: no double quote or backslash here\n' "$0" "$a" >&2; exit 1 ;; esac
                args+="${args:+, }\"$a\""
        done
        [ -n "$ann" ] && annj="{ \"org.pathvisor.profile\": \"$ann\" }"
        if [ "$seccomp" = yes ]; then
                sc=",
    \"seccomp\": {
      \"defaultAction\": \"SCMP_ACT_ALLOW\",
      \"listenerPath\": \"$T/sock\",
      \"listenerMetadata\": \"$meta\",
      \"architectures\": [ \"SCMP_ARCH_X86_64\" ],
      \"syscalls\": [ { \"names\": [ \"open\", \"openat\", \"newfstatat\", \"statx\" ],
                      \"action\": \"SCMP_ACT_NOTIFY\" } ]
    }"
        fi
        mkdir -p "$b"
        cat >"$b/config.json" <<EOF
{
  "ociVersion": "1.0.0",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ $args ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "noNewPrivileges": true
  },
  "root": { "path": "$ROOTFS", "readonly": true },
  "hostname": "pvtest",
  "annotations": $annj,
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=1024k" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "nodev" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" },
                    { "type": "mount" } ],
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug" ],
    "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]$sc
  }
}
EOF
}

# run_container NAME: crun run of $T/b-NAME; stdout in $T/out-NAME, stderr in $T/err-NAME, the
# exit status in $T/rc-NAME; then crun delete -f. crun run forwards SIGTERM to the container,
# whose init ignores it, hence the SIGKILL after a second. After one container has stalled (an
# agent that does not answer), the next ones are not run, to stay within the time limit.
STALLED=
run_container() {
        local id=pvtest-$$-$1 rc
        if [ -n "$STALLED" ]; then
                : >"$T/out-$1"
                echo "not run: container $STALLED stalled before" >"$T/err-$1"
                echo "not run" >"$T/rc-$1"
                return
        fi
        CIDS+=("$id")
        { timeout -k 1 10 "${CRUN[@]}" run --bundle "$T/b-$1" "$id" >"$T/out-$1" 2>"$T/err-$1" </dev/null; } 2>/dev/null
        rc=$?
        case $rc in
        124 | 137)
                STALLED=$1
                echo "stalled: killed after 10 s" >>"$T/err-$1"
                ;;
        esac
        echo $rc >"$T/rc-$1"
        { timeout -k 1 10 "${CRUN[@]}" delete -f "$id" >/dev/null 2>&1; } 2>/dev/null
}

# ------------------------------------------------------------------------------------------------
# can crun run a plain container here at all?

make_bundle probe no "" "" cat /etc/passwd
run_container probe
if [ "$(cat "$T/rc-probe")" != 0 ] || [ "$(cat "$T/out-probe")" != "root:x:0:0:the container's own passwd:/:/bin/sh" ]; then
        why=$(tr '\n' ' ' <"$T/err-probe")
        why=${why% }
        skip_all "crun $(crun --version | head -1 | cut -d' ' -f3) cannot run a plain busybox container here, even in a private mount namespace with cgroup2 on /sys/fs/cgroup and --cgroup-manager=disabled (exit $(cat "$T/rc-probe")): ${why:-no message}"
fi

# ------------------------------------------------------------------------------------------------
# the daemon

"$PVD" --socket "$T/sock" --policy-dir "$T/policy.d" --log-level debug 2>"$T/log" </dev/null &
DPID=$!
for _ in $(seq 100); do grep -q "listening on" "$T/log" && break; gone "$DPID" && break; sleep 0.05; done
if ! grep -q "listening on" "$T/log"; then
        notok "pathvisord starts on a socket of the test's own" - "daemon log:" "$T/log"
        finish
fi

log_mark() { wc -l <"$T/log"; }
# the daemon's log since MARK, shown on a failure
log_since() { tail -n +"$(($1 + 1))" "$T/log" | head -60; }
# container_log NAME MARK: the daemon's log of one container's run, for check 4
container_log() { tail -n +"$(($2 + 1))" "$T/log" >"$T/log-$1"; }

# 1. the profile named by listenerMetadata
N1="crun: a container's cat /etc/passwd prints the target of the profile named by listenerMetadata"
make_bundle meta yes "profile=ctr" "" cat /etc/passwd
m=$(log_mark)
run_container meta
container_log meta "$m"
if [ "$(cat "$T/out-meta")" = "redirected inside the container" ] && [ "$(cat "$T/rc-meta")" = 0 ]; then
        ok "$N1"
else
        notok "$N1" - "exit $(cat "$T/rc-meta"), stdout: $(cat "$T/out-meta")" - "stderr:" "$T/err-meta" \
                - "daemon log:" - "$(log_since "$m")"
fi

# 2. the profile named by the annotation, listenerMetadata empty
N2="crun: the profile named by the annotation org.pathvisor.profile (empty listenerMetadata)"
make_bundle ann yes "" ann cat /etc/passwd
m=$(log_mark)
run_container ann
container_log ann "$m"
if [ "$(cat "$T/out-ann")" = "redirected by the annotation's profile" ] && [ "$(cat "$T/rc-ann")" = 0 ]; then
        ok "$N2"
else
        notok "$N2" - "exit $(cat "$T/rc-ann"), stdout: $(cat "$T/out-ann")" - "stderr:" "$T/err-ann" \
                - "daemon log:" - "$(log_since "$m")"
fi

# 3. a deny rule: /etc/shadow ENOENT under ctr; the same file read under ann (no such rule)
N3="crun: a deny rule (/etc/shadow: ENOENT) fails the container's open with ENOENT"
make_bundle deny yes "profile=ctr" "" sh -c 'cat /etc/shadow; echo cat exit $?'
m=$(log_mark)
run_container deny
container_log deny "$m"
make_bundle ctl yes "profile=ann" "" cat /etc/shadow
m2=$(log_mark)
run_container ctl
container_log ctl "$m2"
if [ "$(cat "$T/out-deny")" = "cat exit 1" ] && [ "$(cat "$T/rc-deny")" = 0 ] &&
        grep -qF "can't open '/etc/shadow': No such file or directory" "$T/err-deny" &&
        [ "$(cat "$T/out-ctl")" = "root:the-container-secret:19000:0:99999:7:::" ]; then
        ok "$N3"
else
        notok "$N3" - "under ctr (deny): exit $(cat "$T/rc-deny"), stdout: $(cat "$T/out-deny")" - "stderr:" "$T/err-deny" \
                - "under ann (control, no deny rule): exit $(cat "$T/rc-ctl"), stdout: $(cat "$T/out-ctl")" \
                - "stderr:" "$T/err-ctl" - "daemon log:" - "$(log_since "$m")"
fi

# 4. crun's pretty-printed message was accepted: a session line for each container, no error
N4="crun: the daemon accepts crun's multi-line message (a session line per container, with its profile)"
bad=
for c in meta:ctr ann:ann deny:ctr ctl:ann; do
        name=${c%%:*} prof=${c#*:}
        grep -Eq "session [0-9]+: uid 0, pid [0-9]+, profile $prof \(container\)" "$T/log-$name" ||
                bad+="container $name: no line \"session N: uid 0, pid P, profile $prof (container)\""$'\n'
done
errs=$(grep -Ei 'malformed|not valid JSON|EPROTO|closed in the middle|error|failed' "$T/log" | grep -v ' ended: ')
[ -z "$errs" ] || bad+="error lines in the daemon's log:"$'\n'"$errs"$'\n'
if [ -z "$bad" ]; then
        ok "$N4"
else
        notok "$N4" - "${bad%$'\n'}" - "daemon log (debug):" "$T/log"
fi

# 5. the daemon stops cleanly
kill -TERM "$DPID" 2>/dev/null
rc=timeout
for _ in $(seq 100); do
        if gone "$DPID"; then wait "$DPID"; rc=$?; break; fi
        sleep 0.05
done
[ "$rc" = timeout ] || DPID=
N5="crun: the daemon stops cleanly on SIGTERM (exit 0, no sanitizer report or assertion in its log)"
BADLOG='AddressSanitizer|LeakSanitizer|runtime error:|Assertion|aborting'
if [ "$rc" = 0 ] && ! grep -Eq "$BADLOG" "$T/log"; then
        ok "$N5"
else
        notok "$N5" - "exit status: $rc" - "daemon log:" - "$(grep -E -A20 "$BADLOG" "$T/log" | head -60)" \
                - "$(tail -20 "$T/log")"
fi

finish
