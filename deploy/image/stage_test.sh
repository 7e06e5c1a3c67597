#!/usr/bin/env bash
# Proves the image's steps on this machine, as far as a machine without a
# Docker engine can: stages the image's files from BUILD_DIR with
# deploy/image/stage, checks them with install-runtime --check, then runs
# them the way the image does: perch-server as uid/gid 65532 with an empty
# environment (as the Dockerfile's exec-form ENTRYPOINT does) on a read-only
# root filesystem (as the Deployment does), and `perch health` (the
# HEALTHCHECK) must say SERVING; a token obtain through the CLI (the upstream
# path: libcurl, the image's perch-emulator as its own process) succeeds;
# SIGTERM drains and exits 0.
# Needs root for the user switch and the read-only mount namespace; exits 77
# (skipped) otherwise.
# usage: deploy/image/stage_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "stage_test: needs root (setpriv, unshare); skipped"
  exit 77
fi

work=$(mktemp -d /tmp/perch_stage_test.XXXXXX)
server_pid=""
emulator_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ -n "$emulator_pid" ]; then kill -KILL "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
chmod 0755 "$work"

"$here/stage" "$build" "$work/root"
root="$work/root"
bin="$root/usr/local/bin"
pkgs="$root/usr/local/share/perch/runtime-packages"
"$root/usr/local/share/perch/install-runtime" --check \
  "$bin/perch-server" "$bin/perch" "$bin/perch-emulator"
for p in 'libgrpc++1.51' libcurl4 libprotobuf32 libssl3; do
  grep -q "^$p:" "$pkgs" || { echo "stage_test: $p missing from $pkgs" >&2; exit 1; }
done

# As the image: uid/gid 65532 (no passwd entry), no environment, cwd /,
# and here also a read-only view of every file the process could reach.
# Each step execs the next, so a started server's pid is perch-server's.
as_image=(unshare --mount --propagation private --
  sh -c 'mount -o remount,bind,ro / && exec "$@"' sh
  setpriv --reuid=65532 --regid=65532 --clear-groups --
  env -i)

# await_line FILE SED_EXPR PID
. "$here/../../tests/testing/await_line.sh"

# The upstream: the image's perch-emulator, as the dev overlay runs it.
emulator_log="$work/emulator.log"
(cd / && exec "${as_image[@]}" "$bin/perch-emulator" --listen=127.0.0.1:0 \
   > "$emulator_log" 2>&1) &
emulator_pid=$!
if ! upstream=$(await_line "$emulator_log" \
    's/^perch-emulator listening on \(http[^ ]*\).*/\1/p' "$emulator_pid"); then
  echo "stage_test: perch-emulator did not start; its log:" >&2
  cat "$emulator_log" >&2; exit 1
fi

# The emulator's example app (public and fake). Where perch authenticates
# callers, this demo server lets anyone in.
demo_env=(PERCH_INSECURE_NO_AUTH=true PERCH_API_BASE_URL="$upstream"
  PERCH_CONSUMER_KEY=xvz1evFS4wEEPTGEFPHBog
  PERCH_CONSUMER_SECRET=L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg)

log="$work/server.log"
(cd / && exec "${as_image[@]}" "${demo_env[@]}" "$bin/perch-server" \
   --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 --shutdown_grace=5s \
   > "$log" 2>&1) &
server_pid=$!

if ! port=$(await_line "$log" 's/.*(port \([0-9]*\)).*/\1/p' "$server_pid"); then
  echo "stage_test: perch-server did not start; its log:" >&2; cat "$log" >&2; exit 1
fi

server="--server=127.0.0.1:$port"
"${as_image[@]}" "$bin/perch" health "$server" --timeout=5s
"${as_image[@]}" "$bin/perch" token obtain "$server" --timeout=5s > /dev/null
# (No read: which data the emulator serves is not this test's business.)

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
if [ "$status" -ne 0 ]; then
  echo "stage_test: perch-server exited $status after SIGTERM; its log:" >&2
  cat "$log" >&2
  exit 1
fi
grep -q "drained" "$log" || { echo "stage_test: no drain in the log" >&2; cat "$log" >&2; exit 1; }
echo "stage_test: staged image files run as 65532 on a read-only root; health SERVING; drained, exit 0"
