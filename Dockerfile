# perch's image: perch-server (the entrypoint), the perch CLI (the
# HEALTHCHECK, and for operators) and perch-emulator, on
# debian:bookworm-slim, running as uid/gid 65532.
#
# Every step is one of the project's own scripts, which CI runs on a fresh
# machine on every change (so this file only arranges proven steps):
#   scripts/install-deps, scripts/build     as scripts/test runs them
#   deploy/image/stage, install-runtime     ctest deploy_image_stage_test
#
#   docker build -t perch .
#   docker run --rm -p 50051:50051 perch --emulate
# More: docs/deploy.md.

FROM debian:bookworm AS build
WORKDIR /src
# The whole tree first, as CI has it: install-deps also installs what the
# tree's lockfiles pin, so it must see them. (Costs the dependency layer's
# cache on every source change; correctness over speed.)
COPY . .
RUN scripts/install-deps
RUN PERCH_BUILD_DIR=/build scripts/build && deploy/image/stage /build /stage

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
