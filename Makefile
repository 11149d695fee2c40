# The two commands a newcomer needs:
#   make demo   install what is missing, build, and check the bundled example repository
#   make test   install what is missing, build, and run every test (also under ASan/UBSan)
# Everything else here is a helper for those, or for benchmarks, or one of these checks:
#   make tsan   build-tsan: the tests under ThreadSanitizer (slower, so not part of make test)
#   make tidy   clang-tidy (.clang-tidy) over src/**/*.cc, with build-tidy's compile_commands.json
#   make install  build-pkg (no tests, so no GoogleTest), installed under PREFIX (/usr/local),
#                 staged under DESTDIR if set: make install PREFIX=/usr DESTDIR=/tmp/stage
#   make deb      build/imagepin_<version>_<arch>.deb, from build-pkg (CPack; Depends from
#                 dpkg-shlibdeps): apt-get install ./build/imagepin_*.deb

BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
TIDY_BUILD ?= build-tidy
PKG_BUILD ?= build-pkg
PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= $(shell nproc)
IMAGEPIN := $(BUILD)/src/cli/imagepin

.PHONY: all deps build demo test test-fast test-asan tsan tidy bench fuzz format clean \
        pkg-build install deb

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The packaging build: Release, no tests, so only install-deps.sh --no-tests's packages. cmake
# --install reads DESTDIR from the environment only, so it is passed on explicitly.
pkg-build:
	@scripts/install-deps.sh --no-tests
	@cmake -S . -B $(PKG_BUILD) -DCMAKE_BUILD_TYPE=Release -DIMAGEPIN_TESTS=OFF >/dev/null
	@cmake --build $(PKG_BUILD) -j$(JOBS) --target imagepin

install: pkg-build
	@DESTDIR=$(DESTDIR) cmake --install $(PKG_BUILD) --prefix $(PREFIX) --strip

# cpack's staging tree stays in build-pkg; the package lands in build/, beside the usual binary.
deb: pkg-build
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/imagepin_*.deb
	@rm -f $(PKG_BUILD)/cpack/imagepin_*.deb
	@cd $(PKG_BUILD) && cpack -G DEB -B $(abspath $(PKG_BUILD))/cpack >/dev/null
	@mv $(PKG_BUILD)/cpack/imagepin_*.deb $(BUILD)/
	@ls $(BUILD)/imagepin_*.deb
	@dpkg-deb -f $(BUILD)/imagepin_*.deb Depends

demo: build
	@scripts/demo.sh $(IMAGEPIN)

test: test-fast test-asan

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIMAGEPIN_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target imagepin_tests imagepin
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

# ThreadSanitizer (not part of make test: it is a separate build and slower). setarch -R turns
# off address randomisation for ctest and everything it starts: TSan's shadow memory layout
# fails ("unexpected memory mapping") on kernels with a large vm.mmap_rnd_bits.
tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIMAGEPIN_TSAN=ON >/dev/null
	@cmake --build $(TSAN_BUILD) -j$(JOBS) --target imagepin_tests imagepin
	@cd $(TSAN_BUILD) && setarch $$(uname -m) -R ctest --output-on-failure -j$(JOBS)

# clang-tidy needs only compile_commands.json, so build-tidy is configured, never built. Findings
# are printed, not failures. TIDY_FILES (a regular expression over the paths) narrows the run,
# e.g. make tidy TIDY_FILES=src/base/.
TIDY_FILES ?= src/
tidy:
	@scripts/install-deps.sh --tidy
	@cmake -S . -B $(TIDY_BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@run-clang-tidy -quiet -p $(TIDY_BUILD) -j$(JOBS) '^$(CURDIR)/$(TIDY_FILES).*\.cc$$'

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh $(IMAGEPIN)

# libFuzzer (clang from Debian): builds fuzz/ with -DIMAGEPIN_FUZZ=ON in build-fuzz and runs
# every target for FUZZ_SECONDS, one after the other; corpora are kept in build-fuzz/corpus/<target>
# between runs. fuzz/README.md: one target for longer, where crashes go.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps.sh --fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) fuzz/run.sh

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(TIDY_BUILD) $(PKG_BUILD)
