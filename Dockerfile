# imagepin as a container image, for container actions and CI systems other than GitHub's.
#
#   docker build -t imagepin .          (or: buildah bud -t imagepin .; podman build ...)
#   docker run --rm -v "$PWD:/repo" -w /repo imagepin check
#
# Two stages on Debian 12: the build stage has the compiler and the -dev packages
# (scripts/install-deps.sh --no-tests) and builds only the binary, tests off; the run stage is
# Debian 12 slim with only the libraries the binary links (install-deps.sh --runtime), run as a
# user without privileges. BASE and RUNTIME are arguments so that a build without a registry
# (tests/container_test.sh) can name images it made itself.
ARG BASE=docker.io/library/debian:12
ARG RUNTIME=docker.io/library/debian:12-slim

FROM ${BASE} AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh --no-tests && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt README.md ./
COPY cmake cmake
COPY src src
COPY docs docs
COPY examples examples
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DIMAGEPIN_TESTS=OFF \
 && cmake --build build --target imagepin -j"$(nproc)" \
 && install -m 0755 build/src/cli/imagepin /usr/local/bin/imagepin

FROM ${RUNTIME}
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh --runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin imagepin
COPY --from=build /usr/local/bin/imagepin /usr/local/bin/imagepin
USER 10001
WORKDIR /repo
ENTRYPOINT ["imagepin"]
CMD ["--help"]
