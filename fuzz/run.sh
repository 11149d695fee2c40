#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, -DIMAGEPIN_FUZZ=ON, in build-fuzz) and runs each, one
# after the other, for FUZZ_SECONDS (default 60). See fuzz/README.md.
#   FUZZ_SECONDS=300 fuzz/run.sh              every target, 5 minutes each
#   FUZZ_TARGETS=splice_fuzz fuzz/run.sh      one target
# Corpora live in build-fuzz/corpus/<target> (kept between runs, seeded from examples/ and
# src/rewrite/testdata); crashes are written to FUZZ_CRASHES (default build-fuzz/crashes).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
crashes=${FUZZ_CRASHES:-$build/crashes}
read -r -a targets <<<"${FUZZ_TARGETS:-reference_fuzz scan_fuzz splice_fuzz config_fuzz apps_fuzz tmpl_fuzz chart_fuzz}"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 with assertions kept: fast enough to fuzz, and a failed assert is a finding.
cmake -S . -B "$build" -DIMAGEPIN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  "${launcher[@]}" >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]}"

# Small files only: seeds should be quick to run and to mutate.
seed_yaml() {
  find examples src/rewrite/testdata src/scan/testdata -type f \( -name '*.yaml' -o -name '*.yml' \) -size -4k
}
seed() {  # seed TARGET FILE...: copies each file in under a name made from its path
  local dir=$build/corpus/$1
  shift
  for file in "$@"; do cp -n "$file" "$dir/seed-${file//\//_}"; done
}

mkdir -p "$crashes"
failed=()
for target in "${targets[@]}"; do
  dir=$build/corpus/$target
  mkdir -p "$dir"
  max_len=4096  # deep nesting is a known, separate problem: keep inputs to a few KiB
  case $target in
    reference_fuzz)
      max_len=300
      printf '%s' nginx >"$dir/seed-nginx"
      printf '%s' "ghcr.io/acme/api:v1.2.3@sha256:$(printf 'a%.0s' {1..64})" >"$dir/seed-pinned"
      printf '%s' localhost:5000/team/app:1.0 >"$dir/seed-port"
      ;;
    scan_fuzz) mapfile -t files < <(seed_yaml) && seed "$target" "${files[@]}" ;;
    splice_fuzz) mapfile -t files < <(seed_yaml) && seed "$target" "${files[@]}" fuzz/seeds/splice/* ;;
    config_fuzz) seed "$target" examples/*/.imagepin.yaml ;;
    apps_fuzz) seed "$target" fuzz/seeds/apps/* ;;
    tmpl_fuzz) seed "$target" fuzz/seeds/tmpl/* ;;
    chart_fuzz) seed "$target" fuzz/seeds/chart/* ;;
  esac
  echo "fuzz: $target for ${seconds}s (corpus $dir, crashes in $crashes)"
  # A crash ends that target's run; the others still run, and the script fails at the end.
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len="$max_len" \
    -artifact_prefix="$crashes/$target-" -print_final_stats=1 "$dir" || failed+=("$target")
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]}: see $crashes" >&2
  exit 1
fi
