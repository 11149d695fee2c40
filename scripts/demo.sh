#!/usr/bin/env bash
# The demo: the whole image lane, offline, on a copy of the bundled example repository.
#   1. what imagepin sees, and the gate (check) on the example and on a copy full of violations;
#   2. a throwaway registry on loopback (Debian's docker-registry) with multi-arch images for the
#      example services under :main, served as ghcr.io/acme/... through a `registries:` mirror;
#   3. bump (local, dev follow :main), promote dev → staging, inventory, and check again,
#      with `git diff` after each step to show exactly which bytes changed.
# The example repository itself is never changed; the registry is stopped at the end.
set -uo pipefail
imagepin=$(realpath "${1:-build/src/cli/imagepin}")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
testreg=(python3 "$here/tests/registry/testreg.py")
cleanup() {
  "${testreg[@]}" stop --dir "$work/registry" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
cp -a "$here/examples/gitops" "$work/gitops"
cp -a "$here/examples/gitops-violations" "$work/gitops-violations"
repo="$work/gitops"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() {
  printf 'demo: %s\n' "$*" >&2
  exit 3
}
# Runs imagepin in the example copy and fails the demo unless it exits with $1.
expect() {
  local want=$1
  shift
  (cd "$repo" && "$imagepin" "$@")
  local got=$?
  echo "exit status: $got"
  [[ $got -eq $want ]] || fail "imagepin $* exited $got, expected $want"
}
git_repo() { git -C "$repo" -c user.name=demo -c user.email=demo@example.invalid "$@"; }

step "imagepin images: every image the example repository deploys"
expect 0 images

step "imagepin check: the gate passes on the example repository"
expect 0 check

step "imagepin check on a copy with a violation of every rule (exit 1 expected)"
(cd "$work/gitops-violations" && "$imagepin" check)
status=$?
echo "exit status: $status"
[[ $status -eq 1 ]] || fail "check on the violations copy exited $status, expected 1"

step "a throwaway registry on loopback, with multi-arch images pushed as :main"
start=$("${testreg[@]}" start --dir "$work/registry" --mode plain --watch-pid $$) ||
  fail "cannot start docker-registry (run scripts/install-deps.sh)"
host=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["host"])' "$start")
echo "registry: http://$host (Debian docker-registry, throwaway storage in $work/registry)"
for service in api web worker worker-migrations; do
  "${testreg[@]}" push --host "$host" --repo "acme/$service" --tag main --kind index \
    --seed "$RANDOM" >/dev/null || fail "push acme/$service failed"
  echo "pushed acme/$service:main (OCI index: linux/amd64, linux/arm64)"
done
# Users behind a pull-through cache do the same: ghcr.io/acme/... is served by the mirror, and
# the references written to Git keep ghcr.io.
printf '\nregistries:\n  ghcr.io:\n    mirror: "%s"\n' "$host" >>"$repo/.imagepin.yaml"
git_repo init -q && git_repo add -A && git_repo commit -qm "example repository"

step "imagepin resolve: what :main points at now"
expect 0 resolve --quiet --platforms linux/amd64,linux/arm64 ghcr.io/acme/api:main

step "imagepin bump: local and dev follow :main (the auto-merged PR)"
expect 0 bump --quiet --summary-md "$work/bump.md"
git_repo --no-pager diff --stat
git_repo --no-pager diff --word-diff=plain --unified=0 -- sources/values/env/dev/apps/api.yaml
echo "--- PR body:"
cat "$work/bump.md"
git_repo commit -qam "bump local, dev"

step "imagepin bump again: idempotent, nothing to write"
expect 0 bump --quiet
[[ -z $(git_repo status --porcelain) ]] || fail "a second bump changed files"

step "imagepin promote dev staging --verify: dev's digests, for a person to approve"
expect 0 promote dev staging --verify --quiet --summary-md "$work/promote.md"
git_repo --no-pager diff --stat
echo "--- PR body:"
cat "$work/promote.md"
git_repo commit -qam "promote dev → staging"

step "imagepin inventory: what runs where, and what waits for promotion"
expect 0 inventory

step "imagepin check and verify: the gate still passes, and every pin in the lanes exists"
expect 0 check
expect 0 verify --quiet sources/values/env/local sources/values/env/dev sources/values/env/staging
step "done: the example repository is unchanged; the registry is stopped"
