#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws search against this script's own pkiws-sim (pages of 2): by seat, by serial, all, by
# profile, page by page and --all-pages, the status after a revocation, the certificates
# checked with openssl, both transports; and an RA PFX with two keys, refused as --ra-p12 and
# picked by thumbprint from an --ra-store directory.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start --page-size 2 || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}
P12_PASS=$(cat "$SIM_STATE/ra.p12.password")

# Three certificates for the seat alice, one for bob (another profile).
alice_serials=()
for n in 1 2 3; do
    run issue "${CONN[@]}" --profile "$B.4" --subject-format cn-email --san email \
        --cn "Alice $n" --email alice@contoso.com --seat alice --out "$WORK/alice$n.pfx" \
        --pfx-pass x --json
    expect_rc 0 "issue alice $n"
    alice_serials+=("$(jget "d['serial']")")
done
run issue "${CONN[@]}" --profile "$B.2" --san upn --cn Bob --upn bob@contoso.com --seat bob \
    --out "$WORK/bob.pfx" --pfx-pass x --json
expect_rc 0 "issue bob"
bob_serial=$(jget "d['serial']")
bob_thumb=$(jget "d['thumbprint']")
alice_list="['${alice_serials[0]}', '${alice_serials[1]}', '${alice_serials[2]}']"

# --- by seat: the first page, the next, all pages ----------------------------------------
run search "${CONN[@]}" --seat alice --json
expect_rc 0 "search --seat"
jcheck "search --seat: common fields" "d['status'] == 'ok' and d['error'] is None and d['selector'] == 'seat' and d['seat'] == 'alice' and d['serial'] is None and d['profile'] is None"
jcheck "search --seat: first page" "d['start_index'] == 0 and d['pages'] == 1 and d['total'] == 3 and d['count'] == 2 and d['more'] is True and d['next_start_index'] == 2 and len(d['certificates']) == 2"
jcheck "search --seat: the seat's certificates" "all(c['seat'] == 'alice' and c['status'] == 'VALID' and c['serial'] in $alice_list and re.fullmatch('[0-9A-F]{40}', c['thumbprint']) for c in d['certificates'])"
jcheck "search --seat: ids" "d['attempts'] == 1 and d['client_transaction_id'] and d['server_transaction_id']"
# the PEM is the certificate: openssl's serial and SHA-1 are the ones listed
jget "d['certificates'][0]['certificate_pem']" >"$WORK/first.pem"
equal "$(sha1_of "$WORK/first.pem")" "$(jget "d['certificates'][0]['thumbprint']")" \
    "search: thumbprint is openssl's SHA-1 of the PEM"
equal "$("$OPENSSL" x509 -in "$WORK/first.pem" -noout -serial | sed 's/.*=//')" \
    "$(jget "d['certificates'][0]['serial']")" "search: serial is the PEM's"
run search "${CONN[@]}" --seat alice --start 2 --json
expect_rc 0 "search --seat --start 2"
jcheck "search --start 2: the last page" "d['start_index'] == 2 and d['count'] == 1 and d['total'] == 3 and d['more'] is False and d['next_start_index'] is None"
run search "${CONN[@]}" --seat alice --all-pages --json
expect_rc 0 "search --seat --all-pages"
jcheck "search --all-pages" "d['pages'] == 2 and d['count'] == 3 and d['more'] is False and sorted(c['serial'] for c in d['certificates']) == sorted($alice_list) and d['attempts'] == 2"

# --- by serial (as pasted: lower case, colons, a leading zero), all, by profile -----------
pasted=$(echo "00$bob_serial" | tr 'A-F' 'a-f' | sed 's/../&:/g; s/:$//')
run search "${CONN[@]}" --serial "$pasted" --json
expect_rc 0 "search --serial"
jcheck "search --serial" "d['selector'] == 'serial' and d['total'] == 1 and [(c['serial'], c['seat'], c['thumbprint']) for c in d['certificates']] == [('$bob_serial', 'bob', '$bob_thumb')]"
run search "${CONN[@]}" --all-pages --json
expect_rc 0 "search (all)"
jcheck "search (all)" "d['selector'] is None and d['total'] == 4 and d['count'] == 4 and d['pages'] == 2"
run search "${CONN[@]}" --profile "$B.2" --all-pages --json
expect_rc 0 "search --profile"
jcheck "search --profile" "d['profile'] == '$B.2' and d['count'] == 1 and d['certificates'][0]['serial'] == '$bob_serial'"
run search "${CONN[@]}" --seat nobody --json
expect_rc 0 "search, nothing found"
jcheck "search, nothing found" "d['total'] == 0 and d['count'] == 0 and d['certificates'] == [] and d['more'] is False"

# --- the status follows a revocation --------------------------------------------------------
run revoke "${CONN[@]}" --serial "${alice_serials[1]}" --reason Superseded
expect_rc 0 "revoke one of alice's"
run search "${CONN[@]}" --serial "${alice_serials[1]}" --json
jcheck "search after revoke" "d['certificates'][0]['status'] == 'REVOKED'"

# --- human output; the native transport gives the same answer -------------------------------
run search "${CONN[@]}" --seat alice
expect_rc 0 "search, human"
contains "$WORK/out" "SERIAL" "human: header"
contains "$WORK/out" "2 certificates shown (from 0) of 3 matching; more from --start 2" \
    "human: summary names the next page"
run search "${CONN[@]}" --seat alice --all-pages --transport native
expect_rc 0 "search --transport native"
contains "$WORK/out" "3 certificates shown (from 0) of 3 matching" "native: all three"
for s in "${alice_serials[@]}"; do
    contains "$WORK/out" "$s" "native: serial $s listed"
done
contains "$WORK/out" "REVOKED" "native: the revoked certificate's status"

# --- help and usage errors ----------------------------------------------------------------
run --help
contains "$WORK/out" "  search " "--help lists search"
run search --help
expect_rc 0 "search --help"
for opt in "--seat ID" "--serial HEX" "--start N" "--all-pages" "--profile OID" \
    "--transport curl|native" "--proxy-user USER:PASS | --proxy-user-env VAR"; do
    contains "$WORK/out" "$opt" "search --help shows $opt"
done
run search "${CONN[@]}" --seat a --serial 01
expect_usage_error "--seat with --serial" "--seat and --serial exclude each other"
run search "${CONN[@]}" --start -1
expect_usage_error "negative --start" "--start '-1'"
run search "${CONN[@]}" --start x --json
expect_rc 2 "--start x --json"
jcheck "--start x JSON" "d['usage_error'] is True and \"--start 'x'\" in d['message']"
run search "${CONN[@]}" --transport gopher
expect_usage_error "unknown transport" "--transport 'gopher': expected curl or native"

# --- an RA PFX with two keys (the RA's and another certificate's, merged under one MAC) -----
"$OPENSSL" pkcs12 -export -in "$SIM_STATE/foreign-ra.pem" -inkey "$SIM_STATE/foreign-ra.key" \
    -passout "pass:$P12_PASS" -out "$WORK/foreign.p12" 2>/dev/null || fail "openssl -export"
"$PYTHON" "$(dirname "$0")/pfx_merge.py" "$SIM_STATE/ra.p12" "$WORK/foreign.p12" "$P12_PASS" \
    "$WORK/two-keys.p12" || fail "pfx_merge.py"
"$OPENSSL" pkcs12 -in "$WORK/two-keys.p12" -passin "pass:$P12_PASS" -noenc -out "$WORK/two.pem" \
    2>/dev/null || fail "openssl cannot read the two-key RA PFX"
equal "$(grep -c 'BEGIN PRIVATE KEY' "$WORK/two.pem")" 2 "two-key RA PFX: openssl finds two keys"
RA_URL=(--base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem")
run search "${RA_URL[@]}" --ra-p12 "$WORK/two-keys.p12" --ra-pass "$P12_PASS" --seat alice --json
expect_rc 1 "--ra-p12 with two keys"
jcheck "--ra-p12 with two keys: refused, naming the count" "d['error'] == 'PKIWS_E_RA_CREDENTIAL' and 'holds 2 private keys' in d['message'] and 'pkiws-sim RA' in d['message'] and d['certificates'] == []"
mkdir -p "$WORK/store"
cp "$WORK/two-keys.p12" "$WORK/store/ra.p12"
ra_thumb=$(sha1_of "$SIM_STATE/ra.pem")
run search "${RA_URL[@]}" --ra-store "$WORK/store" --thumbprint "$ra_thumb" \
    --ra-pass "$P12_PASS" --seat alice --json
expect_rc 0 "--ra-store picks the RA certificate of a two-key PFX by thumbprint"
jcheck "--ra-store with a two-key PFX" "d['status'] == 'ok' and d['total'] == 3"

sim_stop
finish
