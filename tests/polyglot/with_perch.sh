#!/usr/bin/env bash
# Runs one client example against a real perch-server and perch-emulator:
#   with_perch.sh PERCH_EMULATOR PERCH_SERVER -- COMMAND [ARG...]
# starts the emulator and the server on ephemeral loopback ports, runs
# COMMAND ARG... --server=127.0.0.1:PORT, stops both and exits with
# COMMAND's status. On failure it shows both logs (neither ever holds a
# secret or a token: the server process test checks that). Bounded: each
# start waits at most 20 s; ctest's TIMEOUT bounds the command.
set -euo pipefail

if [ $# -lt 4 ] || [ "$3" != "--" ]; then
  echo "usage: $0 PERCH_EMULATOR PERCH_SERVER -- COMMAND [ARG...]" >&2
  exit 2
fi
emulator_bin=$1
server_bin=$2
shift 3

work=$(mktemp -d "${TMPDIR:-/tmp}/perch-polyglot.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # Up to 5 s to drain, then no more waiting.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

show_logs() {
  echo "--- perch-emulator log ---" >&2; cat "$work/emulator.log" >&2 || true
  echo "--- perch-server log ---" >&2; cat "$work/server.log" >&2 || true
}

# Prints the first match of sed expression $2 in file $1, waiting up to 20 s
# while process $3 lives.
await_line() {
  local file=$1 expr=$2 pid=$3 found
  for _ in $(seq 200); do
    found=$(sed -n "$expr" "$file" | head -n 1)
    if [ -n "$found" ]; then echo "$found"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

"$emulator_bin" --listen=127.0.0.1:0 >"$work/emulator.log" 2>&1 &
pids+=($!)
if ! upstream=$(await_line "$work/emulator.log" \
    's/^perch-emulator listening on \(http[^ ]*\).*/\1/p' "${pids[0]}"); then
  echo "with_perch: perch-emulator did not start" >&2; show_logs; exit 1
fi

# The emulator's example app: the key and secret from Twitter's
# application-only authentication guide, public and fake.
PERCH_CONSUMER_KEY=xvz1evFS4wEEPTGEFPHBog \
PERCH_CONSUMER_SECRET=L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg \
PERCH_API_BASE_URL=$upstream \
  "$server_bin" --listen=127.0.0.1:0 --insecure_no_auth >"$work/server.log" 2>&1 &
pids+=($!)
if ! port=$(await_line "$work/server.log" 's/.*(port \([0-9]*\)).*/\1/p' \
    "${pids[1]}"); then
  echo "with_perch: perch-server did not start" >&2; show_logs; exit 1
fi

status=0
"$@" "--server=127.0.0.1:$port" || status=$?
if [ "$status" -ne 0 ]; then show_logs; fi
exit "$status"
