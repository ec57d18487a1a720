#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws issue (and preflight online) against this script's own pkiws-sim: CN+E x EMAIL and
# CN x UPN, the JSON fields, the PFX read by openssl without -legacy, both presets, the chain
# file, the offline template, and the errors an administrator meets.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start --log-requests "$WORK/requests" || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}
P12_PASS=$(cat "$SIM_STATE/ra.p12.password")

# --- CN + E x EMAIL, JSON, generated password, chain file --------------------------------
run issue "${CONN[@]}" --profile "$B.4" --subject-format cn-email --san email \
    --cn "Alice Example" --email alice@contoso.com --seat alice \
    --out "$WORK/alice.pfx" --chain-out "$WORK/alice-chain.pem" --json
expect_rc 0 "CN+E x EMAIL"
jcheck "CN+E x EMAIL: status" "d['status'] == 'ok' and d['code'] == 0 and d['error'] is None and d['message'] == '' and d['remedy'] is None and d['retryable'] is False"
jcheck "CN+E x EMAIL: subject" "d['subject'] == 'CN=Alice Example,E=alice@contoso.com' and d['profile'] == '$B.4' and d['template'] is None"
jcheck "CN+E x EMAIL: san" "d['san'] == [{'type': 'email', 'value': 'alice@contoso.com', 'source': 'request.email'}]"
jcheck "CN+E x EMAIL: serial and thumbprint" "re.fullmatch('[0-9A-F]+', d['serial']) and re.fullmatch('[0-9A-F]{40}', d['thumbprint'])"
jcheck "CN+E x EMAIL: validity" "re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', d['not_before']) and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', d['not_after']) and d['not_before'] < d['not_after']"
jcheck "CN+E x EMAIL: files" "d['pfx_file'] == '$WORK/alice.pfx' and d['chain_file'] == '$WORK/alice-chain.pem' and d['chain_count'] == 2 and d['pending_reference'] is None and d['pending_file'] is None"
jcheck "CN+E x EMAIL: generated password" "re.fullmatch('[A-Za-z0-9]{20}', d['pfx_password'])"
jcheck "CN+E x EMAIL: attempts and ids" "d['attempts'] == 1 and 0 < len(d['client_transaction_id']) <= 40 and d['server_transaction_id']"
jcheck "CN+E x EMAIL: checks" "d['checks'] and all(c['verdict'] == 'ok' for c in d['checks'])"
alice_pass=$(jget "d['pfx_password']")
alice_serial=$(jget "d['serial']")
alice_thumb=$(jget "d['thumbprint']")
equal "$(mode_of "$WORK/alice.pfx")" 600 "PFX mode"
checks=$((checks + 1))
"$OPENSSL" pkcs12 -info -noout -in "$WORK/alice.pfx" -passin "pass:$alice_pass" \
    >"$WORK/info.txt" 2>&1 || fail "openssl pkcs12 -info (no -legacy) cannot open the legacy PFX"
contains "$WORK/info.txt" "pbeWithSHA1And3-KeyTripleDES-CBC" "legacy preset: 3DES bags"
contains "$WORK/info.txt" "MAC: sha1" "legacy preset: SHA-1 MAC"
pfx_leaf "$WORK/alice.pfx" "$alice_pass" "$WORK/alice.pem" || fail "openssl cannot read the leaf"
"$OPENSSL" x509 -in "$WORK/alice.pem" -noout -text >"$WORK/alice.txt"
contains "$WORK/alice.txt" "Subject: CN = Alice Example, emailAddress = alice@contoso.com" \
    "CN+E x EMAIL: certificate subject"
contains "$WORK/alice.txt" "email:alice@contoso.com" "CN+E x EMAIL: certificate SAN"
equal "$("$OPENSSL" x509 -in "$WORK/alice.pem" -noout -serial | sed 's/.*=//')" "$alice_serial" \
    "serial in JSON is the certificate's"
equal "$(sha1_of "$WORK/alice.pem")" "$alice_thumb" "thumbprint in JSON is the certificate's"
equal "$(grep -c 'BEGIN CERTIFICATE' "$WORK/alice-chain.pem")" 2 "chain file: two certificates"
checks=$((checks + 1))
"$OPENSSL" verify -CAfile "$SIM_STATE/root-ca.pem" -untrusted "$WORK/alice-chain.pem" \
    "$WORK/alice.pem" >"$WORK/verify.txt" 2>&1 || fail "the chain file does not verify the leaf: $(cat "$WORK/verify.txt")"
equal "$("$OPENSSL" x509 -in "$WORK/alice-chain.pem" -noout -subject)" \
    "$("$OPENSSL" x509 -in "$SIM_STATE/issuing-ca.pem" -noout -subject)" "chain file: issuing CA first"

# --- CN x UPN, a given Unicode password from the environment, modern preset ---------------
export PKIWS_TEST_PFX_PASS='Pässwörd mit Leerzeichen ✓'
run issue "${CONN[@]}" --profile "$B.2" --san upn --cn Bob --upn bob@contoso.com \
    --out "$WORK/bob.pfx" --pfx-pass-env PKIWS_TEST_PFX_PASS --pfx-preset modern \
    --friendly-name "Bob's cert" --json
expect_rc 0 "CN x UPN"
jcheck "CN x UPN: subject and san" "d['subject'] == 'CN=Bob' and d['san'] == [{'type': 'upn', 'value': 'bob@contoso.com', 'source': 'request.upn'}]"
jcheck "CN x UPN: a given password is not echoed" "d['pfx_password'] is None and d['chain_file'] is None and d['chain_count'] is None"
lacks "$WORK/out" "Leerzeichen" "CN x UPN: password not on stdout"
checks=$((checks + 1))
"$OPENSSL" pkcs12 -info -noout -in "$WORK/bob.pfx" -passin "pass:$PKIWS_TEST_PFX_PASS" \
    >"$WORK/info.txt" 2>&1 || fail "openssl pkcs12 -info cannot open the modern PFX"
contains "$WORK/info.txt" "AES-256-CBC" "modern preset: AES-256 bags"
contains "$WORK/info.txt" "MAC: sha256" "modern preset: SHA-256 MAC"
pfx_leaf "$WORK/bob.pfx" "$PKIWS_TEST_PFX_PASS" "$WORK/bob.pem" || fail "openssl cannot read Bob's leaf"
contains "$WORK/bob.pem" "friendlyName: Bob's cert" "CN x UPN: friendlyName"
"$OPENSSL" x509 -in "$WORK/bob.pem" -noout -text >"$WORK/bob.txt"
contains "$WORK/bob.txt" "Subject: CN = Bob" "CN x UPN: certificate subject"
contains "$WORK/bob.txt" "othername: UPN::bob@contoso.com" "CN x UPN: certificate UPN SAN"
lacks "$WORK/bob.txt" "email:" "CN x UPN: no e-mail SAN"

# --- human output: EMAIL from the UPN (fallback), subject-derived names ------------------
run issue "${CONN[@]}" --profile "$B.1" --san email --cn Carol --upn carol@contoso.com \
    --out "$WORK/carol.pfx"
expect_rc 0 "human issue"
contains "$WORK/out" "subject: CN=Carol" "human: subject"
contains "$WORK/out" "from request.upn" "human: SAN trace with its source"
for label in "serial:" "thumbprint:" "valid:" "wrote PFX:" "PFX password:" "attempts:" \
    "client transaction id:" "server transaction id:"; do
    contains "$WORK/out" "$label" "human: $label"
done
carol_pass=$(sed -n 's/^PFX password: *\([A-Za-z0-9]*\) .*/\1/p' "$WORK/out")
checks=$((checks + 1))
"$OPENSSL" pkcs12 -info -noout -in "$WORK/carol.pfx" -passin "pass:$carol_pass" >/dev/null 2>&1 ||
    fail "human: the printed password does not open the PFX"
checks=$((checks + 1))
[ -s "$WORK/err" ] && fail "human issue: unexpected stderr: $(cat "$WORK/err")"

# --- an offline template: no getPolicies request --------------------------------------------
policies_before=$(find "$WORK/requests" -name '*-getPolicies.xml' | wc -l)
run issue "${CONN[@]}" --profile "$B.13" --template "$(dirname "$0")/../sim/default-policy.xml" \
    --subject-format cn-email --san email,upn --cn Dave --email dave@contoso.com \
    --upn dave@contoso.onmicrosoft.com --out "$WORK/dave.pfx" --pfx-pass x --json
expect_rc 0 "offline template"
jcheck "offline template" "d['template'].endswith('default-policy.xml') and sorted((s['type'], s['value']) for s in d['san']) == [('email', 'dave@contoso.com'), ('upn', 'dave@contoso.onmicrosoft.com')]"
equal "$(find "$WORK/requests" -name '*-getPolicies.xml' | wc -l)" "$policies_before" \
    "offline template: the policy service was not asked"
# Every request the tool sent so far validates against the vendor's schemas.
if [ -x "$SHARED/tools/pkiws-validate" ]; then
    checks=$((checks + 1))
    "$SHARED/tools/pkiws-validate" "$WORK"/requests/*.xml >"$WORK/validate.txt" 2>&1 ||
        fail "requests do not validate: $(head -c 800 "$WORK/validate.txt")"
fi

# --- preflight without --template fetches the template from the CA -------------------------
run preflight "${CONN[@]}" --profile "$B.5" --subject-format cn-email --san upn --cn Erin \
    --upn erin@contoso.com --json
expect_rc 0 "preflight online"
jcheck "preflight online" "d['template'] is None and d['subject'] == 'CN=Erin,E=erin@contoso.com' and any(c['name'] == 'mail_email' and c['verdict'] == 'ok' for c in d['checks'])"

# --- given and family names: derived from the UPN, or explicit -----------------------------
run issue "${CONN[@]}" --profile "$B.10" --san upn --cn "Global Admin" \
    --upn global_admin@contoso.com --out "$WORK/ga.pfx" --json
expect_rc 1 "special characters in derived names"
jcheck "special characters: error" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_UNSUPPORTED_CHARS' and d['code'] == -501 and \"'_'\" in d['message'] and 'mail_firstname' in d['message']"
jcheck "special characters: remedy" "d['remedy'] and 'names' in d['remedy'] and d['retryable'] is False and d['pfx_file'] is None"
checks=$((checks + 1))
[ -e "$WORK/ga.pfx" ] && fail "special characters: a PFX was written"
run issue "${CONN[@]}" --profile "$B.10" --san upn --cn "Global Admin" \
    --upn global_admin@contoso.com --given-name Global --family-name Admin \
    --out "$WORK/ga.pfx" --pfx-pass x --json
expect_rc 0 "explicit given and family names"
pfx_leaf "$WORK/ga.pfx" x "$WORK/ga.pem" || fail "openssl cannot read the names' leaf"
"$OPENSSL" x509 -in "$WORK/ga.pem" -noout -subject -nameopt RFC2253 >"$WORK/ga.txt"
contains "$WORK/ga.txt" "GN=Global" "explicit names: given name in the subject"
contains "$WORK/ga.txt" "SN=Admin" "explicit names: family name in the subject"

# --- errors ----------------------------------------------------------------------------------
run issue "${CONN[@]}" --profile "$B.999" --cn x --out "$WORK/x.pfx" --json
expect_rc 1 "unknown profile"
jcheck "unknown profile" "d['error'] == 'PKIWS_E_PROFILE_NOT_FOUND' and d['code'] == -400 and '$B.999' in d['message'] and d['remedy'] and 'profile' in d['remedy']"
run issue "${CONN[@]}" --profile "$B.999" --cn x --out "$WORK/x.pfx"
expect_rc 1 "unknown profile, human"
contains "$WORK/err" "PKIWS_E_PROFILE_NOT_FOUND" "unknown profile, human: error on stderr"
contains "$WORK/err" "remedy: " "unknown profile, human: remedy on stderr"

run issue "${CONN[@]}" --profile "$B.1" --san upn --cn x --upn x@contoso.com \
    --out "$WORK/x.pfx" --json
expect_rc 1 "policy mismatch"
jcheck "policy mismatch" "d['error'] == 'PKIWS_E_POLICY_MISMATCH' and any(c['verdict'] == 'missing from template' for c in d['checks'])"

run issue --ca "pki-ws.symauth.com/pki-ws" --profile "$B.1" --cn x --out "$WORK/x.pfx" --json
expect_rc 1 "bad --ca"
jcheck "bad --ca" "d['error'] == 'PKIWS_E_CONFIG' and \"'/'\" in d['message'] and 'position 19' in d['message'] and d['remedy']"
run issue --ca "pki-ws.symauth.com:44x" --profile "$B.1" --cn x --out "$WORK/x.pfx"
expect_rc 1 "bad --ca port, human"
contains "$WORK/err" "PKIWS_E_CONFIG" "bad --ca port: error name"
contains "$WORK/err" "'x'" "bad --ca port: names the character"

run issue --base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --profile "$B.1" --san email \
    --cn x --email x@contoso.com --out "$WORK/x.pfx" --json
expect_rc 1 "missing RA"
jcheck "missing RA" "d['error'] == 'PKIWS_E_RA_CREDENTIAL' and d['remedy'] and 'RA' in d['message']"
run issue --base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --ra-p12 "$SIM_STATE/ra.p12" \
    --ra-pass "wrong-$P12_PASS" --profile "$B.1" --cn x --out "$WORK/x.pfx" --json
expect_rc 1 "wrong RA password"
jcheck "wrong RA password" "d['status'] == 'failed' and 'ra.p12' in d['message']"
lacks "$WORK/out" "wrong-$P12_PASS" "wrong RA password: not echoed"
run issue --base-url "$SIM_URL" --ra-p12 "$SIM_STATE/ra.p12" --ra-pass "$P12_PASS" \
    --trust "$SIM_STATE/ra-ca.pem" --profile "$B.1" --cn x --out "$WORK/x.pfx" --json
expect_rc 1 "server not trusted"
jcheck "server not trusted" "d['error'] == 'PKIWS_E_TLS' and d['retryable'] is False"
checks=$((checks + 1))
[ -e "$WORK/x.pfx" ] && fail "errors: a PFX was written"
# A PFX that could not be saved is not asked for: the CA issues nothing (see the count below).
run issue "${CONN[@]}" --profile "$B.1" --san email --cn x --email x@contoso.com \
    --out "$WORK/no/such/dir/x.pfx" --json
expect_rc 1 "unwritable --out"
jcheck "unwritable --out" "d['error'] == 'PKIWS_E_IO' and 'no/such/dir/x.pfx' in d['message'] and d['serial'] is None and d['attempts'] is None"
run issue "${CONN[@]}" --profile "$B.1" --san email --cn x --email x@contoso.com \
    --out "$WORK/x.pfx" --chain-out "$WORK/no/chain.pem" --json
expect_rc 1 "unwritable --chain-out"
jcheck "unwritable --chain-out" "d['error'] == 'PKIWS_E_IO' and 'chain file' in d['message']"
checks=$((checks + 1))
[ -e "$WORK/x.pfx" ] && fail "unwritable --chain-out: the PFX was written alone"

# Usage errors: exit 2 before any connection.
run issue "${CONN[@]}" --profile "$B.1" --cn x
expect_usage_error "no --out" "--out FILE.pfx is required"
run issue "${CONN[@]}" --cn x --out "$WORK/x.pfx"
expect_usage_error "no --profile" "--profile OID is required"
run issue "${CONN[@]}" --profile "$B.1" --out "$WORK/x.pfx" --pfx-preset ancient
expect_usage_error "bad preset" "--pfx-preset 'ancient'"
run issue "${CONN[@]}" --profile "$B.1" --out "$WORK/x.pfx" --chain-out "$WORK/x.pfx"
expect_usage_error "chain over PFX" "name the same file"
run issue "${CONN[@]}" --profile "$B.1" --out "$WORK/x.pfx" --key rsa1024
expect_usage_error "bad key" "--key 'rsa1024'"

sim_stop
equal "$(sim_stat issued)" 5 "the simulator issued one certificate per successful issue"
finish
