#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-engine-tests.sh PATHVISOR PV_SYSCALL [BACKEND]
#
# Integration tests of the engine: real programs and raw system calls (tests/helpers/pv-syscall)
# run natively on a target and under `PATHVISOR run --embedded -b BACKEND` (default unotify) on a
# path that a rule redirects to that target; the outputs must be equal. Deny and read-only rules
# are checked against the exact errno that they must give. The system call cases run a second
# time with the same rules in a strict policy (names end in " [strict]").
#
# Prints "ok - NAME" or "not ok - NAME" (with the diff, as "# " lines) per case, then
# "N passed, M failed[, K skipped]". Exit 0 when nothing failed, 1 otherwise, 77 when PATHVISOR
# has no `run` verb yet (or BACKEND is not available on this kernel), 99 on a set-up error.
#
# Environment: PV_TEST_FILTER=REGEX runs only the cases whose name matches; PV_TEST_KEEP=1 keeps
# the temporary directory; PV_PY_OPENS (default 10000, 2000 under plain ptrace) opens per python3 thread;
# PV_MODE=daemon PATHVISORD=PATH runs every case through a pathvisord that the script starts on a
# socket of its own (and stops by its pid), instead of `run --embedded`.

set -u
export LC_ALL=C

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
        echo "usage: $0 PATHVISOR PV_SYSCALL [BACKEND]" >&2
        exit 99
fi
PV=$(readlink -f "$1")
H=$(readlink -f "$2")
BACKEND=${3:-unotify}
export H
FILTER_RE=${PV_TEST_FILTER:-}
# plain ptrace stops every call of every thread twice (the GIL's futex calls too): fewer opens
# keep the case under a minute on 2 vCPUs; it tests the same thing
if [ "$BACKEND" = ptrace ]; then PY_OPENS=${PV_PY_OPENS:-2000}; else PY_OPENS=${PV_PY_OPENS:-10000}; fi
TMO=20 # seconds for one command

if ! [ -x "$H" ]; then
        echo "$0: $H: not an executable" >&2
        exit 99
fi
if ! "$PV" run --help >/dev/null 2>&1; then
        echo "SKIP: $PV has no 'run' verb yet"
        exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/pv-engine.XXXXXX") || exit 99
chmod 755 "$T"
cd "$T" || exit 99
ulimit -c 0

# Background processes that this script started, as "pid:starttime"; cleaned up by pid.
BG=()

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

alive() { # PID: exists and is not a zombie
        local s
        s=$(proc_stat "$1") || return 1
        [ "${s%% *}" != Z ]
}

same_proc() { # PID STARTTIME: that process still exists (any state)
        local st
        st=$(starttime "$1") || return 1
        [ "$st" = "$2" ]
}

track() { # PID: remember a process that we started
        local st
        st=$(starttime "$1") && BG+=("$1:$st")
}

cleanup() {
        local e pid st
        for e in "${BG[@]}"; do
                pid=${e%%:*}
                st=${e#*:}
                if same_proc "$pid" "$st"; then
                        kill -KILL "$pid" 2>/dev/null
                fi
        done
        # a FIFO open that may still block somebody
        if [ -p "$T/real/fifo" ]; then
                timeout 2 bash -c 'exec 9<>"$1"; sleep 0.2' _ "$T/real/fifo" 2>/dev/null
        fi
        wait 2>/dev/null
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

SFX= # appended to every case name (" [strict]" in the second pass)

selected() { # NAME: does the filter select this case?
        [ -z "$FILTER_RE" ] || [[ $1$SFX =~ $FILTER_RE ]]
}

ok() {
        echo "ok - $1$SFX"
        PASS=$((PASS + 1))
}

notok() { # NAME [FILE-with-details...]
        local name=$1$SFX f
        shift
        echo "not ok - $name"
        for f in "$@"; do
                [ -s "$f" ] && sed 's/^/# /' "$f"
        done
        FAIL=$((FAIL + 1))
        FAILED+=("$name")
}

skip() { # NAME REASON
        echo "ok - $1$SFX # SKIP $2"
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

# pv OUT [PATHVISOR RUN OPTIONS...] -- CMD...: the same under pathvisor.
pv() {
        local out=$1
        shift
        { timeout -k 3 "$TMO" env --default-signal "$PV" run $PV_MODE_ARGS -b "$BACKEND" "$@" >"$out" 2>"$out.err" </dev/null; } 2>/dev/null
        local rc=$?
        echo "exit $rc" >>"$out"
        [ $rc -ne 124 ] || echo "(timed out after ${TMO}s)" >>"$out.err"
}

# compare NAME EXPECTED ACTUAL: equal outputs, or not ok with the diff and pathvisor's stderr.
compare() {
        if diff -u --label "expected (native on target)" --label "under pathvisor" "$2" "$3" >"$T/diff"; then
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

# The prelude of the bash scripts that cases run. D is the directory under test (the target
# natively, the redirected name under pathvisor); "c ARGS" calls the helper and prints
# "ARGS => result" with D shown as "D"; "w ARGS" does the same, except that when FAKE is set it
# prints "err $FAKE" instead of making the call (to build the expected output of deny and
# read-only cases from a native run).
PRELUDE='
label() { local a="$*" n="${D##*/}"; a=${a//"$D"/D}; [ -z "$n" ] || a=${a//"$n"/N}; printf "%s => " "${a//[^[:print:]]/?}"; }
c() { label "$@"; "$H" "$@"; }
w() { label "$@"; if [ -n "${FAKE:-}" ]; then echo "err $FAKE"; else "$H" "$@"; fi; }
'

# name_d FILE DIR [all]: DIR as "D" in the path="..." fields of FILE (the helper's name of an fd,
# from readlink of /proc/self/fd/N), or with "all" wherever a path starts with it. Paths that the
# kernel shows the program (/proc/self/fd/N, /proc/self/cwd, getcwd) name a redirected object by
# the name the program used (D under pathvisor), natively by the target's (D natively). Symlink
# contents are never translated: cases that print them do not use "all".
name_d() {
        local e=${2//#/\\#}
        if [ "${3:-}" = all ]; then
                sed -i -e "s#\([\" =]\|^\)$e\([/\" ]\|\$\)#\1D\2#g" "$1"
        else
                sed -i -e "s#path=\"$e\([/\"]\)#path=\"D\1#g" "$1"
        fi
}

# both NAME NATIVE_D PV_D SCRIPT [PATHVISOR OPTIONS...]: run the bash SCRIPT with D=NATIVE_D
# natively and with D=PV_D under pathvisor (policy $POL plus the options), compare the outputs.
# SUBST=1: replace both directories by "D" in both outputs (for programs that print names).
# SED=EXPR: apply this sed expression to both outputs. FAKE=ERRNO: see PRELUDE (native run only).
both() {
        local name=$1 nd=$2 vd=$3 script=$4
        shift 4
        selected "$name" || return 0
        D=$nd nat "$T/n" bash --norc --noprofile -c "$PRELUDE$script"
        D=$vd FAKE='' pv "$T/p" -p "$POL" "$@" -- bash --norc --noprofile -c "$PRELUDE$script"
        name_d "$T/n" "$nd" ${NAMED:+all}
        name_d "$T/p" "$vd" ${NAMED:+all}
        if [ -n "${SUBST:-}" ]; then
                sed -i -e "s#$nd#D#g" -e "s#$vd#D#g" "$T/n" "$T/p"
        fi
        if [ -n "${SED:-}" ]; then
                sed -i -e "$SED" "$T/n" "$T/p"
        fi
        compare "$name" "$T/n" "$T/p"
}

# expect_text NAME EXPECTED-TEXT ACTUAL-FILE
expect_text() {
        printf '%s\n' "$2" >"$T/e"
        compare "$1" "$T/e" "$3"
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

# All descendants of PID (and PID), as "pid:starttime" lines.
descendants() {
        local root=$1 f s pid ppid changed=1
        local -A parent=() start=() in=()
        for f in /proc/[0-9]*/stat; do
                { read -r s <"$f"; } 2>/dev/null || continue
                pid=${f#/proc/}
                pid=${pid%/stat}
                s=${s##*) }
                set -- $s
                parent[$pid]=$2
                start[$pid]=${20}
        done
        in[$root]=1
        while [ $changed = 1 ]; do
                changed=0
                for pid in "${!parent[@]}"; do
                        ppid=${parent[$pid]}
                        if [ -z "${in[$pid]:-}" ] && [ -n "${in[$ppid]:-}" ]; then
                                in[$pid]=1
                                changed=1
                        fi
                done
        done
        for pid in "${!in[@]}"; do
                [ -n "${start[$pid]:-}" ] && echo "$pid:${start[$pid]}"
        done
}

# ------------------------------------------------------------------------------------------------
# the file tree
#
#   real/          the targets                    vdir/   a real directory with decoys; each of
#     file ro secret link abslink dangling                its names below is redirected to the
#     fifo exec.sh sub/{a,b,c,deep/x}                      same name in real/ (rule per name)
#   virt/          decoys; the whole directory is redirected to real/
#   wdir/          target of vw/ (1777), for creating files; vw/ holds decoys
#   denyA denyN denyP denyQ denyQ2   deny rules (EACCES, ENOENT, EPERM, quick rule, quick :ENOENT)
#   rodir/ rodirQ/ readonly (policy, quick rule); rored -> real/, redirected and read-only

R=$T/real
V=$T/vdir
VD=$T/virt
VD2=$T/virt2 # redirected to vlinks/: absolute links in a redirected tree
W=$T/wdir
VW=$T/vw

mkdir -p "$R/sub/deep" "$V" "$VD" "$W" "$VW" "$T/rodir" "$T/rodirQ" "$T/s" "$T/mnt" "$T/vm"
# a name with a newline, a space and a byte that is not UTF-8
ODD=$'odd\nna me\xff'
export ODD
printf 'odd target\n' >"$R/$ODD"
printf 'target content\n' >"$R/file"
printf 'read-only target\n' >"$R/ro"
printf 'secret target\n' >"$R/secret"
printf '#!/bin/sh\necho script-target\n' >"$R/exec.sh"
# a #! script that prints its $0 and arguments, and one whose interpreter is a redirected name
printf '#!/bin/sh\necho "script \\$0=$0 args=$*"\n' >"$R/args.sh"
cp /bin/busybox "$R/busybox" 2>/dev/null
printf '#!%s sh\necho "interpreter redirected: \\$0=$0 args=$*"\n' "$V/busybox" >"$T/interp.sh"
printf '#!%s sh\necho "interpreter redirected: \\$0=$0 args=$*"\n' "$R/busybox" >"$T/interp-native.sh"
chmod 0755 "$R/args.sh" "$T/interp.sh" "$T/interp-native.sh"
chmod 0644 "$R/file"
chmod 0444 "$R/ro"
chmod 0600 "$R/secret"
chmod 0755 "$R/exec.sh"
printf 'nobody owns this\n' >"$R/nobodys"
chmod 0600 "$R/nobodys"
chown 65534:65534 "$R/nobodys" 2>/dev/null
ln -s file "$R/link"
ln -s "$R/file" "$R/abslink"
ln -s nowhere "$R/dangling"
# absolute links that name paths of the program's view ($VD is redirected to $R as a whole)
mkdir -p "$T/vlinks"
ln -s "$VD/file" "$T/vlinks/vlink"
ln -s "$VD/sub" "$T/vlinks/vdlink"
ln -s "$VD2/loop2" "$T/vlinks/loop1"
ln -s "$VD2/loop1" "$T/vlinks/loop2"
ln -s /etc/hostname "$T/vlinks/host"
mkfifo "$R/fifo"
for f in a b c; do echo "sub $f" >"$R/sub/$f"; done
echo "deep x" >"$R/sub/deep/x"
for f in file ro secret exec.sh; do printf 'DECOY %s\n' "$f" >"$V/$f"; chmod 0600 "$V/$f"; done
ln -s decoy-target "$V/link"
printf 'DECOY virt\n' >"$VD/file"
chmod 1777 "$W"
printf 'w-target\n' >"$W/exists"
printf 'w-decoy\n' >"$VW/exists"
for d in denyA denyN denyP denyQ denyQ2; do mkdir "$T/$d"; echo "$d content" >"$T/$d/x"; done
echo "ro content" >"$T/rodir/x"
echo "roQ content" >"$T/rodirQ/x"
# settle the atimes (relatime) so that reads and listings during the tests do not change them
cat "$R/file" "$R/ro" "$R/secret" "$R/exec.sh" "$R"/sub/? "$R/sub/deep/x" "$V/file" >/dev/null
ls -R "$R" "$V" "$VD" >/dev/null

# a path name that is shorter than PATH_MAX as written but not once redirected
LONGT=$T/real/sub/deep/a-much-longer-name-for-the-target-directory
POL=$T/policy.json
cat >"$POL" <<EOF
{
  "version": 1,
  "rules": [
    { "path": "$V/file",     "redirect": "$R/file" },
    { "path": "$V/ro",       "redirect": "$R/ro" },
    { "path": "$V/secret",   "redirect": "$R/secret" },
    { "path": "$V/exec.sh",  "redirect": "$R/exec.sh" },
    { "path": "$V/args.sh",  "redirect": "$R/args.sh" },
    { "path": "$V/busybox",  "redirect": "$R/busybox" },
    { "path": "$V/link",     "redirect": "$R/link" },
    { "path": "$V/abslink",  "redirect": "$R/abslink" },
    { "path": "$V/dangling", "redirect": "$R/dangling" },
    { "path": "$V/fifo",     "redirect": "$R/fifo" },
    { "path": "$V/sub",      "redirect": "$R/sub" },
    { "path": "$V/noexist",  "redirect": "$R/noexist" },
    { "path": "$V/nobodys",  "redirect": "$R/nobodys" },
    { "path": "$VD",         "redirect": "$R" },
    { "path": "$VD2",        "redirect": "$T/vlinks" },
    { "path": "$VW",         "redirect": "$W" },
    { "path": "$T/s",        "redirect": "$LONGT" },
    { "path": "$T/denyA",    "deny": "EACCES" },
    { "path": "$T/denyN",    "deny": "ENOENT" },
    { "path": "$T/denyP",    "deny": "EPERM" },
    { "path": "$T/rodir",    "readonly": true },
    { "path": "$T/rored",    "redirect": "$R", "readonly": true },
    { "path": "$T/vm",       "redirect": "$T/mnt" }
  ]
}
EOF

# the same rules, strict
sed 's/^  "version": 1,$/  "version": 1, "strict": true,/' "$POL" >"$T/policy-strict.json"
POLS=$T/policy-strict.json
POL0=$POL
grep -q '"strict": true' "$POLS" || { echo "$0: could not write the strict policy" >&2; exit 99; }

HAVE_I386=
if [ "$(uname -m)" = x86_64 ] && "$H" i386-stat / 2>/dev/null | grep -qx ok; then
        HAVE_I386=1
fi
HAVE_SETPRIV=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        HAVE_SETPRIV=1
fi

# Is the backend there at all? (e.g. no seccomp listener on this kernel: skip, never fake)
"$PV" run $PV_MODE_ARGS -b "$BACKEND" -r "$V/file=$R/file" -- cat "$V/file" >"$T/probe" 2>"$T/probe.err"
rc=$?
if [ $rc -ne 0 ] && grep -qiE 'not (available|supported)|unsupported|ENOSYS' "$T/probe.err"; then
        echo "SKIP: backend $BACKEND not available here: $(head -n1 "$T/probe.err")"
        exit 77
fi

echo "# pathvisor: $PV, backend $BACKEND, helper $H, dir $T"

# ------------------------------------------------------------------------------------------------
# cases
# ------------------------------------------------------------------------------------------------

core_cases() { # the cases that run once more with a strict policy

# --- the demo and plain paths -------------------------------------------------------------------

if selected "demo: -r /etc/passwd=TARGET -- cat /etc/passwd"; then
        nat "$T/n" cat "$R/file"
        pv "$T/p" -r "/etc/passwd=$R/file" -- cat /etc/passwd
        compare "demo: -r /etc/passwd=TARGET -- cat /etc/passwd" "$T/n" "$T/p"
fi

if selected "relative path: cd /etc && cat passwd"; then
        nat "$T/n" cat "$R/file"
        pv "$T/p" -r "/etc/passwd=$R/file" -- sh -c 'cd /etc && cat passwd && cat ./passwd && cat ../etc//passwd'
        cat "$R/file" "$R/file" "$R/file" >"$T/n2"
        echo "exit 0" >>"$T/n2"
        compare "relative path: cd /etc && cat passwd" "$T/n2" "$T/p"
fi

both "absolute, relative and un-normalised names (cat)" "$R" "$V" '
cat "$D/file"; cat "$D/sub/a" "$D/sub/deep/x"
cd "$D" && cat file && cat ./sub/../file && cat .//sub/b
cd / && cat "${D#/}/file"
cd "$D" && cat sub/deep/x
'

# $R/file is the target of two rules here ($VD, and $V/file): which name the program used for an
# fd on it cannot be told from the fd (README, limits), so the fds' names are left out.
SED='s/ path="[^"]*"//' both "whole directory redirected: cwd inside it, dirfd of it, AT_EMPTY_PATH" "$R" "$VD" '
cd "$D" && cat file sub/a ./sub/deep/x
c fstatat "$D" "" AT_EMPTY_PATH
c statx "$D" "" AT_EMPTY_PATH STATX_BASIC_STATS
c openat "$D" file O_RDONLY
c openat2 "$D" sub/a O_RDONLY RESOLVE_BENEATH
c stat "$D"
c stat "$D/"
c open "$D" "O_RDONLY|O_DIRECTORY|O_CLOEXEC"
c readlink "$D/link"
cat "$D/$ODD"; c stat "$D/$ODD" | grep -vE "^[amc]time "; c open "$D/$ODD" O_RDONLY
'

both "path that no rule covers goes through" "$R" "$R" '
cat "$D/file"; ls "$D"; c stat "$D/file"
'

# --- open family --------------------------------------------------------------------------------

both "open: flags, O_CLOEXEC kept and not added" "$R" "$V" '
c open "$D/file" O_RDONLY
c open "$D/file" "O_RDONLY|O_CLOEXEC"
c open "$D/file" "O_RDONLY|O_NONBLOCK|O_NOATIME"
c open "$D/file" "O_RDONLY|O_CLOEXEC|O_NOFOLLOW"
c open "$D/link" O_RDONLY
c open "$D/link" "O_RDONLY|O_NOFOLLOW"
c open "$D/file" "O_RDONLY|O_DIRECTORY"
c open "$D/file/" O_RDONLY
c open "$D/sub" "O_RDONLY|O_DIRECTORY"
c open "$D/sub/" "O_RDONLY|O_DIRECTORY|O_CLOEXEC"
c open "$D/sub" "O_WRONLY"
c open "$D/abslink" O_RDONLY
c open "$D/dangling" O_RDONLY
c open "$D/noexist" O_RDONLY
c open "$D/sub/deep/x" "O_RDONLY|O_CLOEXEC"
c openat - "$D/file" O_RDONLY
c openat - "$D/file" "O_RDONLY|O_CLOEXEC"
c openat2 - "$D/file" O_RDONLY 0
c openat2 - "$D/file" "O_RDONLY|O_CLOEXEC" 0
'

if [ "$BACKEND" = unotify ]; then
# O_PATH files cannot be injected (SECCOMP_IOCTL_NOTIF_ADDFD refuses them): the documented
# approximation is a read-only fd on the same object for files and directories (compared without
# its flags and content).
SED='s/ flags=[^ ]*//; s/ content=.*$//' both "O_PATH opens of redirected paths: a read-only fd on the same object (documented)" "$R" "$V" '
c open "$D/file" O_PATH
c open "$D/file" "O_PATH|O_CLOEXEC"
c open "$D/sub" "O_PATH|O_DIRECTORY"
c openat2 "$D" file O_PATH RESOLVE_BENEATH
c fstatat "$D" link AT_SYMLINK_NOFOLLOW | head -n 3
'
# What cannot be answered with a read-only fd (a symlink itself, a FIFO) is the program's own
# open on the target, made through the session's ptrace side (the hybrid): as natively.
both "O_PATH on a redirected symlink (O_NOFOLLOW) and FIFO: the program's own open (hybrid)" "$R" "$V" '
c open "$D/link" "O_PATH|O_NOFOLLOW"
c open "$D/link" "O_PATH|O_NOFOLLOW|O_CLOEXEC"
c openat2 "$D" link "O_PATH|O_NOFOLLOW" RESOLVE_NO_SYMLINKS
c openat - "$D/link" "O_PATH|O_NOFOLLOW"
c open "$D/fifo" O_PATH
c open "$D/fifo" "O_PATH|O_CLOEXEC"
'
else
# The ptrace backends: the program's own open runs on the target, O_PATH included: exactly as
# natively.
both "O_PATH opens of redirected paths: files, directories, symlinks, FIFOs as natively" "$R" "$V" '
c open "$D/file" O_PATH
c open "$D/file" "O_PATH|O_CLOEXEC"
c open "$D/sub" "O_PATH|O_DIRECTORY"
c openat2 "$D" file O_PATH RESOLVE_BENEATH
c fstatat "$D" link AT_SYMLINK_NOFOLLOW | head -n 3
c open "$D/link" "O_PATH|O_NOFOLLOW"
c open "$D/link" "O_PATH|O_NOFOLLOW|O_CLOEXEC"
c openat2 "$D" link "O_PATH|O_NOFOLLOW" RESOLVE_NO_SYMLINKS
c open "$D/fifo" O_PATH
'
fi

# open_tree(2) without OPEN_TREE_CLONE is an O_PATH open (no privilege needed): the program's own
# call on the target under every backend (unotify: through its ptrace side, as O_PATH opens of
# what it cannot inject). With OPEN_TREE_CLONE (root) a detached copy of the mount.
both "open_tree: an O_PATH fd of the target; AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, errors; OPEN_TREE_CLONE as root" "$R" "$V" '
c open_tree - "$D/file" 0
c open_tree - "$D/sub" OPEN_TREE_CLOEXEC
c open_tree - "$D/link" AT_SYMLINK_NOFOLLOW
c open_tree - "$D/link" 0
c open_tree - "$D/fifo" 0
c open_tree - "$D/noexist" 0
c open_tree - "$D/file/x" 0
c open_tree "$D" sub/a 0
c open_tree "$D/sub" "" AT_EMPTY_PATH
c open_tree - "$D/file" 0x40000000
if [ "$(id -u)" = 0 ]; then c open_tree - "$D/sub" "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC"; fi
'

# file_getattr/file_setattr (6.17): the target's attributes; the script sets a flag and clears it
# again (both runs act on the same files)
both "file_getattr, file_setattr: the target's attributes; AT_SYMLINK_NOFOLLOW, sizes, errors" "$R" "$V" '
c file_getattr - "$D/file" 0
c file_getattr - "$D/link" 0
c file_getattr - "$D/link" AT_SYMLINK_NOFOLLOW
c file_getattr - "$D/sub" 0
c file_getattr - "$D/noexist" 0
c file_getattr - "$D/file" 0 32
c file_getattr - "$D/file" 0 16
c file_getattr - "$D/file" 0 8192
c file_getattr - "$D/file" AT_REMOVEDIR
c file_getattr "$D" file 0
c file_getattr "rd:$D/file" @null AT_EMPTY_PATH
c file_setattr - "$D/file" 0 FS_XFLAG_NODUMP 0
c file_getattr - "$D/file" 0
c file_setattr - "$D/file" 0 0 0
c file_getattr - "$D/file" 0
c file_setattr - "$D/noexist" 0 0 0
'

both "O_CLOEXEC: an fd opened without it survives exec" "$R" "$V" '
exec 3<"$D/file"; cat /proc/self/fd/3; exec 3<&-
sh -c "exec 4<\"\$0\" && cat <&4" "$D/sub/a"
'

NAMED=1 both "/proc/self and /dev/fd name the program itself" "$R" "$V" '
c readlink /proc/self/exe
c stat /proc/self/exe | grep -E "^(ok|err|ino|mode) "
cat /proc/self/comm
grep -c "pathvisor" /proc/self/maps
exec 3<"$D/file"
readlink /proc/self/fd/3; cat /proc/self/fd/3; cat /dev/fd/3; cat /proc/thread-self/fd/3
ls /proc/self/fd
c open /proc/self/fd/3 "O_RDONLY|O_CLOEXEC"
c readlink /proc/self/fd/3
exec 3<&-
'

both "openat: relative to a dirfd" "$T/real" "$T/vdir" '
c openat "dir:$D" file "O_RDONLY|O_CLOEXEC"
c openat "dir:$D" sub/a O_RDONLY
c openat "dir:$D/sub" deep/x O_RDONLY
c openat "$D" file "O_RDONLY|O_CLOEXEC"
c openat "$D" sub/a "O_RDONLY|O_CLOEXEC"
c openat "$D/sub" deep/x O_RDONLY
c openat "$D" link O_RDONLY
c openat "$D" link "O_RDONLY|O_NOFOLLOW"
c openat "$D" ./sub/../file O_RDONLY
c openat / "${D#/}/file" O_RDONLY
c openat "$D" "$D/file" O_RDONLY
cd "$D" && c openat - file O_RDONLY && c openat - sub/b O_RDONLY
c openat fd:99 file O_RDONLY
c openat fd:-5 file O_RDONLY
c openat "file:$D/sub/a" x O_RDONLY
c openat fd:99 "$D/file" O_RDONLY
'

both "openat: dirfd of a non-covered parent, covered name" "$T/real" "$T/vdir" '
cd "$D/.." && c openat - "${D##*/}/file" O_RDONLY
c openat "$D/.." "${D##*/}/file" "O_RDONLY|O_CLOEXEC"
c openat "$D/.." "${D##*/}/sub/deep/x" O_RDONLY
c openat "$D/.." "${D##*/}/noexist" O_RDONLY
'

both "openat2: plain, RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS, RESOLVE_IN_ROOT" "$T/real" "$T/vdir" '
c openat2 "$D" file "O_RDONLY|O_CLOEXEC" 0
c openat2 "$D" file O_RDONLY RESOLVE_BENEATH
c openat2 "$D" file O_RDONLY RESOLVE_NO_SYMLINKS
c openat2 "$D" file O_RDONLY "RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS"
c openat2 "$D" sub/a O_RDONLY RESOLVE_BENEATH
c openat2 "$D" sub/deep/../a O_RDONLY RESOLVE_BENEATH
c openat2 "$D/.." "${D##*/}/file" O_RDONLY RESOLVE_BENEATH
c openat2 "$D" "../${D##*/}/file" O_RDONLY RESOLVE_BENEATH
c openat2 "$D" "$D/file" O_RDONLY RESOLVE_BENEATH
c openat2 "$D" link O_RDONLY 0
c openat2 "$D" link O_RDONLY RESOLVE_BENEATH
c openat2 "$D" link O_RDONLY RESOLVE_NO_SYMLINKS
c openat2 "$D" abslink O_RDONLY 0
c openat2 "$D" abslink O_RDONLY RESOLVE_BENEATH
c openat2 "$D" abslink O_RDONLY RESOLVE_NO_SYMLINKS
c openat2 "$D" /file O_RDONLY RESOLVE_IN_ROOT
c openat2 "$D" /sub/a O_RDONLY RESOLVE_IN_ROOT
c openat2 - "$D/file" O_RDONLY RESOLVE_NO_XDEV
c openat2 - "$D/file" O_RDONLY RESOLVE_NO_MAGICLINKS
c openat2 - "$D/file" "O_RDONLY|O_CREAT" 0 0644
c openat2 - "$D/file" O_RDONLY 0 0644
'

# --- creating files -----------------------------------------------------------------------------

if selected "create in a redirected directory: touch honours the tracee's umask"; then
        rm -f "$W/new" "$W/new.native" "$VW/new"
        nat "$T/n" sh -c "umask 027 && touch '$W/new.native' && stat -c '%a %u %g %s %F' '$W/new.native'"
        pv "$T/p" -p "$POL" -- sh -c "umask 027 && touch '$VW/new' && stat -c '%a %u %g %s %F' '$VW/new'"
        { [ -e "$W/new" ] && echo "created in target" || echo "NOT in target"
          [ -e "$VW/new" ] && echo "LEAKED into the decoy directory" || echo "decoy untouched"
          stat -c '%a %u %g %s %F' "$W/new" 2>&1; } >>"$T/p"
        { echo "created in target"; echo "decoy untouched"; stat -c '%a %u %g %s %F' "$W/new.native"; } >>"$T/n"
        compare "create in a redirected directory: touch honours the tracee's umask" "$T/n" "$T/p"
fi

if selected "create: O_CREAT mode, O_EXCL, O_TRUNC, O_APPEND, creat, O_TMPFILE"; then
        script='
umask "$UM"
c open "$D/c1" "O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC" 0754
c open "$D/c1" "O_WRONLY|O_CREAT|O_EXCL" 0600
c open "$D/c2" "O_RDWR|O_CREAT" 0666
c openat "$D" c3 "O_WRONLY|O_CREAT|O_EXCL" 0640
c openat2 "$D" c4 "O_WRONLY|O_CREAT|O_EXCL" RESOLVE_BENEATH 0777
c creat "$D/c5" 0666
echo data >"$D/c5"
c open "$D/c5" "O_WRONLY|O_APPEND"
c open "$D/c5" "O_RDWR|O_TRUNC"
c stat "$D/c5" | grep -vE "^(dev|ino|[amc]time) "
c open "$D" "O_TMPFILE|O_RDWR" 0600
c open "$D" "O_TMPFILE|O_WRONLY|O_EXCL" 0666
c open "$D/sub-none/x" "O_WRONLY|O_CREAT" 0644
ls "$D"
'
        prep() { rm -rf "$W"/c? "$W/sub-none"; }
        prep
        D=$W UM=022 nat "$T/n" bash --norc --noprofile -c "$PRELUDE$script"
        prep
        D=$VW UM=022 pv "$T/p" -p "$POL" -- bash --norc --noprofile -c "$PRELUDE$script"
        ls "$VW" >>"$T/p"
        ls "$VW" >>"$T/n" # the decoy directory must be the same as before: nothing created there
        # created files get new inode numbers and times; an O_TMPFILE name has its inode number
        sed -i -E 's/ ino=[0-9]+//; s#path="[^"]*/\#[0-9]+ \(deleted\)"#path=TMPFILE#' "$T/n" "$T/p"
        name_d "$T/n" "$W"
        name_d "$T/p" "$VW"
        compare "create: O_CREAT mode, O_EXCL, O_TRUNC, O_APPEND, creat, O_TMPFILE" "$T/n" "$T/p"
        prep
fi

# --- stat family --------------------------------------------------------------------------------

both "stat, lstat, fstatat: every field equals the target's" "$R" "$V" '
c stat "$D/file"
c stat "$D/link"
c lstat "$D/link"
c lstat "$D/file"
c stat "$D/abslink"
c lstat "$D/abslink"
c stat "$D/dangling"
c lstat "$D/dangling"
c stat "$D/noexist"
c stat "$D/sub"
c stat "$D/sub/"
c stat "$D/file/"
c lstat "$D/sub/deep/x"
c stat "$D/fifo"
c fstatat - "$D/file" 0
c fstatat - "$D/link" AT_SYMLINK_NOFOLLOW
c fstatat "$D" link AT_SYMLINK_NOFOLLOW
c fstatat "$D" link 0
c fstatat "$D" sub/a 0
c fstatat "$D/.." "${D##*/}/file" 0
c fstatat "$D" "" 0
c fstatat fd:99 file 0
c fstatat - "$D/file" 0x40000000
c fstatat - "$D/file" AT_REMOVEDIR
cd "$D" && c stat file && c lstat link && c fstatat - sub/deep/x 0
'

both "statx: mask, attributes, btime, mnt_id equal the target's" "$R" "$V" '
c statx - "$D/file" 0 STATX_BASIC_STATS
c statx - "$D/file" 0 "STATX_BASIC_STATS|STATX_BTIME|STATX_MNT_ID"
c statx - "$D/file" 0 "STATX_ALL|STATX_MNT_ID|STATX_DIOALIGN|STATX_MNT_ID_UNIQUE|STATX_SUBVOL"
c statx - "$D/file" 0 0
c statx - "$D/file" 0 STATX_SIZE
c statx - "$D/file" AT_STATX_DONT_SYNC STATX_BASIC_STATS
c statx - "$D/file" AT_STATX_FORCE_SYNC STATX_BASIC_STATS
c statx - "$D/link" 0 STATX_BASIC_STATS
c statx - "$D/link" AT_SYMLINK_NOFOLLOW STATX_BASIC_STATS
c statx "$D" link AT_SYMLINK_NOFOLLOW STATX_BASIC_STATS
c statx "$D" sub 0 STATX_BASIC_STATS
c statx - "$D/noexist" 0 STATX_BASIC_STATS
c statx - "$D/file" 0 0x80000000
c statx - "$D/file" 0x40000000 STATX_BASIC_STATS
c statx - "$D/file" "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC" STATX_BASIC_STATS
'

SUBST=1 both "coreutils stat and ls -l show the target's fields" "$R" "$V" '
stat -c "%a %A %b %B %d %f %F %g %G %h %i %s %t %T %u %U %W %X %Y %Z" "$D/file" "$D/sub" "$D/ro"
stat -c "%N %a %F %s %i" "$D/link" "$D/abslink"
stat -L -c "%N %a %F %s %i" "$D/link"
stat -f -c "%t %b %c" "$D/file"
ls -l --time-style=full-iso "$D/file" "$D/link" "$D/abslink" "$D/ro"
ls -lL --time-style=full-iso "$D/link"
ls -ld --time-style=full-iso "$D/sub"
ls -li --time-style=full-iso "$D/sub"
ls -l --time-style=full-iso "$D/fifo"
'

# --- access family ------------------------------------------------------------------------------

ACCESS_SCRIPT='
for f in file ro secret exec.sh link dangling noexist sub; do
        for m in F_OK R_OK W_OK X_OK "R_OK|W_OK"; do
                c access "$D/$f" "$m"
                c faccessat "$D" "$f" "$m"
                c faccessat2 - "$D/$f" "$m" AT_EACCESS
                c faccessat2 "$D" "$f" "$m" 0
        done
        c faccessat2 "$D" "$f" F_OK AT_SYMLINK_NOFOLLOW
        for t in -e -r -w -x -f -d -h; do
                test $t "$D/$f" && echo "test $t $f: yes" || echo "test $t $f: no"
                /usr/bin/test $t "$D/$f" && echo "/usr/bin/test $t $f: yes" || echo "/usr/bin/test $t $f: no"
        done
done
'
both "access, faccessat, faccessat2, test -r/-w/-x (root)" "$R" "$V" "$ACCESS_SCRIPT"'
c access "$D/file" 0x10
c faccessat "$D" file 0x10
c faccessat2 - "$D/file" R_OK 0x40000000
c faccessat2 - "$D/file" R_OK AT_REMOVEDIR
c faccessat2 "$D" "" R_OK AT_EMPTY_PATH
'

if selected "access and open as an unprivileged tracee (acting with its credentials)"; then
        if [ -n "$HAVE_SETPRIV" ]; then
                # the script runs as nobody (uid and gid 65534, no supplementary groups)
                INNER="$PRELUDE$ACCESS_SCRIPT"'
c open "$D/secret" O_RDONLY
c open "$D/ro" O_RDWR
c open "$D/file" O_WRONLY
c open "$D/file" O_RDONLY
c open "$D/sub" "O_PATH|O_DIRECTORY" | sed "s/ fd=.*//"
c openat2 "$D" secret O_RDONLY RESOLVE_BENEATH
c creat "$D/sub/new" 0644
c stat "$D/secret" | grep -vE "^[amc]time "
cat "$D/secret" 2>&1 | sed "s#$D#D#"
id -u
' both "access and open as an unprivileged tracee (acting with its credentials)" "$R" "$V" '
exec setpriv --reuid=65534 --regid=65534 --clear-groups bash --norc --noprofile -c "$INNER"
'
        else
                skip "access and open as an unprivileged tracee (acting with its credentials)" "needs root and setpriv"
        fi
fi

# root, but without the capabilities that override file permissions: the kernel refuses what
# the file modes refuse, and so must the engine
if selected "a root tracee without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH"; then
        if [ -n "$HAVE_SETPRIV" ] && setpriv --bounding-set -dac_override,-dac_read_search true 2>/dev/null; then
                INNER="$PRELUDE"'
c open "$D/nobodys" O_RDONLY
c open "$D/ro" O_WRONLY
c open "$D/file" O_RDWR
c access "$D/nobodys" R_OK
c faccessat2 - "$D/nobodys" R_OK AT_EACCESS
c faccessat2 - "$D/ro" W_OK AT_EACCESS
c stat "$D/nobodys" | grep -E "^(ok|err|mode|uid) "
cat "$D/nobodys" 2>&1 | sed "s#$D#D#"
' both "a root tracee without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH" "$R" "$V" '
exec setpriv --bounding-set -dac_override,-dac_read_search bash --norc --noprofile -c "$INNER"
'
        else
                skip "a root tracee without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH" "needs root and setpriv --bounding-set"
        fi
fi

# --- readlink -----------------------------------------------------------------------------------

both "readlink, readlinkat of redirected symlinks" "$R" "$V" '
c readlink "$D/link"
c readlink "$D/abslink"
c readlink "$D/dangling"
c readlink "$D/link" 2
c readlink "$D/link" 1
c readlink "$D/file"
c readlink "$D/noexist"
c readlink "$D/sub"
c readlinkat "$D" link
c readlinkat "$D" abslink 3
c readlinkat "$D/.." "${D##*/}/link"
c readlinkat "$D" ""
cd "$D" && c readlinkat - link && c readlink dangling
readlink "$D/link"; readlink "$D/abslink"; readlink "$D/dangling"
'

# --- directories --------------------------------------------------------------------------------

SUBST=1 both "redirected directory listed (ls, find)" "$R" "$VD" '
ls "$D"; ls -a "$D/sub"; ls -la --time-style=full-iso "$D/sub"
ls -l --time-style=full-iso "$D"
find "$D" | sort
find "$D" -type f -name "?" | sort
find "$D/" -maxdepth 1 -type l | sort
cd "$D" && find . | sort && ls sub
'

# --- deny -----------------------------------------------------------------------------------------

DENY_SCRIPT='
for p in "$D" "$D/x" "$D/x/y" "$D/nothere" "$D/../${D##*/}/x"; do
        w open "$p" O_RDONLY
        w open "$p" "O_WRONLY|O_CREAT" 0644
        w open "$p" O_PATH
        w openat - "$p" "O_RDONLY|O_CLOEXEC"
        w openat2 - "$p" O_RDONLY 0
        w creat "$p" 0644
        w stat "$p"
        w lstat "$p"
        w fstatat - "$p" AT_SYMLINK_NOFOLLOW
        w statx - "$p" 0 STATX_BASIC_STATS
        w access "$p" F_OK
        w faccessat - "$p" R_OK
        w faccessat2 - "$p" R_OK AT_EACCESS
        w readlink "$p"
        w readlinkat - "$p"
done
cd "$D/.." && w open "${D##*/}/x" O_RDONLY && w stat "${D##*/}"
w openat "$D/.." "${D##*/}/x" O_RDONLY
'
deny_case() { # NAME DIR ERRNO [PATHVISOR OPTIONS...]
        local name=$1 dir=$2 e=$3
        shift 3
        selected "$name" || return 0
        D=$dir FAKE=$e nat "$T/n" bash --norc --noprofile -c "$PRELUDE$DENY_SCRIPT"
        D=$dir FAKE='' pv "$T/p" -p "$POL" "$@" -- bash --norc --noprofile -c "$PRELUDE$DENY_SCRIPT"
        compare "$name" "$T/n" "$T/p"
}
deny_case "deny EACCES: every call on the path and below fails with EACCES" "$T/denyA" EACCES
deny_case "deny ENOENT: every call fails with ENOENT" "$T/denyN" ENOENT
deny_case "deny EPERM" "$T/denyP" EPERM
deny_case "deny by quick rule --deny PATH (default EACCES)" "$T/denyQ" EACCES --deny "$T/denyQ"
deny_case "deny by quick rule --deny PATH:ENOENT" "$T/denyQ2" ENOENT --deny "$T/denyQ2:ENOENT"

if selected "deny: neighbours are not covered; programs see the errno"; then
        pv "$T/p" -p "$POL" -- sh -c "
cat '$T/denyA/x' 2>&1; echo \"cat: \$?\"
ls '$T/denyN' 2>&1; echo \"ls: \$?\"
cat '$T/rodir/x'
[ -e '$T/denyN/x' ] && echo exists || echo absent
mkdir -p '$T/denyAx' && echo neighbour-ok && rmdir '$T/denyAx'
"
        expect_text "deny: neighbours are not covered; programs see the errno" \
"cat: $T/denyA/x: Permission denied
cat: 1
ls: cannot access '$T/denyN': No such file or directory
ls: 2
ro content
absent
neighbour-ok
exit 0" "$T/p"
fi

# --- readonly -----------------------------------------------------------------------------------

RO_SCRIPT='
w open "$D/x" O_WRONLY
w open "$D/x" O_RDWR
w open "$D/x" "O_WRONLY|O_CLOEXEC|O_APPEND"
w open "$D/x" "O_RDONLY|O_CREAT" 0644
w open "$D/x" "O_RDONLY|O_TRUNC"
w open "$D/x" "O_WRONLY|O_TRUNC"
w open "$D/new" "O_WRONLY|O_CREAT|O_EXCL" 0644
w open "$D/new" "O_RDONLY|O_CREAT" 0644
w open "$D" "O_TMPFILE|O_RDWR" 0600
w creat "$D/x" 0644
w creat "$D/new" 0644
w openat - "$D/new" "O_RDWR|O_CREAT" 0644
w openat2 - "$D/new" "O_WRONLY|O_CREAT" 0 0644
w openat "${D%/*}" "${D##*/}/x" O_RDWR
w openat2 "${D%/*}" "${D##*/}/new" "O_RDWR|O_CREAT" 0 0644
c open "$D/x" O_RDONLY
c open "$D/x" "O_RDONLY|O_CLOEXEC"
c open "$D/x" O_PATH | sed "s/ fd=.*//"
c open "$D/x" "O_PATH|O_WRONLY" | sed "s/ fd=.*//"
c open "$D" "O_RDONLY|O_DIRECTORY"
c openat "${D%/*}" "${D##*/}/x" O_RDONLY
c openat2 "${D%/*}" "${D##*/}/x" O_RDONLY RESOLVE_BENEATH
c stat "$D/x"
c lstat "$D/x"
c statx - "$D/x" 0 STATX_BASIC_STATS
c access "$D/x" R_OK
c faccessat2 - "$D/x" R_OK AT_EACCESS
c readlink "$D/x"
cat "$D/x"; ls "$D"
if [ -n "${FAKE:-}" ]; then echo "append: refused"; else (echo more >>"$D/x") 2>/dev/null && echo "append: done" || echo "append: refused"; fi
'
# Relative to a dirfd of the read-only directory itself. With a redirect, the dirfd refers to the
# target, whose name no rule covers: the read-only rule must still hold there (see the report).
# (dir:PATH: the dirfd is opened O_RDONLY|O_DIRECTORY, PATH alone: O_PATH|O_DIRECTORY)
RO_DIRFD_SCRIPT='
w openat "dir:$D" x O_RDWR
w openat "dir:$D" x "O_WRONLY|O_TRUNC"
w openat "dir:$D" new "O_WRONLY|O_CREAT" 0644
w openat2 "dir:$D" x O_WRONLY 0
w openat "$D" x O_RDWR
w openat2 "$D" new "O_WRONLY|O_CREAT" 0 0644
c openat "dir:$D" x O_RDONLY
c openat2 "dir:$D" x O_RDONLY RESOLVE_BENEATH
c openat "$D" x O_RDONLY
cat "$D/x"; ls "$D"
'
ro_case() { # NAME NATIVE_DIR PV_DIR SCRIPT [PATHVISOR OPTIONS...]
        local name=$1 nd=$2 vd=$3 script=$4
        shift 4
        selected "$name" || return 0
        D=$nd FAKE=EROFS nat "$T/n" bash --norc --noprofile -c "$PRELUDE$script"
        D=$vd FAKE='' pv "$T/p" -p "$POL" "$@" -- bash --norc --noprofile -c "$PRELUDE$script"
        { echo "after: $(cat "$nd/x" 2>&1) / $(ls "$nd" | tr '\n' ' ')"; } >>"$T/n"
        { echo "after: $(cat "$nd/x" 2>&1) / $(ls "$nd" | tr '\n' ' ')"; } >>"$T/p"
        name_d "$T/n" "$nd"
        name_d "$T/p" "$vd"
        compare "$name" "$T/n" "$T/p"
}
ro_case "readonly: EROFS for O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, creat; reads go through" "$T/rodir" "$T/rodir" "$RO_SCRIPT"
ro_case "readonly: the same relative to a dirfd of the read-only directory" "$T/rodir" "$T/rodir" "$RO_DIRFD_SCRIPT"
ro_case "readonly by quick rule --readonly PATH" "$T/rodirQ" "$T/rodirQ" "$RO_SCRIPT" --readonly "$T/rodirQ"
cp "$R/file" "$R/x" # the read-only redirect below reads real/x
ro_case "redirect + readonly: reads the target, writes give EROFS" "$R" "$T/rored" "$RO_SCRIPT"
ro_case "redirect + readonly: writes relative to a dirfd of the redirected directory give EROFS" "$R" "$T/rored" "$RO_DIRFD_SCRIPT"
rm -f "$R/x"
ls "$R" >/dev/null

} # core_cases
core_cases

# --- other programs -----------------------------------------------------------------------------

if selected "busybox (static): cat, ls, stat, find, readlink, sh through redirects"; then
        if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
                SUBST=1 both "busybox (static): cat, ls, stat, find, readlink, sh through redirects" "$R" "$V" '
B=/bin/busybox
$B cat "$D/file" "$D/sub/a" "$D/link"
$B ls "$D/sub"; $B ls -l "$D/file" "$D/link"
$B stat -c "%a %s %i %h %u %g %X %Y %Z %F" "$D/file" "$D/link" "$D/ro"
$B stat -L -c "%a %s %i %F" "$D/link"
$B find "$D/sub" | sort
$B readlink "$D/link"
$B sh -c "cd \"\$0\" && cat file sub/b && test -r ro && echo readable" "$D"
$B test -w "$D/ro" && echo writable
$B wc -c "$D/file"
'
        else
                skip "busybox (static): cat, ls, stat, find, readlink, sh through redirects" "no static /bin/busybox (busybox-static)"
        fi
fi

if selected "python3: 8 threads open a redirected file in a loop (PV_PY_OPENS each)"; then
        if [ -x /usr/bin/python3 ]; then
                PYSCRIPT='
import sys, threading
path, want, n = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
bad, lock = [], threading.Lock()
def worker(t):
    for i in range(n):
        try:
            with open(path, "rb") as f:
                got = f.read()
        except OSError as e:
            got = repr(e).encode()
        if got != want:
            with lock:
                bad.append((t, i, got[:60]))
            return
ts = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print("ok %d" % (8 * n) if not bad else "bad %d, first %r" % (len(bad), bad[0]))
'
                TMO=90 pv "$T/p" -p "$POL" -- /usr/bin/python3 -c "$PYSCRIPT" "$V/file" "$R/file" "$PY_OPENS"
                expect_text "python3: 8 threads open a redirected file in a loop (PV_PY_OPENS each)" \
                        "ok $((8 * PY_OPENS))
exit 0" "$T/p"
        else
                skip "python3: 8 threads open a redirected file in a loop (PV_PY_OPENS each)" "no /usr/bin/python3"
        fi
fi

if selected "threads (raw): 8 threads x 2000 opens, same content, O_CLOEXEC, no fd leak"; then
        pv "$T/p" -p "$POL" -- "$H" threads 8 2000 "$V/file"
        expect_text "threads (raw): 8 threads x 2000 opens, same content, O_CLOEXEC, no fd leak" "ok 16000
exit 0" "$T/p"
fi

both "sh -c chains, pipes, subshells, exec, xargs" "$R" "$V" '
sh -c "sh -c \"cat \\\"\$0/file\\\"\" \"\$0\"" "$D"
cat "$D/file" | cat | (cat; cat "$D/sub/a")
( cd "$D" && exec cat sub//deep/x )
echo "$D/file" | xargs cat
sh -c "cat \"\$0/sub/b\" & wait" "$D"
env sh -c "exec cat \"\$0/file\"" "$D"
bash -c "readarray -t l <\"\$0/file\"; echo \"\${l[0]}\"" "$D"
'

both "fork and exec chain opening at each level" "$R" "$V" '
c fork-chain 4 "$D/file"
'

both "8 processes opening at the same time" "$R" "$V" '
for i in 1 2 3 4 5 6 7 8; do "$H" loop 400 "$D/file" 2>/dev/null & done; wait
'

if selected "python3 subprocess (vfork + exec) and posix_spawn through redirects"; then
        if [ -x /usr/bin/python3 ]; then
                both "python3 subprocess (vfork + exec) and posix_spawn through redirects" "$R" "$V" '
/usr/bin/python3 -c "
import os, subprocess, sys
d = sys.argv[1]
print(subprocess.run([\"cat\", d + \"/file\"], capture_output=True).stdout.decode(), end=\"\")
pid = os.posix_spawn(\"/bin/cat\", [\"cat\", d + \"/sub/a\"], os.environ)
print(os.waitpid(pid, 0)[1])
print(open(d + \"/link\").read(), end=\"\")
" "$D"
'
        else
                skip "python3 subprocess (vfork + exec) and posix_spawn through redirects" "no /usr/bin/python3"
        fi
fi

if selected "opens while SIGALRM arrives every 100 us: no EINTR, no leaked fd"; then
        pv "$T/p" -p "$POL" -- "$H" signals 3000 "$V/file" 100
        expect_text "opens while SIGALRM arrives every 100 us: no EINTR, no leaked fd" "ok 3000
exit 0" "$T/p"
fi

# The tracee changes its root: paths are resolved in its root, as the kernel would.
if selected "chroot: a redirect is resolved in the tracee's root"; then
        if [ "$(id -u)" = 0 ] && [ -x /bin/busybox ]; then
                J=$T/jail
                mkdir -p "$J/bin" "$J/jt"
                cp /bin/busybox "$J/bin/busybox"
                printf 'jail target\n' >"$J/jt/file"
                B=/bin/busybox
                nat "$T/n" chroot "$J" $B sh -c "$B cat /jt/file; cd /jt && $B cat file; $B stat -c '%i %s' /jt/file"
                pv "$T/p" -r "/pv-jail-name/file=/jt/file" -- chroot "$J" $B sh -c "$B cat /pv-jail-name/file; cd / && $B cat pv-jail-name/file; $B stat -c '%i %s' /pv-jail-name/file"
                compare "chroot: a redirect is resolved in the tracee's root" "$T/n" "$T/p"
        else
                skip "chroot: a redirect is resolved in the tracee's root" "needs root and /bin/busybox"
        fi
fi

# The tracee has its own mount namespace with a private mount: paths are resolved there.
if selected "private mount namespace: a redirect is resolved in the tracee's mounts"; then
        if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
                nat "$T/n" unshare -m sh -c 'mount -t tmpfs pvtest "$1" && echo ns-target >"$1/f" && cat "$1/f" && stat -c "%s %F" "$1/f"' _ "$T/mnt" "$T/mnt"
                pv "$T/p" -p "$POL" -- unshare -m sh -c 'mount -t tmpfs pvtest "$1" && echo ns-target >"$1/f" && cat "$2/f" && stat -c "%s %F" "$2/f"' _ "$T/mnt" "$T/vm"
                compare "private mount namespace: a redirect is resolved in the tracee's mounts" "$T/n" "$T/p"
        else
                skip "private mount namespace: a redirect is resolved in the tracee's mounts" "needs root and unshare -m"
        fi
fi

# chroot and pivot_root on a redirected name: the call is made on the target (unotify: the
# hybrid), and the tracee's paths are resolved in its new root afterwards.
if selected "chroot and pivot_root into a redirected directory"; then
        if [ "$(id -u)" = 0 ] && [ -x /bin/busybox ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
                NR=$T/newroot
                mkdir -p "$NR/bin" "$NR/old"
                cp /bin/busybox "$NR/bin/busybox"
                printf 'in the new root\n' >"$NR/mark"
                B=/bin/busybox
                PIV='mount --make-rprivate / && mount --bind "$1" "$1" && cd / && "$1/bin/busybox" pivot_root "$2" "$2/old" && '"$B"' cat /mark && '"$B"' umount -l /old && '"$B"' ls /'
                nat "$T/n" sh -c "chroot \"$NR\" $B cat /mark; unshare -m sh -c '$PIV' _ \"$NR\" \"$NR\""
                pv "$T/p" -r "/pv-new-root=$NR" -- sh -c "chroot /pv-new-root $B cat /mark; unshare -m sh -c '$PIV' _ \"$NR\" /pv-new-root"
                compare "chroot and pivot_root into a redirected directory" "$T/n" "$T/p"
        else
                skip "chroot and pivot_root into a redirected directory" "needs root, /bin/busybox and unshare -m"
        fi
fi

if selected "the program keeps the terminal's foreground (under a pty)"; then
        if command -v script >/dev/null && command -v ps >/dev/null; then
                FG='s=$(ps -o stat= -p $$); case $s in *+*) echo foreground;; *) echo "background ($s)";; esac; tty >/dev/null && echo has-tty'
                nat "$T/n" script -qec "sh -c '$FG'" /dev/null
                nat "$T/p" script -qec "'$PV' run $PV_MODE_ARGS -b '$BACKEND' -- sh -c '$FG'" /dev/null
                sed -i 's/\r$//' "$T/n" "$T/p"
                compare "the program keeps the terminal's foreground (under a pty)" "$T/n" "$T/p"
        else
                skip "the program keeps the terminal's foreground (under a pty)" "needs script(1) and ps"
        fi
fi

both "a program that stops itself with SIGSTOP and is continued" "$R" "$V" '
c stop-self "$D/file"
'

both "stops and continues itself while 4 threads open redirected files" "$R" "$V" '
c stop-self "$D/file" 4
'

# --- SIGKILL in the middle of trapped calls -----------------------------------------------------

# kill_case NAME HELPER-ARGS...: run the helper in the background under pathvisor; once it says
# "ready pid=N", SIGKILL N (the tracee, by pid); pathvisor run must exit 137 promptly and leave
# none of its processes behind.
kill_case() {
        local name=$1 delay=$2
        shift 2
        selected "$name" || return 0
        local out=$T/kill.out pvpid line tpid tst rc e pid st left=
        : >"$out"
        env --default-signal "$PV" run $PV_MODE_ARGS -b "$BACKEND" -p "$POL" -- "$H" "$@" >"$out" 2>"$out.err" </dev/null &
        pvpid=$!
        track "$pvpid"
        if ! line=$(wait_line "$out" '^ready pid=[0-9]+' 10); then
                { echo "no 'ready' line from the tracee within 10 s; its output:"; cat "$out" "$out.err"; } >"$T/why"
                notok "$name" "$T/why"
                kill -KILL "$pvpid" 2>/dev/null
                { wait "$pvpid"; } 2>/dev/null
                return
        fi
        tpid=${line#ready pid=}
        tst=$(starttime "$tpid")
        BG+=("$tpid:$tst")
        sleep "$delay"
        local procs
        procs=$(descendants "$pvpid")
        kill -KILL "$tpid"
        if ! wait_gone "$pvpid" 10; then
                { echo "pathvisor run (pid $pvpid) still running 10 s after its tracee was killed"
                  echo "its processes:"; descendants "$pvpid" | while IFS=: read -r pid st; do
                        echo "  $pid $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null) state=$(sed 's/.*) \(.\).*/\1/' /proc/$pid/stat 2>/dev/null)"
                  done
                  echo "stderr:"; cat "$out.err"; } >"$T/why"
                kill -KILL "$pvpid" 2>/dev/null
                { wait "$pvpid"; } 2>/dev/null
                notok "$name" "$T/why"
                return
        fi
        { wait "$pvpid"; } 2>/dev/null
        rc=$?
        for e in $procs; do
                pid=${e%%:*}
                st=${e#*:}
                if same_proc "$pid" "$st"; then
                        left+=" $pid($(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null))"
                fi
        done
        if [ "$rc" = 137 ] && [ -z "$left" ]; then
                ok "$name"
        else
                { echo "pathvisor run exit status: $rc (want 137)"
                  [ -z "$left" ] || echo "left behind:$left"
                  echo "stderr:"; cat "$out.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
}
# (stderr of these blocks is dropped: it only carries bash's notices of jobs killed by signals)
kill_case "SIGKILL while 4 threads are in trapped calls: run exits 137, nothing left (1)" 0.05 spin 4 "$V/file" 2>/dev/null
kill_case "SIGKILL while 4 threads are in trapped calls: run exits 137, nothing left (2)" 0.4 spin 4 "$V/sub/a" 2>/dev/null
kill_case "SIGKILL while threads make pass-through calls: run exits 137, nothing left" 0.2 spin 2 "$R/file" 2>/dev/null

# A redirected open of a FIFO blocks in the engine (as it would in the kernel) until a writer
# comes. Other calls must still be answered meanwhile, and SIGKILL must still end everything.
if selected "redirected FIFO open blocks: other calls still answered, SIGKILL still ends it"; then {
        name="redirected FIFO open blocks: other calls still answered, SIGKILL still ends it"
        out=$T/fifo.out
        env --default-signal "$PV" run $PV_MODE_ARGS -b "$BACKEND" -p "$POL" -- "$H" fifo-block "$V/fifo" "$V/file" >"$out" 2>"$out.err" </dev/null &
        pvpid=$!
        track "$pvpid"
        why=
        if line=$(wait_line "$out" '^ready pid=[0-9]+' 5); then
                tpid=${line#ready pid=}
                BG+=("$tpid:$(starttime "$tpid")")
                grep -q "^other: ok .*content=\"target content" "$out" || why="the other open was not redirected: $(grep '^other' "$out")"
                kill -KILL "$tpid"
                if ! wait_gone "$pvpid" 5; then
                        why+="${why:+; }pathvisor run still running 5 s after SIGKILL of the tracee blocked in a FIFO open"
                fi
        else
                why="the tracee's second open was not answered within 5 s while its first (a FIFO) blocked: one blocking call stalls the engine"
        fi
        if alive "$pvpid"; then
                # unblock the FIFO open and give it a moment, then kill pathvisor by pid
                timeout 3 bash -c 'exec 9<>"$1"; sleep 1' _ "$R/fifo"
                if wait_gone "$pvpid" 3; then
                        why+=" (it ended once a writer opened the FIFO)"
                else
                        kill -KILL "$pvpid" 2>/dev/null
                fi
        fi
        { wait "$pvpid"; } 2>/dev/null
        rc=$?
        [ -n "$why" ] || [ $rc = 137 ] || why="pathvisor run exit status $rc, want 137"
        if [ -z "$why" ]; then
                ok "$name"
        else
                { echo "$why"; echo "tracee output:"; cat "$out"; echo "stderr:"; cat "$out.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
} 2>/dev/null; fi

# --- exit statuses and signals ------------------------------------------------------------------

exit_case() { # NAME WANT CMD...
        local name="exit status: $1" want=$2
        shift 2
        selected "$name" || return 0
        pv "$T/p" -p "$POL" -- "$@"
        local got
        got=$(tail -n1 "$T/p")
        if [ "$got" = "exit $want" ]; then
                ok "$name"
        else
                { echo "got '$got', want 'exit $want'"; echo "stderr:"; cat "$T/p.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
}
exit_case "0 (true)" 0 true
exit_case "42 (sh -c 'exit 42')" 42 sh -c 'exit 42'
exit_case "143 (sh -c 'kill -TERM \$\$')" 143 sh -c 'kill -TERM $$'
exit_case "137 (sh -c 'kill -KILL \$\$')" 137 sh -c 'kill -KILL $$'
exit_case "130 (sh -c 'kill -INT \$\$')" 130 sh -c 'kill -INT $$'
exit_case "139 (SIGSEGV)" 139 sh -c 'kill -SEGV $$'
exit_case "127 for a missing command (PATH search)" 127 pv-no-such-command-here
exit_case "127 for a missing command (path)" 127 "$T/no-such-file"
exit_case "126 for a file that is not executable" 126 "$R/file"
exit_case "126 for a directory" 126 "$R/sub"

if selected "exit status: 125 for a policy that does not load"; then
        echo '{ "version": 1, "rules": [ { "path": "rel", "deny": "EACCES" } ] }' >"$T/bad.json"
        pv "$T/p1" -p "$T/bad.json" -- true
        pv "$T/p2" -p "$T/missing.json" -- true
        pv "$T/p3" --deny "$T/x:ENOTANERRNO" -- true
        printf 'exit 125\nexit 125\nexit 125\n' >"$T/n"
        cat "$T/p1" "$T/p2" "$T/p3" >"$T/p"
        cat "$T/p1.err" "$T/p2.err" "$T/p3.err" >"$T/p.err"
        compare "exit status: 125 for a policy that does not load" "$T/n" "$T/p"
fi

if selected "arguments and environment reach the program unchanged"; then
        nat "$T/n" env PVTEST='a b' sh -c 'printf "[%s]" "$0" "$@" "$PVTEST"; echo' arg0 '' 'x y' '*'
        pv "$T/p" -p "$POL" -- env PVTEST='a b' sh -c 'printf "[%s]" "$0" "$@" "$PVTEST"; echo' arg0 '' 'x y' '*'
        compare "arguments and environment reach the program unchanged" "$T/n" "$T/p"
fi

if selected "the program gets no extra file descriptors"; then
        nat "$T/n" sh -c 'ls /proc/self/fd'
        pv "$T/p" -p "$POL" -- sh -c 'ls /proc/self/fd'
        compare "the program gets no extra file descriptors" "$T/n" "$T/p"
fi

# sig_case NAME SIGNAL WANT SCRIPT: send SIGNAL to pathvisor run once the program says "ready";
# it must reach the program (forwarded), whose exit status run must then return.
sig_case() {
        local name=$1 sig=$2 want=$3 script=$4
        selected "$name" || return 0
        local out=$T/sig.out pvpid rc
        env --default-signal "$PV" run $PV_MODE_ARGS -b "$BACKEND" -p "$POL" -- sh -c "$script" >"$out" 2>"$out.err" </dev/null &
        pvpid=$!
        track "$pvpid"
        if ! wait_line "$out" '^ready' 10 >/dev/null; then
                { echo "no 'ready' from the program"; cat "$out" "$out.err"; } >"$T/why"
                kill -KILL "$pvpid" 2>/dev/null
                { wait "$pvpid"; } 2>/dev/null
                notok "$name" "$T/why"
                return
        fi
        kill "-$sig" "$pvpid"
        if ! wait_gone "$pvpid" 5; then
                kill -KILL "$pvpid" 2>/dev/null
                { wait "$pvpid"; } 2>/dev/null
                { echo "pathvisor run still running 5 s after SIG$sig"; cat "$out" "$out.err"; } >"$T/why"
                notok "$name" "$T/why"
                return
        fi
        { wait "$pvpid"; } 2>/dev/null
        rc=$?
        if [ "$rc" = "$want" ]; then
                ok "$name"
        else
                { echo "exit status $rc, want $want"; cat "$out" "$out.err"; } >"$T/why"
                notok "$name" "$T/why"
        fi
}
LOOP='echo ready; while :; do sleep 0.05; done'
sig_case "signals forwarded: SIGUSR1 to run reaches the program (trap exits 7)" USR1 7 "trap 'exit 7' USR1; $LOOP" 2>/dev/null
sig_case "signals forwarded: SIGHUP (trap exits 8)" HUP 8 "trap 'exit 8' HUP; $LOOP" 2>/dev/null
sig_case "signals forwarded: SIGTERM kills the program, run exits 143" TERM 143 "$LOOP" 2>/dev/null
sig_case "signals forwarded: SIGINT kills the program, run exits 130" INT 130 "$LOOP" 2>/dev/null

if selected "-v names the backend on stderr"; then
        pv "$T/p" -v -p "$POL" -- cat "$V/file"
        if grep -qi "$BACKEND" "$T/p.err" && head -n1 "$T/p" | grep -qx 'target content'; then
                ok "-v names the backend on stderr"
        else
                { echo "stdout:"; cat "$T/p"; echo "stderr:"; cat "$T/p.err"; } >"$T/why"
                notok "-v names the backend on stderr" "$T/why"
        fi
fi

# --- bad pointers, page edges and long names ----------------------------------------------------

both "faults: unmapped path, path at a page end, no NUL, bad result buffers, bad open_how" "$R" "$V" '
c fault path "$D/file"
c fault edge "$D/file"
c fault edge "$D/sub/deep/x"
c fault nonul-short "$D/file"
c fault nonul-long "$D/file"
c fault statbuf "$D/file"
c fault linkbuf "$D/link"
c fault how "$D/file"
c open "" O_RDONLY
c stat ""
c statx - "" 0 STATX_BASIC_STATS
c readlink ""
c access "" F_OK
'

if selected "names of PATH_MAX bytes or more: ENAMETOOLONG as written and as redirected"; then
        name="names of PATH_MAX bytes or more: ENAMETOOLONG as written and as redirected"
        pad=$(printf './%.0s' $(seq 2100))
        # $T/s is redirected to a longer target: a name of 4080 bytes fits as written (PATH_MAX
        # is 4096 with the NUL), but not once redirected
        comp=$(printf 'x%.0s' $(seq 100))
        short=$T/s
        while [ $((${#short} + 101)) -le 4080 ]; do short+=/$comp; done
        short+=/$(printf 'y%.0s' $(seq $((4080 - ${#short} - 1))))
        mkdir -p "$LONGT"
        pv "$T/p" -p "$POL" -- bash --norc --noprofile -c "$PRELUDE"'
D=/
c open "$1/${2}file" O_RDONLY
c stat "$1/${2}file"
c open "$3" O_RDONLY
c stat "$3"
c readlink "$3"
c access "$3" F_OK
' _ "$V" "$pad" "$short"
        sed -i "s#^[^=]*=> #=> #" "$T/p"
        expect_text "$name" "=> err ENAMETOOLONG
=> err ENAMETOOLONG
=> err ENAMETOOLONG
=> err ENAMETOOLONG
=> err ENAMETOOLONG
=> err ENAMETOOLONG
exit 0" "$T/p"
fi

i386_cases() {

# --- i386 system calls (int \$0x80) -------------------------------------------------------------

# --- absolute symlinks in a redirected tree -----------------------------------------------------

if selected "absolute symlinks below a redirect's target are decided by the policy again (ELOOP bound)"; then
        pv "$T/p" -p "$POL" -- bash -c 'cat "$1/vlink"; cat "$1/vdlink/a"; cat "$1/loop1" 2>&1 | sed "s/.*: //";
                cmp -s "$1/host" /etc/hostname && echo "host link: the host'"'"'s file"; readlink "$1/vlink"' _ "$VD2"
        expect_text "absolute symlinks below a redirect's target are decided by the policy again (ELOOP bound)" \
                "target content
sub a
Too many levels of symbolic links
host link: the host's file
$VD/file
exit 0" "$T/p"
fi

# --- exec of redirected programs and scripts ---------------------------------------------------

EXEC_CASES=(
        "exec: a redirected static binary, a redirected #! script (\$0 as named)"
        "exec: a #! script whose interpreter is a redirected name"
)
if ! [ -x "$R/busybox" ]; then
        for n in "${EXEC_CASES[@]}"; do
                selected "$n" && skip "$n" "no /bin/busybox (busybox-static)"
        done
else
        NAMED=1 both "${EXEC_CASES[0]}" "$R" "$V" '
"$D/busybox" echo static busybox runs
"$D/args.sh" one two; echo "exit $?"
cd "$D" && ./args.sh three
"$D/noexist" 2>/dev/null; echo "missing: $?"
'
        if selected "${EXEC_CASES[1]}"; then
                nat "$T/n" "$T/interp-native.sh" a b
                pv "$T/p" -p "$POL" -- "$T/interp.sh" a b
                sed -i "s#$T/interp-native.sh#SCRIPT#" "$T/n"
                sed -i "s#$T/interp.sh#SCRIPT#" "$T/p"
                compare "${EXEC_CASES[1]}" "$T/n" "$T/p"
        fi
fi
# execve from a thread that is not the leader, of a redirected script: the thread takes the
# leader's pid on the way (unotify's hybrid must follow it there)
if [ -x /usr/bin/python3 ]; then
        NAMED=1 both "exec: a redirected #! script from a second thread" "$R" "$V" '
/usr/bin/python3 -c "
import os, sys, threading
def t():
    os.execv(sys.argv[1] + \"/args.sh\", [sys.argv[1] + \"/args.sh\", \"from-thread\"])
th = threading.Thread(target=t)
th.start()
th.join()
" "$D"
echo "exit $?"
'
else
        selected "exec: a redirected #! script from a second thread" &&
                skip "exec: a redirected #! script from a second thread" "no /usr/bin/python3"
fi

if [ -n "$HAVE_I386" ]; then
        both "i386 int \$0x80: open, openat, stat64, lstat64, fstatat64, stat, statx, access, readlink" "$R" "$V" '
c i386-open "$D/file" "O_RDONLY|O_LARGEFILE"
c i386-open "$D/file" "O_RDONLY|O_LARGEFILE|O_CLOEXEC"
c i386-open "$D/link" "O_RDONLY|O_LARGEFILE|O_NOFOLLOW"
c i386-open "$D/noexist" "O_RDONLY|O_LARGEFILE"
c i386-openat "$D" file "O_RDONLY|O_LARGEFILE"
c i386-openat - "$D/sub/a" "O_RDONLY|O_LARGEFILE"
c i386-stat64 "$D/file"
c i386-stat64 "$D/link"
c i386-lstat64 "$D/link"
c i386-stat64 "$D/noexist"
c i386-fstatat64 "$D" link AT_SYMLINK_NOFOLLOW
c i386-fstatat64 - "$D/file" 0
c i386-stat "$D/file"
c i386-lstat "$D/link"
c i386-statx - "$D/file" 0 STATX_BASIC_STATS
c i386-statx "$D" link AT_SYMLINK_NOFOLLOW STATX_BASIC_STATS
c i386-access "$D/file" R_OK
c i386-access "$D/ro" X_OK
c i386-readlink "$D/link"
c i386-readlink "$D/abslink" 4
'
        # Without O_LARGEFILE: natively the i386 open leaves it out of the file flags; a 64-bit
        # supervisor that opens for the tracee cannot (F_SETFL cannot clear it). Compared without
        # that flag; the difference is reported as a note.
        SED='s/|O_LARGEFILE//' both "i386 int \$0x80: open without O_LARGEFILE (flag compared apart)" "$R" "$V" '
c i386-open "$D/file" O_RDONLY
c i386-open "$D/sub/a" "O_RDONLY|O_CLOEXEC"
'
        if selected "i386 int \$0x80: deny and readonly"; then
                pv "$T/p" -p "$POL" -- bash --norc --noprofile -c '
"$H" i386-open "$1/denyA/x" "O_RDONLY|O_LARGEFILE"
"$H" i386-stat64 "$1/denyN/x"
"$H" i386-access "$1/denyP/x" F_OK
"$H" i386-open "$1/rodir/x" "O_WRONLY|O_LARGEFILE"
"$H" i386-open "$1/rodir/new" "O_RDONLY|O_CREAT|O_LARGEFILE" 0644
' _ "$T"
                expect_text "i386 int \$0x80: deny and readonly" "err EACCES
err ENOENT
err EPERM
err EROFS
err EROFS
exit 0" "$T/p"
        fi
else
        skip "i386 int \$0x80 calls" "no IA32 emulation (int \$0x80 from 64-bit code)"
fi

} # i386_cases
i386_cases

# --- strict mode: the same cases with "strict": true (every covered call emulated) ------------

POL=$POLS
SFX=" [strict]"
core_cases
i386_cases
POL=$POL0
SFX=

# --- summary ------------------------------------------------------------------------------------

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
