#!/usr/bin/env bash
# bench/run.sh IMAGEPIN [SCALES...] -- `imagepin check` against the anchors, side by side in one
# run, on trees from ../shared/bench/gen_gitops.py (scales 1 5 20 by default):
#   rg      the seed's text audit: rg -n ':(dev|main|latest)\b' (a floor for "read every byte")
#   pycheck ../shared/bench/pycheck.py --libyaml (PyYAML with the C loader: a first script)
# Wall times are hyperfine medians (warm cache); peak RSS from GNU time. Prints a Markdown table.
# Also scores imagepin's findings against the generator's ground truth.
# BASELINE=path/to/another/imagepin adds its check, timed in the same hyperfine run (say, the
# build before the application model: the per-file check), and the ratio to it.
set -euo pipefail
# The generated trees are not git repositories: the first-party default comes from the owner a
# GitHub runner names (docs/config.md#firstparty), as it would in CI. The generator's
# first-party images are ghcr.io/acme/.
export GITHUB_REPOSITORY_OWNER=${GITHUB_REPOSITORY_OWNER:-acme}
imagepin=$(realpath "${1:?usage: bench/run.sh IMAGEPIN [SCALES...]}")
shift
scales=("${@:-1 5 20}")
[[ $# -eq 0 ]] && scales=(1 5 20)
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared/bench}
work=${BENCH_DIR:-/tmp/imagepin-bench}
mkdir -p "$work"
[[ -f $shared/gen_gitops.py ]] || { echo "bench: $shared/gen_gitops.py not found (set SHARED=)"; exit 2; }

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f" % r["median"])' "$1"; }
peak_mb() { /usr/bin/time -f '%M' -o "$work/rss" sh -c "$1" >/dev/null 2>&1 || true; tail -1 "$work/rss" | awk '{printf "%.0f", $1/1024}'; }

rows=()
for s in "${scales[@]}"; do
  tree=$work/bench-$s
  [[ -f $tree/.expected.json ]] || python3 "$shared/gen_gitops.py" --out "$tree" --scale "$s" --force >/dev/null
  cd "$tree"
  size=$(find sources/values sources/manifests -name '*.yaml' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
  files=$(find sources/values sources/manifests -name '*.yaml' | wc -l)
  slow_runs=$([[ $s -ge 20 ]] && echo 2 || echo 3)
  hyperfine -N --style none --warmup 1 --runs 10 -i --export-json "$work/ip.json" "$imagepin check --format json" >/dev/null
  base_cell=""
  if [[ -n ${BASELINE:-} ]]; then
    hyperfine -N --style none --warmup 1 --runs 10 -i --export-json "$work/both.json" \
      "$BASELINE check --format json" "$imagepin check --format json" >/dev/null
    read -r base this < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print("%.3f %.3f" % (r[0]["median"], r[1]["median"]))' "$work/both.json")
    base_cell=" | $base s → $this s ($(awk "BEGIN{printf \"%.2fx\", $this/$base}"))"
  fi
  hyperfine -N --style none --warmup 1 --runs 10 -i --export-json "$work/rg.json" "rg -n ':(dev|main|latest)\\b' sources/values sources/manifests -S" >/dev/null
  hyperfine -N --style none --warmup 0 --runs "$slow_runs" -i --export-json "$work/py.json" "python3 $shared/pycheck.py --libyaml ." >/dev/null
  ip=$(median "$work/ip.json"); rg=$(median "$work/rg.json"); py=$(median "$work/py.json")
  ip_rss=$(peak_mb "$imagepin check --format json")
  rg_rss=$(peak_mb "rg -n ':(dev|main|latest)\\b' sources/values sources/manifests -S")
  py_rss=$(peak_mb "python3 $shared/pycheck.py --libyaml .")
  # The generator's ground truth covers sources/values and sources/manifests; findings on its
  # charts' templates (IP012 on the initContainers' unrequired migrations.image.ref) are scored
  # apart: counted, not taken for false positives.
  { "$imagepin" check --color never || true; } | grep -E '^[^ ].*:[0-9]+:[0-9]+: error' >"$work/errors.txt"
  score=$(grep -v '^sources/charts/' "$work/errors.txt" |
    python3 "$shared/score.py" --expected .expected.json --mode line --json - |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.3f / %.3f" % (d["precision"], d["recall"]))')
  score="$score (+$(grep -c '^sources/charts/' "$work/errors.txt" || true) in charts)"
  rows+=("| $s | $files | $(awk "BEGIN{printf \"%.1f\", $size/1e6}") | $ip s ($ip_rss MB) | $rg s ($rg_rss MB) | $py s ($py_rss MB) | $(awk "BEGIN{printf \"%.1fx\", $py/$ip}") | $(awk "BEGIN{printf \"%.2fx\", $ip/$rg}") | $score$base_cell |")
  cd - >/dev/null
done
if [[ -n ${BASELINE:-} ]]; then
  echo "| scale | files | MB | imagepin check (peak RSS) | rg audit | pycheck --libyaml | vs pycheck | vs rg | precision / recall | baseline → this |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
else
  echo "| scale | files | MB | imagepin check (peak RSS) | rg audit | pycheck --libyaml | vs pycheck | vs rg | precision / recall |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
fi
printf '%s\n' "${rows[@]}"
