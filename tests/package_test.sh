#!/usr/bin/env bash
# The Debian package, end to end. First its build: configured with -DIMAGEPIN_TESTS=OFF it needs
# no test package. Then cpack packages this build tree's binary (already built: no second
# build); the Depends name only runtime libraries (on Debian 12 all among install-deps.sh
# --runtime's, plus libc/libgcc/libstdc++); the files are the binary, the man page and the docs,
# all under /usr; and the binary unpacked with dpkg -x into a fresh root runs: --version, then
# check on the packaged example repositories (clean: exit 0, violations: exit 1, README's codes).
#   tests/package_test.sh SOURCE_DIR BUILD_DIR VERSION
# Exit 77 (ctest: skipped) where Debian's packaging tools are not installed.
set -euo pipefail
source_dir=$1 build_dir=$2 version=$3
for tool in dpkg-deb dpkg-shlibdeps cpack file; do
  if ! command -v "$tool" > /dev/null; then
    echo "package_test: skipped: $tool is not installed (scripts/install-deps.sh --no-tests has it)"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

# The package's build needs no test package: configured with IMAGEPIN_TESTS=OFF, nothing may look
# for GoogleTest, Google Benchmark or Python (CMAKE_DISABLE_FIND_PACKAGE_<P> turns each
# find_package into "not found", and cmake names those never asked for as unused variables),
# and no target may add sources to imagepin_tests, which then does not exist.
cmake -S "$source_dir" -B "$work/notests" -DCMAKE_BUILD_TYPE=Release -DIMAGEPIN_TESTS=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Python3=ON > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configure with -DIMAGEPIN_TESTS=OFF failed"; }
for package in GTest benchmark Python3; do
  grep -q "CMAKE_DISABLE_FIND_PACKAGE_$package\$" "$work/configure.log" ||
    { cat "$work/configure.log" >&2; fail "-DIMAGEPIN_TESTS=OFF still looks for $package"; }
done
cmake --build "$work/notests" --target help > "$work/targets.txt"
grep -qw imagepin "$work/targets.txt" || fail "-DIMAGEPIN_TESTS=OFF has no imagepin target"
if grep -qw imagepin_tests "$work/targets.txt"; then fail "-DIMAGEPIN_TESTS=OFF has imagepin_tests"; fi

# -B keeps cpack's staging and output out of the build tree (ctest runs other tests in it).
cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/out" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
debs=("$work"/out/imagepin_"$version"_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one imagepin_${version}_<arch>.deb: ${debs[*]}"
deb=${debs[0]}
[[ $(dpkg-deb -f "$deb" Package) == imagepin ]] || fail "Package: $(dpkg-deb -f "$deb" Package)"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "Version: $(dpkg-deb -f "$deb" Version)"

# Depends: package names only (versions and alternatives dropped), sorted.
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//; s/ //g' |
  grep -v '^$' | sort)
# ca-certificates is set by hand; libc6 can only come from dpkg-shlibdeps reading the binary.
grep -qx libc6 <<< "$depends" || fail "no libc6 in Depends: dpkg-shlibdeps did not run"
if grep -E -- '-dev$|gtest|googletest|gmock|benchmark|python|cmake' <<< "$depends"; then
  fail "Depends names a build or test package (above)"
fi
# The C and C++ runtime every C++ program links; anything else must be in --runtime's list (which
# names the release's packages on Debian 12; elsewhere it lists -dev stand-ins), so that
# install-deps.sh --runtime is enough to run a binary built elsewhere. A subset, not equality: a
# build without mimalloc (optional) links one library fewer.
expected=$( { printf '%s\n' libc6 libgcc-s1 libstdc++6
              "$source_dir/scripts/install-deps.sh" --runtime --list; } | sort)
if [[ $(. /etc/os-release && echo "${VERSION_CODENAME:-}") == bookworm ]]; then
  unlisted=$(comm -13 <(echo "$expected") <(echo "$depends"))
  [[ -z $unlisted ]] || fail "Depends names what install-deps.sh --runtime does not: $unlisted"
fi

# Files: the binary, its man page and docs, the examples, all under /usr; no libraries, headers
# or tests.
dpkg-deb -c "$deb" | awk '{print $6}' > "$work/files"
for f in ./usr/bin/imagepin ./usr/share/man/man1/imagepin.1 ./usr/share/doc/imagepin/README.md \
         ./usr/share/doc/imagepin/config.md ./usr/share/doc/imagepin/examples/gitops/.imagepin.yaml; do
  grep -qxF "$f" "$work/files" || fail "missing from the package: $f"
done
if grep -v -E '^\./usr/' "$work/files" | grep -v -x '\./'; then
  fail "the package installs outside /usr (above)"
fi
if grep -E '\.(a|so|h|cc|o)$|imagepin_tests|/include/|/lib/' "$work/files"; then
  fail "the package holds build or test files (above)"
fi

# Unpacked into a fresh root, not installed: the binary must find every library by itself.
dpkg -x "$deb" "$work/root"
bin="$work/root/usr/bin/imagepin"
if ldd "$bin" | grep 'not found'; then fail "unresolved libraries (above)"; fi
[[ $("$bin" --version) == "imagepin $version" ]] || fail "--version said: $("$bin" --version)"
# The man page is well-formed roff (man's own warnings are failures).
if command -v groff > /dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$work/root/usr/share/man/man1/imagepin.1" 2>&1)
  [[ -z $warnings ]] || fail "imagepin.1: $warnings"
fi

# The man page documents every command and option the binary has: each command's own options on
# its line under COMMANDS (the shared ones, -C, -j and the registry flags, under OPTIONS).
man_src="$work/root/usr/share/man/man1/imagepin.1"
commands=$("$bin" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF {print $1}')
[[ -n $commands ]] || fail "imagepin --help lists no subcommands"
shared='--help|--root|--jobs|--ca-file|--insecure-registry|--timeout|--retries|--concurrency|--quiet'
for command in $commands; do
  line=$(grep -m1 "^\.BR $command " "$man_src" | sed 's/\\-/-/g') ||
    fail "imagepin.1 does not document the command $command"
  help=$("$bin" "$command" --help)
  for option in $(grep -oE '^ +(-[a-zA-Z],)?--[a-z-]+' <<< "$help" | sed 's/.*,//; s/ //g'); do
    [[ $option =~ ^($shared)$ ]] && continue
    short=$(grep -oE "^ +-[a-zA-Z],$option\b" <<< "$help" | sed -E 's/ *(-[a-zA-Z]),.*/\1/' || true)
    grep -qE -- "(^|[^a-z-])(${option}|${short:-$option})([^a-z-]|$)" <<< "$line" ||
      fail "imagepin.1: $command's line lacks $option: $line"
  done
done
for option in ${shared//|/ }; do
  grep -qF -- "$option" <(sed 's/\\-/-/g' "$man_src") || fail "imagepin.1 does not document $option"
done

# The clean example passes and the violations example fails: the packaged binary really checks.
cp -r "$work/root/usr/share/doc/imagepin/examples" "$work/examples"
(cd "$work/examples/gitops" && "$bin" check > "$work/clean.txt" 2>&1) ||
  { cat "$work/clean.txt" >&2; fail "check on examples/gitops failed"; }
set +e
(cd "$work/examples/gitops-violations" && "$bin" check > "$work/violations.txt" 2>&1)
code=$?
set -e
[[ $code -eq 1 ]] || { cat "$work/violations.txt" >&2; fail "check on gitops-violations exited $code, not 1"; }
grep -q 'IP001 digest-required' "$work/violations.txt" ||
  { cat "$work/violations.txt" >&2; fail "check on gitops-violations did not report IP001"; }
echo "package_test: $(basename "$deb") ($(stat -c %s "$deb") bytes) checks out"
