#!/usr/bin/env bash
# Runs one client against a real perch-server and perch-emulator, set up as
# production runs perch: caller API keys and TLS.
#   with_perch.sh [--wrong_key|--app_refused] PERCH_EMULATOR PERCH_SERVER CERT_DIR -- COMMAND [ARG...]
# starts the emulator and the server on ephemeral loopback ports, the server
# with a callers file of fresh random keys (a reader and an admin) and
# CERT_DIR's server.pem (tests/testing/make_test_certs.sh), and runs
# COMMAND ARG... --server=127.0.0.1:PORT with, in its environment:
#   PERCH_API_KEY_FILE        the reader's key (what the examples use)
#   PERCH_ADMIN_API_KEY_FILE  the admin's key (TokenService needs it)
#   PERCH_CA_FILE             the CA that signed perch's certificate
# It exits with COMMAND's status, except:
#   --wrong_key  PERCH_API_KEY_FILE holds a key the callers file does not
#                know; passes only if COMMAND exits 4 (the examples' and the
#                CLI's code for a refused caller) after printing perch's
#                UNAUTHENTICATED reason, CALLER_UNAUTHENTICATED.
#   --app_refused  the server runs with a consumer secret the emulator does
#                not know, so the upstream refuses perch's own app while the
#                caller's key is good; passes only if COMMAND shows perch's
#                UNAUTHENTICATED reason APP_CREDENTIALS_REJECTED (domain
#                api.twitter.com) and exits 1, not 4: it must not blame the
#                caller's key for perch's credentials (docs/api.md).
# and it fails if any key appears in COMMAND's output or either log. On
# failure it shows both logs (neither ever holds a secret or a token: the
# server process test checks that). Bounded: each start waits at most 20 s;
# ctest's TIMEOUT bounds the command. Exit 77 from COMMAND (skipped) passes
# through without the logs.
set -euo pipefail

usage="usage: $0 [--wrong_key|--app_refused] PERCH_EMULATOR PERCH_SERVER CERT_DIR -- COMMAND [ARG...]"
wrong_key=0
app_refused=0
if [ "${1:-}" = "--wrong_key" ]; then wrong_key=1; shift; fi
if [ "${1:-}" = "--app_refused" ]; then app_refused=1; shift; fi
if [ $# -lt 5 ] || [ "$4" != "--" ]; then echo "$usage" >&2; exit 2; fi
emulator_bin=$1
server_bin=$2
cert_dir=$3
shift 4
for f in ca.pem server.pem server.key; do
  if [ ! -r "$cert_dir/$f" ]; then
    echo "with_perch: no $cert_dir/$f (built by the perch_test_cert_files target)" >&2
    exit 2
  fi
done

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

# await_line FILE SED_EXPR PID
. "$(dirname "$0")/../testing/await_line.sh"

# Fresh keys for every run, made as docs/security.md says: the callers file
# holds their SHA-256 only, the clients read them from files (never from a
# command line, where ps would show them).
umask 077
new_key() { openssl rand -hex 32 >"$work/$1.key"; }
key_hash() { tr -d '\n' <"$work/$1.key" | sha256sum | cut -d' ' -f1; }
new_key reader
new_key admin
new_key unknown
{
  echo "# NAME   CREDENTIAL  ROLES (with_perch.sh, one run)"
  echo "examples $(key_hash reader) reader"
  echo "ops      $(key_hash admin) admin"
} >"$work/callers"

"$emulator_bin" --listen=127.0.0.1:0 >"$work/emulator.log" 2>&1 &
pids+=($!)
if ! upstream=$(await_line "$work/emulator.log" \
    's/^perch-emulator listening on \(http[^ ]*\).*/\1/p' "${pids[0]}"); then
  echo "with_perch: perch-emulator did not start" >&2; show_logs; exit 1
fi

# The emulator's example app: the key and secret from Twitter's
# application-only authentication guide, public and fake.
consumer_secret=L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg
if [ "$app_refused" = 1 ]; then consumer_secret=not-the-emulator-apps-secret; fi
PERCH_CONSUMER_KEY=xvz1evFS4wEEPTGEFPHBog \
PERCH_CONSUMER_SECRET=$consumer_secret \
PERCH_API_BASE_URL=$upstream \
  "$server_bin" --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 \
    --api_keys_file="$work/callers" \
    --tls_cert_file="$cert_dir/server.pem" --tls_key_file="$cert_dir/server.key" \
    >"$work/server.log" 2>&1 &
pids+=($!)
if ! port=$(await_line "$work/server.log" 's/.*(port \([0-9]*\)).*/\1/p' \
    "${pids[1]}"); then
  echo "with_perch: perch-server did not start" >&2; show_logs; exit 1
fi

client_key=reader
if [ "$wrong_key" = 1 ]; then client_key=unknown; fi
status=0
PERCH_API_KEY_FILE="$work/$client_key.key" \
PERCH_ADMIN_API_KEY_FILE="$work/admin.key" \
PERCH_CA_FILE="$cert_dir/ca.pem" \
  "$@" "--server=127.0.0.1:$port" >"$work/command.log" 2>&1 || status=$?

# No key may reach any output (the test's, and so CI's logs). Should one,
# the output is shown with the keys masked, and the test fails.
cat "$work/reader.key" "$work/admin.key" "$work/unknown.key" >"$work/all.keys"
if grep -qFf "$work/all.keys" "$work/command.log" "$work/server.log" "$work/emulator.log"; then
  sed -e "s/$(paste -sd'|' "$work/all.keys" | sed 's/|/\\|/g')/<API key>/g" "$work/command.log"
  echo "with_perch: an API key appears in the client's output or a log" >&2
  exit 1
fi
cat "$work/command.log"

if [ "$wrong_key" = 1 ]; then
  if [ "$status" -eq 4 ] && grep -q 'CALLER_UNAUTHENTICATED' "$work/command.log"; then
    echo "with_perch: refused as it should be: exit 4, UNAUTHENTICATED (CALLER_UNAUTHENTICATED)"
    exit 0
  fi
  echo "with_perch: with a key perch does not know, expected exit 4 after" \
       "UNAUTHENTICATED / CALLER_UNAUTHENTICATED, got exit $status" >&2
  show_logs
  exit 1
fi
if [ "$app_refused" = 1 ]; then
  if [ "$status" -eq 1 ] && grep -q 'APP_CREDENTIALS_REJECTED' "$work/command.log" &&
      grep -q 'api.twitter.com' "$work/command.log" &&
      ! grep -q 'refused the API key' "$work/command.log"; then
    echo "with_perch: perch's app refused, reported as such: exit 1, UNAUTHENTICATED (APP_CREDENTIALS_REJECTED, api.twitter.com)"
    exit 0
  fi
  echo "with_perch: with perch's app credentials refused upstream, expected exit 1 after" \
       "UNAUTHENTICATED / APP_CREDENTIALS_REJECTED (api.twitter.com), not blaming the key;" \
       "got exit $status" >&2
  show_logs
  exit 1
fi
if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then show_logs; fi
exit "$status"
