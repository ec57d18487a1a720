#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-check with OpenSSL: CSRs and PKCS#8 keys written by pkiws (tests/crosscheck/csr/mkcsr.c)
# and a PKCS#7 certs-only file written by pkiws__pkcs7_write.
# usage: check_csr.sh MKCSR OPENSSL
set -euo pipefail
mkcsr=$(readlink -f "$1")
openssl=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
export LC_ALL=C.UTF-8

fail() { echo "FAIL: $*" >&2; exit 1; }
has() { # has FILE TEXT: FILE contains TEXT literally
  grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "$1 lacks: $2"; }
}

"$mkcsr" "$dir"
for k in rsa ec; do
  "$openssl" req -in "$k.csr" -noout -text -verify -nameopt utf8,sep_comma_plus >"$k.txt" 2>&1 \
    || { cat "$k.txt" >&2; fail "openssl req refused $k.csr"; }
  has "$k.txt" "Certificate request self-signature verify OK"
  has "$k.txt" "Subject: CN=Jürgen Tëst, Jr.,O=Example, Inc.,C=DE"
  has "$k.txt" "Requested Extensions:"
  has "$k.txt" "email:juergen@example.com"
  has "$k.txt" "othername: UPN::jürgen@corp.example"
  has "$k.txt" "othername: 1.3.6.1.4.1.99999.1.2::"
  has "$k.txt" "DNS:host.example.com"
  if [ "$k" = rsa ]; then
    has "$k.txt" "Digital Signature, Key Encipherment"
  else # RFC 5480: an EC key does not encipher keys
    has "$k.txt" "Digital Signature"
    if grep -q "Key Encipherment" "$k.txt"; then fail "$k.csr asks for keyEncipherment"; fi
  fi
  has "$k.txt" "TLS Web Client Authentication"
  # the whole SAN on one line, in order
  san="email:juergen@example.com, othername: UPN::jürgen@corp.example, "
  san+="othername: 1.3.6.1.4.1.99999.1.2::.*, DNS:host.example.com"
  grep -q "$san" "$k.txt" || fail "$k.csr: SAN line not as expected"
  # the PKCS#8 key is readable by OpenSSL and is the CSR's key
  "$openssl" pkey -in "$k.key" -pubout -out "$k.pub.key" || fail "openssl pkey refused $k.key"
  "$openssl" req -in "$k.csr" -noout -pubkey >"$k.pub.csr"
  cmp -s "$k.pub.key" "$k.pub.csr" || fail "$k.key is not the key of $k.csr"
done
has rsa.txt "Signature Algorithm: sha256WithRSAEncryption"
has rsa.txt "Public-Key: (2048 bit)"
has ec.txt "Signature Algorithm: ecdsa-with-SHA256"
has ec.txt "NIST CURVE: P-256"
"$openssl" asn1parse -in rsa.csr | grep -q "UTF8STRING *:Jürgen Tëst, Jr." \
  || fail "CN is not a UTF8String"

# PKCS#7: a two-certificate chain (an issuing cert made from our RSA key, and a leaf issued to
# our EC CSR) written by pkiws, read back by OpenSSL
"$openssl" req -x509 -new -key rsa.key -subj "/CN=Cross-check CA" -days 2 -out ca.pem 2>/dev/null
"$openssl" x509 -req -in ec.csr -CA ca.pem -CAkey rsa.key -set_serial 7 -days 1 \
  -copy_extensions copy -out leaf.pem 2>/dev/null
cat leaf.pem ca.pem >bundle.pem
"$mkcsr" --p7 bundle.pem chain.p7b
"$openssl" pkcs7 -inform DER -in chain.p7b -print_certs -out printed.pem \
  || fail "openssl pkcs7 refused the PKCS#7"
"$openssl" pkcs7 -inform DER -in chain.p7b -print -noout >p7.txt
has p7.txt "type: pkcs7-signedData"
"$openssl" crl2pkcs7 -nocrl -certfile bundle.pem -outform DER -out openssl.p7b
cmp -s chain.p7b openssl.p7b || fail "pkiws PKCS#7 differs from openssl crl2pkcs7 output"
n=$(grep -c "BEGIN CERTIFICATE" printed.pem)
[ "$n" = 2 ] || fail "openssl printed $n certificates, expected 2"
"$openssl" x509 -in leaf.pem -noout -ext subjectAltName \
  | grep -q "othername: UPN::jürgen@corp.example" || fail "the issued leaf lost the UPN"
echo "crosscheck csr: OK"
