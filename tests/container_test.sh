#!/usr/bin/env bash
# The Dockerfile, built and run: buildah (Debian's package) builds it with chroot isolation, and
# the image runs `imagepin check` on the bundled example repository, as a non-root user, with
# only runtime libraries in it. No registry is reachable here, so the two base images are made
# from a debootstrap of Debian 12 (minbase, what debian:12-slim also is) and passed as BASE and
# RUNTIME. Skipped (exit 77) without buildah or debootstrap, or when not root.
#   tests/container_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
for tool in buildah debootstrap; do
  command -v "$tool" > /dev/null || { echo "container_test: $tool not installed: skipped"; exit 77; }
done
[[ $(id -u) == 0 ]] || { echo "container_test: needs root (debootstrap): skipped"; exit 77; }

work=$(mktemp -d /tmp/imagepin-container.XXXXXX)
storage=(--storage-driver vfs --root "$work/storage" --runroot "$work/run")
cleanup() {
  buildah "${storage[@]}" rm --all > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
b() { buildah "${storage[@]}" "$@"; }

# Whether buildah can work in this environment at all (storage, mounts): if not, skipped with
# its reason; from here on every failure is the image's.
if ! base=$(b from scratch 2> "$work/preflight.log") || ! mnt=$(b mount "$base" 2>> "$work/preflight.log"); then
  echo "container_test: buildah cannot build here: $(tail -1 "$work/preflight.log"): skipped"
  exit 77
fi
debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 ||
  { tail -5 "$work/debootstrap.log"; exit 1; }
cp -a "$work/rootfs/." "$mnt/"
# Running a command in it is the rest of what this environment must allow (chroot, mounts).
if ! b run --isolation chroot "$base" -- true > "$work/preflight.log" 2>&1; then
  echo "container_test: buildah cannot run a container here: $(tail -1 "$work/preflight.log"): skipped"
  exit 77
fi
b commit -q "$base" localhost/imagepin-test-debian:12 > /dev/null

b bud -q --isolation chroot --network host --layers=false \
  --build-arg BASE=localhost/imagepin-test-debian:12 \
  --build-arg RUNTIME=localhost/imagepin-test-debian:12 \
  -t localhost/imagepin:test "$src" > "$work/bud.log" 2>&1 || { tail -40 "$work/bud.log"; exit 1; }

fail() { echo "container_test: $*"; exit 1; }
# The image's own configuration: the entrypoint, a user that is not root.
[[ $(b inspect --format '{{.OCIv1.Config.Entrypoint}}' localhost/imagepin:test) == "[imagepin]" ]] ||
  fail "entrypoint is not [imagepin]"
[[ $(b inspect --format '{{.OCIv1.Config.User}}' localhost/imagepin:test) == 10001 ]] ||
  fail "the image does not run as user 10001"

run=$(b from localhost/imagepin:test)
mnt=$(b mount "$run")
# Only runtime libraries: no compiler, no headers.
[[ ! -e $mnt/usr/bin/g++ && ! -e $mnt/usr/include/yaml.h ]] || fail "build tools in the run stage"
# The example repository, checked by the image's entrypoint (exit 0: it is clean), and the one
# with violations (exit 1).
mkdir -p "$mnt/repo"
cp -a "$src/examples/." "$mnt/repo/"
chown -R 10001 "$mnt/repo"
out=$(b run --isolation chroot --workingdir /repo/gitops --env GITHUB_REPOSITORY_OWNER=acme "$run" -- imagepin check 2>&1) ||
  fail "imagepin check on examples/gitops failed: $out"
echo "$out" | tail -1
set +e
b run --isolation chroot --workingdir /repo/gitops-violations --env GITHUB_REPOSITORY_OWNER=acme "$run" -- imagepin check > "$work/violations.txt" 2>&1
code=$?
set -e
[[ $code == 1 ]] || fail "examples/gitops-violations: exit $code, want 1: $(tail -5 "$work/violations.txt")"
b run --isolation chroot "$run" -- id -u | grep -qx 10001 || fail "commands do not run as 10001"
echo "container_test: image built, runs as 10001, checks the examples (clean: 0, violations: 1)"
