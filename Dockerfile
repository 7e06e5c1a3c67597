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
# Only what the image ships (not the test suite), optimised, no debug info;
# then stage: strip, and list the Debian packages their libraries come from.
# Warnings stay warnings here: CI's -Werror build is the gate, and GCC's
# -O3-only flow warnings must not break a user's image build.
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERCH_WERROR=OFF \
 && ninja -C /build perch-server perch perch-emulator \
 && deploy/image/stage /build /stage

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
