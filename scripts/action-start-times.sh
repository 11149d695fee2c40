#!/usr/bin/env bash
# Measures what the composite action (action.yml) costs before imagepin starts, on a fresh
# Debian 12 root made by debootstrap (root, debootstrap and network to the Debian mirror needed):
#   cold          no cache: install-deps.sh --no-tests, configure, build the imagepin target
#   warm, no libs a restored binary on a runner without its libraries: install-deps.sh --runtime
#   warm          a restored binary whose libraries are there: the ldd check and --version
# Each phase runs in its own copy of the root, with the same commands the action's steps run.
# The download of a cached binary by actions/cache (about 4 MB) is not part of it: that is
# GitHub's network, not this machine's.
#   scripts/action-start-times.sh [ROOTFS]    (default: debootstrap one into a temporary dir)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/imagepin-action-times.XXXXXX)
trap 'umount -R "$work"/*/proc 2>/dev/null || true; rm -rf "$work"' EXIT
base=${1:-}
if [[ -z $base ]]; then
  base=$work/base
  debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian > "$work/debootstrap.log"
fi

# A copy of the root with the action's sources (what a checkout of the action holds) in /action.
fresh() {
  local root=$work/$1
  cp -a "$base" "$root"
  mkdir -p "$root/action"
  (cd "$repo" && tar -c CMakeLists.txt README.md cmake scripts src docs examples) | tar -x -C "$root/action"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  echo "$root"
}
# seconds ROOT COMMAND: "wall cpu" seconds of COMMAND run in ROOT (cpu: user + system, which a
# loaded machine does not inflate as it does the wall time).
seconds() {
  local root=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$root.time" chroot "$root" /bin/bash -c "$*" >> "$root.log" 2>&1 ||
    { echo "failed: $*" >&2; tail -20 "$root.log" >&2; exit 1; }
  read -r wall user sys < "$root.time"
  echo "$wall $(echo "$user + $sys" | bc)"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cold=$(fresh cold)
t_deps=$(seconds "$cold" "cd /action && scripts/install-deps.sh --no-tests")
t_build=$(seconds "$cold" "cmake -S /action -B /tmp/b -DCMAKE_BUILD_TYPE=Release -DIMAGEPIN_TESTS=OFF && cmake --build /tmp/b --target imagepin -j\$(nproc) && install -m 0755 /tmp/b/src/cli/imagepin /usr/local/bin/imagepin && imagepin --version")
binary=$work/imagepin
cp "$cold/usr/local/bin/imagepin" "$binary"
umount "$cold/proc"

nolibs=$(fresh nolibs)
cp "$binary" "$nolibs/usr/local/bin/imagepin"
t_runtime=$(seconds "$nolibs" "cd /action && scripts/install-deps.sh --runtime && imagepin --version")
t_warm=$(seconds "$nolibs" "! ldd /usr/local/bin/imagepin | grep -q 'not found' && imagepin --version")
t_check=$(seconds "$nolibs" "cd /action/examples/gitops && GITHUB_REPOSITORY_OWNER=acme imagepin check > /dev/null")
umount "$nolibs/proc"

report() { read -r wall cpu <<< "$2"; printf '%-48s %7.2f s wall %7.2f s cpu\n' "$1" "$wall" "$cpu"; }
echo "load average before: $load_before"
report "cold: install-deps.sh --no-tests" "$t_deps"
report "cold: configure + build the imagepin target" "$t_build"
report "warm, libraries missing: --runtime + --version" "$t_runtime"
report "warm, libraries present: ldd + --version" "$t_warm"
report "then: check on examples/gitops" "$t_check"
