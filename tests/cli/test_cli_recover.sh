#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws recover against this script's own pkiws-sim: issue on an escrow profile (the CA makes
# the key), recover it (modern and legacy presets, read by OpenSSL 3 without -legacy; the same
# public key as the issued one), dual-admin approval (pending with the count and exit 3, then
# done with a second administrator), an unknown serial named in the failure, usage errors.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

# pubkey_of PFX PASS: the public key of the PFX's private key, PEM (OpenSSL 3 defaults).
pubkey_of() {
    "$OPENSSL" pkcs12 -in "$1" -passin "pass:$2" -nocerts -nodes 2>>"$WORK/openssl.err" |
        "$OPENSSL" pkey -pubout 2>>"$WORK/openssl.err"
}
# opens PFX PASS WHAT: OpenSSL (no -legacy) opens the PFX with PASS.
opens() {
    checks=$((checks + 1))
    "$OPENSSL" pkcs12 -in "$1" -passin "pass:$2" -nokeys -noout 2>"$WORK/openssl.err" ||
        fail "$3: openssl cannot open $(basename "$1"): $(cat "$WORK/openssl.err")"
}

# ---- issue on the escrow profile (single administrator) ----
run issue "${CONN[@]}" --profile "$B.15" --san email --cn alice --email alice@contoso.com \
    --out "$WORK/issued.pfx" --pfx-pass issued-pw --json
expect_rc 0 "issue on the escrow profile"
SERIAL=$(jget "d['serial']")
ISSUER=$(jget "d['issuer']")
opens "$WORK/issued.pfx" issued-pw "issued PFX"
pubkey_of "$WORK/issued.pfx" issued-pw >"$WORK/issued.pub"
[ -s "$WORK/issued.pub" ] || fail "no key in the issued PFX"

# ---- recover, modern preset, our password, chain ----
run recover "${CONN[@]}" --serial "$SERIAL" --issuer "$ISSUER" --admin admin-a \
    --out "$WORK/modern.pfx" --pfx-pass 'Rec0vered pw' --preset modern \
    --chain-out "$WORK/chain.pem" --json
expect_rc 0 "recover --preset modern"
jcheck "recovered" "d['status'] == 'ok' and d['approvals_pending'] == 0 and d['serial'] == '$SERIAL' and d['pfx_file'] and d['pfx_password'] is None and d['chain_count'] == 2 and d['recovered_serial'] == '$SERIAL' and d['admin'] == 'admin-a'"
opens "$WORK/modern.pfx" 'Rec0vered pw' "modern preset"
checks=$((checks + 1))
"$OPENSSL" pkcs12 -in "$WORK/modern.pfx" -passin 'pass:Rec0vered pw' -info -nokeys -noout \
    2>&1 | grep -q 'AES-256' || fail "modern preset: not AES-256"
equal "$(pubkey_of "$WORK/modern.pfx" 'Rec0vered pw')" "$(cat "$WORK/issued.pub")" \
    "modern: the recovered key is the issued one"
[ "$(mode_of "$WORK/modern.pfx")" = 600 ] || fail "the recovered PFX is not mode 0600"
checks=$((checks + 1))
equal "$(grep -c 'BEGIN CERTIFICATE' "$WORK/chain.pem")" 2 "chain file: issuing CA and root"

# ---- recover, legacy preset (the default), generated password, human output ----
run recover "${CONN[@]}" --serial "$SERIAL" --issuer "$ISSUER" --admin admin-a \
    --out "$WORK/legacy.pfx"
expect_rc 0 "recover (legacy preset, generated password)"
contains "$WORK/out" "recovered by:          admin-a" "human output names the administrator"
contains "$WORK/out" "(generated; keep it" "human output prints the generated password"
PW=$(sed -n 's/^PFX password: *\([^ ]*\) (generated.*/\1/p' "$WORK/out")
equal "${#PW}" 20 "generated password length"
pfx_leaf "$WORK/legacy.pfx" "$PW" "$WORK/legacy.pem" || fail "the legacy PFX does not open"
checks=$((checks + 1))
equal "$(pubkey_of "$WORK/legacy.pfx" "$PW")" "$(cat "$WORK/issued.pub")" \
    "legacy: the recovered key is the issued one"

# ---- dual administrator approval (profile .16) ----
run issue "${CONN[@]}" --profile "$B.16" --san email --cn bob --email bob@contoso.com \
    --out "$WORK/bob.pfx" --pfx-pass bob-pw --json
expect_rc 0 "issue on the dual-admin escrow profile"
S2=$(jget "d['serial']")
pubkey_of "$WORK/bob.pfx" bob-pw >"$WORK/bob.pub"
run recover "${CONN[@]}" --serial "$S2" --issuer "$ISSUER" --admin admin-a \
    --out "$WORK/bob-rec.pfx" --pfx-pass p --json
expect_rc 3 "dual admin: the first administrator is pending"
jcheck "pending" "d['status'] == 'pending' and d['approvals_pending'] == 1 and d['pfx_file'] is None and d['serial'] is None"
[ ! -e "$WORK/bob-rec.pfx" ] || fail "pending: a PFX was written"
run recover "${CONN[@]}" --serial "$S2" --issuer "$ISSUER" --admin admin-a \
    --out "$WORK/bob-rec.pfx" --pfx-pass p
expect_rc 3 "dual admin: the same administrator again is still pending"
contains "$WORK/out" "1 more administrator approval(s) needed" "human output: the count"
run recover "${CONN[@]}" --serial "$S2" --issuer "$ISSUER" --admin admin-b \
    --out "$WORK/bob-rec.pfx" --pfx-pass p --preset modern --json
expect_rc 0 "dual admin: a second administrator"
jcheck "dual done" "d['status'] == 'ok' and d['approvals_pending'] == 0 and d['serial'] == '$S2'"
opens "$WORK/bob-rec.pfx" p "dual admin: recovered PFX"
equal "$(pubkey_of "$WORK/bob-rec.pfx" p)" "$(cat "$WORK/bob.pub")" \
    "dual admin: the recovered key is the issued one"

# ---- failures ----
run recover "${CONN[@]}" --serial 0BADBAD --issuer "$ISSUER" --admin admin-a \
    --out "$WORK/none.pfx" --json
expect_rc 1 "unknown serial"
jcheck "unknown serial" "d['error'] == 'PKIWS_E_SOAP_FAULT' and 'BADBAD' in d['message'] and '4001' in d['message'] and d['approvals_pending'] is None"
[ ! -e "$WORK/none.pfx" ] || fail "unknown serial: a PFX was written"
run issue "${CONN[@]}" --profile "$B.1" --san email --cn carol --email carol@contoso.com \
    --out "$WORK/plain.pfx" --pfx-pass x --json
expect_rc 0 "issue on a plain profile"
run recover "${CONN[@]}" --serial "$(jget "d['serial']")" --issuer "$ISSUER" --admin admin-a \
    --out "$WORK/none.pfx"
expect_rc 1 "key not escrowed"
contains "$WORK/err" "4002" "not escrowed: the CA's error code"

# ---- usage errors ----
run recover "${CONN[@]}" --issuer "$ISSUER" --admin a --out "$WORK/x.pfx"
expect_usage_error "no --serial" "--serial HEX"
run recover "${CONN[@]}" --serial "$SERIAL" --admin a --out "$WORK/x.pfx"
expect_usage_error "no --issuer" "--issuer DN"
run recover "${CONN[@]}" --serial "$SERIAL" --issuer "$ISSUER" --out "$WORK/x.pfx"
expect_usage_error "no --admin" "--admin ID"
run recover "${CONN[@]}" --serial "$SERIAL" --issuer "$ISSUER" --admin a
expect_usage_error "no --out" "--out FILE.pfx is required"
run recover "${CONN[@]}" --serial "$SERIAL" --issuer "$ISSUER" --admin a --out "$WORK/x.pfx" \
    --preset strong
expect_usage_error "bad --preset" "--preset 'strong'"
run recover "${CONN[@]}" --serial "$SERIAL" --issuer "$ISSUER" --admin a --out "$WORK/x.pfx" \
    --chain-out "$WORK/x.pfx"
expect_usage_error "chain = out" "name the same file"

sim_stop
equal "$(sim_stat issued)" 3 "the simulator issued three certificates"

# ---- an escrow issuance the CA holds: a pending file without a key, poll without --pfx-pass ----
rm -rf "$WORK/sim-state"
sim_start --escrow-pending 1 || fail "cannot restart pkiws-sim with --escrow-pending 1"
run issue "${CONN[@]}" --profile "$B.15" --san email --cn dave --email dave@contoso.com \
    --out "$WORK/held.pfx" --json
expect_rc 3 "issue held for approval (server-side key)"
jcheck "held" "d['status'] == 'pending' and d['pending_file'].endswith('held.pfx.pending')"
contains "$WORK/held.pfx.pending" "key-made-by: ca" "the pending file says the CA makes the key"
lacks "$WORK/held.pfx.pending" "PRIVATE KEY" "the pending file holds no key"
run poll "${CONN[@]}" --pending "$WORK/held.pfx.pending" --json
expect_rc 0 "poll a held server-side-key issuance without --pfx-pass"
HPW=$(jget "d['pfx_password']")
opens "$WORK/held.pfx" "$HPW" "polled PFX with the generated password"
[ ! -e "$WORK/held.pfx.pending" ] || fail "the pending file was not removed after the poll"
# a keyed pending file still needs the password: a file claiming both is refused
printf 'pkiws pending request 1\nreference: r\nprofile: %s\nkey-made-by: someone\n' "$B.15" \
    >"$WORK/bad.pfx.pending"
run poll "${CONN[@]}" --pending "$WORK/bad.pfx.pending"
expect_rc 1 "a pending file with a bad key-made-by"
contains "$WORK/err" "key-made-by 'someone' is not 'ca'" "bad key-made-by named"
sim_stop
finish
