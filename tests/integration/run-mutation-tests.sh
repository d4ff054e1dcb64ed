#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-mutation-tests.sh PATHVISOR PV_SYSCALL [BACKEND]
#
# Integration tests of the calls that create, change or remove (issue 6): mkdir, mknod, rmdir,
# unlink, chmod, chown, truncate, utime*, statfs, the xattr writers and the two-path calls rename,
# link, symlink, in all their variants; and the watches inotify_add_watch and fanotify_mark, which
# need the fixture's symlinks and a tree to change under them (a watch is right when the events
# of changes made in the target reach the program). Every case is a bash script that runs twice,
# each time on a FRESH copy of a fixture tree (the calls mutate): natively with D = the real
# directory, and under `PATHVISOR run -b BACKEND` with D = a name that a rule redirects to that
# directory. The two outputs must be equal: what the helper (tests/helpers/pv-syscall) printed for
# each call ("ok" or "err ENAME"), followed by a listing of the whole tree after the run
# (`pv-syscall tree`, made natively: names, types, modes, owners, link counts, symlink contents,
# file contents, user.* xattrs; times only where a case set them explicitly; never inode numbers
# or ctimes). So a call must act on the target, with the kernel's own result and side effects, and
# leave the redirected name (a decoy directory) alone.
#
# Two-path calls whose paths fall under different rules, or of which one is redirected and the
# other not, must fail with EXDEV (as across mount points); with a read-only side with EROFS; with
# a denied side with that rule's errno. Such lines are written "x ERRNO CALL..." or "w CALL..."
# (errno from FAKE): natively they print "err ERRNO" without making the call, so the expected
# output comes from the native run and the tree must stay as it was.
#
# Prints "ok - NAME" or "not ok - NAME" (with the diff, as "# " lines) per case, then
# "N passed, M failed[, K skipped]". Exit 0 when nothing failed, 1 otherwise, 77 when PATHVISOR
# has no `run` verb yet (or BACKEND is not available on this kernel), 99 on a set-up error.
#
# Environment: PV_TEST_FILTER=REGEX runs only the cases whose name matches; PV_TEST_KEEP=1 keeps
# the temporary directory, with both outputs of every case in cases/N.native and
# cases/N.pathvisor; PV_MODE=daemon PATHVISORD=PATH runs every case through a pathvisord
# that the script starts on a socket of its own (and stops by its pid), instead of
# `run --embedded`; PV_MUTATION_SELFCHECK=1 checks the tests themselves: the second run is also
# made on the real directories (a policy with no rule on them, FAKE lines faked in both runs), so
# every case must pass whatever pathvisor does with these calls.

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
SELFCHECK=${PV_MUTATION_SELFCHECK:-}
[ "$SELFCHECK" != 0 ] || SELFCHECK=
TMO=20 # seconds for one command

if ! [ -x "$H" ]; then
        echo "$0: $H: not an executable" >&2
        exit 99
fi
if ! "$H" help | grep -q '^ *tree DIR'; then
        echo "$0: $H has no 'tree' subcommand (an old pv-syscall?)" >&2
        exit 99
fi
if ! "$PV" run --help >/dev/null 2>&1; then
        echo "SKIP: $PV has no 'run' verb yet"
        exit 77
fi

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/pv-mutation.XXXXXX") || exit 99
chmod 755 "$T"
cd "$T" || exit 99
ulimit -c 0

# Background processes that this script started, as "pid:starttime"; cleaned up by pid.
BG=()

proc_stat() { # PID: /proc/PID/stat after the command name; fails if PID is gone
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
        local elabel="expected (native on the targets)"
        [ -z "$SELFCHECK" ] || elabel="native"
        if diff -u --label "$elabel" --label "under pathvisor" "$2" "$3" >"$T/diff"; then
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

# ------------------------------------------------------------------------------------------------
# the file tree
#
# $FIX is built once; every run of every case starts from a fresh copy of it at $W (cp -a).
#
#   real/    target of the rule virt -> real (the D of most cases):
#            file (user.a, user.b xattrs) file2 ro-file(0444) exec(0755) suid(04755) sgid(02755)
#            old (mtime 1970) hl1 = hl2 (one inode) link->file dirlink->dir dangling->nowhere
#            abslink->$W/real/file plainlink->$W/plain fifo dir/{a,sub/b} empty/ empty2/ full/x
#            pub/ (0777) sticky/ (1777) nobodydir/ (owned by 65534), for the unprivileged cases
#   real2/   target of virt2 (E)                 itgt/   target of virt/inner (I), a nested rule
#   plain/   no rule (P)                         ro/     read-only (RO)
#   rotgt/   target of rored, redirected and read-only (RR)
#   denyA/ denyN/ denyP/   deny EACCES, ENOENT, EPERM (DA, DN, DP)
#   virt/ virt2/ rored/    decoys: the names that the rules redirect; nothing may change there
#   vproc    no such file; redirected to /proc (S, for statfs)
# $VL (outside $W) is redirected to real/ too: symlink contents that name it must stay as given.

FIX=$T/fix
W=$T/w
VL=$T/vl
export VL W
POL=$T/policy.json
POL_SELF=$T/policy-self.json

mkfix() {
        local F=$FIX r
        mkdir -p "$F" || return 1
        cd "$F" || return 1
        mkdir -p real/dir/sub real/empty real/empty2 real/full real/pub real/sticky real/nobodydir \
                real2/d2 itgt plain/pd ro/d rotgt/d denyA/d denyN/d denyP/d virt/dir virt/inner virt2 rored
        printf 'file content\n' >real/file
        printf 'second file\n' >real/file2
        printf 'read-only file\n' >real/ro-file
        printf '#!/bin/sh\necho exec\n' >real/exec
        printf 'suid\n' >real/suid
        printf 'sgid\n' >real/sgid
        printf 'old\n' >real/old
        printf 'hard\n' >real/hl1
        ln real/hl1 real/hl2
        chmod 0444 real/ro-file
        chmod 0755 real/exec
        chmod 04755 real/suid
        chmod 02755 real/sgid
        touch -m -d @1000000 real/old
        ln -s file real/link
        ln -s dir real/dirlink
        ln -s nowhere real/dangling
        ln -s "$W/real/file" real/abslink
        ln -s "$W/plain" real/plainlink
        mkfifo -m 0644 real/fifo
        printf 'a\n' >real/dir/a
        printf 'b\n' >real/dir/sub/b
        printf 'full x\n' >real/full/x
        chmod 0777 real/pub
        printf 'root in pub\n' >real/pub/rootf
        chmod 1777 real/sticky
        printf 'root in sticky\n' >real/sticky/rootf
        chmod 0666 real/sticky/rootf
        printf 'nobody in sticky\n' >real/sticky/nobodyf
        printf "nobody's\n" >real/nobodydir/f
        chown 65534:65534 real/sticky/nobodyf real/nobodydir real/nobodydir/f
        printf 'real2 x\n' >real2/x
        printf 'itgt y\n' >itgt/y
        printf 'plain pf\n' >plain/pf
        printf 'plain q\n' >plain/pd/q
        printf 'ro x\n' >ro/x
        printf 'rotgt x\n' >rotgt/x
        for r in denyA denyN denyP; do printf '%s x\n' "$r" >"$r/x"; done
        printf 'DECOY virt\n' >virt/file
        printf 'DECOY virt a\n' >virt/dir/a
        printf 'DECOY inner\n' >virt/inner/y
        printf 'DECOY virt2\n' >virt2/x
        printf 'DECOY rored\n' >rored/x
        HAVE_XATTR=1
        for r in "real/file user.a alpha" "real/file user.b beta" "plain/pf user.p plain" \
                "ro/x user.r ro" "rotgt/x user.r rotgt"; do
                set -- $r
                [ "$("$H" setxattr "$1" "$2" "$3")" = ok ] || HAVE_XATTR=
        done
        cd "$T"
}
mkfix || { echo "$0: could not build the fixture in $FIX" >&2; exit 99; }
[ -n "$HAVE_XATTR" ] || echo "# no user.* xattrs on $T's filesystem: xattr cases skipped"

fresh() { # a new copy of the fixture at $W
        rm -rf "$W" && cp -a "$FIX" "$W" || { echo "$0: could not copy the fixture to $W" >&2; exit 99; }
}

cat >"$POL" <<EOF
{
  "version": 1,
  "rules": [
    { "path": "$W/virt",       "redirect": "$W/real" },
    { "path": "$W/virt/inner", "redirect": "$W/itgt" },
    { "path": "$W/virt2",      "redirect": "$W/real2" },
    { "path": "$W/vproc",      "redirect": "/proc" },
    { "path": "$VL",           "redirect": "$W/real" },
    { "path": "$W/ro",         "readonly": true },
    { "path": "$W/rored",      "redirect": "$W/rotgt", "readonly": true },
    { "path": "$W/denyA",      "deny": "EACCES" },
    { "path": "$W/denyN",      "deny": "ENOENT" },
    { "path": "$W/denyP",      "deny": "EPERM" }
  ]
}
EOF
# the self-check: no rule on any directory of the cases
cat >"$POL_SELF" <<EOF
{
  "version": 1,
  "rules": [ { "path": "$T/unrelated", "redirect": "$T/unrelated-target" } ]
}
EOF

# The variables of the case scripts, in the order in which labels replace their values by their
# names (a value that is a prefix of another comes after it).
VARS="I E RR DA DN DP P RO D S W"
declare -A NATIVE=([D]=$W/real [E]=$W/real2 [I]=$W/itgt [P]=$W/plain [RO]=$W/ro [RR]=$W/rotgt
        [DA]=$W/denyA [DN]=$W/denyN [DP]=$W/denyP [S]=/proc [W]=$W)
declare -A VIRT=([D]=$W/virt [E]=$W/virt2 [I]=$W/virt/inner [P]=$W/plain [RO]=$W/ro [RR]=$W/rored
        [DA]=$W/denyA [DN]=$W/denyN [DP]=$W/denyP [S]=$W/vproc [W]=$W)

# The prelude of the case scripts: "c ARGS" calls the helper and prints "ARGS => result", the
# directories shown by their variable names (and D's last component as N); "x ERRNO ARGS" does
# the same, except that when FAKE is set it prints "err ERRNO" instead of making the call; "w ARGS"
# is "x $FAKE ARGS".
PRELUDE='
label() {
        local a="$*" v n
        for v in '"$VARS"'; do
                [ -z "${!v:-}" ] || a=${a//"${!v}"/$v}
        done
        n=${D##*/}
        [ -z "$n" ] || a=${a//"$n"/N}
        printf "%s => " "${a//[^[:print:]]/?}"
}
c() { label "$@"; "$H" "$@"; }
x() { local e=$1; shift; label "$@"; if [ -n "${FAKE:-}" ]; then echo "err $e"; else "$H" "$@"; fi; }
w() { x "${FAKE:-}" "$@"; }
'

sed_quote() { # a string as a literal basic regular expression
        printf '%s' "$1" | sed 's/[][\.*^$#]/\\&/g'
}

# half native|pv|self OUT SCRIPT [PATHVISOR OPTIONS...]: one run of SCRIPT on a fresh tree, then
# the tree's listing. native: the real directories, FAKE lines faked; pv: the redirected names
# under pathvisor, every line a real call; self: the real directories under pathvisor with a
# policy that covers none of them, FAKE lines faked (PV_MUTATION_SELFCHECK).
half() {
        local kind=$1 out=$2 script=$3 v expr=
        shift 3
        local src=NATIVE
        [ "$kind" != pv ] || src=VIRT
        local -n vals=$src
        local -a env=(FAKE="${FAKE:-}" PRELUDE="$PRELUDE" INNER="${INNER:-}" VL="$VL")
        [ "$kind" != pv ] || env[0]=FAKE=
        for v in $VARS; do
                env+=("$v=${vals[$v]}")
                expr+="s#$(sed_quote "${vals[$v]}")#$v#g;"
        done
        fresh
        case $kind in
        native) nat "$out" env "${env[@]}" bash --norc --noprofile -c "$PRELUDE$script" ;;
        pv) pv "$out" -p "$POL" "$@" -- env "${env[@]}" bash --norc --noprofile -c "$PRELUDE$script" ;;
        self) pv "$out" -p "$POL_SELF" -- env "${env[@]}" bash --norc --noprofile -c "$PRELUDE$script" ;;
        esac
        # SUBST=1: the directories by their names in what the programs printed (not in the tree)
        [ -z "${SUBST:-}" ] || sed -i -e "$expr" "$out"
        echo "--- tree after the run" >>"$out"
        "$H" tree "$W" | sed -e "${TREE_SED:-}" >>"$out"
        [ -z "${SED:-}" ] || sed -i -e "$SED" "$out"
}

# mcase NAME SCRIPT [PATHVISOR OPTIONS...]: SCRIPT natively and under pathvisor, compared.
# Environment: FAKE=ERRNO (see PRELUDE), INNER (a second script, for one that runs bash again,
# e.g. under setpriv), SUBST=1, SED=EXPR (on both whole outputs), TREE_SED=EXPR (on the listing).
mcase() {
        local name=$1 script=$2
        shift 2
        selected "$name" || return 0
        half native "$T/n" "$script"
        if [ -n "$SELFCHECK" ]; then
                half self "$T/p" "$script"
        else
                half pv "$T/p" "$script" "$@"
        fi
        compare "$name" "$T/n" "$T/p"
        if [ -n "${PV_TEST_KEEP:-}" ]; then
                CASENO=$((CASENO + 1))
                mkdir -p "$T/cases"
                { echo "# $name"; cat "$T/n"; } >"$T/cases/$CASENO.native"
                { echo "# $name"; cat "$T/p"; } >"$T/cases/$CASENO.pathvisor"
        fi
}
CASENO=0

HAVE_I386=
if [ "$(uname -m)" = x86_64 ] && "$H" i386-stat64 / 2>/dev/null | grep -qx ok; then
        HAVE_I386=1
fi
HAVE_SETPRIV=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        HAVE_SETPRIV=1
fi
HAVE_XATTRAT=
if [ -n "$HAVE_XATTR" ] && [ "$("$H" getxattrat - "$FIX/real/file" 0 user.a)" = 'ok 5 "alpha"' ]; then
        HAVE_XATTRAT=1
fi
HAVE_ROOT=
[ "$(id -u)" != 0 ] || HAVE_ROOT=1
HAVE_FANOTIFY=
NO_FANOTIFY="fanotify_init(FAN_CLASS_NOTIF) needs CAP_SYS_ADMIN: not root"
if [ -n "$HAVE_ROOT" ]; then
        if [ "$("$H" fanotify FAN_MARK_ADD FAN_MODIFY - "$FIX/real/file" 2>&1)" = ok ]; then
                HAVE_FANOTIFY=1
        else
                NO_FANOTIFY="no fanotify here: $("$H" fanotify FAN_MARK_ADD FAN_MODIFY - "$FIX/real/file" 2>&1 | head -n1)"
        fi
fi

# Is the backend there at all? (e.g. no seccomp listener on this kernel: skip, never fake)
"$PV" run $PV_MODE_ARGS -b "$BACKEND" -r "$T/probe-name=$FIX/real/file" -- cat "$T/probe-name" >"$T/probe" 2>"$T/probe.err"
rc=$?
if [ $rc -ne 0 ] && grep -qiE 'not (available|supported)|unsupported|ENOSYS' "$T/probe.err"; then
        echo "SKIP: backend $BACKEND not available here: $(head -n1 "$T/probe.err")"
        exit 77
fi

echo "# pathvisor: $PV, backend $BACKEND, helper $H, dir $T${SELFCHECK:+ (SELF-CHECK: no rule on the directories under test)}"

# ------------------------------------------------------------------------------------------------
# cases
# ------------------------------------------------------------------------------------------------

# --- mkdir, mknod -------------------------------------------------------------------------------

mcase "mkdir, mkdirat: made in the target with the umask applied; EEXIST, ENOENT, ENOTDIR, EBADF" '
umask 022
c mkdir "$D/new" 0777
c mkdir "$D/new2/" 0750
c mkdir "$D/new" 0777
c mkdir "$D/file" 0755
c mkdir "$D/noexist/x" 0755
c mkdir "$D/file/x" 0755
c mkdir "$D/dir/sub/deeper" 01777
umask 077
c mkdir "$D/masked" 0777
umask 0
c mkdir "$D/nomask" 0777
c mkdir "$D/setgid" 02775
umask 022
c mkdirat - "$D/at1" 0700
c mkdirat "$D" at2 0755
c mkdirat "dir:$D/dir" at3 0711
c mkdirat "$D" "$D/at4" 0755
c mkdirat fd:99 at5 0755
c mkdirat "file:$D/file" at6 0755
c mkdir "$D" 0755
c mkdir "$D/." 0755
c mkdir "$D/dir/.." 0755
'

mcase "mkdir on a dangling symlink: EEXIST as natively; through symlinks to directories" '
c mkdir "$D/dangling" 0755
c mkdir "$D/dangling/" 0755
c mkdirat "$D" dangling 0755
c mkdir "$D/dirlink" 0755
c mkdir "$D/dirlink/new" 0755
c mkdir "$D/plainlink/new" 0755
c mkdir "$D/abslink/x" 0755
'

mcase "mknod, mknodat: FIFO, regular, socket, devices, with the umask; EPERM, EINVAL, EEXIST" '
umask 027
c mknod "$D/fifo1" "S_IFIFO|0666"
c mknod "$D/reg" "S_IFREG|0666"
c mknod "$D/typeless" 0644
c mknod "$D/sock" "S_IFSOCK|0777"
c mknod "$D/null" "S_IFCHR|0666" 1:3
c mknod "$D/loop" "S_IFBLK|0600" 7:0
c mknod "$D/d" "S_IFDIR|0755"
c mknod "$D/bad" 0170644
c mknod "$D/file" "S_IFIFO|0644"
c mknod "$D/fifo" "S_IFIFO|0644"
c mknod "$D/noexist/f" "S_IFIFO|0644"
c mknodat "$D" fifo2 "S_IFIFO|0640"
c mknodat "dir:$D/dir" fifo3 "S_IFIFO|0600"
c mknodat - "$D/fifo4" "S_IFIFO|01666"
umask 0
c mknod "$D/fifo5" "S_IFIFO|0666"
'

# --- rmdir, unlink ------------------------------------------------------------------------------

mcase "rmdir: the target's empty directory removed; ENOENT, ENOTEMPTY, ENOTDIR, EINVAL" '
c rmdir "$D/empty"
c rmdir "$D/empty"
c rmdir "$D/full"
c rmdir "$D/file"
c rmdir "$D/dirlink"
c rmdir "$D/dir/sub/."
c rmdir "$D/dir/.."
c rmdir "$D/empty2/"
c rmdir "$D"
c rmdir "$D/noexist/x"
'

mcase "unlink, unlinkat: files, symlinks (not their targets), FIFOs; AT_REMOVEDIR; EISDIR, ENOTDIR, EINVAL" '
c unlink "$D/file2"
c unlink "$D/link"
c unlink "$D/dangling"
c unlink "$D/dir"
c unlink "$D/nothere"
c unlink "$D/file/x"
c unlink "$D/hl1"
c unlink "$D/dirlink/sub/b"
c unlinkat "$D" fifo 0
c unlinkat - "$D/exec" 0
c unlinkat "$D" empty AT_REMOVEDIR
c unlinkat "$D" full AT_REMOVEDIR
c unlinkat "$D" ro-file AT_REMOVEDIR
c unlinkat "$D" dir 0
c unlinkat "$D" ro-file 0x1
c unlinkat "dir:$D/dir" a 0
c unlinkat "$D/dir" sub AT_REMOVEDIR
c unlinkat "$D" abslink 0
'

# --- chmod, chown -------------------------------------------------------------------------------

mcase "chmod, fchmodat, fchmodat2: modes set on the target; symlinks followed or EOPNOTSUPP; EINVAL" '
c chmod "$D/file" 0600
c chmod "$D/dir" 0700
c chmod "$D/link" 0640
c chmod "$D/dangling" 0644
c chmod "$D/exec" 04755
c chmod "$D/fifo" 0600
c chmod "$D/nothere" 0644
c chmod "$D/file/" 0644
c fchmodat "$D" file2 0604
c fchmodat - "$D/dir/a" 0444
c fchmodat "dir:$D/dir" sub 0750
c fchmodat2 "$D" ro-file 0664 0
c fchmodat2 "$D" link 0600 AT_SYMLINK_NOFOLLOW
c fchmodat2 "$D" hl1 0606 AT_SYMLINK_NOFOLLOW
c fchmodat2 "rd:$D/old" "" 0611 AT_EMPTY_PATH
c fchmodat2 "$D" file 0644 0x1
c fchmodat2 - "$D/dirlink" 0701 0
c chmod "$D" 0750
'

if [ -n "$HAVE_ROOT" ]; then
        mcase "chown, lchown, fchownat as root: ids set on the target; set-user-ID cleared; NOFOLLOW; AT_EMPTY_PATH" '
c chown "$D/file" 65534 65534
c chown "$D/suid" 1000 -1
c chown "$D/sgid" -1 -1
c chown "$D/link" 1234 1234
c lchown "$D/dirlink" 4321 4321
c lchown "$D/dangling" 5 5
c chown "$D/dangling" 5 5
c chown "$D/dir" 1 2
c chown "$D/nothere" 0 0
c fchownat "$D" file2 42 43 0
c fchownat "$D" abslink 44 45 AT_SYMLINK_NOFOLLOW
c fchownat "rd:$D/exec" "" 46 47 AT_EMPTY_PATH
c fchownat "$D/dir" "" 48 49 AT_EMPTY_PATH
c fchownat "$D" hl1 -1 -1 0
c fchownat "$D" hl1 1 1 AT_REMOVEDIR
c fchownat "$D" "" 1 1 0
'
else
        skip "chown, lchown, fchownat as root: ids set on the target; set-user-ID cleared; NOFOLLOW; AT_EMPTY_PATH" "needs root"
fi

# --- truncate, utime family, statfs -------------------------------------------------------------

mcase "truncate: shorter, longer, through a symlink; EISDIR, ENOENT, EINVAL, ENOTDIR" '
c truncate "$D/file" 4
c truncate "$D/file2" 40
c truncate "$D/link" 2
c truncate "$D/dir" 0
c truncate "$D/nothere" 0
c truncate "$D/ro-file" -1
c truncate "$D/ro-file" 0
c truncate "$D/fifo" 0
c truncate "$D/file/" 0
'

mcase "utime, utimes, futimesat, utimensat: times set on the target; UTIME_OMIT; NOFOLLOW; NULL paths; EINVAL" '
c utime "$D/file" 1000,2000
c utime "$D/nothere" 1,2
c utimes "$D/file2" 3000.250000,4000.5
c utimes "$D/link" 5000.1,6000.2
c futimesat "$D" exec 7000.7,8000.8
c futimesat - "$D/dir" 9000,9001
c futimesat "rd:$D/ro-file" @null 11,12
c utimensat - "$D/hl1" 100.123456789,200.987654321 0
c utimensat "$D" old 300,omit 0
c utimensat "$D" link 400,500 AT_SYMLINK_NOFOLLOW
c utimensat "$D" dangling 401,501 AT_SYMLINK_NOFOLLOW
c utimensat "$D" dangling 402,502 0
c utimensat "rd:$D/suid" @null 600,700 0
c utimensat "rd:$D/suid" @null 1,2 AT_SYMLINK_NOFOLLOW
c utimensat - @null 1,2 0
c utimensat - "$D/file" 1.2000000000,2 0
c utimensat - "$D/file" 1,2 0x1
c utimensat "$D/full" "" 800,900 AT_EMPTY_PATH
c utimensat - "$D/fifo" omit,omit 0
c utimensat - "$D/sgid" omit,50 0
c utimes "$D/nothere" @null
c utime "$D/empty" @null
c utimensat - "$D/empty2" now,now 0
'

mcase "statfs: the target's filesystem (a redirect to /proc); ENOENT, ENOTDIR" '
c statfs "$S"
c statfs "$S/self"
c statfs "$D"
c statfs "$D/file"
c statfs "$D/link"
c statfs "$D/dangling"
c statfs "$D/nothere"
c statfs "$D/file/x"
'

# --- xattrs -------------------------------------------------------------------------------------

if [ -n "$HAVE_XATTR" ]; then
        mcase "setxattr, lsetxattr, removexattr, lremovexattr: on the target; XATTR_CREATE, XATTR_REPLACE; symlinks" '
c setxattr "$D/file" user.new value
c setxattr "$D/file" user.a changed XATTR_REPLACE
c setxattr "$D/file" user.a again XATTR_CREATE
c setxattr "$D/file" user.zz x XATTR_REPLACE
c setxattr "$D/link" user.vialink v
c lsetxattr "$D/link" user.onlink v
c lsetxattr "$D/file2" user.l v
c setxattr "$D/dir" user.d dirvalue
c setxattr "$D/nothere" user.x v
c setxattr "$D/file" bogus.x v
c setxattr "$D/file" user.a v 0x4
c removexattr "$D/file" user.b
c removexattr "$D/file" user.b
c lremovexattr "$D/link" user.a
c removexattr "$D/link" user.vialink
c lremovexattr "$D/file2" user.l
c getxattr "$D/file" user.new
c lgetxattr "$D/link" user.a
c listxattr "$D/file"
c llistxattr "$D/link"
'
else
        skip "setxattr, lsetxattr, removexattr, lremovexattr: on the target; XATTR_CREATE, XATTR_REPLACE; symlinks" "no user.* xattrs on this filesystem"
fi

if [ -n "$HAVE_XATTRAT" ]; then
        mcase "setxattrat, getxattrat, listxattrat, removexattrat: dirfd, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, EINVAL" '
c setxattrat - "$D/file" 0 user.at1 v1
c setxattrat "$D" file2 0 user.at2 v2 XATTR_CREATE
c setxattrat "$D" link 0 user.at3 v3
c setxattrat "$D" link AT_SYMLINK_NOFOLLOW user.at4 v4
c setxattrat "rd:$D/exec" "" AT_EMPTY_PATH user.at5 v5
c setxattrat "$D" file 0x1 user.x v
c setxattrat "$D" file 0 user.x v 0x8
c setxattrat "$D" nothere 0 user.x v
c getxattrat "$D" file 0 user.at1
c getxattrat - "$D/link" 0 user.at3
c getxattrat "$D" file 0 user.at1 1
c listxattrat "$D" file 0
c listxattrat "$D" link AT_SYMLINK_NOFOLLOW
c listxattrat - "$D/file" 0 0
c removexattrat "$D" file 0 user.at1
c removexattrat - "$D/file2" AT_SYMLINK_NOFOLLOW user.at2
c removexattrat "$D" nothere 0 user.a
'
else
        skip "setxattrat, getxattrat, listxattrat, removexattrat: dirfd, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, EINVAL" "no *xattrat calls (Linux 6.13) or no user.* xattrs"
fi

# --- rename ---------------------------------------------------------------------------------------

mcase "rename, renameat within one rule: act on the targets; ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL" '
c renameat "$D" exec "$D/dirlink" exec
c rename "$D/file2" "$D/renamed"
c rename "$D/renamed" "$D/file"
c rename "$D/link" "$D/link2"
c rename "$D/dir" "$D/dir2"
c rename "$D/dir2" "$D/empty"
c rename "$D/empty" "$D/full"
c rename "$D/ro-file" "$D/full"
c rename "$D/full" "$D/exec"
c rename "$D/nothere" "$D/x"
c rename "$D/full" "$D/full/newsub"
c rename "$D/hl1" "$D/hl2"
c rename "$D/fifo" "$D/fifo"
c rename "$D/ro-file/" "$D/x"
c renameat - "$D/old" - "$D/old2"
c rename "$D/dangling" "$D/dangling2"
c rename "$D" "$D/x"
'

mcase "renameat2: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT within one rule; EINVAL combinations" '
c renameat2 - "$D/file2" - "$D/file" RENAME_NOREPLACE
c renameat2 - "$D/file2" - "$D/nr" RENAME_NOREPLACE
c renameat2 - "$D/nr" - "$D/dir" RENAME_EXCHANGE
c renameat2 "$D" file "$D" nothere RENAME_EXCHANGE
c renameat2 "$D" link "$D" dangling RENAME_EXCHANGE
c renameat2 "$D" exec "$D" wo RENAME_WHITEOUT
c renameat2 "$D" file "$D" x "RENAME_EXCHANGE|RENAME_NOREPLACE"
c renameat2 "$D" file "$D" x "RENAME_EXCHANGE|RENAME_WHITEOUT"
c renameat2 "$D" file "$D" x 0x8
c renameat2 "dir:$D" empty "dir:$D" full RENAME_EXCHANGE
c renameat2 - "$D/hl1" - "$D/hl2" RENAME_NOREPLACE
'

FAKE=EXDEV mcase "rename, link across rules, or between a redirected and a plain path: EXDEV, nothing changes" '
w rename "$D/file" "$E/x"
w rename "$E/x" "$D/file"
w rename "$D/file" "$P/new"
w rename "$P/pf" "$D/new"
w rename "$D/file" "$I/new"
w rename "$I/y" "$D/y"
w renameat - "$D/dir" - "$P/dir"
w renameat2 - "$D/file" - "$E/x" RENAME_EXCHANGE
w renameat2 - "$D/file" - "$P/pf" RENAME_NOREPLACE
w renameat2 - "$D/file2" - "$P/wo" RENAME_WHITEOUT
w rename "$D" "$P/moved-root"
w rename "$P/pd" "$D/pd"
w link "$D/file" "$E/hl"
w link "$P/pf" "$D/hl"
w link "$I/y" "$D/hl"
w linkat - "$D/file" - "$P/hl" 0
w linkat - "$D/link" - "$E/hl" AT_SYMLINK_FOLLOW
'

# --- link ---------------------------------------------------------------------------------------

mcase "link, linkat within one rule: a new name of the target's inode; AT_SYMLINK_FOLLOW; EEXIST, EPERM, EINVAL" '
c link "$D/file" "$D/hl-new"
c link "$D/link" "$D/hl-of-link"
c link "$D/dangling" "$D/hl-dangling"
c link "$D/dir" "$D/hl-dir"
c link "$D/file" "$D/file2"
c link "$D/nothere" "$D/x"
c link "$D/file" "$D/nothere/x"
c link "$D/fifo" "$D/fifo-hl"
c linkat "$D" link "$D" hl-follow AT_SYMLINK_FOLLOW
c linkat "$D" dangling "$D" hl-df AT_SYMLINK_FOLLOW
c linkat - "$D/file" - "$D/hl3" AT_SYMLINK_NOFOLLOW
c linkat "dir:$D/dir" a "dir:$D" a-hl 0
c linkat "rd:$D/exec" "" "$D" exec-hl AT_EMPTY_PATH
c linkat "$D" abslink "$D/dir" abs-hl AT_SYMLINK_FOLLOW
'

# An unnamed file made in the redirected directory (O_TMPFILE, through the redirect) and given a
# name there: linkat(fd, "", AT_FDCWD, NAME, AT_EMPTY_PATH), the pattern of open(2). Its old side
# is a file descriptor, not a path: no rule is crossed. The same through /proc/self/fd/N with
# AT_SYMLINK_FOLLOW (open(2)'s unprivileged variant): /proc/self/fd/N names the fd's file.
mcase "O_TMPFILE in a redirected directory, then linkat(fd, \"\", AT_EMPTY_PATH) to a redirected name" '
umask 022
c linkat "tmp:$D" "" - "$D/materialized" AT_EMPTY_PATH
c linkat "tmp:$D/dir" "" - "$D/dir/m2" AT_EMPTY_PATH
c linkat "tmp:$D" "" - "$D/file" AT_EMPTY_PATH
'
# (/dev/fd/N, a symlink to /proc/self/fd/N: a label would show /proc as S natively)
mcase "O_TMPFILE in a redirected directory, then linkat(/dev/fd/N, AT_SYMLINK_FOLLOW) to a redirected name" '
umask 022
c linkat "tmp:$D" /dev/fd/3 - "$D/materialized" AT_SYMLINK_FOLLOW
'

# --- symlink ------------------------------------------------------------------------------------

mcase "symlink, symlinkat: made in the target; the content exactly as given, never translated" '
c symlink "$VL/file" "$D/sl-redirected-name"
c symlink file "$D/sl-rel"
c symlink ../../etc/passwd "$D/dir/sl-up"
c symlink "$DA/x" "$D/sl-to-denied"
c symlink "$RO/x" "$D/sl-to-readonly"
c symlinkat "$VL/dir" "$D" sl-at
c symlinkat dir "dir:$D/dir" sl-at2
c symlinkat "$VL/x" - "$D/dir/sub/sl-at3"
c symlink x "$D/file"
c symlink x "$D/dangling"
c symlink x "$D/nothere/sl"
c symlink "" "$D/sl-empty"
c symlink "$VL/file" "$P/sl-in-plain"
c readlink "$D/sl-redirected-name"
c readlink "$D/sl-rel"
c readlinkat "$D" sl-at
c readlink "$P/sl-in-plain"
'

# --- relative names -----------------------------------------------------------------------------

mcase "relative names from a cwd inside the redirected directory" '
umask 022
cd "$D" || exit 1
c mkdir rel 0777
c mkdirat - rel/sub 0700
c chmod file 0600
c truncate file2 2
c rename file2 rel/moved
c link rel/moved rel/hard
c symlink ../file rel/sym
c unlink link
c rmdir empty
c utimensat - old 100,omit 0
c mknod rel/fifo "S_IFIFO|0644"
c renameat2 - rel/hard - rel/sym RENAME_EXCHANGE
c rename . x
c rmdir .
cd rel && c rmdir ../empty2 && c unlink ../hl1 && c rename ../dir ../dir-moved && c fchmodat - ../dir-moved 0700
'

mcase "relative names from a dirfd of the redirected directory (*at calls)" '
umask 022
c mkdirat "$D" nd 0755
c mknodat "$D" nd/fifo "S_IFIFO|0600"
c symlinkat ../file "$D" nd/sl
c linkat "$D" file "$D" nd/hl 0
c linkat "$D" link "$D" nd/hl-link 0
c linkat "$D" link "$D" nd/hl-follow AT_SYMLINK_FOLLOW
c renameat "$D" file2 "$D" nd/file2
c renameat2 "dir:$D" nd/file2 "dir:$D" file2b RENAME_NOREPLACE
c renameat2 "$D" file2b "$D" file RENAME_NOREPLACE
c fchmodat "$D" nd 0700
c utimensat "$D" nd/sl 7,8 AT_SYMLINK_NOFOLLOW
c futimesat "$D" old 9.1,10.2
c unlinkat "$D" nd/fifo 0
c unlinkat "dir:$D" empty AT_REMOVEDIR
c fchmodat2 "$D" nd/hl 0640 AT_SYMLINK_NOFOLLOW
'

if [ -n "$HAVE_ROOT" ] && [ -n "$HAVE_XATTRAT" ]; then
        mcase "relative names from a dirfd of the redirected directory: fchownat, *xattrat" '
c fchownat "$D" dir 3 3 0
c fchownat "$D" link 4 4 AT_SYMLINK_NOFOLLOW
c fchownat "dir:$D" file 5 5 0
c setxattrat "$D" file2 0 user.at one
c removexattrat "$D" file 0 user.a
c getxattrat "$D" file2 0 user.at
c listxattrat "dir:$D" file 0
'
fi

mcase "relative names through a parent that no rule covers (dirfd and cwd) into the redirected name" '
N=${D##*/}
umask 022
c mkdirat "$D/.." "$N/up" 0755
c renameat "$D/.." "$N/file2" "$D/.." "$N/up/f2"
c linkat "$D/.." "$N/file" "$D/.." "$N/up/hl" 0
c symlinkat x "$D/.." "$N/up/sl"
c fchmodat "$D/.." "$N/up" 0711
c unlinkat "$D/.." "$N/link" 0
c utimensat "$D/.." "$N/old" 5,6 0
cd "$D/.." && c mkdir "$N/up2" 0700 && c rename "$N/up2" "$N/up3" && c chmod "$N/up3" 0750 && c rmdir "$N/empty"
'

# --- the current directory ----------------------------------------------------------------------

# chdir made by one thread is the whole process's: getcwd and /proc/self/cwd of another thread give
# the name the program used; then chdir and stat under SIGALRM every 200 us (handler with
# SA_RESTART): no call may fail (under unotify the hybrid answers chdir "make it again" and
# traces the thread for that one call).
if [ -x /usr/bin/python3 ]; then
        SUBST=1 mcase "chdir in a thread, getcwd in another; chdir under a storm of signals (SA_RESTART)" '
/usr/bin/python3 - "$D" <<EOF
import os, signal, sys, threading
d = sys.argv[1]
n = [0]
signal.signal(signal.SIGALRM, lambda s, f: n.__setitem__(0, n[0] + 1))
signal.siginterrupt(signal.SIGALRM, False)
th = threading.Thread(target=lambda: os.chdir(d + "/dir"))
th.start()
th.join()
print("cwd", os.getcwd(), os.readlink("/proc/self/cwd"))
print(sorted(os.listdir(".")))
signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
bad = []
for i in range(400):
    try:
        os.chdir(d)
        os.chdir("dir")
        os.stat(".")
        os.chdir("/")
    except OSError as e:
        bad.append(e.errno)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
print("errors", bad, "signals", "some" if n[0] else "none")
EOF
'
else
        selected "chdir in a thread, getcwd in another; chdir under a storm of signals (SA_RESTART)" &&
                skip "chdir in a thread, getcwd in another; chdir under a storm of signals (SA_RESTART)" "no /usr/bin/python3"
fi

# getcwd may show the real name or the redirected one (a ptrace backend may translate it back):
# both are printed as D.
mcase "renaming the current directory of the process (and calls relative to it afterwards)" '
cwd() { echo "cwd: $(/bin/pwd -P | sed "s#^$W/real/#D/#; s#^$W/virt/#D/#; s#^$W/#W/#")"; }
umask 022
cd "$D/dir" || exit 1
c rename "$D/dir" "$D/dir-renamed"
cwd
c mkdir newsub 0755
c rename . ../x
c rename ../dir-renamed ../dir-back
cwd
c rmdir "$D/dir-back/newsub"
c unlink a
c rmdir "$D/dir-back/sub"
c unlink sub/b
c rmdir sub
c rmdir "$D/dir-back"
c mkdir again 0755
cwd
'

# --- unprivileged -------------------------------------------------------------------------------

if [ -n "$HAVE_SETPRIV" ]; then
        INNER='
umask 022
id -u
c mkdir "$D/pub/n1" 0777
c mkdir "$D/dir/n2" 0755
c mknod "$D/pub/f1" "S_IFIFO|0666"
c mknod "$D/pub/c1" "S_IFCHR|0600" 1:3
c rmdir "$D/empty"
c unlink "$D/sticky/rootf"
c unlink "$D/sticky/nobodyf"
c unlink "$D/pub/rootf"
c chmod "$D/file" 0666
c chmod "$D/nobodydir/f" 0600
c chown "$D/nobodydir/f" 65534 65534
c chown "$D/nobodydir/f" 0 -1
c lchown "$D/link" 65534 -1
c truncate "$D/file" 0
c truncate "$D/sticky/rootf" 2
c utimensat - "$D/file" @null 0
c utimensat - "$D/file" 1,2 0
c utimensat - "$D/sticky/rootf" now,now 0
c utimes "$D/nobodydir/f" 5,6
c rename "$D/pub/n1" "$D/pub/n1b"
c rename "$D/sticky/rootf" "$D/sticky/x"
c rename "$D/file" "$D/pub/file"
c link "$D/file" "$D/pub/hl"
c link "$D/nobodydir/f" "$D/pub/hl2"
c symlink target "$D/pub/sl"
c symlink target "$D/dir/sl"
c mkdir "$D/nobodydir/sub" 0700
c fchownat "$D" pub/n1b -1 0 0
c renameat2 - "$D/pub/hl2" - "$D/pub/sl" RENAME_EXCHANGE
c unlinkat "$D" pub/f1 0
c statfs "$D" | head -n 2
'
        [ -z "$HAVE_XATTR" ] || INNER+='
c setxattr "$D/file" user.x v
c setxattr "$D/nobodydir/f" user.x v
c removexattr "$D/file" user.a
'
        mcase "an unprivileged program (uid 65534): EACCES and EPERM exactly as natively" '
exec setpriv --reuid=65534 --regid=65534 --clear-groups bash --norc --noprofile -c "$PRELUDE$INNER"
'
        INNER='
[ -w "$D/file" ] && echo "file: writable" || echo "file: not writable"
[ -w "$D/pub" ] && echo "pub: writable" || echo "pub: not writable"
[ -w "$D/nobodydir/f" ] && echo "nobodydir/f: writable" || echo "nobodydir/f: not writable"
[ -w "$D/ro-file" ] && echo "ro-file: writable" || echo "ro-file: not writable"
'
        mcase "bash -c '[ -w F ]' on redirected paths, as root and as uid 65534" '
for f in file ro-file dir fifo nothere link dangling; do
        bash -c "[ -w \"\$1\" ]" _ "$D/$f" && echo "$f: writable" || echo "$f: not writable"
done
setpriv --reuid=65534 --regid=65534 --clear-groups bash --norc --noprofile -c "$INNER"
'
        # a watch needs read permission on its object, checked as the program (fanotify_init needs
        # CAP_SYS_ADMIN: kept, as the only capability, across the change of uid)
        INNER='
cd "$W/real" || exit 1
c inotify "$D/file2" IN_MODIFY "$D/file" IN_MODIFY "$D/nobodydir" IN_CREATE "$D/nothere" IN_MODIFY -- create:nobodydir/nf
'
        [ -z "$HAVE_FANOTIFY" ] || INNER+='
c fanotify FAN_MARK_ADD FAN_MODIFY - "$D/file2" FAN_MARK_ADD FAN_MODIFY - "$D/file" FAN_MARK_ADD "FAN_MODIFY|FAN_EVENT_ON_CHILD" - "$D/nobodydir" FAN_MARK_ADD FAN_MODIFY - "$D/nothere" -- write:nobodydir/f
'
        mcase "watches of an unprivileged program (uid 65534, CAP_SYS_ADMIN only): EACCES as natively" '
c chmod "$D/file2" 0600
exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+sys_admin --ambient-caps=+sys_admin bash --norc --noprofile -c "$PRELUDE$INNER"
'
        unset INNER
else
        skip "an unprivileged program (uid 65534): EACCES and EPERM exactly as natively" "needs root and setpriv"
        skip "watches of an unprivileged program (uid 65534, CAP_SYS_ADMIN only): EACCES as natively" "needs root and setpriv"
        skip "bash -c '[ -w F ]' on redirected paths, as root and as uid 65534" "needs root and setpriv"
fi

# --- read-only rules ----------------------------------------------------------------------------

RO_SCRIPT='
w mkdir "$X/new" 0755
w mknod "$X/fifo" "S_IFIFO|0644"
w rmdir "$X/d"
w unlink "$X/x"
w unlinkat - "$X/d" AT_REMOVEDIR
w chmod "$X/x" 0600
w fchmodat - "$X/x" 0600
w fchmodat2 - "$X/x" 0600 AT_SYMLINK_NOFOLLOW
w chown "$X/x" 1 1
w lchown "$X/x" 1 1
w fchownat - "$X/x" 1 1 0
w truncate "$X/x" 0
w utime "$X/x" 1,2
w utimes "$X/x" 1,2
w futimesat - "$X/x" 1,2
w utimensat - "$X/x" 1,2 0
w utimensat - "$X/x" @null 0
w rename "$X/x" "$X/y"
w renameat2 - "$X/x" - "$X/d" RENAME_EXCHANGE
w link "$X/x" "$X/hl"
w linkat - "$X/x" - "$X/hl" AT_SYMLINK_FOLLOW
w symlink t "$X/sl"
w symlinkat t - "$X/sl2"
w mkdir "$X/d/new" 0755
'
RO_XATTR_SCRIPT='
w setxattr "$X/x" user.n v
w lsetxattr "$X/x" user.n v
w removexattr "$X/x" user.r
w lremovexattr "$X/x" user.r
c getxattr "$X/x" user.r
c listxattr "$X/x"
'
RO_XATTRAT_SCRIPT='
w setxattrat - "$X/x" 0 user.n v
w removexattrat - "$X/x" 0 user.r
c getxattrat - "$X/x" 0 user.r
'
RO_REL_SCRIPT='
w mkdirat "$X" new 0755
w mkdirat "dir:$X" new 0755
w mknodat "$X" fifo "S_IFIFO|0600"
w unlinkat "$X" x 0
w unlinkat "dir:$X" d AT_REMOVEDIR
w renameat "$X" x "$X" y
w fchmodat "$X" x 0600
w fchownat "$X" x 1 1 0
w utimensat "$X" x 1,2 0
w symlinkat t "$X" sl
w linkat "$X" x "$X" hl 0
cd "$X" && w mkdir new 0755 && w unlink x && w rename x y && w chmod x 0600 && w truncate x 1
'
ro_scripts() { # the read-only script for this machine
        local s=$RO_SCRIPT
        [ -z "$HAVE_XATTR" ] || s+=$RO_XATTR_SCRIPT
        [ -z "$HAVE_XATTRAT" ] || s+=$RO_XATTRAT_SCRIPT
        echo "$s"
}
FAKE=EROFS mcase "read-only rule: every mutation under it fails with EROFS, reads go through" 'X=$RO'"$(ro_scripts)"
FAKE=EROFS mcase "redirect + read-only rule: every mutation fails with EROFS, reads see the target" 'X=$RR'"$(ro_scripts)"
FAKE=EROFS mcase "read-only rule: EROFS relative to a dirfd of it and from a cwd inside it" 'X=$RO'"$RO_REL_SCRIPT"
FAKE=EROFS mcase "redirect + read-only rule: EROFS relative to a dirfd of it and from a cwd inside it" 'X=$RR'"$RO_REL_SCRIPT"

FAKE=EROFS mcase "rename, link with one side read-only: EROFS; a symlink's content is no path" '
w rename "$RO/x" "$P/x"
w rename "$P/pf" "$RO/pf"
w link "$RO/x" "$P/hl"
w link "$P/pf" "$RO/hl"
w renameat2 - "$RO/x" - "$P/pf" RENAME_EXCHANGE
w linkat - "$P/pf" - "$RO/hl" AT_SYMLINK_FOLLOW
w rename "$RR/x" "$RR/y"
w link "$RR/x" "$RR/hl"
w renameat2 - "$RR/x" - "$RR/d" RENAME_EXCHANGE
c symlink "$RO/x" "$P/sl-to-ro"
c symlink "$RO/x" "$D/sl-to-ro"
'

# A read-only side and a redirected one under another rule: both EXDEV and EROFS would be
# defensible; the rule "either side read-only: EROFS" decides.
FAKE=EROFS mcase "rename, link between a redirected path and a redirected read-only one: EROFS" '
w rename "$D/file" "$RR/new"
w rename "$RR/x" "$D/x"
w link "$RR/x" "$D/hl"
w link "$D/file" "$RR/hl"
'

if [ -n "$HAVE_SETPRIV" ]; then
        INNER='
[ -w "$RO/x" ] && echo "RO/x: writable" || echo "RO/x: not writable"
[ -w "$RR/x" ] && echo "RR/x: writable" || echo "RR/x: not writable"
'
        FAKE=1 mcase "bash -c '[ -w F ]' under read-only rules: not writable (as on a read-only mount)" '
if [ -n "${FAKE:-}" ]; then
        printf "%s\n" "RO/x: not writable" "RR/x: not writable" "RO/x: not writable" "RR/x: not writable"
else
        bash --norc --noprofile -c "$INNER"
        setpriv --reuid=65534 --regid=65534 --clear-groups bash --norc --noprofile -c "$INNER"
fi
'
        unset INNER
fi

# --- deny rules ---------------------------------------------------------------------------------

DENY_SCRIPT='
w mkdir "$X/new" 0755
w mkdir "$X" 0755
w mkdirat - "$X/new" 0755
w mknod "$X/f" "S_IFIFO|0644"
w rmdir "$X/d"
w unlink "$X/x"
w unlinkat - "$X/x" 0
w chmod "$X/x" 0600
w fchmodat2 - "$X/x" 0600 0
w chown "$X/x" 1 1
w lchown "$X/x" 1 1
w fchownat - "$X/x" 1 1 AT_SYMLINK_NOFOLLOW
w truncate "$X/x" 0
w utime "$X/x" 1,2
w utimes "$X/x" 1,2
w futimesat - "$X/x" 1,2
w utimensat - "$X/x" 1,2 0
w statfs "$X"
w statfs "$X/x"
w rename "$X/x" "$X/y"
w renameat2 - "$X/x" - "$X/d" RENAME_EXCHANGE
w link "$X/x" "$X/hl"
w symlink t "$X/sl"
w symlinkat t - "$X/sl"
cd "$X/.." && w mkdir "${X##*/}/rel" 0755 && w unlinkat - "${X##*/}/x" 0
'
DENY_XATTR_SCRIPT='
w setxattr "$X/x" user.n v
w lsetxattr "$X/x" user.n v
w removexattr "$X/x" user.n
w lremovexattr "$X/x" user.n
'
DENY_XATTRAT_SCRIPT='
w setxattrat - "$X/x" 0 user.n v
w getxattrat - "$X/x" 0 user.n
w listxattrat - "$X/x" 0
w removexattrat - "$X/x" 0 user.n
'
deny_script() {
        local s=$DENY_SCRIPT
        [ -z "$HAVE_XATTR" ] || s+=$DENY_XATTR_SCRIPT
        [ -z "$HAVE_XATTRAT" ] || s+=$DENY_XATTRAT_SCRIPT
        echo "$s"
}
FAKE=EACCES mcase "deny EACCES: every mutation of the path and below fails with EACCES" 'X=$DA'"$(deny_script)"
FAKE=ENOENT mcase "deny ENOENT: every mutation fails with ENOENT" 'X=$DN'"$(deny_script)"
FAKE=EPERM mcase "deny EPERM: every mutation fails with EPERM" 'X=$DP'"$(deny_script)"

FAKE=1 mcase "rename, link with a denied side: the deny rule's errno (also against a redirected side)" '
x EACCES rename "$DA/x" "$P/y"
x EACCES rename "$P/pf" "$DA/y"
x ENOENT rename "$DN/x" "$P/y"
x ENOENT link "$P/pf" "$DN/hl"
x EPERM linkat - "$DP/x" - "$P/hl" 0
x EPERM renameat2 - "$P/pf" - "$DP/x" RENAME_EXCHANGE
x EACCES rename "$D/file" "$DA/x"
x ENOENT link "$DN/x" "$D/hl"
c symlink "$DA/x" "$P/sl-to-denied"
'

# --- NULL pointers ------------------------------------------------------------------------------

mcase "NULL path arguments: EFAULT as natively, also next to a redirected path" '
c mkdir @null 0755
c mkdirat "$D" @null 0755
c unlink @null
c rmdir @null
c chmod @null 0644
c truncate @null 0
c rename @null "$D/x"
c rename "$D/file" @null
c renameat2 - "$D/file" - @null RENAME_NOREPLACE
c link "$D/file" @null
c link @null "$D/x"
c linkat "$D" @null "$D" x 0
c symlink @null "$D/x"
c symlink x @null
c symlinkat "$D/x" "$D" @null
c unlinkat "$D" @null 0
c fchownat "$D" @null 1 1 0
'

# --- watches: inotify_add_watch, fanotify_mark ----------------------------------------------------
# A watch (mark) must be on the target: the events of changes made there under its real name (from
# a cwd in it: the actions' paths must read the same in both runs) reach the program, and a second
# watch of the same inode by its real name gets the same wd. Nothing is changed by the watches
# themselves; the actions' results show in the tree. "x ERRNO" lines (FAKE=1): a deny rule's errno.

mcase "inotify_add_watch: on the target (IN_CREATE with the name, IN_MODIFY, the same wd by the real name); ENOENT, ENOTDIR" '
cd "$W/real" || exit 1
c inotify "$D" "IN_CREATE|IN_DELETE" "$D/file" IN_MODIFY file "IN_MASK_ADD|IN_ATTRIB" -- create:newf unlink:file2 write:file touch-h:file
c inotify "$D/dir" IN_CREATE "$D/dir/" IN_CREATE "$D/dir/sub/.." IN_CREATE -- mkdir:dir/nd create:dir/sub/nf
c inotify "$D/nothere" IN_MODIFY "$D/nothere/x" IN_MODIFY "$D/file/x" IN_MODIFY "$D/file" "IN_ONLYDIR|IN_MODIFY" "$D/dir" "IN_ONLYDIR|IN_CREATE"
c inotify "" IN_MODIFY @null IN_MODIFY "$D/file" 0
c inotify "$D" IN_CREATE -- create:new2
cd "$D" && c inotify file IN_MODIFY . IN_CREATE -- write:file create:new3
'

mcase "inotify_add_watch: IN_DONT_FOLLOW on symlinks (the link itself), else followed; dangling, absolute links" '
cd "$W/real" || exit 1
c inotify "$D/link" "IN_DONT_FOLLOW|IN_MODIFY|IN_ATTRIB" -- write:file touch-h:link
c inotify "$D/link" "IN_MODIFY|IN_ATTRIB" -- write:file touch-h:link
c inotify "$D/dangling" "IN_DONT_FOLLOW|IN_ATTRIB" "$D/dangling" IN_ATTRIB -- touch-h:dangling
c inotify "$D/abslink" IN_MODIFY "$D/abslink" "IN_DONT_FOLLOW|IN_ATTRIB" "$D/dirlink" "IN_DONT_FOLLOW|IN_ONLYDIR|IN_CREATE" "$D/dirlink" "IN_ONLYDIR|IN_CREATE" -- write:file touch-h:abslink create:dir/nf
'

FAKE=1 mcase "inotify_add_watch under read-only and deny rules: a watch reads (allowed read-only); the deny errno" '
c inotify "$RO/x" IN_MODIFY "$RR/x" IN_MODIFY
x EACCES inotify "$DA/x" IN_MODIFY
x ENOENT inotify "$DN/x" IN_MODIFY
x EPERM inotify "$DP/d" IN_CREATE
'

if [ -n "$HAVE_I386" ]; then
        FAKE=1 mcase "i386 int \$0x80: inotify_add_watch on the target; ENOENT; IN_DONT_FOLLOW" '
cd "$W/real" || exit 1
c i386-inotify "$D" IN_CREATE "$D/file" IN_MODIFY file IN_MODIFY -- create:newi write:file
c i386-inotify "$D/nothere" IN_MODIFY "$D/dangling" IN_ATTRIB "$D/dangling" "IN_DONT_FOLLOW|IN_ATTRIB" "$D/link" "IN_DONT_FOLLOW|IN_ATTRIB|IN_MODIFY" -- touch-h:link write:file
x EACCES i386-inotify "$DA/x" IN_MODIFY
'
else
        skip "i386 int \$0x80: inotify_add_watch on the target; ENOENT; IN_DONT_FOLLOW" "no IA32 emulation"
fi

# fanotify_init(FAN_CLASS_NOTIF) needs CAP_SYS_ADMIN
FAN_CASES=("fanotify_mark: marks on the target (FAN_MODIFY, FAN_CLOSE_WRITE), by dirfd, NULL path; ENOENT, ENOTDIR; FAN_MARK_FLUSH"
        "fanotify_mark: FAN_MARK_DONT_FOLLOW on symlinks, else followed; FAN_MARK_REMOVE by the real name; deny rules"
        "i386 int \$0x80: fanotify_mark (the mask in two registers, dirfd and path one on); ENOENT; FAN_MARK_DONT_FOLLOW")
if [ -z "$HAVE_FANOTIFY" ]; then
        for f in "${FAN_CASES[@]}"; do skip "$f" "$NO_FANOTIFY"; done
else
        mcase "${FAN_CASES[0]}" '
cd "$W/real" || exit 1
c fanotify FAN_MARK_ADD "FAN_MODIFY|FAN_CLOSE_WRITE" - "$D/file" -- write:file write:file2
c fanotify FAN_MARK_ADD "FAN_CLOSE_WRITE|FAN_EVENT_ON_CHILD" - "$D" -- create:newf write:file2 write:dir/a
c fanotify FAN_MARK_ADD FAN_MODIFY "$D" file FAN_MARK_ADD FAN_MODIFY "dir:$D/dir" a FAN_MARK_ADD FAN_MODIFY "$D/dir" "$D/file2" -- write:file write:dir/a write:file2
c fanotify FAN_MARK_ADD FAN_MODIFY "rd:$D/hl1" @null FAN_MARK_ADD FAN_MODIFY "rd:$D/old" "" -- write:hl2 write:old
c fanotify FAN_MARK_ADD FAN_MODIFY - "$D/nothere" FAN_MARK_ADD FAN_MODIFY - "$D/file/x" "FAN_MARK_ADD|FAN_MARK_ONLYDIR" FAN_MODIFY - "$D/file" "FAN_MARK_ADD|FAN_MARK_ONLYDIR" FAN_MODIFY - "$D/dir" FAN_MARK_ADD FAN_MODIFY - @null
c fanotify FAN_MARK_ADD FAN_MODIFY - "$D/file" FAN_MARK_FLUSH 0 - "$DA/x" FAN_MARK_FLUSH 0 - "$D/nothere" -- write:file
cd "$D" && c fanotify FAN_MARK_ADD FAN_MODIFY - file -- write:file
'
        FAKE=1 mcase "${FAN_CASES[1]}" '
cd "$W/real" || exit 1
c fanotify "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW" FAN_MODIFY - "$D/link" "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW" FAN_MODIFY - "$D/abslink" "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW" FAN_MODIFY - "$D/dangling" FAN_MARK_ADD FAN_MODIFY - "$D/dangling" -- write:file
c fanotify FAN_MARK_ADD FAN_MODIFY - "$D/link" -- write:file
c fanotify FAN_MARK_ADD FAN_MODIFY - "$D/abslink" "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW|FAN_MARK_ONLYDIR" FAN_MODIFY - "$D/dirlink" "FAN_MARK_ADD|FAN_MARK_ONLYDIR" "FAN_MODIFY|FAN_EVENT_ON_CHILD" - "$D/dirlink" -- write:file write:dir/a
c fanotify FAN_MARK_ADD FAN_MODIFY - "$D/file" FAN_MARK_REMOVE FAN_MODIFY - file FAN_MARK_REMOVE FAN_MODIFY - "$D/file" -- write:file
c fanotify FAN_MARK_ADD FAN_MODIFY - "$RO/x" FAN_MARK_ADD FAN_MODIFY - "$RR/x"
x EACCES fanotify FAN_MARK_ADD FAN_MODIFY - "$DA/x"
x ENOENT fanotify FAN_MARK_ADD FAN_MODIFY - "$DN/x"
x EPERM fanotify FAN_MARK_ADD FAN_MODIFY - "$DP/d"
'
        if [ -n "$HAVE_I386" ]; then
                FAKE=1 mcase "${FAN_CASES[2]}" '
cd "$W/real" || exit 1
c i386-fanotify FAN_MARK_ADD "FAN_MODIFY|FAN_CLOSE_WRITE" - "$D/file" FAN_MARK_ADD FAN_MODIFY "$D" file2 FAN_MARK_ADD FAN_MODIFY "rd:$D/dir/a" @null -- write:file write:file2 write:dir/a
c i386-fanotify FAN_MARK_ADD "FAN_MODIFY|0x100000000" - "$D/file" "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW" FAN_MODIFY - "$D/dangling" "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW" FAN_MODIFY - "$D/abslink" FAN_MARK_ADD FAN_MODIFY - "$D/dangling" FAN_MARK_ADD FAN_MODIFY - "$D/nothere" -- write:file
c i386-fanotify "FAN_MARK_ADD|FAN_MARK_DONT_FOLLOW" FAN_MODIFY - "$D/link" FAN_MARK_ADD FAN_MODIFY - "$D/abslink" -- write:file
x EACCES i386-fanotify FAN_MARK_ADD FAN_MODIFY - "$DA/x"
'
        else
                skip "${FAN_CASES[2]}" "no IA32 emulation"
        fi
fi

# --- i386 system calls --------------------------------------------------------------------------

if [ -n "$HAVE_I386" ]; then
        mcase "i386 int \$0x80: mkdir, rmdir, unlink, chmod, chown32, mknod, truncate64, rename, link, symlink, *at, statfs" '
umask 022
c i386-mkdir "$D/i" 0777
c i386-mkdir "$D/i" 0777
c i386-chmod "$D/i" 0700
c i386-chown32 "$D/file" 65534 65534
c i386-lchown32 "$D/link" 4 4
c i386-mknod "$D/i/fifo" "S_IFIFO|0666"
c i386-mknod "$D/i/null" "S_IFCHR|0666" 1:3
c i386-truncate64 "$D/file2" 3
c i386-truncate64 "$D/dir" 3
c i386-rename "$D/file2" "$D/i/f2"
c i386-rename "$D/nothere" "$D/i/f3"
c i386-link "$D/i/f2" "$D/i/f2-hl"
c i386-symlink "$VL/x" "$D/i/sl"
c i386-unlink "$D/i/f2-hl"
c i386-unlink "$D/dir"
c i386-rmdir "$D/empty"
c i386-rmdir "$D/full"
c i386-mkdirat "$D" at 0750
c i386-fchmodat "$D" at 0705
c i386-unlinkat "$D" at AT_REMOVEDIR
c i386-renameat2 "$D" exec "$D" exec2 RENAME_NOREPLACE
c i386-renameat2 - "$D/hl1" - "$D/file" RENAME_EXCHANGE
c i386-linkat - "$D/link" - "$D/i/hl" AT_SYMLINK_FOLLOW
c i386-symlinkat x "$D" i/sl2
c i386-mkdir @null 0755
c i386-statfs64 "$S"
c i386-statfs64 "$D/file"
c i386-statfs64 "$D/file" 88
c i386-statfs64 "$D/nothere"
c i386-statfs "$D"
c i386-statfs "$S/self"
'
        FAKE=1 mcase "i386 int \$0x80: EXDEV across rules, EROFS, deny" '
x EXDEV i386-rename "$D/file" "$P/x"
x EXDEV i386-link "$D/file" "$E/x"
x EXDEV i386-renameat2 - "$P/pf" - "$D/pf" 0
x EROFS i386-mkdir "$RO/n" 0755
x EROFS i386-unlink "$RR/x"
x EROFS i386-symlink t "$RO/sl"
x EROFS i386-rename "$RR/x" "$RR/y"
x EACCES i386-chmod "$DA/x" 0600
x ENOENT i386-symlink t "$DN/sl"
x EPERM i386-rmdir "$DP/d"
'
else
        skip "i386 int \$0x80: mkdir, rmdir, unlink, chmod, chown32, mknod, truncate64, rename, link, symlink, *at, statfs" "no IA32 emulation"
        skip "i386 int \$0x80: EXDEV across rules, EROFS, deny" "no IA32 emulation"
fi

# --- privileged calls: the mount family, swap, accounting, quota ---------------------------------
# mount, umount2, i386 umount, move_mount, fspick, mount_setattr, open_tree (OPEN_TREE_CLONE) and
# open_tree_attr, swapon, swapoff, acct, uselib, quotactl: the ptrace backends rewrite their paths,
# unotify hands them to its ptrace attachment (the hybrid), which rewrites them the same way.
# Root only. Every mount is made in a private mount namespace (the case script runs
# `unshare -m --propagation private bash -c INNER`; pathvisor follows the child), so the mounts
# vanish with it: the listing shows what was written through them, never the mounts themselves,
# and a last check looks for mounts under $W left in our namespace. The targets are chosen where
# the decoy ($W/virt) has nothing (empty, empty2, full, pub, file2, ...): a call that reached the
# kernel untranslated would get ENOENT there. Writes through a mount point by its redirected name
# (mkdir) must land where the mount shows them: unotify makes them in the tracee's mount namespace.
# swap, accounting and quota calls must have no side effect: they only ever fail here (swapon of a
# file with no swap signature, acct of a directory or a missing name, never of a regular file that
# it could write: that would switch accounting on; the helper undoes a successful swapon or acct
# at once, and says so). Deny lines (x, FAKE=1) are chosen so that the call, let through, would
# give another result than the rule's errno.

ADMIN_NO_ROOT=
ADMIN_NO_NS=
if [ -z "$HAVE_ROOT" ]; then
        ADMIN_NO_ROOT="needs root (CAP_SYS_ADMIN)"
        ADMIN_NO_NS=$ADMIN_NO_ROOT
elif ! unshare -m --propagation private true 2>"$T/unshare.err"; then
        ADMIN_NO_NS="unshare -m --propagation private fails here: $(head -n1 "$T/unshare.err")"
fi
# the case script of the mount cases: INNER in a private mount namespace
ADMIN_NS='exec unshare -m --propagation private bash --norc --noprofile -c "$PRELUDE$ADMIN_PRELUDE$INNER"'
# "l DIR...": "ls DIR => exit N: ENTRY...", one line per directory, named by its variable (ls
# names them by their values otherwise)
ADMIN_PRELUDE='
l() {
        local d e rc
        for d in "$@"; do
                e=$(ls -A "$d" 2>/dev/null) && rc=0 || rc=$?
                label ls "$d"
                echo "exit $rc:" $e
        done
}
'
export ADMIN_PRELUDE

ADMIN_CASES=("mount --bind between redirected directories in a private namespace: through the mount point by its name, MS_REC, MS_MOVE, tmpfs, umount2; ENOENT, EINVAL, UMOUNT_NOFOLLOW"
        "mount with a NULL source: MS_REMOUNT|MS_BIND|MS_RDONLY (then EROFS) and back, MS_PRIVATE, MS_SHARED (x86-64 and i386)"
        "the new mount API: open_tree(OPEN_TREE_CLONE) + move_mount, fspick, mount_setattr (read-only: EROFS), open_tree_attr, move_mount of an attached mount; ENOENT, EINVAL"
        "mount family under deny and read-only rules: the deny errno; read-only rules do not stop a mount"
        "i386 int \$0x80: mount and umount in a private namespace; ENOENT, EINVAL; deny")
if [ -n "$ADMIN_NO_NS" ]; then
        for f in "${ADMIN_CASES[@]}"; do selected "$f" && skip "$f" "$ADMIN_NO_NS"; done
else
        INNER='
c mount "$D/dir" "$D/empty" @null MS_BIND
l "$D/empty"; cat "$D/empty/a"
c mkdir "$D/empty/through" 0755
c umount2 "$D/empty" 0
l "$D/empty"
c umount2 "$D/empty" 0
c mount "$P" "$D/empty2" @null "MS_BIND|MS_REC"
l "$D/empty2"; cat "$D/empty2/pf"
c mkdir "$D/empty2/through-plain" 0755
c umount2 "$D/empty2" MNT_DETACH
c mkdir "$D/empty2/after" 0755
c mount "$D/full" "$D/pub" @null MS_BIND
c mount "$D/pub" "$D/empty" @null MS_MOVE
l "$D/pub" "$D/empty"
c umount2 "$D/empty" 0
c mount "$D/full" "$D/nothere" @null MS_BIND
c mount "$D/nothere" "$D/empty" @null MS_BIND
c mount "$D/full" "$D/file2/x" @null MS_BIND
c umount2 "$D/full" 0
c umount2 "$D/nothere" 0
c mount "$D/full" "$D/dir" @null MS_BIND
c umount2 "$D/dirlink" UMOUNT_NOFOLLOW
c umount2 "$D/dirlink" 0
c umount2 "$D/dir" 0
c mount "$D/dirlink" "$D/empty" @null MS_BIND
l "$D/empty"
c umount2 "$D/empty" 0
cd "$D" && c mount full empty @null MS_BIND && l empty && c umount2 empty 0
c mount tmpfs "$D/empty" tmpfs 0
c mkdir "$D/empty/in-tmpfs" 0755
l "$D/empty"
'
        mcase "${ADMIN_CASES[0]}" "$ADMIN_NS"

        # the source of a remount or of a propagation change is no path: NULL is the usual one
        # ("none" is what util-linux passes)
        INNER='
c mount "$P" "$D/empty2" @null "MS_BIND|MS_REC"
c mount @null "$D/empty2" @null "MS_REMOUNT|MS_BIND|MS_RDONLY"
c mkdir "$D/empty2/new" 0755
c unlink "$D/empty2/pf"
cat "$D/empty2/pd/q"
c mount none "$D/empty2" @null "MS_REMOUNT|MS_BIND"
c mkdir "$D/empty2/rw-again" 0755
c mount @null "$D/empty2" @null MS_PRIVATE
c mount @null "$D/empty2" @null "MS_SHARED|MS_REC"
c mount @null "$D/nothere" @null MS_PRIVATE
c umount2 "$D/empty2" MNT_DETACH
c mkdir "$D/empty2/after" 0755
'
        [ -z "$HAVE_I386" ] || INNER+='
c i386-mount "$D/full" "$D/empty" @null MS_BIND
c i386-mount @null "$D/empty" @null "MS_REMOUNT|MS_BIND|MS_RDONLY"
c mkdir "$D/empty/i386-new" 0755
c i386-mount @null "$D/empty" @null MS_PRIVATE
c i386-umount "$D/empty"
'
        mcase "${ADMIN_CASES[1]}" "$ADMIN_NS"

        INNER='
c clone-move "$D/dir" "$D/empty"
l "$D/empty"
c fspick - "$D/empty" FSPICK_CLOEXEC
c fspick "$D" empty 0
c fspick - "$D/full" 0
c fspick - "$D/nothere" 0
c fspick - "$D/dirlink" 0
c mkdir "$D/empty/before" 0755
c mount_setattr - "$D/empty" 0 MOUNT_ATTR_RDONLY 0
c mkdir "$D/empty/after" 0755
c mount_setattr "$D" empty 0 0 MOUNT_ATTR_RDONLY
c mkdir "$D/empty/after-clear" 0755
c mount_setattr - "$D/full" 0 MOUNT_ATTR_RDONLY 0
c mount_setattr - "$D/nothere" 0 MOUNT_ATTR_RDONLY 0
c mount_setattr - "$D/dirlink" AT_SYMLINK_NOFOLLOW MOUNT_ATTR_RDONLY 0
c move_mount - "$D/empty" - "$D/empty2" 0
l "$D/empty" "$D/empty2"
c move_mount "$D/empty2" "" - "$D/empty" MOVE_MOUNT_F_EMPTY_PATH
c move_mount "$D" empty "$D" pub 0
l "$D/pub"
c move_mount - "$D/pub" - "$D/dirlink" 0
c move_mount - "$D/pub" - "$D/dirlink" MOVE_MOUNT_T_SYMLINKS
l "$D/dir"
c move_mount - "$D/dirlink" - "$D/empty2" MOVE_MOUNT_F_SYMLINKS
c move_mount - "$D/full" - "$D/empty" 0
c move_mount - "$D/nothere" - "$D/empty" 0
c move_mount - "$D/empty2" - "$D/nothere" 0
c open_tree_attr - "$D/full" "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC" MOUNT_ATTR_RDONLY
c open_tree_attr "$D" full OPEN_TREE_CLONE "MOUNT_ATTR_NOEXEC|MOUNT_ATTR_NOSUID"
c open_tree_attr - "$D/nothere" OPEN_TREE_CLONE 0
c open_tree_attr - "$D/full" OPEN_TREE_CLOEXEC MOUNT_ATTR_RDONLY
c clone-move "$D/nothere" "$D/empty"
c clone-move "$D/full" "$D/nothere"
c clone-move "$D/file2" "$D/empty"
c umount2 "$D/empty2" 0
c mkdir "$D/empty2/in-full" 0755
'
        mcase "${ADMIN_CASES[2]}" "$ADMIN_NS"

        INNER='
x EACCES mount "$DA/d" "$D/empty" @null MS_BIND
x EACCES mount "$D/full" "$DA/d" @null MS_BIND
x ENOENT mount "$DN/d" "$D/empty" @null MS_BIND
x EPERM i386-mount "$D/full" "$DP/d" @null MS_BIND
x EACCES umount2 "$DA/d" 0
x EACCES fspick - "$DA/d" 0
x ENOENT mount_setattr - "$DN/d" 0 MOUNT_ATTR_RDONLY 0
x EPERM open_tree_attr - "$DP/d" OPEN_TREE_CLONE 0
x EPERM open_tree - "$DP/d" OPEN_TREE_CLONE
c mount "$RO/d" "$D/empty" @null MS_BIND
l "$D/empty"
c mount "$D/full" "$RO/d" @null MS_BIND
l "$RO/d"
c mount "$D/full" "$RR/d" @null MS_BIND
l "$RR/d"
c clone-move "$D/full" "$D/empty2"
x EACCES move_mount - "$D/empty2" - "$DA/d" 0
x ENOENT move_mount - "$DN/d" - "$D/pub" 0
'
        if [ -n "$HAVE_I386" ]; then
                FAKE=1 mcase "${ADMIN_CASES[3]}" "$ADMIN_NS"
        else
                INNER=$(echo "$INNER" | grep -v i386-) FAKE=1 mcase "${ADMIN_CASES[3]}" "$ADMIN_NS"
        fi

        if [ -n "$HAVE_I386" ]; then
                INNER='
c i386-mount "$D/dir" "$D/empty" @null MS_BIND
l "$D/empty"
c mkdir "$D/empty/through" 0755
c i386-umount "$D/empty"
c i386-umount "$D/empty"
c i386-mount "$P" "$D/empty2" @null "MS_BIND|MS_REC"
l "$D/empty2"
c i386-umount "$D/empty2"
c i386-mount "$D/full" "$D/nothere" @null MS_BIND
c i386-mount "$D/nothere" "$D/full" @null MS_BIND
c i386-umount "$D/nothere"
c i386-umount "$D/full"
cd "$D" && c i386-mount full pub @null MS_BIND && l pub && c i386-umount pub
x EACCES i386-umount "$DA/d"
'
                FAKE=1 mcase "${ADMIN_CASES[4]}" "$ADMIN_NS"
        else
                selected "${ADMIN_CASES[4]}" && skip "${ADMIN_CASES[4]}" "no IA32 emulation"
        fi
        unset INNER

        # the namespaces are gone: no mount under $W is left in ours
        ADMIN_ANY=
        for f in "${ADMIN_CASES[@]}" "no mount left under the fixture after the mount cases"; do
                selected "$f" && ADMIN_ANY=1
        done
        if [ -n "$ADMIN_ANY" ]; then
                if grep -F -- " $W" /proc/self/mountinfo >"$T/leftover"; then
                        notok "no mount left under the fixture after the mount cases" "$T/leftover"
                else
                        ok "no mount left under the fixture after the mount cases"
                fi
        fi
fi

# uselib(2): whatever the native run gives; a kernel without it (CONFIG_USELIB off, as on the
# 6.18 kernel where these cases were written) says ENOSYS for any path, and then the uselib lines
# only show that pathvisor leaves that result alone (and that a deny rule still answers first)
ADMIN_SWAP_CASES=("swapon, swapoff, acct, uselib, quotactl on the target (no side effect: every call fails); EINVAL, EISDIR, ENOENT, ENOTBLK; deny and read-only rules"
        "swapon, acct under read-only rules on a missing name or a directory: ENOENT, EISDIR (as on a read-only mount)")
if [ -n "$ADMIN_NO_ROOT" ]; then
        for f in "${ADMIN_SWAP_CASES[@]}"; do selected "$f" && skip "$f" "$ADMIN_NO_ROOT"; done
else
        FAKE=1 mcase "${ADMIN_SWAP_CASES[0]}" '
c swapon "$D/file2"
c swapon "$D/link"
c swapon "$D/empty"
c swapon "$D/nothere"
c swapon "$D/file2/x"
c swapon @null
c swapoff "$D/file2"
c swapoff "$D/nothere"
c acct "$D/empty"
c acct "$D/dirlink"
c acct "$D/nothere"
c acct "$D/noexist/x"
c uselib "$D/exec"
c uselib "$D/nothere"
c quotactl Q_SYNC "$D/file2"
c quotactl "QCMD(Q_GETINFO, USRQUOTA)" "$D/empty"
c quotactl "QCMD(Q_GETQUOTA, GRPQUOTA)" "$D/link"
c quotactl Q_SYNC "$D/nothere"
c quotactl Q_SYNC "$D/dangling"
cd "$D" && c swapon file2 && c acct empty && c quotactl Q_SYNC file2 && c swapoff ./nothere
x EACCES acct "$DA/nothere"
x ENOENT acct "$DN/d"
x EPERM acct "$DP/d"
x EACCES swapon "$DA/x"
x ENOENT swapoff "$DN/x"
x EPERM quotactl Q_SYNC "$DP/x"
x EACCES uselib "$DA/x"
x EROFS swapon "$RO/x"
x EROFS swapon "$RR/x"
c swapoff "$RO/x"
c quotactl Q_SYNC "$RR/x"
'
        # On a read-only mount the kernel looks the name up and opens it before it asks for write
        # access: ENOENT for a missing name, EISDIR for a directory (acct, swapon open it for
        # writing) come before EROFS. Only directories and missing names: never a regular file.
        mcase "${ADMIN_SWAP_CASES[1]}" '
c acct "$RO/d"
c acct "$RO/nothere"
c acct "$RR/d"
c acct "$RR/nothere/x"
c swapon "$RO/d"
c swapon "$RO/nothere"
c swapon "$RR/d"
'
fi

# --- AF_UNIX sockets: bind, connect, sendto, sendmsg, sendmmsg ---------------------------------------------
# The helper's unix-* subcommands make a server and a client, or one call, and print one line per
# step, with the names that the kernel gives back (getsockname, getpeername, accept4, recvfrom):
# natively they name the real directory, under pathvisor the name that the program used, so both
# show D (SUBST=1). Every case runs three times: the x86-64 calls, the i386 direct socket calls
# (int $0x80) and i386 socketcall(2). The listing shows the socket files (type sock) at the target.

# i386 socketcall(2) cases: every backend decodes socketcall; HAVE_SOCKETCALL_TESTS= in the
# environment leaves them out (reported as skipped), e.g. to tell a decoding bug from others
HAVE_SOCKETCALL_TESTS=${HAVE_SOCKETCALL_TESTS-1}
[ -z "$SELFCHECK" ] || HAVE_SOCKETCALL_TESTS=1

# ux_long DIR: a name of x's for which "DIR/NAME" is 108 bytes (sun_path without its NUL);
# "xs STEPS ERRNO ARGS" is x for a unix-* subcommand, whose lines name their steps (STEPS, joined
# by ","): with FAKE, "STEP err ERRNO" for each; "ws STEPS ARGS" is "xs STEPS $FAKE ARGS".
UX_PRELUDE='
ux_long() { printf "%*s" "$((107 - ${#1}))" "" | tr " " x; }
xs() {
        local s=$1 e=$2 t
        shift 2
        label "$@"
        if [ -n "${FAKE:-}" ]; then
                for t in ${s//,/ }; do echo "$t err $e"; done
        else
                "$H" "$@"
        fi
}
ws() { xs "$1" "${FAKE:-}" "${@:2}"; }
'

# ux_case NAME SCRIPT [PATHVISOR OPTIONS...]: mcase with U= (x86-64), U=i386- and U=i386sc-; the
# script calls "${U}unix-..."
ux_case() {
        local name=$1 script=$UX_PRELUDE$2
        shift 2
        mcase "$name" "U=$script" "$@"
        if [ -z "$HAVE_I386" ]; then
                selected "$name (i386 int \$0x80)" && skip "$name (i386 int \$0x80)" "no IA32 emulation"
                selected "$name (i386 socketcall)" && skip "$name (i386 socketcall)" "no IA32 emulation"
                return 0
        fi
        mcase "$name (i386 int \$0x80)" "U=i386-$script" "$@"
        if [ -n "$HAVE_SOCKETCALL_TESTS" ]; then
                mcase "$name (i386 socketcall)" "U=i386sc-$script" "$@"
        else
                selected "$name (i386 socketcall)" &&
                        skip "$name (i386 socketcall)" "socketcall(2) cases off for backend $BACKEND (HAVE_SOCKETCALL_TESTS)"
        fi
        return 0
}

SUBST=1 ux_case "AF_UNIX stream: server and client in a redirected directory, sun_path of 108 bytes without NUL" '
umask 022
p=$D/dir/$(ux_long "$D/dir")
echo "length ${#p}"
c ${U}unix-stream "$p"
c ${U}unix-connect "$p"
'

SUBST=1 ux_case "AF_UNIX stream: server and client in a redirected directory, a short sun_path with NUL" '
umask 027
c ${U}unix-stream "$D/s"
c ${U}unix-stream "$D/dir/sub/s2"
c ${U}unix-connect "$D/s"
c ${U}unix-bind "$D/b" dgram
'

SUBST=1 ux_case "AF_UNIX stream and datagram: relative sun_path from a cwd inside the redirected directory" '
umask 022
cd "$D/dir" || exit 1
c ${U}unix-stream rel
c ${U}unix-stream sub/rel2
c ${U}unix-dgram reld
c ${U}unix-bind ../relb
c ${U}unix-connect rel
c ${U}unix-sendto ./reld
'

SUBST=1 ux_case "AF_UNIX datagram: sendto and sendmsg to a redirected address, then connect and send" '
umask 022
c ${U}unix-dgram "$D/d"
c ${U}unix-dgram "$D/dir/d2"
'

SUBST=1 ux_case "AF_UNIX datagram: sendto and sendmsg to a redirected sun_path of 108 bytes without NUL" '
umask 022
p=$D/dir/$(ux_long "$D/dir")
echo "length ${#p}"
c ${U}unix-dgram "$p"
c ${U}unix-sendto "$p"
'

# sendmmsg: a supervisor may cut the vector short where a message's address is covered by a rule
# (sendmmsg may always return a short count); the helper goes on after short counts and prints
# each message's outcome, which must be the native one
SUBST=1 ux_case "AF_UNIX sendmmsg: redirected, plain, missing and 108-byte addresses in one vector" '
umask 022
ln -s real "$W/rl" # the target by a name that no rule covers
c ${U}unix-mmsg "$D/s" "$D/s" "$D/s" "$W/rl/s" "$D/nothere" "$D/s" "$D/file"
c ${U}unix-mmsg "$W/rl/dir/m" "$W/rl/dir/m" "$D/dir/m" "$D/dir/noexist/m" "$W/rl/dir/m"
p=$D/dir/$(ux_long "$D/dir")
c ${U}unix-mmsg "$p" "$D/nothere" "$p" "$p"
'

# A target longer than sun_path: a 108-byte name under $VL (redirected to $W/real) has a
# 111-byte target, which no address can hold; natively the same program would use a name that
# fits. Expected: the native run of a short name in the same directory, with the program's long
# name (and its length, 108 + NUL + family = 111) put in: the socket works, is created at the
# target, and every name that the kernel gives back is the program's. No link of ours stays in
# /tmp (the ptrace backends bind through one for the call).
ux_long_target() { # FLAVOUR ("", i386-, i386sc-) LABEL
        local name="AF_UNIX: a 108-byte name whose target is 111 bytes (longer than sun_path)$2"
        selected "$name" || return 0
        local n; n=$(printf '%*s' "$((108 - ${#VL} - 5))" '' | tr ' ' x)
        local p="$VL/dir/$n" p2="$VL/dir/${n%x}y" short="$W/real/dir/s"
        local links_before; links_before=$(ls -d /tmp/.pathvisor-* 2>/dev/null)
        fresh
        { "$H" "${1}unix-stream" "$short" | sed -e "s#\"$short\" len=[0-9]*#\"$p\" len=111#"
          rm -f "$short"
          "$H" "${1}unix-dgram" "$short" | sed -e "s#\"$short\" len=[0-9]*#\"$p2\" len=111#"
          echo "exit 0"
          printf 'sockets at the target\nno link left\n'; } >"$T/e"
        fresh
        pv "$T/p" -p "$POL" -- bash -c '"$0" "${1}unix-stream" "$2" && "$0" "${1}unix-dgram" "$3"' "$H" "$1" "$p" "$p2"
        {
                [ -S "$W/real/dir/$n" ] && [ -S "$W/real/dir/${n%x}y" ] && echo "sockets at the target" ||
                        echo "sockets missing at the target: $(ls "$W/real/dir")"
                [ -z "$(ls -d /tmp/.pathvisor-* 2>/dev/null | grep -vxF -- "$links_before")" ] && echo "no link left" ||
                        echo "left in /tmp: $(ls -d /tmp/.pathvisor-*)"
        } >>"$T/p"
        compare "$name" "$T/e" "$T/p"
}
ux_long_target "" ""
if [ -n "$HAVE_I386" ]; then
        ux_long_target i386- " (i386 int \$0x80)"
        ux_long_target i386sc- " (i386 socketcall)"
fi

# (the names that a successful bind prints are the cases above: left out here)
SUBST=1 ux_case "AF_UNIX errors in a redirected directory: EADDRINUSE, ENOENT, ENOTDIR, ECONNREFUSED, a stream socket for a dgram client" '
umask 022
c ${U}unix-bind "$D/file"
c ${U}unix-bind "$D/fifo" dgram
c ${U}unix-bind "$D/dir"
c ${U}unix-bind "$D/dangling"
c ${U}unix-bind "$D/link"
c ${U}unix-bind "$D/noexist/s"
c ${U}unix-bind "$D/file/s"
c ${U}unix-stream "$D/file"
c ${U}unix-dgram "$D/noexist/d"
c ${U}unix-connect "$D/nothere"
c ${U}unix-connect "$D/noexist/s" dgram
c ${U}unix-connect "$D/file"
c ${U}unix-connect "$D/link"
c ${U}unix-connect "$D/dir"
c ${U}unix-connect "$D/fifo" dgram
c ${U}unix-connect "$D/file/s"
c ${U}unix-bind "$D/s" stream | grep -v "^sockname"
c ${U}unix-bind "$D/s" dgram
c ${U}unix-connect "$D/s" dgram
c ${U}unix-connect "$D/s" stream
c ${U}unix-sendto "$D/s"
c ${U}unix-sendto "$D/nothere"
c ${U}unix-sendto "$D/file"
c ${U}unix-sendto "$D/file/x"
'

FAKE=EROFS ux_case "AF_UNIX bind under read-only rules: EROFS; connect and sendto are no mutation" '
umask 022
ws bind ${U}unix-bind "$RO/s"
ws bind ${U}unix-bind "$RO/d/s" dgram
ws bind ${U}unix-bind "$RR/s"
ws bind ${U}unix-stream "$RO/s2"
ws bind ${U}unix-dgram "$RR/d/s3"
c ${U}unix-connect "$RO/x"
c ${U}unix-connect "$RR/x" dgram
c ${U}unix-connect "$RO/nothere"
c ${U}unix-sendto "$RR/x"
c ${U}unix-sendto "$RO/nothere"
'

# On a read-only mount the kernel looks the name up first: EADDRINUSE for a name that exists and
# ENOENT in a missing directory come before EROFS
ux_case "AF_UNIX bind under read-only rules on an existing name or in a missing directory: EADDRINUSE, ENOENT (as on a read-only mount)" '
c ${U}unix-bind "$RO/x"
c ${U}unix-bind "$RR/d" dgram
c ${U}unix-bind "$RO/nothere/s"
c ${U}unix-stream "$RR/nothere/s"
'

FAKE=1 ux_case "AF_UNIX under deny rules: bind, connect, sendto, sendmsg fail with the rule's errno" '
umask 022
xs bind EACCES ${U}unix-bind "$DA/s"
xs bind EACCES ${U}unix-stream "$DA/d/s"
xs connect EACCES ${U}unix-connect "$DA/x"
xs sendto,sendmsg EACCES ${U}unix-sendto "$DA/x"
xs bind ENOENT ${U}unix-bind "$DN/s" dgram
xs bind ENOENT ${U}unix-dgram "$DN/d/s"
xs connect ENOENT ${U}unix-connect "$DN/x" dgram
xs sendto,sendmsg ENOENT ${U}unix-sendto "$DN/nothere"
xs bind EPERM ${U}unix-bind "$DP/s"
xs connect EPERM ${U}unix-connect "$DP/x"
xs sendto,sendmsg EPERM ${U}unix-sendto "$DP/d/x"
cd "$DA/.." && xs bind EACCES ${U}unix-bind "${DA##*/}/rel"
'

SUBST=1 ux_case "AF_UNIX in a plain directory (no rule) passes through, also through a symlink of the target" '
umask 022
c ${U}unix-stream "$P/s"
c ${U}unix-dgram "$P/pd/d"
c ${U}unix-bind "$P/pf"
c ${U}unix-connect "$P/pf"
c ${U}unix-bind "$D/plainlink/b"
c ${U}unix-connect "$P/b" dgram
cd "$P" && c ${U}unix-stream rel
'

if [ -n "$HAVE_SETPRIV" ]; then
        INNER='
id -u
c ${U}unix-connect "$D/priv/s"
c ${U}unix-connect "$D/priv/nothere"
c ${U}unix-sendto "$D/priv/d"
c ${U}unix-bind "$D/priv/s2"
c ${U}unix-bind "$D/dir/s3"
c ${U}unix-connect "$D/pub/s"
c ${U}unix-sendto "$D/pub/d"
c ${U}unix-bind "$D/pub/mine" dgram
c ${U}unix-stream "$D/pub/mine2"
'
        SUBST=1 ux_case "AF_UNIX as an unprivileged client (uid 65534): EACCES on a directory it cannot search, on a socket it cannot write" '
umask 022
c mkdir "$D/priv" 0700
c ${U}unix-bind "$D/priv/s" | grep -v "^sockname"
c ${U}unix-bind "$D/priv/d" dgram | grep -v "^sockname"
c ${U}unix-bind "$D/pub/s" | grep -v "^sockname"
c ${U}unix-bind "$D/pub/d" dgram | grep -v "^sockname"
export U
exec setpriv --reuid=65534 --regid=65534 --clear-groups bash --norc --noprofile -c "$PRELUDE$INNER"
'
        unset INNER
else
        for f in "" " (i386 int \$0x80)" " (i386 socketcall)"; do
                f="AF_UNIX as an unprivileged client (uid 65534): EACCES on a directory it cannot search, on a socket it cannot write$f"
                selected "$f" && skip "$f" "needs root and setpriv"
        done
fi

# --- programs -----------------------------------------------------------------------------------

mcase "mv across a rule boundary (EXDEV, then mv copies): the trees end as after a native rename" '
mv "$D/file" "$P/"; echo "mv file: $?"
mv "$D/dir" "$P/moved-dir"; echo "mv dir: $?"
mv "$P/pf" "$D/"; echo "mv pf: $?"
mv "$D/exec" "$E/"; echo "mv exec: $?"
mv "$D/link" "$P/"; echo "mv link: $?"
mv "$D/fifo" "$E/fifo"; echo "mv fifo: $?"
mv "$D/file2" "$D/file2-renamed"; echo "mv within: $?"
'

mcase "mkfifo -m 0600 in a redirected directory" '
umask 022
mkfifo -m 0600 "$D/mf"; echo "mkfifo: $?"
'

SUBST=1 mcase "coreutils in a redirected directory: mkdir -p, touch, ln, chmod -R, cp -a, rm -r, mv, install, truncate, chown -h" '
umask 022
mkdir -p "$D/a/b/c" && touch "$D/a/b/c/f" && ln -s ../f "$D/a/b/l" && chmod -R go-rx "$D/a" &&
cp -a "$D/dir" "$D/a/copy" && rm -r "$D/full" && mv "$D/a/b" "$D/a/b2" && ln "$D/file" "$D/a/hard" &&
install -m 0640 "$D/file2" "$D/a/inst" && truncate -s 10 "$D/a/inst" && chown -h 7:8 "$D/a/b2/l" &&
touch -d @1000 "$D/a/hard" && rmdir "$D/empty" && mkfifo "$D/a/fifo" && ln -sf dir "$D/link" &&
rm -f "$D/dangling" "$D/hl1"; echo "chain: $?"
mkdir "$D/file"; echo "mkdir over a file: $?"
rm -rf "$D/a/copy"; echo "rm -rf: $?"
'

if command -v tar >/dev/null; then
        TARSRC=$T/tarsrc
        mkdir -p "$TARSRC/t/sub/deep"
        printf 'tar file\n' >"$TARSRC/t/f"
        printf '#!/bin/sh\n' >"$TARSRC/t/exec"
        chmod 0640 "$TARSRC/t/f"
        chmod 0755 "$TARSRC/t/exec"
        chmod 0750 "$TARSRC/t"
        chmod 0700 "$TARSRC/t/sub/deep"
        ln -s f "$TARSRC/t/sl"
        ln "$TARSRC/t/f" "$TARSRC/t/hl"
        mkfifo -m 0600 "$TARSRC/t/fifo"
        TAR_XATTR=
        if [ -n "$HAVE_XATTR" ]; then
                "$H" setxattr "$TARSRC/t/exec" user.tar yes >/dev/null
                TAR_XATTR="--xattrs --xattrs-include=user.*"
        fi
        export TAR=$T/small.tar TAR_XATTR
        if tar -C "$TARSRC" --format=posix $TAR_XATTR --mtime=@1234567 --owner=1234 --group=5678 --numeric-owner \
                --pax-option=delete=atime,delete=ctime -cf "$TAR" t 2>"$T/tar.err"; then
                mcase "tar x into a redirected directory (-C, and from a cwd inside it)" '
tar -x $TAR_XATTR -f "$TAR" -C "$D/empty"; echo "tar -C: $?"
cd "$D/dir" && tar -x $TAR_XATTR --no-same-owner -f "$TAR"; echo "tar in cwd: $?"
tar -x -f "$TAR" -C "$D/dir" --keep-old-files 2>/dev/null; echo "tar -k: $?"
'
        else
                skip "tar x into a redirected directory (-C, and from a cwd inside it)" "could not make the tar: $(head -n1 "$T/tar.err")"
        fi
else
        skip "tar x into a redirected directory (-C, and from a cwd inside it)" "no tar"
fi

if command -v git >/dev/null; then
        # the index holds inode numbers and times: its content is left out of the listing
        TREE_SED='s#^\("[^"]*/\.git/index" .*\) content=.*#\1#' mcase "git init, add, commit, mv, rm in a redirected directory" '
export HOME=$W GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org GIT_AUTHOR_DATE="@1234567890 +0000" GIT_COMMITTER_DATE="@1234567890 +0000"
git init -q -b main "$D/dir" && echo init
git -C "$D/dir" add -A && echo add
cd "$D/dir" && git commit -q -m first && echo commit
git log --format="%H %s"
git mv a a2 && git commit -q -m second && git rm -q sub/b && git commit -q -m third && echo more
git log --format="%H %s"
git status --porcelain
git fsck --no-progress 2>&1; echo "fsck: $?"
'
else
        skip "git init, add, commit, mv, rm in a redirected directory" "no git"
fi

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
