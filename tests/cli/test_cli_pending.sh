#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws issue answered PENDING (exit 3, the pending file) and pkiws poll (still pending: exit 3;
# wrong password; done: the PFX, the pending file removed), against this script's own pkiws-sim.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
# Request 2 is the first Issue (after its getPolicies): it is held for two polls. Profile B.11
# holds every request for one poll (approval required).
sim_start --fault pending:2@2 || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

# --- held for two polls: issue -> 3, poll -> 3, poll -> 0 ----------------------------------
export PKIWS_TEST_PFX_PASS='pending secret ✓'
run issue "${CONN[@]}" --profile "$B.1" --san email --cn Pete --email pete@contoso.com \
    --seat pete --out "$WORK/pete.pfx" --pfx-pass-env PKIWS_TEST_PFX_PASS \
    --pfx-preset modern --friendly-name "Pete's" --chain-out "$WORK/pete-chain.pem" --json
expect_rc 3 "pending issue"
jcheck "pending issue: status" "d['status'] == 'pending' and d['code'] == 0 and d['error'] is None and d['remedy'] is None and d['retryable'] is False"
jcheck "pending issue: payload" "d['pending_reference'] and d['pending_file'] == '$WORK/pete.pfx.pending' and d['pfx_file'] is None and d['chain_file'] is None and d['serial'] is None and d['pfx_password'] is None"
jcheck "pending issue: trace" "d['subject'] == 'CN=Pete' and d['san'] == [{'type': 'email', 'value': 'pete@contoso.com', 'source': 'request.email'}]"
ref=$(jget "d['pending_reference']")
pend="$WORK/pete.pfx.pending"
checks=$((checks + 1))
[ -e "$WORK/pete.pfx" ] && fail "pending issue: a PFX was written"
equal "$(mode_of "$pend")" 600 "pending file mode"
equal "$(head -n 1 "$pend")" "pkiws pending request 1" "pending file: first line"
contains "$pend" "reference: $ref" "pending file: reference"
contains "$pend" "profile: $B.1" "pending file: profile"
contains "$pend" "seat: pete" "pending file: seat"
contains "$pend" "pfx-preset: modern" "pending file: preset"
contains "$pend" "-----BEGIN ENCRYPTED PRIVATE KEY-----" "pending file: the key is encrypted"
lacks "$pend" "pending secret" "pending file: no password"
# The key opens with the PFX password (and only with it), with openssl.
checks=$((checks + 1))
"$OPENSSL" pkey -in "$pend" -passin "pass:$PKIWS_TEST_PFX_PASS" -noout 2>"$WORK/pkey.err" ||
    fail "openssl cannot decrypt the pending key with the PFX password: $(cat "$WORK/pkey.err")"
checks=$((checks + 1))
"$OPENSSL" pkey -in "$pend" -passin pass:wrong -noout 2>/dev/null &&
    fail "the pending key opens with a wrong password"

run poll "${CONN[@]}" --pending "$pend" --pfx-pass wrong --json
expect_rc 1 "poll, wrong password"
jcheck "poll, wrong password" "d['error'] == 'PKIWS_E_CRYPTO' and 'wrong password' in d['message'] and d['pending_file_removed'] is False"
checks=$((checks + 1))
[ -e "$pend" ] || fail "poll, wrong password: the pending file is gone"

run poll "${CONN[@]}" --pending "$pend" --pfx-pass-env PKIWS_TEST_PFX_PASS \
    --out "$WORK/no/such/dir/pete.pfx" --json
expect_rc 1 "poll, unwritable --out"
jcheck "poll, unwritable --out" "d['error'] == 'PKIWS_E_IO' and d['pending_file'] == '$pend' and d['pending_file_removed'] is False"
run poll "${CONN[@]}" --pending "$pend" --pfx-pass-env PKIWS_TEST_PFX_PASS --json
expect_rc 3 "poll, still pending"
jcheck "poll, still pending" "d['status'] == 'pending' and d['pending_reference'] == '$ref' and d['pending_file'] == '$pend' and d['pending_file_removed'] is False and d['profile'] == '$B.1'"
checks=$((checks + 1))
[ -e "$pend" ] || fail "poll, still pending: the pending file is gone"
run poll "${CONN[@]}" --pending "$pend" --pfx-pass-env PKIWS_TEST_PFX_PASS
expect_rc 0 "poll, approved (human)"
contains "$WORK/out" "subject: CN=Pete" "poll human: subject"
contains "$WORK/out" "wrote PFX:" "poll human: PFX"
contains "$WORK/out" "removed pending file:" "poll human: pending file removed"
checks=$((checks + 1))
[ -e "$pend" ] && fail "poll, approved: the pending file is still there"
equal "$(mode_of "$WORK/pete.pfx")" 600 "polled PFX mode"
checks=$((checks + 1))
"$OPENSSL" pkcs12 -info -noout -in "$WORK/pete.pfx" -passin "pass:$PKIWS_TEST_PFX_PASS" \
    >"$WORK/info.txt" 2>&1 || fail "openssl cannot open the polled PFX"
contains "$WORK/info.txt" "AES-256-CBC" "polled PFX: the preset chosen at issue"
pfx_leaf "$WORK/pete.pfx" "$PKIWS_TEST_PFX_PASS" "$WORK/pete.pem" || fail "polled PFX: leaf"
contains "$WORK/pete.pem" "friendlyName: Pete's" "polled PFX: the friendly name chosen at issue"
"$OPENSSL" x509 -in "$WORK/pete.pem" -noout -text >"$WORK/pete.txt"
contains "$WORK/pete.txt" "Subject: CN = Pete" "polled certificate: subject"
contains "$WORK/pete.txt" "email:pete@contoso.com" "polled certificate: SAN"
# Polling a finished request again: the pending file is gone.
run poll "${CONN[@]}" --pending "$pend" --pfx-pass x
expect_rc 1 "poll again: the pending file is gone"
contains "$WORK/err" "PKIWS_E_IO" "poll again: error name"
contains "$WORK/err" "pete.pfx.pending" "poll again: names the file"

# --- B.11 (approval required), a generated password, JSON all the way ----------------------
run issue "${CONN[@]}" --profile "$B.11" --san email --cn Quinn --email quinn@contoso.com \
    --out "$WORK/quinn.pfx" --json
expect_rc 3 "B.11 pending"
jcheck "B.11 pending: generated password" "re.fullmatch('[A-Za-z0-9]{20}', d['pfx_password']) and d['pending_file'] == '$WORK/quinn.pfx.pending'"
quinn_pass=$(jget "d['pfx_password']")
cp "$WORK/quinn.pfx.pending" "$WORK/kept.pending"
cp "$WORK/quinn.pfx.pending" "$WORK/kept2.pending"
"$OPENSSL" pkey -in "$WORK/quinn.pfx.pending" -passin "pass:$quinn_pass" -pubout \
    -out "$WORK/quinn-pending.pub" 2>/dev/null || fail "B.11: the generated password does not open the key"
run poll "${CONN[@]}" --pending "$WORK/quinn.pfx.pending" --pfx-pass "$quinn_pass" \
    --chain-out "$WORK/quinn-chain.pem" --json
expect_rc 0 "B.11 poll"
jcheck "B.11 poll" "d['status'] == 'ok' and d['pfx_file'] == '$WORK/quinn.pfx' and d['chain_count'] == 2 and d['pending_file_removed'] is True and re.fullmatch('[0-9A-F]{40}', d['thumbprint']) and d['pfx_password'] is None"
lacks "$WORK/out" "$quinn_pass" "B.11 poll: the given password is not echoed"
pfx_leaf "$WORK/quinn.pfx" "$quinn_pass" "$WORK/quinn.pem" || fail "B.11: leaf"
"$OPENSSL" x509 -in "$WORK/quinn.pem" -noout -pubkey >"$WORK/quinn-cert.pub"
equal "$(cat "$WORK/quinn-cert.pub")" "$(cat "$WORK/quinn-pending.pub")" \
    "B.11: the certificate is for the key kept in the pending file"

# --out when the pending file does not end in .pending; a finished request answers again.
run poll "${CONN[@]}" --pending "$WORK/kept.pending" --pfx-pass "$quinn_pass" \
    --out "$WORK/quinn2.pfx" --json
expect_rc 0 "poll with --out"
jcheck "poll with --out" "d['pfx_file'] == '$WORK/quinn2.pfx'"

# --- a damaged pending file names its line ------------------------------------------------
printf 'pkiws pending request 1\nreference: R\nprofile: %s\nnickname: x\n' "$B.11" >"$WORK/bad.pending"
run poll "${CONN[@]}" --pending "$WORK/bad.pending" --pfx-pass x --json
expect_rc 1 "damaged pending file"
jcheck "damaged pending file" "d['error'] == 'PKIWS_E_INVALID_ARG' and 'bad.pending' in d['message'] and 'line 4' in d['message'] and 'nickname' in d['message']"
printf 'not a pending file\n' >"$WORK/other.pending"
run poll "${CONN[@]}" --pending "$WORK/other.pending" --pfx-pass x --json
expect_rc 1 "not a pending file"
jcheck "not a pending file" "'line 1' in d['message'] and 'not a pkiws pending file' in d['message']"

# Usage errors.
run poll "${CONN[@]}" --pfx-pass x
expect_usage_error "poll without --pending" "--pending FILE is required"
run poll "${CONN[@]}" --pending "$WORK/kept2.pending"
expect_rc 1 "poll of a file with a key, without --pfx-pass"
contains "$WORK/err" "--pfx-pass PASS (or --pfx-pass-env VAR) is required: the key in pending file" \
    "poll without --pfx-pass names what it needs"
run poll "${CONN[@]}" --pending "$WORK/quinn.pfx" --pfx-pass x
expect_usage_error "poll: name without .pending" "does not end in '.pending'"
run poll "${CONN[@]}" --pending "$WORK/a.pending" --pfx-pass x --out "$WORK/a.pending"
expect_usage_error "poll: --out over the pending file" "would overwrite the pending file"

sim_stop
equal "$(sim_stat pending)" 2 "the simulator held two requests"
finish
