#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws pfx: packages read by OpenSSL 3 without -legacy and by Python's cryptography, both
# presets; pfx --info on our files and on OpenSSL's -legacy files.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

make_pki || fail "openssl could not make the test PKI"
P="$WORK/pki"
thumb=$(sha1_of "$P/alice.pem")
serial=$("$OPENSSL" x509 -in "$P/alice.pem" -noout -serial | sed 's/.*=//')
ca_thumb=$(sha1_of "$P/ca.pem")
root_thumb=$(sha1_of "$P/root.pem")

# verify_py PFX PASS: Python's cryptography opens it, the key matches the leaf and the chain
# has two certificates.
verify_py() {
    checks=$((checks + 1))
    "$PYTHON" - "$1" "$2" <<'EOF' || fail "python cryptography could not use $1"
import sys
from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PublicFormat
data = open(sys.argv[1], "rb").read()
p = pkcs12.load_pkcs12(data, sys.argv[2].encode("utf-8"))
pub = lambda k: k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
assert p.key is not None and p.cert is not None, "key or certificate missing"
assert pub(p.key.public_key()) == pub(p.cert.certificate.public_key()), "key does not match"
assert len(p.additional_certs) == 2, "chain: %d" % len(p.additional_certs)
EOF
}

for preset in legacy modern; do
    out="$WORK/alice-$preset.pfx"
    run pfx --cert "$P/alice.pem" --key "$P/alice.key" --chain "$P/chain.pem" --out "$out" \
        --pfx-pass "Pfx-Pass-$preset" --pfx-preset "$preset" --friendly-name "Alice $preset"
    expect_rc 0 "pfx $preset"
    contains "$WORK/out" "$preset preset" "pfx $preset: human output"
    contains "$WORK/out" "thumbprint      $thumb" "pfx $preset: human output has the thumbprint"
    equal "$(stat -c %a "$out")" 600 "pfx $preset: file mode"
    checks=$((checks + 1))
    if "$OPENSSL" pkcs12 -in "$out" -info -noout -passin "pass:Pfx-Pass-$preset" \
        >"$WORK/info.txt" 2>&1; then
        if [ "$preset" = legacy ]; then
            contains "$WORK/info.txt" "MAC: sha1" "legacy: HMAC-SHA-1"
            contains "$WORK/info.txt" "pbeWithSHA1And3-KeyTripleDES-CBC" "legacy: 3DES bags"
            lacks "$WORK/info.txt" "RC2" "legacy: never RC2"
        else
            contains "$WORK/info.txt" "MAC: sha256" "modern: HMAC-SHA-256"
            contains "$WORK/info.txt" "PBES2, PBKDF2, AES-256-CBC" "modern: PBES2 AES-256"
        fi
    else
        fail "openssl pkcs12 -info (no -legacy) on the $preset PFX: $(cat "$WORK/info.txt")"
    fi
    # The key and all three certificates come out again.
    "$OPENSSL" pkcs12 -in "$out" -nodes -passin "pass:Pfx-Pass-$preset" \
        -out "$WORK/all.pem" 2>/dev/null || fail "openssl pkcs12 -nodes on the $preset PFX"
    equal "$(grep -c 'BEGIN CERTIFICATE' "$WORK/all.pem")" 3 "pfx $preset: three certificates"
    contains "$WORK/all.pem" "friendlyName: Alice $preset" "pfx $preset: friendlyName"
    verify_py "$out" "Pfx-Pass-$preset"

    run pfx --info "$out" --pfx-pass "Pfx-Pass-$preset" --json
    expect_rc 0 "pfx --info $preset"
    jcheck "pfx --info $preset" "d['status'] == 'ok' and 'CN=Alice Example' in d['subject'] and 'Contoso Test Issuing CA' in d['issuer'] and d['thumbprint'] == '$thumb' and d['serial'].lstrip('0') == '$serial'.lstrip('0') and d['chain_length'] == 2 and [c['thumbprint'] for c in d['chain']] == ['$ca_thumb', '$root_thumb'] and d['friendly_name'] == 'Alice $preset' and d['mac_iterations'] >= 2048 and d['not_after'].endswith('Z')"
    if [ "$preset" = legacy ]; then
        jcheck "pfx --info legacy algorithms" "'sha1' in d['mac_alg'].lower() and '3' in d['key_bag_alg'] and '3' in d['cert_bag_alg']"
    else
        jcheck "pfx --info modern algorithms" "'sha256' in d['mac_alg'].lower() and 'aes' in d['key_bag_alg'].lower() and 'aes' in d['cert_bag_alg'].lower()"
    fi
done

# Default preset is legacy; --json payload; a long Unicode password (beyond mbedTLS's 31
# Latin-1 characters) that OpenSSL still opens.
uni='Pässwörd-€-Ünïcode-longer-than-thirty-one-characters'
run pfx --cert "$P/alice.pem" --key "$P/alice.key" --out "$WORK/uni.pfx" --pfx-pass "$uni" --json
expect_rc 0 "pfx --json"
jcheck "pfx --json" "d['status'] == 'ok' and d['preset'] == 'legacy' and d['file'] == '$WORK/uni.pfx' and d['bytes'] == $(stat -c %s "$WORK/uni.pfx" 2>/dev/null || echo 0) and d['thumbprint'] == '$thumb' and d['chain_length'] == 0 and d['chain'] == []"
"$OPENSSL" pkcs12 -in "$WORK/uni.pfx" -info -noout -passin "pass:$uni" >/dev/null 2>&1 ||
    fail "openssl cannot open the PFX with the Unicode password"

# PFX files made by OpenSSL: -legacy (RC2-40 certificate bag) and the default.
"$OPENSSL" pkcs12 -export -legacy -in "$P/alice.pem" -inkey "$P/alice.key" \
    -certfile "$P/chain.pem" -name "Legacy Alice" -passout pass:Legacy-Pass1 \
    -out "$WORK/ossl-legacy.pfx" 2>/dev/null || fail "openssl pkcs12 -export -legacy"
run pfx --info "$WORK/ossl-legacy.pfx" --pfx-pass Legacy-Pass1
expect_rc 0 "pfx --info of an openssl -legacy PFX"
contains "$WORK/out" "CN=Alice Example" "openssl -legacy PFX: subject"
contains "$WORK/out" "$thumb" "openssl -legacy PFX: thumbprint"
contains "$WORK/out" "chain_length    2" "openssl -legacy PFX: chain length"
export PKIWS_TEST_PFX_PASS=Legacy-Pass1
run pfx --info "$WORK/ossl-legacy.pfx" --pfx-pass-env PKIWS_TEST_PFX_PASS --json
expect_rc 0 "pfx --info --json of an openssl -legacy PFX"
jcheck "openssl -legacy PFX JSON" "d['subject'].find('CN=Alice Example') >= 0 and d['chain_length'] == 2 and d['thumbprint'] == '$thumb' and d['friendly_name'] == 'Legacy Alice' and 'rc2' in d['cert_bag_alg'].lower()"

# A PFX without an end-entity certificate (the CA certificates alone, as exported for a
# trust store) is described as such: every certificate listed, no end-entity, no key.
"$OPENSSL" pkcs12 -export -nokeys -in "$P/ca.pem" -certfile "$P/root.pem" \
    -passout pass:Ca-Pass1 -out "$WORK/ca-only.pfx" 2>/dev/null || fail "openssl -nokeys"
run pfx --info "$WORK/ca-only.pfx" --pfx-pass Ca-Pass1
expect_rc 0 "pfx --info of a PFX of CA certificates"
contains "$WORK/out" "end-entity      none: no end-entity certificate in the PFX" \
    "CA-only PFX: no end-entity certificate"
contains "$WORK/out" "key             none: no private key in the PFX" "CA-only PFX: no key"
contains "$WORK/out" "certificate     1: $ca_thumb" "CA-only PFX: the issuing CA listed"
contains "$WORK/out" "certificate     2: $root_thumb" "CA-only PFX: the root listed"
contains "$WORK/out" "chain_length    2" "CA-only PFX: two certificates"
lacks "$WORK/err" "holds no certificate" "CA-only PFX: not called empty"
run pfx --info "$WORK/ca-only.pfx" --pfx-pass Ca-Pass1 --json
expect_rc 0 "pfx --info --json of a PFX of CA certificates"
jcheck "CA-only PFX JSON" "d['status'] == 'ok' and d['has_end_entity'] is False and d['has_key'] is False and d['subject'] is None and d['thumbprint'] is None and d['key_bag_alg'] is None and d['chain_length'] == 2 and [c['thumbprint'] for c in d['chain']] == ['$ca_thumb', '$root_thumb']"
run thumbprint "$WORK/ca-only.pfx" --pass Ca-Pass1
expect_rc 1 "thumbprint of a PFX of CA certificates"
contains "$WORK/err" "no end-entity certificate: 2 CA certificates (first: " \
    "thumbprint of a CA-only PFX: says what it holds"
contains "$WORK/err" "$ca_thumb" "thumbprint of a CA-only PFX: names the first certificate"
# An end-entity certificate without its key.
"$OPENSSL" pkcs12 -export -nokeys -in "$P/alice.pem" -passout pass:Ee-Pass1 \
    -out "$WORK/cert-only.pfx" 2>/dev/null || fail "openssl -nokeys (end-entity)"
run pfx --info "$WORK/cert-only.pfx" --pfx-pass Ee-Pass1 --json
expect_rc 0 "pfx --info of a certificate without key"
jcheck "certificate without key JSON" "d['has_end_entity'] is True and d['has_key'] is False and d['thumbprint'] == '$thumb' and d['key_bag_alg'] is None and d['chain_length'] == 0"
run pfx --info "$WORK/ossl-legacy.pfx" --pfx-pass Legacy-Pass1 --json
jcheck "PFX with key JSON" "d['has_end_entity'] is True and d['has_key'] is True"

# A PFX with two keys (two openssl files merged under one MAC, see pfx_merge.py): refused,
# naming the count and both certificates, never one of them silently.
"$OPENSSL" pkcs12 -export -legacy -in "$P/alice.pem" -inkey "$P/alice.key" \
    -passout pass:Two-Pass1 -out "$WORK/alice-two.pfx" 2>/dev/null || fail "openssl -export"
"$OPENSSL" pkcs12 -export -in "$P/ca.pem" -inkey "$P/ca.key" -passout pass:Two-Pass1 \
    -out "$WORK/ca-with-key.pfx" 2>/dev/null || fail "openssl pkcs12 -export (CA)"
"$PYTHON" "$(dirname "$0")/pfx_merge.py" "$WORK/alice-two.pfx" "$WORK/ca-with-key.pfx" \
    Two-Pass1 "$WORK/two-keys.pfx" 2>"$WORK/merge.err" || fail "pfx_merge.py: $(cat "$WORK/merge.err")"
checks=$((checks + 1))
if "$OPENSSL" pkcs12 -legacy -in "$WORK/two-keys.pfx" -passin pass:Two-Pass1 -noenc \
    -out "$WORK/two.pem" 2>"$WORK/openssl.err"; then
    equal "$(grep -c 'BEGIN PRIVATE KEY' "$WORK/two.pem")" 2 "two-key PFX: openssl finds two keys"
else
    fail "openssl cannot read the two-key PFX: $(cat "$WORK/openssl.err")"
fi
run pfx --info "$WORK/two-keys.pfx" --pfx-pass Two-Pass1 --json
expect_rc 1 "pfx --info of a PFX with two keys"
jcheck "two keys JSON" "d['error'] == 'PKIWS_E_CRYPTO' and 'holds 2 private keys' in d['message'] and '$thumb' in d['message'] and '$ca_thumb' in d['message'] and 'thumbprint' in d['remedy'] and d['subject'] is None"
run thumbprint "$WORK/two-keys.pfx" --pass Two-Pass1
expect_rc 1 "thumbprint of a PFX with two keys"
contains "$WORK/err" "the PFX holds 2 private keys" "thumbprint of a two-key PFX: the count"
checks=$((checks + 1))
[ -s "$WORK/out" ] && fail "thumbprint of a two-key PFX printed a thumbprint"

# Failures.
run pfx --info "$WORK/ossl-legacy.pfx" --pfx-pass wrong --json
expect_rc 1 "pfx --info, wrong password"
jcheck "wrong password JSON" "d['status'] == 'failed' and d['code'] < 0 and d['message'] != '' and d['subject'] is None and d['chain'] == []"
run pfx --cert "$P/alice.pem" --key "$P/ca.key" --out "$WORK/mismatch.pfx" --pfx-pass x --json
expect_rc 1 "key of another certificate"
jcheck "key mismatch JSON" "d['status'] == 'failed' and d['message'] != '' and d['file'] is None"
checks=$((checks + 1))
[ -e "$WORK/mismatch.pfx" ] && fail "key mismatch: a PFX was written"
run pfx --cert "$P/alice.pem" --key "$WORK/nope.key" --out "$WORK/x.pfx" --pfx-pass x --json
expect_rc 1 "missing key file"
jcheck "missing key file JSON" "d['error'] == 'PKIWS_E_IO' and 'nope.key' in d['message']"

# Usage errors.
run pfx --cert "$P/alice.pem" --key "$P/alice.key" --out "$WORK/x.pfx"
expect_usage_error "no password" "--pfx-pass is required"
run pfx --info "$WORK/ossl-legacy.pfx"
expect_usage_error "--info without password" "--info needs --pfx-pass"
run pfx --info "$WORK/ossl-legacy.pfx" --pfx-pass x --cert "$P/alice.pem"
expect_usage_error "--info with --cert" "--info cannot be combined with --cert"
run pfx --cert "$P/alice.pem" --key "$P/alice.key" --out "$WORK/x.pfx" --pfx-pass x --pfx-preset rc2
expect_usage_error "bad preset" "--pfx-preset 'rc2'"
run pfx --cert "$P/alice.pem" --key "$P/alice.key" --out "$P/alice.key" --pfx-pass x
expect_usage_error "output over an input" "would overwrite --key"

finish
