#!/usr/bin/env bash
# The demo: what imagepin sees in the bundled example repository, and the gate's verdict.
# Runs on a copy, so the example is never changed.
set -uo pipefail
imagepin=$(realpath "${1:-build/src/cli/imagepin}")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$here/examples/gitops" "$work/gitops"
cp -a "$here/examples/gitops-violations" "$work/gitops-violations"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "imagepin images: every image the example repository deploys"
(cd "$work/gitops" && "$imagepin" images) || exit 3

step "imagepin check: the gate passes on the example repository"
(cd "$work/gitops" && "$imagepin" check)
status=$?
echo "exit status: $status"
[[ $status -eq 0 ]] || exit "$status"

step "imagepin check on a copy with a violation of every rule (exit 1 expected)"
(cd "$work/gitops-violations" && "$imagepin" check)
status=$?
echo "exit status: $status"
[[ $status -eq 1 ]] || exit 3
step "done"
