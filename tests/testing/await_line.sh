# Sourced by the shell tests that start perch-emulator or perch-server and
# read their address from the log.
#
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
