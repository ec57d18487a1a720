#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws renew against this script's own pkiws-sim: issue, renew (same seat and subject, new
# serial and key), --if-due before and inside the window, renewal refused for another seat and
# for a revoked certificate, usage errors.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}
ID=(--profile "$B.1" --san email --cn alice --email alice@contoso.com --seat alice-seat)

run issue "${CONN[@]}" "${ID[@]}" --out "$WORK/old.pfx" --pfx-pass x --json
expect_rc 0 "issue"
old_serial=$(jget "d['serial']")
pfx_leaf "$WORK/old.pfx" x "$WORK/old.pem" || fail "the issued PFX does not open"

# Not due yet: 365-day certificate, window of 30 days; nothing is sent.
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/old.pem" --out "$WORK/new.pfx" --if-due 30 --json
expect_rc 0 "renew --if-due 30 (not due)"
jcheck "not due" "d['status'] == 'ok' and d['due'] is False and d['serial'] is None"
checks=$((checks + 1))
[ ! -e "$WORK/new.pfx" ] || fail "not due: a PFX was written"

# Due (window longer than the validity): renewed, DER input this time.
"$OPENSSL" x509 -in "$WORK/old.pem" -outform DER -out "$WORK/old.der"
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/old.der" --out "$WORK/new.pfx" --pfx-pass y \
    --chain-out "$WORK/new-chain.pem" --if-due 400 --json
expect_rc 0 "renew --if-due 400"
jcheck "renewed" "d['status'] == 'ok' and d['due'] is True and d['serial'] and d['serial'] != '$old_serial' and d['pfx_file']"
pfx_leaf "$WORK/new.pfx" y "$WORK/new.pem" || fail "the renewed PFX does not open"
equal "$("$OPENSSL" x509 -in "$WORK/new.pem" -noout -subject)" \
    "$("$OPENSSL" x509 -in "$WORK/old.pem" -noout -subject)" "same subject"
checks=$((checks + 1))
[ "$(mode_of "$WORK/new.pfx")" = 600 ] || fail "the PFX is not mode 0600"

# Human output, without --if-due.
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/new.pem" --out "$WORK/newer.pfx" --pfx-pass z
expect_rc 0 "renew the renewed certificate"
contains "$WORK/out" "renewed:" "human output names the renewed file"

# Another seat: the CA refuses.
run renew "${CONN[@]}" --profile "$B.1" --san email --cn bob --email bob@contoso.com \
    --seat bob-seat --cert "$WORK/old.pem" --out "$WORK/bob.pfx" --json
expect_rc 1 "renew for another seat"
jcheck "another seat" "d['error'] == 'PKIWS_E_SOAP_FAULT' and 'belongs to seat' in d['message']"

# Revoked: the CA refuses.
run revoke "${CONN[@]}" --serial "$old_serial" --json
expect_rc 0 "revoke the old certificate"
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/old.pem" --out "$WORK/again.pfx" --json
expect_rc 1 "renew a revoked certificate"
jcheck "revoked" "d['error'] == 'PKIWS_E_SOAP_FAULT' and 'revoked' in d['message']"

# Usage errors.
run renew "${CONN[@]}" "${ID[@]}" --out "$WORK/x.pfx"
expect_usage_error "no --cert" "--cert FILE"
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/old.pem"
expect_usage_error "no --out" "--out FILE.pfx is required"
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/old.pem" --out "$WORK/x.pfx" --if-due soon
expect_usage_error "bad --if-due" "--if-due 'soon'"
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/old.pem" --out "$WORK/old.pem"
expect_usage_error "out = cert" "would overwrite --cert"
# Not a certificate.
echo nonsense >"$WORK/bad.pem"
run renew "${CONN[@]}" "${ID[@]}" --cert "$WORK/bad.pem" --out "$WORK/x.pfx" --json
expect_rc 1 "not a certificate"

sim_stop
equal "$(sim_stat issued)" 3 "the simulator issued one certificate and renewed it twice"
finish
