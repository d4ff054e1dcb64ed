#!/usr/bin/env bash
# pathvisor quick start: installs what is missing (Debian 12), builds into ./build, then
#   ./quickstart.sh demo    runs the demo: cat /etc/passwd under a policy that redirects it
#   ./quickstart.sh check   runs the whole test suite (meson test -v)
#   ./quickstart.sh build   only installs and builds
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
what=${1:-demo}
case "$what" in demo|check|build) ;; *) echo "usage: $0 demo|check|build" >&2; exit 2 ;; esac

# What the build and the tests need, as Debian 12 package names (systemd for
# systemd-socket-activate and systemd-analyze, systemd-container, runc and crun for the e2e tests;
# tmux, strace and gdb for the process tests: job control, a tracer inside the sandbox; proot, so
# that `meson test --benchmark` compares with PRoot).
packages=(
    gcc meson ninja-build pkg-config
    libseccomp-dev libsystemd-dev libjson-c-dev libcmocka-dev
    python3 python3-jsonschema groff-base
    busybox-static util-linux tmux strace gdb proot
    systemd systemd-container runc crun
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "quickstart: installing ${missing[*]}" >&2
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "quickstart: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
    meson setup build -Dwerror=true
fi
meson compile -C build

case "$what" in
demo)
    echo "+ pathvisor run -p policy/examples/passwd.json -- cat /etc/passwd" >&2
    exec ./build/client/pathvisor run -p policy/examples/passwd.json -- cat /etc/passwd
    ;;
check)
    exec meson test -C build -v --num-processes "$(nproc)"
    ;;
esac
