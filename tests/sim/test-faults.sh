#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim --fault: every fault mode of product.md §10 does what it says; @N hits only the
# N-th request. One simulator per mode, all on one state directory.
. "$(dirname "$0")/lib.sh"

sim_start pki
S=$SIM_STATE
sim_stop
export STATE=$S

new_key "$T/k.key"
CSR=$(csr_b64 "$T/k.key")
body_of "$EX/healthcheck-getStatusRequestMessage.xml" >"$T/hc.req"
body_of "$EX/policy-getPolicies-by-oid.xml" >"$T/pol.req"
# issue_req OUT TXID: a valid Issue request for profile .1
issue_req() { rst "$1" "$B.1" "$2" "$CSR" common_name=Fault san_email=fault@contoso.com; }
now() { date +%s.%N; }
elapsed_ms() { "$PY" -c "print(int((float('$2') - float('$1')) * 1000))"; }
transport_failed() { # WHAT: no HTTP answer, curl failed
    expect_eq "$1: HTTP status" "$code" 000
    [ "$(curl_rc)" != 0 ] || fail "$1: curl succeeded"
}

# ---- delay:MS ----
sim_start delay --fault delay:1200
t0=$(now)
code=$(post healthcheckService "$T/hc.req" "$T/delay.xml")
ms=$(elapsed_ms "$t0" "$(now)")
expect_eq "delay: answer" "$code" 200
[ "$ms" -ge 1200 ] || fail "delay: answered after $ms ms, want >= 1200"
sim_stop
expect_eq "delay: faults_injected" "$(sim_stat faults_injected)" 1
ok "delay:1200 answers after $ms ms"

# ---- reset: closed (TCP RST) before answering; the request is not processed ----
sim_start reset --fault reset
issue_req "$T/reset.req" reset-1
code=$(post enrollmentService "$T/reset.req" "$T/reset.out")
transport_failed reset
expect_eq "reset: curl rc (56 = receive failure)" "$(curl_rc)" 56
grep -q 'reset by peer' "$SIM_DIR/curl.err" || fail "reset: curl saw no reset: $(cat "$SIM_DIR/curl.err")"
sim_stop
expect_eq "reset: nothing issued" "$(sim_stat issued)" 0
expect_eq "reset: request counted" "$(sim_stat requests.RequestSecurityToken)" 1
ok "reset: connection reset before an answer, nothing issued"

# ---- drop-after-issue: issued, then closed without an answer; the retry gets the same ----
sim_start drop --fault drop-after-issue@1
issue_req "$T/drop.req" drop-1
code=$(post enrollmentService "$T/drop.req" "$T/drop1.out")
transport_failed drop-after-issue
code=$(post enrollmentService "$T/drop.req" "$T/drop2.xml")
expect_eq "drop-after-issue: retry with the same clientTransactionID" "$code" 200
validate "$T/drop2.xml"
sim_stop
expect_eq "drop-after-issue: issued once" "$(sim_stat issued)" 1
expect_eq "drop-after-issue: the retry re-sent it" "$(sim_stat reissued)" 1
ok "drop-after-issue@1: issued, no answer; the retry gets the certificate (issued 1, reissued 1)"

# ---- truncate: full Content-Length, half the body ----
sim_start truncate --fault truncate
code=$(post healthcheckService "$T/hc.req" "$T/trunc.xml")
expect_eq "truncate: curl rc (18 = partial file)" "$(curl_rc)" 18
[ -s "$T/trunc.xml" ] || fail "truncate: nothing received"
xmllint --noout "$T/trunc.xml" 2>/dev/null && fail "truncate: the body is complete"
sim_stop
ok "truncate: half the body, then close"

# ---- http500 / http503: not SOAP, not processed ----
sim_start http500 --fault http500
issue_req "$T/h500.req" h500-1
code=$(post enrollmentService "$T/h500.req" "$T/h500.out" -D "$T/h500.head")
expect_eq "http500" "$code" 500
expect_grep "http500: HTML" '^Content-Type: text/html' "$T/h500.head"
expect_no_grep "http500: no SOAP fault" 'Fault' "$T/h500.out"
sim_stop
expect_eq "http500: nothing issued" "$(sim_stat issued)" 0
sim_start http503 --fault http503
code=$(post healthcheckService "$T/hc.req" "$T/h503.out" -D "$T/h503.head")
expect_eq "http503" "$code" 503
expect_grep "http503: Retry-After" '^Retry-After: 1' "$T/h503.head"
sim_stop
ok "http500 / http503: HTML answers without a SOAP fault, request not processed"

# ---- soap-fault:TEXT ----
sim_start soapfault --fault 'soap-fault:Service busy: try again later'
code=$(post policyService "$T/pol.req" "$T/sf.xml")
expect_eq "soap-fault" "$code" 500
validate "$T/sf.xml"
expect_eq "soap-fault: faultstring" "$(xml_text "$T/sf.xml" faultstring)" "Service busy: try again later"
expect_eq "soap-fault: errorcode" "$(xml_text "$T/sf.xml" errorcode)" 9000
sim_stop
ok "soap-fault:TEXT: HTTP 500 SOAP fault with that faultstring"

# ---- malformed-xml / wrong-namespace ----
sim_start malformed --fault malformed-xml
code=$(post healthcheckService "$T/hc.req" "$T/mal.xml")
expect_eq "malformed-xml: status" "$code" 200
xmllint --noout "$T/mal.xml" 2>/dev/null && fail "malformed-xml: the answer is well-formed"
sim_stop
sim_start wrongns --fault wrong-namespace
issue_req "$T/wn.req" wn-1
code=$(post enrollmentService "$T/wn.req" "$T/wn.xml")
expect_eq "wrong-namespace: status" "$code" 200
xmllint --noout "$T/wn.xml" || fail "wrong-namespace: not well-formed"
expect_grep "wrong-namespace: WS-Trust without the slash" 'xmlns:ns2="http://docs.oasis-open.org/ws-sx/ws-trust/200512"' "$T/wn.xml"
"$VALIDATE" "$T/wn.xml" >"$T/wn.val" 2>&1 && fail "wrong-namespace: the answer passes the schema check"
expect_grep "wrong-namespace: validator" 'not a pki-ws message' "$T/wn.val"
code=$(post policyService "$T/pol.req" "$T/wn-pol.xml")
expect_grep "wrong-namespace: policy" 'xmlns:ns2="http://schemas.verisign.com/pkiservices/2009/07/unknown"' "$T/wn-pol.xml"
sim_stop
ok "malformed-xml (not well-formed) and wrong-namespace (body element in another namespace)"

# ---- empty-token / not-pkcs7 ----
sim_start empty --fault empty-token
issue_req "$T/et.req" et-1
code=$(post enrollmentService "$T/et.req" "$T/et.xml")
expect_eq "empty-token: status" "$code" 200
validate "$T/et.xml"
expect_grep "empty-token" '<ns3:binarySecurityToken [^>]*(/>|></ns3:binarySecurityToken>)' "$T/et.xml"
sim_stop
sim_start notp7 --fault not-pkcs7
issue_req "$T/np.req" np-1
code=$(post enrollmentService "$T/np.req" "$T/np.xml")
expect_eq "not-pkcs7: status" "$code" 200
validate "$T/np.xml"
token_of "$T/np.xml" "$T/np.der"
[ -s "$T/np.der" ] || fail "not-pkcs7: empty token"
"$OPENSSL" pkcs7 -inform DER -in "$T/np.der" -noout 2>/dev/null && fail "not-pkcs7: the token is a PKCS#7"
"$OPENSSL" x509 -inform DER -in "$T/np.der" -noout 2>/dev/null && fail "not-pkcs7: the token is a certificate"
sim_stop
ok "empty-token (empty binarySecurityToken) and not-pkcs7 (base64 of something else), both schema-valid"

# ---- huge-response[:BYTES] ----
sim_start huge --fault huge-response:5000000
code=$(post healthcheckService "$T/hc.req" "$T/huge.xml")
expect_eq "huge-response: status" "$code" 200
size=$(stat -c %s "$T/huge.xml")
[ "$size" = 5000000 ] || fail "huge-response: $size bytes, want 5000000"
xmllint --noout --huge "$T/huge.xml" || fail "huge-response: not well-formed"
expect_grep "huge-response: still the answer" 'statusCode>UP<' "$T/huge.xml"
sim_stop
ok "huge-response:5000000: a well-formed answer of $size bytes"

# ---- slow-drip[:MS] ----
sim_start drip --fault slow-drip:100
t0=$(now)
code=$(post healthcheckService "$T/hc.req" "$T/drip.xml" --max-time 2)
ms=$(elapsed_ms "$t0" "$(now)")
expect_eq "slow-drip: curl rc (28 = timeout)" "$(curl_rc)" 28
got=$(stat -c %s "$T/drip.xml" 2>/dev/null || echo 0)
[ "$got" -gt 0 ] && [ "$got" -lt 100 ] || fail "slow-drip: $got bytes in 2 s, want a few"
sim_stop
ok "slow-drip:100: $got bytes in $ms ms, the client times out"

# ---- pending:N ----
sim_start pending --fault pending:2
issue_req "$T/pn.req" pn-1
code=$(post enrollmentService "$T/pn.req" "$T/pn0.xml")
expect_eq "pending:2: Issue" "$code" 200
validate "$T/pn0.xml"
ref=$(xml_text "$T/pn0.xml" pendingTokenReferenceID)
[ -n "$ref" ] || fail "pending:2: no reference"
query "$T/pnq.req" "$B.1" "$ref"
code=$(post enrollmentService "$T/pnq.req" "$T/pn1.xml")
expect_eq "pending:2: first poll still pending" "$(xml_text "$T/pn1.xml" pendingTokenReferenceID)" "$ref"
code=$(post enrollmentService "$T/pnq.req" "$T/pn2.xml")
validate "$T/pn2.xml"
leaf_of "$T/pn2.xml" "$T/pn.pem"
sim_stop
expect_eq "pending:2: issued" "$(sim_stat issued)" 1
ok "pending:2: PENDING, still PENDING on the first poll, issued on the second"

# ---- @N: only the N-th request ----
sim_start nth --fault http500@2
for i in 1 2 3; do
    code=$(post healthcheckService "$T/hc.req" "$T/nth$i.out")
    echo "$code" >>"$T/nth.codes"
done
expect_eq "http500@2" "$(tr '\n' ' ' <"$T/nth.codes")" "200 500 200 "
sim_stop
expect_eq "@2: one fault injected" "$(sim_stat faults_injected)" 1
ok "@N: http500@2 hits only the second request"
