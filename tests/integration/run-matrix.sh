#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-matrix.sh NAME SCRIPT ARG...
#
# One test body, every backend: runs `SCRIPT ARG... BACKEND` once per variant, in the manner of
# the kernel selftests' FIXTURE_VARIANT, and prints each case as "ok - [VARIANT] NAME". The
# variants are the three backends, each embedded and through a pathvisord that SCRIPT starts
# itself (PV_MODE=daemon, PATHVISORD must be set):
#
#   unotify  unotify/daemon  ptrace-seccomp  ptrace-seccomp/daemon  ptrace  ptrace/daemon
#
# At the end it prints the matrix: per variant the passed, failed and skipped counts, then every
# case whose result is not "ok" in every variant, with its result per variant. The README's
# backend table is that output.
#
# PV_MATRIX_VARIANTS="unotify ptrace/daemon ..." runs only those. Exit 0 when nothing failed, 1
# when something did, 77 when every variant was skipped (e.g. no backend works here), 99 on a
# set-up error.

set -u
export LC_ALL=C

if [ $# -lt 2 ]; then
        echo "usage: $0 NAME SCRIPT ARG..." >&2
        exit 99
fi
NAME=$1
SCRIPT=$2
shift 2
VARIANTS=${PV_MATRIX_VARIANTS:-unotify unotify/daemon ptrace-seccomp ptrace-seccomp/daemon ptrace ptrace/daemon}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/pv-matrix.XXXXXX") || exit 99
trap 'rm -rf "$OUT"' EXIT

declare -A RESULT=()   # "variant|case" -> ok | FAIL | skip
declare -A SEEN=()     # case -> 1
CASES=()
failed=0
all_skipped=1

for v in $VARIANTS; do
        backend=${v%/daemon}
        mode=embedded
        [ "$v" = "$backend" ] || mode=daemon
        echo "# ---- $NAME: variant $v (backend $backend, $mode) ----"
        start=$SECONDS
        if [ "$mode" = daemon ]; then
                if [ -z "${PATHVISORD:-}" ]; then
                        echo "$0: variant $v needs PATHVISORD" >&2
                        exit 99
                fi
                PV_MODE=daemon bash "$SCRIPT" "$@" "$backend" >"$OUT/log" 2>&1
        else
                PV_MODE=embedded bash "$SCRIPT" "$@" "$backend" >"$OUT/log" 2>&1
        fi
        rc=$?
        while IFS= read -r line; do
                case $line in
                "ok - "*" # SKIP "*)
                        c=${line#ok - }
                        c=${c%% # SKIP *}
                        RESULT["$v|$c"]=skip
                        ;;
                "ok - "*)
                        c=${line#ok - }
                        RESULT["$v|$c"]=ok
                        ;;
                "not ok - "*)
                        c=${line#not ok - }
                        RESULT["$v|$c"]=FAIL
                        ;;
                *)
                        echo "$line"
                        continue
                        ;;
                esac
                if [ -z "${SEEN[$c]:-}" ]; then
                        SEEN[$c]=1
                        CASES+=("$c")
                fi
                echo "${line/ - / - [$v] }"
        done <"$OUT/log"
        case $rc in
        0) all_skipped=0 ;;
        77) RESULT["$v|"]=skipped ;;
        *) failed=1; all_skipped=0; RESULT["$v|"]=failed ;;
        esac
        echo "# variant $v: exit $rc after $((SECONDS - start)) s"
done

# ---- the matrix ---------------------------------------------------------------------------------
echo "#"
echo "# matrix of $NAME (${#CASES[@]} cases)"
printf '# %-24s %7s %7s %7s\n' variant passed failed skipped
for v in $VARIANTS; do
        p=0 f=0 s=0
        for c in "${CASES[@]}"; do
                case ${RESULT["$v|$c"]:-} in
                ok) p=$((p + 1)) ;;
                FAIL) f=$((f + 1)) ;;
                skip) s=$((s + 1)) ;;
                esac
        done
        note=
        [ "${RESULT["$v|"]:-}" != skipped ] || note="  (variant skipped: not available here)"
        printf '# %-24s %7d %7d %7d%s\n' "$v" "$p" "$f" "$s" "$note"
done
odd=0
for c in "${CASES[@]}"; do
        row=
        differs=0
        for v in $VARIANTS; do
                r=${RESULT["$v|$c"]:-absent}
                [ "$r" = ok ] || differs=1
                row+=$(printf ' %-8s' "$r")
        done
        if [ $differs = 1 ]; then
                if [ $odd = 0 ]; then
                        echo "#"
                        echo "# cases that are not ok in every variant ($VARIANTS):"
                fi
                odd=1
                echo "# $row  $c"
        fi
done
[ $odd = 1 ] || echo "# every case is ok in every variant"

if [ $failed = 1 ]; then
        exit 1
fi
if [ $all_skipped = 1 ]; then
        exit 77
fi
exit 0
