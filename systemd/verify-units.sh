#!/bin/sh
# systemd-analyze verify on the units as they will be installed (ExecStart pointing at the built
# pathvisord, since the installed one need not exist yet). Exit 77 when verify cannot run here.
set -eu
analyze=$1 build=$2 src=$3 daemon=$4
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
sed "s#^ExecStart=[^ ]*pathvisord#ExecStart=$daemon#" "$build/pathvisord.service" >"$d/pathvisord.service"
cp "$src/pathvisord.socket" "$d/pathvisord.socket"
out=$("$analyze" verify --man=no "$d/pathvisord.socket" "$d/pathvisord.service" 2>&1) || {
    printf '%s\n' "$out"
    exit 1
}
# warnings are failures too, except the ones about this machine (no systemd as PID 1)
bad=$(printf '%s\n' "$out" | grep -v -e '^$' -e 'System has not been booted with systemd' -e 'Failed to connect to bus' || true)
if [ -n "$bad" ]; then
    printf '%s\n' "$bad"
    exit 1
fi
echo "systemd-analyze verify: clean"
