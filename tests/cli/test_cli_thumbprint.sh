#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws thumbprint: certificates (PEM, DER) and PFX files, compared with openssl's SHA-1.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

make_pki || fail "openssl could not make the test PKI"
P="$WORK/pki"
want=$(sha1_of "$P/alice.pem")
checks=$((checks + 1))
[[ "$want" =~ ^[0-9A-F]{40}$ ]] || fail "openssl fingerprint looks wrong: '$want'"

run thumbprint "$P/alice.pem"
expect_rc 0 "PEM"
equal "$(cat "$WORK/out")" "$want" "PEM thumbprint equals openssl's"

"$OPENSSL" x509 -in "$P/alice.pem" -outform DER -out "$WORK/alice.der"
run thumbprint "$WORK/alice.der"
expect_rc 0 "DER"
equal "$(cat "$WORK/out")" "$want" "DER thumbprint equals openssl's"

run thumbprint - <"$P/alice.pem"
expect_rc 0 "stdin"
equal "$(cat "$WORK/out")" "$want" "thumbprint of stdin"

run thumbprint "$P/root.pem" --json
expect_rc 0 "--json"
jcheck "JSON" "d['status'] == 'ok' and d['code'] == 0 and d['error'] is None and d['message'] == '' and d['remedy'] is None and d['retryable'] is False and d['thumbprint'] == '$(sha1_of "$P/root.pem")' and d['file'].endswith('root.pem')"

# A PFX as Windows and OpenSSL's -legacy write it: RC2-40 certificate bag, 3DES key bag.
"$OPENSSL" pkcs12 -export -legacy -in "$P/alice.pem" -inkey "$P/alice.key" \
    -certfile "$P/chain.pem" -passout pass:Legacy-Pass1 -out "$WORK/legacy.pfx" 2>"$WORK/ossl" ||
    fail "openssl pkcs12 -export -legacy: $(cat "$WORK/ossl")"
run thumbprint "$WORK/legacy.pfx" --pass Legacy-Pass1
expect_rc 0 "legacy PFX"
equal "$(cat "$WORK/out")" "$want" "legacy PFX: the end-entity certificate's thumbprint"

export PKIWS_TEST_PFX_PASS=Legacy-Pass1
run thumbprint "$WORK/legacy.pfx" --pass-env PKIWS_TEST_PFX_PASS --json
expect_rc 0 "legacy PFX, password from the environment"
jcheck "legacy PFX JSON" "d['thumbprint'] == '$want'"

# A PFX in OpenSSL 3's default format (PBES2 AES-256, HMAC-SHA-256).
"$OPENSSL" pkcs12 -export -in "$P/alice.pem" -inkey "$P/alice.key" -passout pass:Modern-Pass1 \
    -out "$WORK/modern.pfx" 2>"$WORK/ossl" || fail "openssl pkcs12 -export: $(cat "$WORK/ossl")"
run thumbprint "$WORK/modern.pfx" --pass Modern-Pass1
expect_rc 0 "modern PFX"
equal "$(cat "$WORK/out")" "$want" "modern PFX thumbprint"

# Failures: exit 1, a JSON failure, nothing on stdout in human mode.
run thumbprint "$WORK/legacy.pfx" --pass wrong-password --json
expect_rc 1 "wrong PFX password"
jcheck "wrong PFX password JSON" "d['status'] == 'failed' and d['code'] < 0 and d['error'].startswith('PKIWS_E_') and d['message'] != '' and d['thumbprint'] is None"
printf 'this is not a certificate\n' >"$WORK/junk.pem"
run thumbprint "$WORK/junk.pem"
expect_rc 1 "not a certificate"
checks=$((checks + 1))
[ -s "$WORK/out" ] && fail "not a certificate: something on stdout"
contains "$WORK/err" "pkiws thumbprint: error: " "not a certificate: error on stderr"

finish
