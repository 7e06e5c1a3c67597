#!/usr/bin/env bash
# Proves perch's install rules and .deb on a finished build tree:
#   - `cmake --install` puts the three binaries, the protos and the docs
#     under a prefix, and nothing outside it;
#   - `cpack` makes one .deb holding perch-server and perch (no emulator,
#     no emulator code), the protos, the docs, the systemd unit and
#     /etc/default/perch (a conffile); its Depends name the packages of the
#     libraries perch-server loads, at versions, and ca-certificates;
#   - the .deb unpacked into a scratch root (dpkg -x) runs:
#     perch-server --help, perch --help;
#   - the unit keeps its hardening, and systemd-analyze accepts it where
#     systemd-analyze exists.
# usage: deploy/deb/package_test.sh BUILD_DIR
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 BUILD_DIR" >&2; exit 2; fi
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/perch_package_test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

# cmake --install, under a prefix.
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
for f in bin/perch-server bin/perch bin/perch-emulator \
         share/perch/protos/perch/v1/read_service.proto \
         share/perch/protos/google/rpc/error_details.proto \
         share/doc/perch/README.md share/doc/perch/deploy.md; do
  [ -e "$work/prefix/$f" ] || fail "cmake --install: no $f under the prefix"
done
if grep -v -- "$work/prefix" "$work/install.log" | grep -q '^-- Installing'; then
  fail "cmake --install wrote outside the prefix: $(grep -v -- "$work/prefix" "$work/install.log")"
fi

# cpack.
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" > cpack.log 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
debs=("$work"/pkg/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb, got: ${debs[*]}"
deb=${debs[0]}
echo "package_test: $(basename "$deb"), $(du -k "$deb" | cut -f1) kB"

dpkg-deb --contents "$deb" | awk '{ print $6 }' > "$work/contents"
for f in ./usr/bin/perch-server ./usr/bin/perch ./lib/systemd/system/perch.service \
         ./etc/default/perch ./usr/share/perch/protos/perch/v1/read_service.proto \
         ./usr/share/doc/perch/deploy.md; do
  grep -qx -- "$f" "$work/contents" || fail "the .deb lacks $f"
done
if grep -q emulator "$work/contents"; then
  fail "the .deb ships the emulator: $(grep emulator "$work/contents")"
fi
dpkg-deb --info "$deb" conffiles | grep -qx /etc/default/perch ||
  fail "/etc/default/perch is not a conffile"

depends=$(dpkg-deb --field "$deb" Depends)
echo "package_test: Depends: $depends"
for p in 'libgrpc++1.51' libcurl4 libprotobuf32 libssl3 libc6; do
  [[ ", $depends" == *", $p (>= "* ]] || fail "Depends lacks $p (>= version)"
done
[[ "$depends, " == *"ca-certificates, "* ]] || fail "Depends lacks ca-certificates"

# Unpacked into a scratch root, it runs.
dpkg -x "$deb" "$work/root"
"$work/root/usr/bin/perch-server" --help > "$work/help"
grep -q -- "--listen" "$work/help" || fail "perch-server --help lists no --listen"
"$work/root/usr/bin/perch" --help > /dev/null 2>&1 ||
  "$work/root/usr/bin/perch" help > /dev/null 2>&1 || fail "perch --help failed"
"$here/../image/no-emulator-code" "$work/root/usr/bin/perch-server"

# The unit as shipped.
unit="$work/root/lib/systemd/system/perch.service"
for line in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes \
            LoadCredential=consumer_key:/etc/perch/consumer_key \
            LoadCredential=consumer_secret:/etc/perch/consumer_secret \
            EnvironmentFile=/etc/default/perch ExecStart=/usr/bin/perch-server; do
  grep -qx -- "$line" "$unit" || fail "perch.service lacks $line"
done
if command -v systemd-analyze > /dev/null; then
  # On a copy pointing at the scratch root's files (verify checks that
  # ExecStart exists). verify exits 0 on unknown keys, so any complaint fails.
  sed -e "s|=/usr/bin/perch-server|=$work/root/usr/bin/perch-server|" \
      -e "s|=/etc/default/perch|=$work/root/etc/default/perch|" "$unit" > "$work/perch.service"
  systemd-analyze verify "$work/perch.service" > "$work/verify" 2>&1 || true
  [ ! -s "$work/verify" ] || { cat "$work/verify" >&2; fail "systemd-analyze verify complains"; }
  # Exposure 1.5 ("OK") when written; 2.0 is the bound.
  systemd-analyze security --offline=yes --threshold=20 "$work/perch.service" \
    > "$work/security" 2>&1 || { cat "$work/security" >&2; fail "unit exposure above 2.0"; }
  tail -n 1 "$work/security"
fi
echo "package_test: cmake --install and the .deb: contents, Depends, unit; perch-server --help runs from it"
