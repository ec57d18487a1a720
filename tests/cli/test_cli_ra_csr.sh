#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws ra-csr: the RA key and CSR, verified by openssl (signature, KU 0xa0 for RSA and
# digitalSignature for EC, EKU clientAuth).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

subject="CN=Contoso Intune RA,O=Contoso Ltd,C=US"
run ra-csr --subject "$subject" --key-out "$WORK/ra.key" --out "$WORK/ra.csr"
expect_rc 0 "ra-csr"
contains "$WORK/out" "$WORK/ra.key" "human output names the key file"
contains "$WORK/out" "key usage: digitalSignature keyEncipherment, EKU: clientAuth" "human output: RSA key usage"
equal "$(stat -c %a "$WORK/ra.key")" 600 "key file mode"
head -n 1 "$WORK/ra.key" >"$WORK/first"
contains "$WORK/first" "-----BEGIN PRIVATE KEY-----" "key is PKCS#8 PEM"
checks=$((checks + 1))
compgen -G "$WORK/*.tmp-*" >/dev/null && fail "temporary files left behind"

checks=$((checks + 1))
if "$OPENSSL" req -in "$WORK/ra.csr" -verify -noout -text >"$WORK/req.txt" 2>"$WORK/req.err"; then
    cat "$WORK/req.err" >>"$WORK/req.txt"
    contains "$WORK/req.txt" "verify OK" "CSR self-signature"
    contains "$WORK/req.txt" "Public-Key: (2048 bit)" "RSA 2048"
    contains "$WORK/req.txt" "rsaEncryption" "RSA key"
    contains "$WORK/req.txt" "sha256WithRSAEncryption" "SHA-256 signature"
    contains "$WORK/req.txt" "Digital Signature, Key Encipherment" "key usage 0xa0"
    contains "$WORK/req.txt" "TLS Web Client Authentication" "EKU clientAuth"
    lacks "$WORK/req.txt" "Non Repudiation" "no other key usage"
    contains "$WORK/req.txt" "CN = Contoso Intune RA" "subject CN"
    contains "$WORK/req.txt" "O = Contoso Ltd" "subject O"
else
    fail "openssl req -verify: $(cat "$WORK/req.err")"
fi
# The key file holds the key of the CSR.
"$OPENSSL" pkey -in "$WORK/ra.key" -pubout >"$WORK/pub.key" 2>&1 || fail "openssl pkey"
"$OPENSSL" req -in "$WORK/ra.csr" -noout -pubkey >"$WORK/pub.csr" 2>&1 || fail "openssl req -pubkey"
checks=$((checks + 1))
cmp -s "$WORK/pub.key" "$WORK/pub.csr" || fail "the key file does not match the CSR"

# --json, an EC key, existing files replaced with the right mode.
echo old >"$WORK/ec.key"
chmod 644 "$WORK/ec.key"
run ra-csr --subject "CN=ec ra" --key p256 --key-out "$WORK/ec.key" --out "$WORK/ec.csr" --json
expect_rc 0 "ra-csr --key p256"
jcheck "ra-csr JSON" "d['status'] == 'ok' and d['key_type'] == 'p256' and d['key_usage'] == 'digitalSignature' and d['key_file'] == '$WORK/ec.key' and d['csr_file'] == '$WORK/ec.csr' and d['subject'] == 'CN=ec ra' and d['csr_pem'].startswith('-----BEGIN CERTIFICATE REQUEST-----')"
equal "$(stat -c %a "$WORK/ec.key")" 600 "replaced key file mode"
"$OPENSSL" req -in "$WORK/ec.csr" -verify -noout -text >"$WORK/ec.txt" 2>&1 || fail "EC CSR"
contains "$WORK/ec.txt" "prime256v1" "EC P-256 key"
contains "$WORK/ec.txt" "ecdsa-with-SHA256" "ECDSA signature"
# An EC key cannot encipher: its key usage is digitalSignature alone (RFC 5480 §3), the RSA
# key's is 0xa0.
grep -A1 "X509v3 Key Usage" "$WORK/ec.txt" | tail -n 1 | sed 's/^ *//' >"$WORK/ec-ku.txt"
equal "$(cat "$WORK/ec-ku.txt")" "Digital Signature" "EC key usage: digitalSignature only"
lacks "$WORK/ec.txt" "Key Encipherment" "EC key usage: no keyEncipherment"
contains "$WORK/ec.txt" "TLS Web Client Authentication" "EC: EKU clientAuth"
run ra-csr --subject "CN=ec ra 384" --key p384 --key-out "$WORK/ec384.key" --out "$WORK/ec384.csr"
expect_rc 0 "ra-csr --key p384"
contains "$WORK/out" "key usage: digitalSignature, EKU: clientAuth" "human output: EC key usage"
"$OPENSSL" req -in "$WORK/ec384.csr" -noout -text >"$WORK/ec384.txt" 2>&1 || fail "P-384 CSR"
contains "$WORK/ec384.txt" "secp384r1" "EC P-384 key"
lacks "$WORK/ec384.txt" "Key Encipherment" "P-384 key usage: no keyEncipherment"

# Usage errors.
run ra-csr --key-out "$WORK/a.key" --out "$WORK/a.csr"
expect_usage_error "no subject" "--subject DN is required"
run ra-csr --subject CN=x --out "$WORK/a.csr"
expect_usage_error "no key file" "--key-out KEY.pem is required"
run ra-csr --subject CN=x --key-out "$WORK/a.key" --out "$WORK/a.key"
expect_usage_error "same file twice" "name the same file"
run ra-csr --subject CN=x --key-out "$WORK/a.key" --out "$WORK/a.csr" --key rsa1024
expect_usage_error "bad key type" "--key 'rsa1024'"

# Failures: nothing is left behind.
run ra-csr --subject "not a DN" --key-out "$WORK/b.key" --out "$WORK/b.csr" --json
expect_rc 1 "bad subject"
jcheck "bad subject JSON" "d['status'] == 'failed' and d['code'] < 0 and d['message'] != '' and d['key_file'] is None"
checks=$((checks + 1))
[ -e "$WORK/b.key" ] || [ -e "$WORK/b.csr" ] && fail "bad subject: files were written"
run ra-csr --subject CN=x --key-out "$WORK/c.key" --out "$WORK/no-such-dir/c.csr" --json
expect_rc 1 "unwritable CSR path"
jcheck "unwritable CSR path JSON" "d['error'] == 'PKIWS_E_IO' and 'no-such-dir/c.csr' in d['message']"
checks=$((checks + 1))
[ -e "$WORK/c.key" ] && fail "unwritable CSR path: the key file was written anyway"
checks=$((checks + 1))
compgen -G "$WORK/*.tmp-*" >/dev/null && fail "temporary files left behind after a failure"

finish
