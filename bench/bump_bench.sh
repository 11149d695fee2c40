#!/usr/bin/env bash
# bench/bump_bench.sh [IMAGEPIN] -- `imagepin bump` against a loopback registry holding the 200
# first-party repositories of a generated GitOps tree, side by side in one run with:
#   skopeo  a sequential loop of `skopeo inspect --format '{{.Digest}}'`, one per repository
#           (what a shell bump script does; it does not even write the files)
#   curl    one curl process sending the 200 manifest HEADs over one kept-alive connection
#           (the network floor: one request per image, no parsing, no files)
# imagepin runs `bump --dry-run --quiet`, so every timed run does the same work (a real run
# would leave nothing to do for the next); one real run is shown after the timings.
# Also counts every side's requests and connections in the registry's access log, imagepin's
# token requests against a token-auth registry (anonymous pull; its time beside the plain
# registry's in one hyperfine call), and profiles imagepin
# (scan-only time, curl sending imagepin's own requests, --concurrency 1..16).
# Results: BENCH_DIR/results.md (printed), hyperfine exports beside it; see bench/bump_bench.md.
#
# The tree: ../shared/bench/gen_gitops.py --services 100 (other sizes at their scale-1
# defaults). Every service's values also name <svc>-migrations, <svc>-worker and cron
# repositories, and 100 services give exactly 200 distinct first-party repositories in
# env/local and env/dev (the default 200 services give 401).
#
# Env: BENCH_DIR (default /tmp/imagepin-bump-bench), SHARED (../shared/bench), RUNS (imagepin
# and curl, default 10), SKOPEO_RUNS (default 3), SERVICES (default 100), PROFILE=0 (skip the
# profile).
# Needs docker-registry, skopeo, curl, hyperfine, python3. Starts and stops its own registries.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
imagepin=$(realpath "${1:-$here/build/src/cli/imagepin}")
shared=${SHARED:-$here/../shared/bench}
work=${BENCH_DIR:-/tmp/imagepin-bump-bench}
runs=${RUNS:-10}
skopeo_runs=${SKOPEO_RUNS:-3}
services=${SERVICES:-100}
testreg=$here/tests/registry/testreg.py
util=$here/bench/bump_bench_util.py
push=$here/bench/bump_bench_push.py

for tool in docker-registry skopeo curl hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bump_bench: $tool not found (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
[[ -x $imagepin ]] || { echo "bump_bench: $imagepin is not an executable (pass the imagepin binary)" >&2; exit 2; }
[[ -f $shared/gen_gitops.py ]] || { echo "bump_bench: $shared/gen_gitops.py not found (set SHARED=)" >&2; exit 2; }

mkdir -p "$work"
plain=$work/reg-plain
token=$work/reg-token
cleanup() {
  for dir in "$plain" "$token"; do
    [[ -f $dir/pids.json ]] && "$testreg" stop --dir "$dir" --remove >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup  # a previous run killed before its trap

# Nothing from the caller's credentials: no config.json, no Podman auth file.
export DOCKER_CONFIG=$work/docker-config
mkdir -p "$DOCKER_CONFIG"
unset REGISTRY_AUTH_FILE
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[int(k) if k.isdigit() else k]
print(v)' "$@"; }
median() { json results 0 median <"$1"; }
log() { echo "bump_bench: $*" >&2; }

# ---- the tree and its repositories --------------------------------------------------------
tree=$work/tree
if [[ ! -f $tree/.refs.jsonl || $(json params effective services <"$tree/.expected.json") != "$services" ]]; then
  log "generating the tree (--services $services)"
  python3 "$shared/gen_gitops.py" --out "$tree" --services "$services" --list-refs --force >/dev/null
fi
python3 "$util" repos "$tree" >"$work/repos.txt"
repos=$(wc -l <"$work/repos.txt")
log "$repos repositories named by the fast lanes"

config() {  # config TREE HOST: .imagepin.yaml sending ghcr.io to HOST
  # firstParty is stated: the tree is no git repository, so there is no origin to default from.
  printf 'firstParty: ["ghcr.io/acme/"]\nregistries:\n  ghcr.io:\n    mirror: "%s"\n' "$2" >"$1/.imagepin.yaml"
}

# ---- plain registry: timings --------------------------------------------------------------
host=$("$testreg" start --dir "$plain" --mode plain --watch-pid $$ | json host)
log "pushing $repos multi-arch images to $host"
python3 "$push" --host "$host" --tag main <"$work/repos.txt" >"$work/push-plain.json"
log "pushed in $(json seconds <"$work/push-plain.json") s"
config "$tree" "$host"

"$imagepin" bump -C "$tree" --dry-run --quiet --format json >"$work/dry-run.json" || true
python3 "$util" verify "$work/dry-run.json" "$work/push-plain.json" "$work/repos.txt" >"$work/dry-run-check.json" ||
  { cat "$work/dry-run-check.json" >&2; exit 1; }

python3 "$util" curlconf head "$host" "$work/push-plain.json" >"$work/curl-heads.conf"
connects=$(curl -K "$work/curl-heads.conf" -w '%{num_connects} %{http_code}\n' | awk '{c+=$1} $2==200 {ok++} END {print c, ok}')
[[ ${connects#* } == "$repos" ]] || { log "curl floor: not every HEAD answered 200 ($connects)"; exit 1; }
log "curl floor: $repos HEADs over ${connects% *} connection(s)"

{
  echo '#!/bin/sh'
  echo '# What a shell bump script does: one skopeo inspect per repository, in sequence.'
  echo 'set -e'
  echo "while read -r repo; do skopeo inspect --tls-verify=false --format '{{.Digest}}' docker://$host/\$repo:main; done <'$work/repos.txt'"
} >"$work/skopeo-loop.sh"
[[ $(sh "$work/skopeo-loop.sh" | grep -c '^sha256:') == "$repos" ]] || { log "skopeo loop failed"; exit 1; }

load_before=$(uptime)
log "timing (load: ${load_before##*load average: })"
hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$work/imagepin.json" \
  --export-markdown "$work/imagepin.md" -n imagepin \
  "$imagepin bump -C $tree --dry-run --quiet" >/dev/null
hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$work/curl.json" \
  --export-markdown "$work/curl.md" -n curl-floor "curl -K $work/curl-heads.conf" >/dev/null
hyperfine --style none --warmup 0 --runs "$skopeo_runs" --export-json "$work/skopeo.json" \
  --export-markdown "$work/skopeo.md" -n skopeo-loop "sh $work/skopeo-loop.sh >/dev/null" >/dev/null
load_after=$(uptime)

# ---- where imagepin's time goes (PROFILE=0 skips) ------------------------------------------
#   scan only     every request refused at once (mirror on a closed port, one attempt)
#   curl head+get imagepin's 400 requests (HEAD by tag, GET by digest) from one curl, in sequence
#   curl get      one GET by tag per image: the single request that could answer both
#   --concurrency imagepin's worker count (default 8)
if [[ ${PROFILE:-1} != 0 ]]; then
  scan_tree=$work/scan-tree
  rm -rf "$scan_tree"
  mkdir -p "$scan_tree/sources/values/env"
  cp -a "$tree/sources/values/env/local" "$tree/sources/values/env/dev" "$scan_tree/sources/values/env/"
  config "$scan_tree" 127.0.0.1:1
  python3 "$util" curlconf head+get "$host" "$work/push-plain.json" >"$work/curl-head-get.conf"
  python3 "$util" curlconf get "$host" "$work/push-plain.json" >"$work/curl-get.conf"
  profile=(-n "scan only (registry refused)" "$imagepin bump -C $scan_tree --dry-run --quiet --retries 1"
           -n "curl head+get (400 requests)" "curl -K $work/curl-head-get.conf"
           -n "curl get by tag (200 requests)" "curl -K $work/curl-get.conf")
  for c in 1 2 4 8 16; do
    profile+=(-n "imagepin --concurrency $c" "$imagepin bump -C $tree --dry-run --quiet --concurrency $c")
  done
  hyperfine -N --style none --warmup 1 --runs "$runs" -i --export-json "$work/profile.json" \
    --export-markdown "$work/profile.md" "${profile[@]}" >/dev/null
  load_profile=$(uptime)
fi

# ---- requests per image, from the registry's own access log --------------------------------
# (Not through tests/registry/fault_proxy.py: it folds repeated request headers into one, and
# skopeo sends one Accept header per media type.)
count_requests() {  # count_requests REGDIR OUT COMMAND...: the registry's requests during COMMAND
  local dir=$1 out=$2 mark
  shift 2
  mark=$(wc -l <"$dir/registry.log")
  "$@" >/dev/null
  sleep 0.2  # the log line is written after the response
  python3 "$util" requests "$dir/registry.log" "$mark" "$repos" >"$out"
}
count_requests "$plain" "$work/requests-imagepin.json" "$imagepin" bump -C "$tree" --dry-run --quiet
count_requests "$plain" "$work/requests-skopeo.json" sh "$work/skopeo-loop.sh"
count_requests "$plain" "$work/requests-curl.json" curl -K "$work/curl-heads.conf"

# ---- one real run, then an idempotent second one -------------------------------------------
real=$work/real
rm -rf "$real"
mkdir -p "$real/sources/values/env"
cp -a "$tree/sources/values/env/local" "$tree/sources/values/env/dev" "$real/sources/values/env/"
cp "$tree/.imagepin.yaml" "$real/"
began=$(date +%s.%N)
"$imagepin" bump -C "$real" --quiet --format json >"$work/real.json"
real_time=$(awk "BEGIN{printf \"%.3f\", $(date +%s.%N) - $began}")
python3 "$util" verify "$work/real.json" "$work/push-plain.json" "$work/repos.txt" >"$work/real-check.json" ||
  { cat "$work/real-check.json" >&2; exit 1; }
"$imagepin" bump -C "$real" --quiet >"$work/real-again.txt"
log "real run: $(cat "$work/real-check.json") in $real_time s; again: $(tail -1 "$work/real-again.txt")"

# ---- token auth (anonymous pull): token requests per repository ---------------------------
"$testreg" start --dir "$token" --mode token --anonymous-pull --watch-pid $$ >"$work/token-info.json"
token_host=$(json host <"$work/token-info.json")
python3 "$push" --host "$token_host" --tag main --user "$(json user <"$work/token-info.json")" \
  --password "$(json password <"$work/token-info.json")" <"$work/repos.txt" >"$work/push-token.json"
token_tree=$work/token-tree
rm -rf "$token_tree"
mkdir -p "$token_tree/sources/values/env"
cp -a "$tree/sources/values/env/local" "$tree/sources/values/env/dev" "$token_tree/sources/values/env/"
config "$token_tree" "$token_host"
skip=$(wc -l <"$token/tokens.log")
"$imagepin" bump -C "$token_tree" --dry-run --quiet --format json >"$work/token-dry-run.json" || true
python3 "$util" verify "$work/token-dry-run.json" "$work/push-token.json" "$work/repos.txt" >/dev/null ||
  { log "token mode: bump did not resolve every repository"; exit 1; }
python3 "$util" tokens "$token/tokens.log" "$skip" "$work/repos.txt" >"$work/tokens.json"
count_requests "$token" "$work/requests-token.json" "$imagepin" bump -C "$token_tree" --dry-run --quiet
# Timed beside the plain registry again, in one hyperfine call, so that the ratio compares
# two measurements taken under the same load (the machine is shared).
hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$work/imagepin-token.json" \
  -n imagepin-plain "$imagepin bump -C $tree --dry-run --quiet" \
  -n imagepin-token "$imagepin bump -C $token_tree --dry-run --quiet" >/dev/null

# ---- the table ------------------------------------------------------------------------------
ip=$(median "$work/imagepin.json")
cf=$(median "$work/curl.json")
sk=$(median "$work/skopeo.json")
ipp=$(json results 0 median <"$work/imagepin-token.json")  # plain, timed beside token mode
ipt=$(json results 1 median <"$work/imagepin-token.json")
per_image=$(json manifest_requests_per_image <"$work/requests-imagepin.json")
tokens_per_repo=$(json per_repository <"$work/tokens.json")
token_requests=$(json token_requests <"$work/tokens.json")
req() { echo "$(json requests_per_image <"$1") ($(json connections <"$1") conn.)"; }
r() { awk "BEGIN{printf \"%.${3:-1}f\", $1/$2}"; }
s3() { printf '%.3f' "$1"; }
{
  echo "$repos repositories, $(json refs <"$work/dry-run-check.json") first-party image.ref values in env/local + env/dev (bump targets); imagepin $("$imagepin" --version 2>/dev/null | head -1)."
  echo "load average before the timings: ${load_before##*load average: }; after: ${load_after##*load average: } ($(nproc) CPUs)."
  echo
  echo "| side | what | median | imagepin vs it | requests per image (connections) |"
  echo "|---|---|---:|---:|---:|"
  echo "| imagepin bump --dry-run | scan env/local + env/dev, resolve every channel tag, check each index's platforms | $(s3 "$ip") s | — | $(req "$work/requests-imagepin.json") |"
  echo "| skopeo loop | \`skopeo inspect --format '{{.Digest}}'\` per repository, in sequence | $(s3 "$sk") s | $(r "$sk" "$ip")× faster | $(req "$work/requests-skopeo.json") |"
  echo "| curl floor | $repos manifest HEADs, one curl, one kept-alive connection | $(s3 "$cf") s | $(r "$ip" "$cf" 2)× the floor | $(req "$work/requests-curl.json") |"
  echo "| imagepin, token auth | the same against a token-auth registry (anonymous pull) | $(s3 "$ipt") s | $(r "$ipt" "$ipp" 2)× plain ($(s3 "$ipp") s beside it) | $(req "$work/requests-token.json") + tokens |"
  echo
  echo "- imagepin requests: $(json by_kind <"$work/requests-imagepin.json")"
  echo "- token mode: $(json token_requests <"$work/tokens.json") token requests for $repos repositories ($tokens_per_repo per repository); registry requests $(json by_kind <"$work/requests-token.json")"
  echo "- skopeo loop requests: $(json by_kind <"$work/requests-skopeo.json")"
  echo "- real run: $(cat "$work/real-check.json") in $real_time s; run again: $(tail -1 "$work/real-again.txt")"
  echo
  pass() { awk "BEGIN{exit !($1)}" && echo met || echo "NOT met"; }
  if [[ -f $work/profile.json && ${PROFILE:-1} != 0 ]]; then
    echo "Profile (medians; load after it: ${load_profile##*load average: }):"
    echo
    python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]: print("- %s: %.3f s" % (r["command"], r["median"]))' "$work/profile.json"
    echo
  fi
  echo "targets: ≥15× faster than the skopeo loop: $(pass "$sk/$ip >= 15"); within 2× of the curl floor: $(pass "$ip/$cf <= 2"); ≤ 2 manifest requests per image: $(pass "$per_image <= 2") ($per_image); token mode: ≤ 10 token requests for $repos repositories: $(pass "$token_requests <= 10") ($token_requests), within 1.5× the plain time: $(pass "$ipt/$ipp <= 1.5") ($(r "$ipt" "$ipp" 2)×)."
} | tee "$work/results.md"
