#!/usr/bin/env bash
# Makes a throw-away CA and a server certificate for 127.0.0.1, ::1 and
# localhost, for TLS tests on loopback, plus client certificates for mutual
# TLS and a second server certificate for rotation tests.
# Usage: make_test_certs.sh OUT_DIR
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
# A second CA that signed no server certificate: a client trusting it must
# reject server.pem. (It signs untrusted_client.pem below.)
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=perch other CA" \
  -keyout other_ca.key -out other_ca.pem 2>/dev/null

# Client certificates for mutual TLS, each naming its caller one way:
# client_uri (URI SAN), client_dns (DNS SAN), client_cn (subject CN only),
# all signed by ca.pem; untrusted_client claims client_uri's identity but is
# signed by other_ca.pem, so a server trusting ca.pem must refuse it.
client_cert() {  # NAME SUBJECT EXTENSIONS CA
  openssl req -newkey rsa:2048 -nodes -subj "$2" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf '%bbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial \
    -days 3650 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
client_cert client_uri "/CN=uri-client" 'subjectAltName=URI:spiffe://perch.test/billing\n' ca
client_cert client_dns "/CN=dns-client" 'subjectAltName=DNS:reports.perch.test\n' ca
client_cert client_cn "/CN=cron-caller" '' ca
client_cert untrusted_client "/CN=uri-client" 'subjectAltName=URI:spiffe://perch.test/billing\n' other_ca

# What a rotation installs: a server certificate for the same names from a
# CA of its own, so a client trusting only rotation_ca.pem can tell the
# rotated certificate is being served.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=perch rotation CA" \
  -keyout rotation_ca.key -out rotation_ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout rotated_server.key -out rotated_server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > rotated_server.ext
openssl x509 -req -in rotated_server.csr -CA rotation_ca.pem -CAkey rotation_ca.key \
  -CAcreateserial -days 3650 -extfile rotated_server.ext -out rotated_server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl other_ca.srl rotation_ca.srl \
  rotated_server.csr rotated_server.ext
