#!/usr/bin/env bash
# bench/lanes_bench.sh IMAGEPIN [SCALES...] -- `imagepin promote dev staging` and
# `imagepin inventory` on trees from ../shared/bench/gen_gitops.py (scales 1 5 20 by default).
# The generated dev overlays hold deliberate violations, which make promote refuse; so each tree
# is copied and the dev files promote names as refused are removed from the copy, leaving a lane
# that promotes cleanly. Times are hyperfine medians (warm cache): promote --dry-run plans
# everything and writes nothing, so every run does the same work; one real promote (writing)
# is timed once with GNU time, as is peak RSS. Prints a Markdown table.
set -euo pipefail
imagepin=$(realpath "${1:?usage: bench/lanes_bench.sh IMAGEPIN [SCALES...]}")
shift
scales=("$@")
[[ $# -eq 0 ]] && scales=(1 5 20)
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared/bench}
work=${BENCH_DIR:-/tmp/imagepin-bench}
mkdir -p "$work"

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f" % r["median"])' "$1"; }

echo "| scale | dev + staging files | promotions | promote --dry-run | promote (writes) | inventory (rows) | peak RSS promote / inventory |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for s in "${scales[@]}"; do
  tree=$work/bench-$s
  [[ -f $tree/.expected.json ]] || python3 "$shared/gen_gitops.py" --out "$tree" --scale "$s" --force >/dev/null
  lane=$work/lane-$s
  rm -rf "$lane" && cp -a "$tree" "$lane"
  # Drop the dev files that hold a ref promote refuses (the generator's planted violations).
  { "$imagepin" promote dev staging --dry-run -q -C "$lane" 2>&1 >/dev/null || true; } |
    sed -n 's/^\(sources\/values\/env\/dev\/[^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u |
    while read -r f; do rm -f "$lane/$f"; done
  "$imagepin" promote dev staging --dry-run -q -C "$lane" --format json >"$work/plan.json" ||
    { echo "bench: promote still refuses on $lane" >&2; exit 3; }
  files=$(find "$lane/sources/values/env/dev" "$lane/sources/values/env/staging" -name '*.yaml' | wc -l)
  promotions=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["promotions"]))' "$work/plan.json")
  hyperfine -N --style none --warmup 1 --runs 10 --export-json "$work/promote.json" \
    "$imagepin promote dev staging --dry-run -q -C $lane --format json" >/dev/null
  hyperfine -N --style none --warmup 1 --runs 10 --export-json "$work/inventory.json" \
    "$imagepin inventory -C $lane --format json" >/dev/null
  rows=$("$imagepin" inventory -C "$lane" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
  /usr/bin/time -f "%M" -o "$work/rss" "$imagepin" promote dev staging --dry-run -q -C "$lane" >/dev/null 2>&1
  promote_rss=$(tail -1 "$work/rss")
  /usr/bin/time -f '%M' -o "$work/rss" "$imagepin" inventory -C "$lane" --format json >/dev/null
  inventory_rss=$(tail -1 "$work/rss")
  /usr/bin/time -f '%e' -o "$work/write" "$imagepin" promote dev staging -q -C "$lane" >/dev/null 2>&1
  echo "| $s | $files | $promotions | $(median "$work/promote.json") s | $(tail -1 "$work/write") s | $(median "$work/inventory.json") s ($rows) | $((promote_rss / 1024)) / $((inventory_rss / 1024)) MB |"
done
