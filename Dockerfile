# perch's image: perch-server (the entrypoint), the perch CLI (the
# HEALTHCHECK, and for operators) and perch-emulator (the dev overlay's
# upstream), on debian:bookworm-slim, running as uid/gid 65532.
#
#   docker build -t perch .        (or podman build)
#   docker run --rm -p 50051:50051 --read-only perch --help
# More: docs/deploy.md. CI builds and runs this file for real:
# deploy/image/test-image.

FROM debian:bookworm AS build
WORKDIR /src
# The build packages alone first: a layer that changes only with the list.
COPY scripts/install-deps scripts/
RUN scripts/install-deps --build-only
COPY . .
# Only what the image ships (not the test suite), with scripts/build and the
# project's default flags, those every CI test runs against; then stage:
# strip, and list the Debian packages their libraries come from. The build
# tree goes in the same step, so no layer keeps it.
# Warnings stay warnings by default: CI's -Werror build is the gate, and a
# user's image build must not break on a warning. deploy/image/test-image
# sets PERCH_WERROR as its build tree has it, so the flags match that tree's.
# A compiler cache mounted at /ccache (`podman build -v "$(ccache -k
# cache_dir)":/ccache:ro`, as test-image does) is read, never written;
# without one ccache stays out of the way.
ARG PERCH_WERROR=OFF
RUN if [ -d /ccache ]; then \
      export CCACHE_DIR=/ccache CCACHE_READONLY=1 CCACHE_TEMPDIR=/tmp/ccache \
             CCACHE_STATSLOG=/tmp/ccache.log; \
    else export CCACHE_DISABLE=1; fi \
 && PERCH_BUILD_TARGETS="perch-server perch perch-emulator" \
    scripts/build -DPERCH_WERROR="$PERCH_WERROR" \
 && if [ -d /ccache ]; then ccache --show-log-stats; fi \
 && deploy/image/stage build /stage \
 && rm -rf build /tmp/ccache /tmp/ccache.log

FROM debian:bookworm-slim
# The runtime libraries first (a layer that changes only with them), then
# the binaries, then proof that they load and run. The package list stays,
# as the record of what the image holds besides the base.
COPY --from=build /stage/usr/local/share/perch/ /usr/local/share/perch/
RUN /usr/local/share/perch/install-runtime /usr/local/share/perch/runtime-packages
COPY --from=build /stage/usr/local/bin/ /usr/local/bin/
RUN /usr/local/share/perch/install-runtime --check \
      /usr/local/bin/perch-server /usr/local/bin/perch /usr/local/bin/perch-emulator \
 && rm /usr/local/share/perch/install-runtime
# A numeric user with no passwd entry: runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 50051
# Flags come as arguments or PERCH_<FLAG> variables (perch-server --help).
# `perch health` exits 0 only when the server answers SERVING.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/perch", "health", "--server=127.0.0.1:50051", "--timeout=3s"]
ENTRYPOINT ["/usr/local/bin/perch-server"]
