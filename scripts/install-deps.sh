#!/usr/bin/env bash
# Installs the Debian packages imagepin needs to build, test and benchmark, skipping what is
# already there (so a second run costs a second, and needs no network).
#   scripts/install-deps.sh           build, tests and the demo
#   scripts/install-deps.sh --build   only what building needs (the GitHub action)
#   scripts/install-deps.sh --bench   tests and the benchmark tools
#   scripts/install-deps.sh --fuzz    build and clang's libFuzzer (make fuzz)
#   scripts/install-deps.sh --tidy    build and clang-tidy (make tidy)
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # toolchain
  libyaml-dev                               # YAML parser (event API with positions)
  nlohmann-json3-dev libcli11-dev libfmt-dev  # JSON, command line, formatting
  libcurl4-openssl-dev libssl-dev           # registry client: HTTP(S), sha256
  libmimalloc-dev                           # allocator: libyaml allocates per token
  libre2-dev                                # tags.allow patterns: linear-time regular expressions
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and micro-benchmarks
  libtsan2                                  # ThreadSanitizer runtime (make tsan); g++ pulls it in too
  python3 python3-jsonschema python3-yaml   # SARIF schema validation; the shared bench tools
  git clang-format
)
# The real-registry tests, the demo and the benchmarks start a registry on loopback.
registry_tools=(docker-registry skopeo apache2-utils openssl python3-cryptography)
case "${1:-}" in
  --build) ;;  # only what building imagepin needs (the GitHub action)
  --bench) packages+=("${registry_tools[@]}" hyperfine ripgrep time) ;;
  --fuzz) packages+=(clang libclang-rt-14-dev) ;;
  --tidy) packages+=(clang-tidy) ;;
  *) packages+=("${registry_tools[@]}") ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
