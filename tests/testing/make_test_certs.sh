#!/usr/bin/env bash
# Makes a throw-away CA and a server certificate for 127.0.0.1, ::1 and
# localhost, for TLS tests on loopback. Usage: make_test_certs.sh OUT_DIR
set -euo pipefail
out="$1"
mkdir -p "$out"
cd "$out"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=perch test CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 3650 -extfile server.ext -out server.pem 2>/dev/null
# A second CA that signed nothing here: a client trusting it must reject server.pem.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=perch other CA" \
  -keyout other_ca.key -out other_ca.pem 2>/dev/null
rm -f server.csr server.ext ca.srl
