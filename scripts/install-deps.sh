#!/usr/bin/env bash
# Installs the Debian packages imagepin needs to build, test, benchmark or run, skipping what is
# already there (so a second run costs a second, and needs no network).
#   scripts/install-deps.sh           build, tests and the demo (make test, make demo)
#   scripts/install-deps.sh --build   what the default configure needs: build and test libraries,
#                                     no registry tools (the GitHub action's cmake, tests on)
#   scripts/install-deps.sh --no-tests  only what building the imagepin binary needs, with
#                                     -DIMAGEPIN_TESTS=OFF: no GoogleTest, Benchmark or Python
#                                     (make install, make deb)
#   scripts/install-deps.sh --runtime only the shared libraries a built imagepin links, and the
#                                     CA bundle (running a binary built elsewhere)
#   scripts/install-deps.sh --bench   tests and the benchmark tools
#   scripts/install-deps.sh --fuzz    tests and clang's libFuzzer (make fuzz)
#   scripts/install-deps.sh --tidy    tests and clang-tidy (make tidy)
# A second argument --list prints the mode's packages, one a line, and installs nothing.
set -euo pipefail

# Building the binary (cmake -DIMAGEPIN_TESTS=OFF: --no-tests). build-essential brings dpkg-dev, whose
# dpkg-shlibdeps computes the .deb's Depends; CPack's DEB generator runs `file` to find the ELF
# files to hand it.
toolchain=(build-essential cmake pkg-config file)
libraries=(
  libyaml-dev                               # YAML parser (event API with positions)
  nlohmann-json3-dev libcli11-dev libfmt-dev  # JSON, command line, formatting
  libcurl4-openssl-dev libssl-dev           # registry client: HTTP(S), sha256
  libmimalloc-dev                           # allocator: libyaml allocates per token
  libre2-dev                                # tags.allow patterns: linear-time regular expressions
)
build_packages=("${toolchain[@]}" "${libraries[@]}")
# Building and running the tests (the default build), and the tools the repository's own
# checks use.
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and micro-benchmarks
  libtsan2                                  # ThreadSanitizer runtime (make tsan); g++ pulls it in too
  python3 python3-jsonschema python3-yaml   # SARIF schema validation; the shared bench tools
  git clang-format
)
# The real-registry tests, the demo and the benchmarks start a registry on loopback.
registry_tools=(docker-registry skopeo apache2-utils openssl python3-cryptography)
# The Dockerfile's test builds the image with buildah on a debootstrapped Debian 12
# (tests/container_test.sh).
container_tools=(buildah debootstrap)

# What the binary links, as the .deb's Depends lists it (dpkg-shlibdeps; tests/package_test.sh
# checks this covers it on Debian 12), plus the CA bundle HTTPS needs. The names carry sonames
# and Ubuntu 24.04 renamed some for 64-bit time_t, so they are per release; on any other
# release the -dev packages stand in (each depends on its runtime library).
runtime_packages() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  case $codename in
    bookworm) echo libyaml-0-2 libcurl4 libfmt9 libre2-9 libmimalloc2.0 libssl3 ca-certificates ;;
    noble) echo libyaml-0-2 libcurl4t64 libfmt9 libre2-10 libmimalloc2.0 libssl3t64 ca-certificates ;;
    *) echo "${libraries[@]}" ca-certificates ;;
  esac
}

case "${1:-}" in
  --no-tests) packages=("${build_packages[@]}") ;;
  --build) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  --runtime) read -r -a packages <<< "$(runtime_packages)" ;;
  --bench) packages=("${build_packages[@]}" "${test_packages[@]}" "${registry_tools[@]}"
                     hyperfine ripgrep time) ;;
  --fuzz) packages=("${build_packages[@]}" "${test_packages[@]}" clang libclang-rt-14-dev) ;;
  --tidy) packages=("${build_packages[@]}" "${test_packages[@]}" clang-tidy) ;;
  "") packages=("${build_packages[@]}" "${test_packages[@]}" "${registry_tools[@]}"
            "${container_tools[@]}") ;;
  *) echo "install-deps: unknown mode $1 (--build, --no-tests, --runtime, --bench, --fuzz, --tidy)" >&2
     exit 2 ;;
esac

if [[ ${2:-} == --list ]]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

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

# The workflow and action schema check (tests/workflows_test.cc): @action-validator/cli from the
# npm registry, pinned, into .tools/ (ignored by git). Only with the test modes, and only where
# npm is; the tests that use it skip without it.
case "${1:-}" in
  "" | --build)
    validator_version=0.6.0
    tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
    if command -v npm > /dev/null &&
       ! grep -qs "\"version\": \"$validator_version\"" "$tools/node_modules/@action-validator/cli/package.json"; then
      echo "install-deps: installing @action-validator/cli@$validator_version (npm) in .tools/"
      npm install --silent --no-audit --no-fund --prefix "$tools" \
        "@action-validator/cli@$validator_version" > /dev/null
    fi
    ;;
esac
