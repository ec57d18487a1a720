#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates fixtures.h (test PKI and OpenSSL-made PFX files for the PKCS#12 unit tests) with
# openssl 3 (legacy provider for the RC2 file). Run by hand:
#   tests/unit/pkcs12/make_fixtures.sh | clang-format --assume-filename=fixtures.h \
#     > tests/unit/pkcs12/fixtures.h
set -euo pipefail
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
days=36500
openssl ecparam -name prime256v1 -genkey -noout -out root.key 2>/dev/null
openssl req -x509 -new -key root.key -subj "/CN=pkiws Test Root CA" -days $days -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out root.pem
openssl ecparam -name prime256v1 -genkey -noout -out int.key 2>/dev/null
openssl req -new -key int.key -subj "/CN=pkiws Test Issuing CA" -out int.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 -days $days -sha256 \
  -extfile ca.ext -out int.pem 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > leaf.ext
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl req -new -key rsa.key -subj "/CN=Alice RSA/emailAddress=alice@contoso.com" -out rsa.csr
openssl x509 -req -in rsa.csr -CA int.pem -CAkey int.key -set_serial 16 -days $days -sha256 \
  -extfile leaf.ext -out rsa.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null
openssl req -new -key ec.key -subj "/CN=Bob EC" -out ec.csr
openssl x509 -req -in ec.csr -CA int.pem -CAkey int.key -set_serial 17 -days $days -sha256 \
  -extfile leaf.ext -out ec.pem 2>/dev/null
# PFX files made by OpenSSL, for the reader (base64 in the header)
cat int.pem root.pem > chain.pem
openssl pkcs12 -export -inkey ec.key -in ec.pem -certfile chain.pem -name "Bob's key" \
  -passout pass:Secr3t! -legacy -out ec-legacy-rc2.pfx
openssl pkcs12 -export -inkey ec.key -in ec.pem -name "Bob's key" -passout pass:Secr3t! \
  -out ec-aes.pfx
openssl pkcs12 -export -inkey ec.key -in ec.pem -keypbe NONE -certpbe NONE -passout pass:Secr3t! \
  -out ec-plain.pfx
openssl pkcs12 -export -inkey ec.key -in ec.pem -passout pass: -descert -out ec-empty-pw.pfx
emit_b64() { # name file
  printf 'static const char %s[] =\n' "$1"
  base64 -w 76 "$2" | sed 's/.*/    "&"/'
  printf '    ;\n\n'
}
emit() { # name file
  printf 'static const char %s[] =\n' "$1"
  sed 's/.*/    "&\\n"/' "$2"
  printf '    ;\n\n'
}
echo '/* SPDX-License-Identifier: MIT */'
echo '/* Test PKI for the PKCS#12 unit tests, made by make_fixtures.sh with openssl (do not edit). */'
echo '#ifndef PKIWS_TEST_PKCS12_FIXTURES_H'
echo '#define PKIWS_TEST_PKCS12_FIXTURES_H'
echo
emit fx_root_pem root.pem
emit fx_int_pem int.pem
emit fx_rsa_key_pem rsa.key
emit fx_rsa_cert_pem rsa.pem
emit fx_ec_key_pem ec.key
emit fx_ec_cert_pem ec.pem
emit_b64 fx_pfx_ec_legacy_rc2 ec-legacy-rc2.pfx
emit_b64 fx_pfx_ec_aes ec-aes.pfx
emit_b64 fx_pfx_ec_plain ec-plain.pfx
emit_b64 fx_pfx_ec_empty_pw ec-empty-pw.pfx
echo '#endif'
