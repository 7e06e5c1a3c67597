#!/usr/bin/env bash
# Drives perch with grpcurl as a user would, by server reflection alone (no
# .proto file): list, describe, every perch.v1 RPC with JSON in and out, and
# errors whose google.rpc details grpcurl decodes, all over TLS with API keys.
# Run by tests/polyglot/with_perch.sh, which gives it --server=HOST:PORT,
# PERCH_CA_FILE, PERCH_API_KEY_FILE (a reader) and PERCH_ADMIN_API_KEY_FILE.
#
# grpcurl is not packaged for Debian: it is looked for as $PERCH_GRPCURL, on
# PATH, then at ../shared/tools/grpcurl beside the repository. Where there is
# none this exits 77, which ctest reports as skipped, saying why.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${PERCH_GRPCURL:-}" ]; then
  grpcurl=$PERCH_GRPCURL
  [ -x "$grpcurl" ] || { echo "grpcurl_tour: PERCH_GRPCURL=$grpcurl is not executable" >&2; exit 1; }
elif command -v grpcurl >/dev/null 2>&1; then
  grpcurl=$(command -v grpcurl)
elif [ -x "$repo/../shared/tools/grpcurl" ]; then
  grpcurl=$repo/../shared/tools/grpcurl
else
  echo "SKIPPED: grpcurl not found (neither \$PERCH_GRPCURL, nor on PATH, nor" \
       "$repo/../shared/tools/grpcurl); install grpcurl or set PERCH_GRPCURL to run this test"
  exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "grpcurl_tour: needs jq (scripts/install-deps)" >&2; exit 1; }

server=
for arg in "$@"; do
  case $arg in --server=*) server=${arg#--server=} ;; esac
done
[ -n "$server" ] || { echo "usage: $0 --server=HOST:PORT" >&2; exit 2; }
: "${PERCH_CA_FILE:?}" "${PERCH_API_KEY_FILE:?}" "${PERCH_ADMIN_API_KEY_FILE:?}"

echo "grpcurl: $grpcurl ($("$grpcurl" -version 2>&1))"
failures=0
fail() { echo "  FAILED: $*"; failures=$((failures + 1)); }
# Prints a file indented, ending in a newline even when the file does not.
indent() { awk '{ print "  " $0 }' "$1"; }
# Prints a command as one would type it, quoting what the shell would split.
show_command() {
  local arg line='$'
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=@-]+$ ]]; then line+=" $arg"; else line+=" '$arg'"; fi
  done
  echo "$line"
}

out=$(mktemp "${TMPDIR:-/tmp}/grpcurl-tour.XXXXXX")
trap 'rm -f "$out"' EXIT

# g KEY ARGS...: grpcurl over TLS (perch's CA), the output in $out and the
# exit code in $code. KEY is reader, admin, unknown or none. The key goes
# through the environment and -expand-headers, as the README shows, so it is
# never on a command line; -rpc-header keeps it off reflection requests,
# which are open to everyone.
g() {
  local key=$1 args=(-cacert "$PERCH_CA_FILE" -connect-timeout 10 -max-time 30)
  shift
  case $key in
    reader) PERCH_API_KEY=$(cat "$PERCH_API_KEY_FILE") ;;
    admin) PERCH_API_KEY=$(cat "$PERCH_ADMIN_API_KEY_FILE") ;;
    unknown) PERCH_API_KEY=$(openssl rand -hex 32) ;;
    none) PERCH_API_KEY= ;;
  esac
  export PERCH_API_KEY
  if [ "$key" != none ]; then
    args+=(-expand-headers -rpc-header 'authorization: Bearer ${PERCH_API_KEY}')
  fi
  args+=("$@")
  show_command grpcurl "${args[@]}"
  code=0
  "$grpcurl" "${args[@]}" >"$out" 2>&1 || code=$?
  unset PERCH_API_KEY
}

# ok KEY JQ_CONDITION ARGS...: the call succeeds and its JSON output meets
# JQ_CONDITION.
ok() {
  local key=$1 condition=$2
  shift 2
  g "$key" "$@"
  if [ "$code" -ne 0 ]; then fail "exit $code, expected 0"; indent "$out"; return; fi
  # One line per reply, cut with a visible ellipsis.
  jq -c . "$out" | awk '{ print "  " (length($0) > 160 ? substr($0, 1, 160) "…" : $0) }'
  jq -e "$condition" "$out" >/dev/null || fail "the reply does not meet: $condition"
}

# refused KEY EXIT_CODE JQ_CONDITION ARGS...: the call fails with grpcurl's
# exit code for the status (64 + code), and the status as JSON
# (-format-error: code, message, and each google.rpc detail decoded through
# reflection) meets JQ_CONDITION.
refused() {
  local key=$1 expected=$2 condition=$3
  shift 3
  g "$key" -format-error "$@"
  indent "$out"
  [ "$code" -eq "$expected" ] || fail "exit $code, expected $expected"
  jq -e "$condition" "$out" >/dev/null || fail "the error does not meet: $condition"
}

# The ErrorInfo of an error's details, as grpcurl decoded it.
info='(.details[] | select(."@type" == "type.googleapis.com/google.rpc.ErrorInfo"))'

echo "== reflection: list and describe (no key needed)"
g none "$server" list
indent "$out"
expected_services='grpc.health.v1.Health
grpc.reflection.v1.ServerReflection
grpc.reflection.v1alpha.ServerReflection
perch.v1.ReadService
perch.v1.TokenService'
[ "$code" -eq 0 ] && [ "$(sort "$out")" = "$expected_services" ] || fail "list: expected the 5 services"

g none "$server" describe perch.v1.ReadService
indent "$out"
for rpc in GetTimeline Search GetFollowers GetList; do
  grep -qE "rpc $rpc \( \.perch\.v1\.${rpc}Request \) returns \( \.perch\.v1\.${rpc}Response \)" "$out" ||
    fail "describe perch.v1.ReadService: no rpc $rpc"
done
g none "$server" describe perch.v1.TokenService
indent "$out"
for rpc in Obtain Invalidate; do
  grep -qE "rpc $rpc \( \.perch\.v1\.${rpc}Request \) returns \( \.perch\.v1\.${rpc}Response \)" "$out" ||
    fail "describe perch.v1.TokenService: no rpc $rpc"
done
g none "$server" describe perch.v1.GetTimelineRequest
indent "$out"
grep -qE 'string screen_name = [0-9]+;' "$out" || fail "describe GetTimelineRequest: no screen_name"
g none "$server" describe google.rpc.ErrorInfo
indent "$out"
grep -qE 'map<string, string> metadata = 3;' "$out" || fail "describe google.rpc.ErrorInfo: no metadata"

echo "== ReadService with the reader's key, JSON in and out"
ok reader '(.tweets | length) == 2 and (.nextPageToken | length) > 0 and .rateLimit.limit != null' \
  -d '{"screen_name":"perch_dev","page_size":2}' "$server" perch.v1.ReadService/GetTimeline
first_page=$(jq -r '[.tweets[].id] | join(" ")' "$out")
token=$(jq -r .nextPageToken "$out")
ok reader '(.tweets | length) == 2' \
  -d "{\"screen_name\":\"perch_dev\",\"page_size\":2,\"page_token\":\"$token\"}" \
  "$server" perch.v1.ReadService/GetTimeline
for id in $(jq -r '.tweets[].id' "$out"); do
  case " $first_page " in *" $id "*) fail "the second page repeats tweet $id" ;; esac
done
ok reader '(.tweets | length) > 0 and all(.tweets[]; .text | test("perch"; "i"))' \
  -d '{"query":"#perch","page_size":3}' "$server" perch.v1.ReadService/Search
ok reader '(.userIds | length) == 3' \
  -d '{"screen_name":"perch_popular","ids_only":true,"page_size":3}' \
  "$server" perch.v1.ReadService/GetFollowers
ok reader '.list.slug == "engineering" and (.members | length) == 3' \
  -d '{"slug":{"owner_screen_name":"perch_dev","slug":"engineering"},"view":"VIEW_MEMBERS","page_size":3}' \
  "$server" perch.v1.ReadService/GetList

echo "== TokenService with the admin's key"
ok admin '.tokenType == "bearer" and (.tokenFingerprint | test("^[0-9a-f]{12}$"))' \
  -d '{}' "$server" perch.v1.TokenService/Obtain
held=$(jq -r .tokenFingerprint "$out")
ok admin ".tokenFingerprint == \"$held\" and .invalidatedAt != null" \
  -d '{}' "$server" perch.v1.TokenService/Invalidate
ok admin ".tokenType == \"bearer\" and .tokenFingerprint != \"$held\"" \
  -d '{}' "$server" perch.v1.TokenService/Obtain

echo "== errors, their google.rpc details decoded by grpcurl through reflection"
refused reader 67 "$info"'.reason == "INVALID_REQUEST" and any(.details[];
    ."@type" == "type.googleapis.com/google.rpc.BadRequest"
    and .fieldViolations[0].field == "screen_name")' \
  -d '{"screen_name":"@perch_dev"}' "$server" perch.v1.ReadService/GetTimeline
refused reader 69 "$info"' | .reason == "RESOURCE_NOT_FOUND" and .domain == "api.twitter.com"
    and .metadata.upstream_type == "resource-not-found"' \
  -d '{"screen_name":"no_such_user_zz"}' "$server" perch.v1.ReadService/GetTimeline
refused reader 71 "$info"' | .reason == "CALLER_NOT_PERMITTED" and .metadata.required_role == "admin"' \
  -d '{}' "$server" perch.v1.TokenService/Obtain
refused none 80 "$info"'.reason == "CALLER_UNAUTHENTICATED"' \
  -d '{"query":"#perch"}' "$server" perch.v1.ReadService/Search
refused unknown 80 "$info"'.reason == "CALLER_UNAUTHENTICATED"' \
  -d '{"query":"#perch"}' "$server" perch.v1.ReadService/Search

if [ "$failures" -ne 0 ]; then
  echo "grpcurl_tour: $failures check(s) failed"
  exit 1
fi
echo "grpcurl_tour: every RPC called and every error decoded through reflection alone, over TLS"
