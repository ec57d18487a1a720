#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws issue with the RA key in a PKCS#11 token (SoftHSM2): --ra-pkcs11-module, --ra-pkcs11-uri
# and --ra-pkcs11-pin-env over the native transport against this script's own pkiws-sim (the
# simulator's RA key imported into the token, non-extractable; SOFTHSM2_CONF in the work
# directory), the PFX read by openssl; the libcurl transport refused with the remedy naming the
# native transport; a wrong PIN refused without the PIN in the output. Environment:
# TOKEN_TOOL, the token maker (tests/pkcs11/token_tool.c); PKIWS_HAVE_CURL, 0 when built
# without libcurl. Exits 77 (skipped) only when softhsm2 is not installed.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

: "${TOKEN_TOOL:?set TOKEN_TOOL to the token_tool executable}"
MODULE=$("$TOKEN_TOOL" module) || {
    echo "SKIP: softhsm2 is not installed (scripts/deps installs it)"
    exit 77
}

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start --log-requests "$WORK/requests" || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}
mkdir -p "$WORK/hsm"
read -r LABEL TOKEN_PIN < <("$TOKEN_TOOL" make "$WORK/hsm" "$SIM_STATE/ra.key" "$SIM_STATE/ra.pem") || {
    echo "FAIL: cannot make the SoftHSM2 token" >&2
    exit 1
}
export SOFTHSM2_CONF=$WORK/hsm/softhsm2.conf
URI="pkcs11:token=$LABEL;object=ra"
# the connection without the PKCS#12 of lib.sh's CONN: the RA credential is the token's
HSM=(--base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --ra-pkcs11-module "$MODULE"
    --ra-pkcs11-uri "$URI" --ra-pkcs11-pin-env PIN)

# --- issue over the native transport, the key in the token --------------------------------
PIN=$TOKEN_PIN run issue "${HSM[@]}" --transport native --profile "$B.2" --san upn \
    --cn "HSM Alice" --upn hsm-alice@contoso.com --out "$WORK/alice.pfx" --json
expect_rc 0 "issue with the PKCS#11 RA key"
jcheck "PKCS#11 issue: status and subject" "d['status'] == 'ok' and d['subject'] == 'CN=HSM Alice'"
alice_pass=$(jget "d['pfx_password']")
alice_serial=$(jget "d['serial']")
pfx_leaf "$WORK/alice.pfx" "$alice_pass" "$WORK/alice.pem" ||
    fail "openssl cannot read the PFX: $(cat "$WORK/openssl.err")"
"$OPENSSL" x509 -in "$WORK/alice.pem" -noout -text >"$WORK/alice.txt"
contains "$WORK/alice.txt" "Subject: CN = HSM Alice" "PFX: certificate subject"
equal "$("$OPENSSL" x509 -in "$WORK/alice.pem" -noout -serial | sed 's/.*=//')" "$alice_serial" \
    "PFX: the serial of the JSON"
checks=$((checks + 1))
"$OPENSSL" verify -CAfile "$SIM_STATE/root-ca.pem" -untrusted "$SIM_STATE/issuing-ca.pem" \
    "$WORK/alice.pem" >"$WORK/verify.txt" 2>&1 || fail "PFX leaf does not verify: $(cat "$WORK/verify.txt")"
# the simulator saw the RA certificate that sits in the token
contains "$WORK/sim.stderr" "CN=pkiws-sim RA (RSA key)" "the token's RA certificate authenticated"

# --- the libcurl transport cannot use a key it cannot hold --------------------------------
if [ "${PKIWS_HAVE_CURL:-1}" = 1 ]; then
    PIN=$TOKEN_PIN run issue "${HSM[@]}" --transport curl --profile "$B.2" --san upn \
        --cn "HSM Bob" --upn hsm-bob@contoso.com --out "$WORK/bob.pfx" --json
    checks=$((checks + 1))
    [ "$rc" != 0 ] || fail "--transport curl with a PKCS#11 key: exit status 0"
    jcheck "curl: refused" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_UNSUPPORTED'"
    jcheck "curl: the remedy names the native transport" "'--transport native' in d['remedy']"
    [ -e "$WORK/bob.pfx" ] && fail "curl: a PFX was written"
fi

# --- a wrong PIN: refused, the PIN never printed ------------------------------------------
PIN=98765 run issue "${HSM[@]}" --transport native --profile "$B.2" --san upn --cn "HSM Carol" \
    --upn hsm-carol@contoso.com --out "$WORK/carol.pfx"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "wrong PIN: exit status 0"
contains "$WORK/err" "CKR_PIN_INCORRECT" "wrong PIN: the token's answer"
contains "$WORK/err" "$LABEL" "wrong PIN: the token is named"
lacks "$WORK/err" "98765" "wrong PIN: the PIN on stderr"
lacks "$WORK/out" "98765" "wrong PIN: the PIN on stdout"
PIN=98765 run issue "${HSM[@]}" --transport native --profile "$B.2" --san upn --cn "HSM Carol" \
    --upn hsm-carol@contoso.com --out "$WORK/carol.pfx" --json --verbose
lacks "$WORK/err" "98765" "wrong PIN (--json --verbose): the PIN on stderr"
lacks "$WORK/out" "98765" "wrong PIN (--json --verbose): the PIN on stdout"
jcheck "wrong PIN: the code" "d['error'] == 'PKIWS_E_RA_CREDENTIAL'"

# --- the flags' own refusals ---------------------------------------------------------------
run issue "${HSM[@]}" --transport native --profile "$B.2" --san upn --cn X --upn x@contoso.com \
    --out "$WORK/x.pfx"
expect_rc 2 "--ra-pkcs11-pin-env naming an unset variable"
contains "$WORK/err" "--ra-pkcs11-pin-env PIN" "unset PIN variable: named"

sim_stop
equal "$(sim_stat issued)" 1 "the simulator issued once"
finish
