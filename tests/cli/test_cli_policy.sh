#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws policy: a profile's template from this script's own pkiws-sim or from a file, as text
# and JSON; verdicts for selections; unknown profile.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

# --- B.10: CN, mail_firstname / mail_lastname (alias table), UPN ---------------------------
run policy "${CONN[@]}" --profile "$B.10" --json
expect_rc 0 "policy B.10"
jcheck "policy B.10: status" "d['status'] == 'ok' and d['error'] is None and d['profile'] == '$B.10' and d['template'] is None"
jcheck "policy B.10: facts" "d['key_size'] == 2048 and d['key_algorithm'] == 'rsa' and d['validity_days'] == 365 and d['ca_count'] == 2 and (d['next_update_hours'] is None or d['next_update_hours'] >= 0)"
jcheck "policy B.10: attributes" "[(a['name'], a['type'], a['mandatory'], a['part'], a['field'], a['fixed_value']) for a in d['attributes']] == [('common_name', 'CN', True, 'subject', 'cn', None), ('mail_firstname', None, True, 'subject', 'given_name', None), ('mail_lastname', None, True, 'subject', 'family_name', None), ('san_upn', 'otherName:1.3.6.1.4.1.311.20.2.3', True, 'san', 'upn', None)]"
jcheck "policy B.10: no verdicts without selections" "d['checks'] == []"

# --- B.12: an EC profile ----------------------------------------------------------------------
run policy "${CONN[@]}" --profile "$B.12" --json
expect_rc 0 "policy B.12"
jcheck "policy B.12: EC" "d['key_algorithm'] == 'ec' and d['key_size'] == 256"

# --- B.47196109 as text: the fixed O, an optional E ------------------------------------------
run policy "${CONN[@]}" --profile "$B.47196109"
expect_rc 0 "policy human"
contains "$WORK/out" "profile: $B.47196109 (template from the policy service)" "human: profile"
contains "$WORK/out" "key: RSA 2048 bits" "human: key"
contains "$WORK/out" "validity: 365 days" "human: validity"
contains "$WORK/out" "CA certificates: 2" "human: CA count"
checks=$((checks + 1))
grep -Eq '^  corp_company +O +yes +subject +\(fixed\) +Contoso Ltd$' "$WORK/out" ||
    fail "human: the fixed O attribute line: $(grep corp_company "$WORK/out")"
checks=$((checks + 1))
grep -Eq '^  mail_email +E +no +subject +subject_email$' "$WORK/out" ||
    fail "human: the optional E attribute line: $(grep mail_email "$WORK/out")"
checks=$((checks + 1))
grep -Eq '^  san_email +rfc822Name +yes +SAN +email$' "$WORK/out" ||
    fail "human: the e-mail SAN attribute line: $(grep san_email "$WORK/out")"
checks=$((checks + 1))
grep -q ' $' "$WORK/out" && fail "human: trailing blanks"

# --- selections: verdicts; a mismatch is a failure with the verdicts kept --------------------
run policy "${CONN[@]}" --profile "$B.47196109" --subject-format cn-email --san email,upn --json
expect_rc 0 "policy with selections"
jcheck "policy with selections" "d['checks'] and all(c['verdict'] == 'ok' for c in d['checks']) and any(c['name'] == 'SAN type UPN' for c in d['checks'])"
run policy "${CONN[@]}" --profile "$B.1" --san upn --json
expect_rc 1 "policy mismatch"
jcheck "policy mismatch" "d['error'] == 'PKIWS_E_POLICY_MISMATCH' and any(c['verdict'] == 'missing from template' for c in d['checks']) and len(d['attributes']) == 2"
# --map moves a field to another attribute; the listing shows it.
run policy "${CONN[@]}" --profile "$B.13" --map upn=san_email --json
expect_rc 0 "policy with --map"
jcheck "policy with --map" "[a['field'] for a in d['attributes'] if a['name'] == 'san_email'] == ['upn']"

# --- offline: the vendor's example, no connection options at all ---------------------------
tmpl="$SHARED/wsdl/examples/policy-getPoliciesResponse.xml"
run policy --template "$tmpl" --profile "$B.47196109" --json
expect_rc 0 "policy offline"
jcheck "policy offline" "d['template'] == '$tmpl' and [a['name'] for a in d['attributes']] == ['common_name', 'mail_email', 'corp_company', 'san_email', 'san_upn'] and [a['fixed_value'] for a in d['attributes'] if a['name'] == 'corp_company'] == ['Contoso Ltd']"
run policy --template "$tmpl" --profile "$B.47196109"
expect_rc 0 "policy offline, human"
contains "$WORK/out" "(template from $tmpl)" "policy offline, human: source"

# --- errors ------------------------------------------------------------------------------------
run policy "${CONN[@]}" --profile "$B.999" --json
expect_rc 1 "unknown profile"
jcheck "unknown profile" "d['error'] == 'PKIWS_E_PROFILE_NOT_FOUND' and d['remedy'] and d['attributes'] == [] and d['key_size'] is None"
run policy "${CONN[@]}" --profile "$B.999"
expect_rc 1 "unknown profile, human"
contains "$WORK/err" "remedy: " "unknown profile, human: remedy"
checks=$((checks + 1))
[ -s "$WORK/out" ] && fail "unknown profile, human: stdout not empty"
run policy --template "$tmpl" --profile 1.2.3.4 --json
expect_rc 1 "offline, OID not in the file"
jcheck "offline, OID not in the file" "d['error'] == 'PKIWS_E_PROFILE_NOT_FOUND' and '1.2.3.4' in d['message']"
run policy --profile "$B.1"
expect_usage_error "no template and no CA" "--template FILE is required, or --ca / --base-url"
run policy "${CONN[@]}"
expect_usage_error "no profile" "--profile OID is required"
sim_stop

# --- a timeout is retryable, as for issue (one rule: docs/errors.md) --------------------------
sim_start --fault delay:30000 || {
    echo "FAIL: cannot start pkiws-sim with a delay" >&2
    exit 1
}
run policy "${CONN[@]}" --profile "$B.1" --timeout-ms 1000 --json
expect_rc 1 "policy on a timeout"
jcheck "policy on a timeout: retryable" "d['error'] == 'PKIWS_E_TIMEOUT' and d['retryable'] is True"
sim_stop
finish
