#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws preflight against the vendor-schema example template: subject, SAN fallbacks, trace
# sources, template verdicts, mismatch, bad OID.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

tmpl="$SHARED/wsdl/examples/policy-getPoliciesResponse.xml"
# The profile OID is the oID whose reference the policy names (policyOIDReference).
oid=$("$PYTHON" -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
ref = re.search(r"<ns2:policyOIDReference>(\d+)<", t).group(1)
for value, rid in re.findall(r"<ns2:oID>\s*<ns2:value>([0-9.]+)</ns2:value>\s*<ns2:oIDReferenceID>(\d+)<", t):
    if rid == ref:
        print(value)
' "$tmpl")
equal "$oid" 2.16.840.1.113733.1.16.1.2.3.1.1.47196109 "profile OID found in the example"

pf() {
    run preflight --template "$tmpl" --profile "$oid" "$@"
}

# All values given: each SAN from its own request field; subject CN + E (+ the fixed O).
pf --subject-format cn-email --san email,upn --cn Alice --email alice@contoso.com \
    --upn alice@contoso.onmicrosoft.com --seat alice-seat --json
expect_rc 0 "all given"
jcheck "all given: status" "d['status'] == 'ok' and d['code'] == 0 and d['error'] is None and d['remedy'] is None and d['retryable'] is False and d['profile'] == '$oid'"
jcheck "all given: subject" "d['subject'].startswith('CN=Alice,E=alice@contoso.com')"
jcheck "all given: san" "sorted((s['type'], s['value'], s['source']) for s in d['san']) == [('email', 'alice@contoso.com', 'request.email'), ('upn', 'alice@contoso.onmicrosoft.com', 'request.upn')]"
jcheck "all given: trace has the CN" "any(t['field'] == 'cn' and t['value'] == 'Alice' and t['source'] == 'request.cn' for t in d['trace'])"
jcheck "all given: checks" "len(d['checks']) > 0 and all(c['verdict'] == 'ok' for c in d['checks']) and all(set(c) == {'name', 'verdict', 'detail', 'remedy'} for c in d['checks'])"

# The same in human text.
pf --subject-format cn-email --san email,upn --cn Alice --email alice@contoso.com \
    --upn alice@contoso.onmicrosoft.com --seat alice-seat
expect_rc 0 "all given, human"
contains "$WORK/out" "subject: CN=Alice,E=alice@contoso.com" "human: subject"
contains "$WORK/out" "from request.email" "human: SAN source"
contains "$WORK/out" "alice@contoso.onmicrosoft.com" "human: UPN value"
contains "$WORK/out" "template checks:" "human: checks"
contains "$WORK/out" "preflight: ok" "human: verdict"

# EMAIL falls back to the UPN when there is no e-mail.
pf --san email --cn Bob --upn bob@contoso.com --seat bob --json
expect_rc 0 "email from UPN"
jcheck "email from UPN" "[(s['type'], s['value'], s['source']) for s in d['san']] == [('email', 'bob@contoso.com', 'request.upn')]"

# UPN falls back to the e-mail when there is no UPN.
pf --san email,upn --cn Carol --email carol@contoso.com --seat carol --json
expect_rc 0 "UPN from e-mail"
jcheck "UPN from e-mail" "sorted((s['type'], s['value'], s['source']) for s in d['san']) == [('email', 'carol@contoso.com', 'request.email'), ('upn', 'carol@contoso.com', 'request.email')]"

# Neither: the subject's e-mail-shaped CN.
pf --subject-format cn --san email --cn dave@contoso.com --seat dave --json
expect_rc 0 "email from the subject CN"
jcheck "email from the subject CN" "[(s['type'], s['value'], s['source']) for s in d['san']] == [('email', 'dave@contoso.com', 'subject.CN')]"

# CN as e-mail: the CN comes from the e-mail.
pf --subject-format cn-as-email --san email --email erin@contoso.com --seat erin --json
expect_rc 0 "CN as e-mail"
jcheck "CN as e-mail" "d['subject'].startswith('CN=erin@contoso.com')"

# No source for EMAIL at all: SAN unresolved, the three sources named.
pf --san email --cn Frank --seat frank --json
expect_rc 1 "email unresolved"
jcheck "email unresolved" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_SAN_UNRESOLVED' and d['code'] == -500 and 'EMAIL' in d['message']"

# Mismatch: the template has no otherName attribute.
pf --san email,othername --cn Grace --email grace@contoso.com --seat grace \
    --othername 1.3.6.1.4.1.99999.1=04:03:41:42:43 --json
expect_rc 1 "mismatch"
jcheck "mismatch: error" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_POLICY_MISMATCH' and d['code'] == -401 and d['message'] != '' and d['remedy']"
jcheck "mismatch: verdict" "any(c['verdict'] == 'missing from template' for c in d['checks'])"
pf --san email,othername --cn Grace --email grace@contoso.com --seat grace \
    --othername 1.3.6.1.4.1.99999.1=04:03:41:42:43
expect_rc 1 "mismatch, human"
contains "$WORK/out" "missing from template" "mismatch, human: verdict on stdout"
contains "$WORK/err" "PKIWS_E_POLICY_MISMATCH" "mismatch, human: error on stderr"
contains "$WORK/err" "remedy: " "mismatch, human: remedy on stderr"

# --map reaches the profile: e-mail mapped to an attribute the template lacks is a mismatch,
# mapped to the attribute the convention finds anyway it is not.
pf --san email --cn Heidi --email heidi@contoso.com --seat heidi --map email=no_such_attr --json
expect_rc 1 "mapping to a missing attribute"
jcheck "mapping to a missing attribute" "d['error'] == 'PKIWS_E_POLICY_MISMATCH' and 'no_such_attr' in d['message']"
pf --san email --cn Heidi --email heidi@contoso.com --seat heidi --map email=SAN_EMAIL --json
expect_rc 0 "mapping to the attribute of the convention"

# -v logs to stderr only: stdout stays one JSON object.
pf --san email --cn Ivan --email ivan@contoso.com --seat ivan -vvv --json
expect_rc 0 "-vvv with --json"
jcheck "-vvv with --json" "d['status'] == 'ok'"

# A bad profile OID: the error names the OID and what is wrong with it.
run preflight --template "$tmpl" --profile 2.16.840.01.113733 --cn Alice --json
expect_rc 1 "bad OID"
jcheck "bad OID" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_CONFIG' and \"'2.16.840.01.113733'\" in d['message'] and 'leading zero' in d['message'] and d['remedy'] and d['subject'] is None and d['san'] == [] and d['checks'] == []"
# An OID the template does not have.
run preflight --template "$tmpl" --profile 1.2.3.4 --cn Alice --json
expect_rc 1 "unknown profile"
jcheck "unknown profile" "d['error'] == 'PKIWS_E_PROFILE_NOT_FOUND' and '1.2.3.4' in d['message']"
# A template file that is not there.
run preflight --template "$WORK/none.xml" --profile "$oid" --cn Alice --json
expect_rc 1 "missing template"
jcheck "missing template" "d['status'] == 'failed' and 'none.xml' in d['message']"
# A connection option is checked even offline.
run preflight --template "$tmpl" --profile "$oid" --cn Alice --ca https://pki-ws.symauth.com --json
expect_rc 1 "CA with a scheme"
jcheck "CA with a scheme" "d['error'] == 'PKIWS_E_CONFIG' and ':' in d['message']"

# The RA credential options reach the session (offline: loaded and checked, not used).
make_pki || fail "openssl could not make the test PKI"
P="$WORK/pki"
ok_args=(--san email --cn Kim --email kim@contoso.com --seat kim)
pf "${ok_args[@]}" --ra-cert "$P/alice.pem" --ra-key "$P/alice.key"
expect_rc 0 "RA from PEM files"
pf "${ok_args[@]}" --ra-cert "$P/alice.pem" --ra-key "$P/ca.key" --json
expect_rc 1 "RA key of another certificate"
jcheck "RA key of another certificate" "d['error'] == 'PKIWS_E_RA_CREDENTIAL'"
"$OPENSSL" pkcs12 -export -legacy -in "$P/alice.pem" -inkey "$P/alice.key" \
    -passout pass:Ra-Pass1 -out "$WORK/ra.p12" 2>/dev/null || fail "openssl pkcs12 -export"
export PKIWS_TEST_RA_PASS=Ra-Pass1
pf "${ok_args[@]}" --ra-p12 "$WORK/ra.p12" --ra-pass-env PKIWS_TEST_RA_PASS
expect_rc 0 "RA from a Windows-style PKCS#12"
pf "${ok_args[@]}" --ra-p12 "$WORK/ra.p12" --ra-pass wrong --json
expect_rc 1 "RA PKCS#12, wrong password"
jcheck "RA PKCS#12, wrong password" "d['status'] == 'failed' and d['message'] != ''"
mkdir "$WORK/store"
cp "$P/alice.pem" "$WORK/store/ra.pem"
cp "$P/alice.key" "$WORK/store/ra.key"
cp "$P/root.pem" "$WORK/store/root.pem"
thumb=$(sha1_of "$P/alice.pem" | sed 's/../& /g')
pf "${ok_args[@]}" --ra-store "$WORK/store" --thumbprint "$thumb"
expect_rc 0 "RA from a store by thumbprint"
pf "${ok_args[@]}" --ra-store "$WORK/store" --thumbprint "$(sha1_of "$P/ca.pem")" --json
expect_rc 1 "RA store without that thumbprint"
jcheck "RA store without that thumbprint" "d['error'] == 'PKIWS_E_RA_CREDENTIAL'"

# Usage errors.
run preflight --profile "$oid" --cn Alice
expect_usage_error "no template" "--template FILE is required"
run preflight --template "$tmpl" --cn Alice
expect_usage_error "no profile" "--profile OID is required"
pf --san email,x400
expect_usage_error "bad SAN type" "'x400' at position 7"
pf --subject-format dn
expect_usage_error "bad subject format" "--subject-format 'dn'"
pf --othername 1.2.3
expect_usage_error "othername without value" "--othername '1.2.3': expected OID=HEX"
pf --map nickname=common_name
expect_usage_error "unknown mapping field" "--map 'nickname=common_name': unknown field"
pf --ca pki-ws.symauth.com --base-url https://h/pki-ws
expect_usage_error "--ca and --base-url" "exclude each other"
pf --ra-cert "$WORK/ra.pem"
expect_usage_error "--ra-cert without --ra-key" "--ra-cert and --ra-key go together"
pf --timeout-ms soon
expect_usage_error "bad timeout" "--timeout-ms 'soon'"
pf --transport carrier-pigeon
expect_usage_error "bad transport" "--transport 'carrier-pigeon': expected curl"
pf --san email --cn Judy --email judy@contoso.com --seat judy --transport curl \
    --timeout-ms 30000 --connect-timeout-ms 5000 --ca pki-ws.symauth.com:443 --ca-name Symantec
expect_rc 0 "connection options accepted offline"
pf --san email --cn Judy --email judy@contoso.com --seat judy --ca-name DigiCert --json
expect_rc 1 "CA name other than Symantec"
jcheck "CA name other than Symantec" "d['error'] == 'PKIWS_E_CONFIG' and 'Symantec' in d['message']"

finish
