#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim under valgrind: start (on an existing state directory), policy, issuance, pending,
# revocation, search, a refused handshake, SIGTERM: no memory error, no leak.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
    echo "valgrind is not installed: skipped"
    exit 77
fi
if ldd "$SIM" | grep -q libasan; then
    echo "pkiws-sim is built with AddressSanitizer, which excludes valgrind: skipped"
    exit 77
fi
sim_start pki
S=$SIM_STATE
sim_stop

STATE=$S SIM_WRAP="valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T/valgrind.log" \
    sim_start vg --fault delay:1@2
body_of "$EX/policy-getPolicies-by-oid.xml" >"$T/pol.req"
code=$(post policyService "$T/pol.req" "$T/pol.xml")
expect_eq "getPolicies" "$code" 200
body_of "$EX/enrollment-RequestSecurityToken-issue.xml" >"$T/iss.req"
code=$(post enrollmentService "$T/iss.req" "$T/iss.xml")
expect_eq "issue" "$code" 200
leaf_of "$T/iss.xml" "$T/leaf.pem"
new_key "$T/k.key"
rst "$T/pend.req" "$B.11" pend-vg "$(csr_b64 "$T/k.key")" common_name=Val san_email=val@contoso.com
code=$(post enrollmentService "$T/pend.req" "$T/pend.xml")
query "$T/q.req" "$B.11" "$(xml_text "$T/pend.xml" pendingTokenReferenceID)"
code=$(post enrollmentService "$T/q.req" "$T/q.xml")
expect_eq "pending -> issued" "$(xml_count "$T/q.xml" binarySecurityToken)" 1
rst "$T/bad.req" "$B.10" - "$(csr_b64 "$T/k.key")" common_name=A mail_firstname=a_b mail_lastname=B san_upn=a@b.example
code=$(post enrollmentService "$T/bad.req" "$T/bad.xml")
expect_eq "a refused issuance" "$code" 500
body_of "$EX/mgmt-updateCertificateStatusRequest-revoke-serial.xml" |
    sed "s|<m:certificateSerialNumber>[^<]*<|<m:certificateSerialNumber>$(serial_of "$T/leaf.pem")<|" >"$T/rev.req"
code=$(post certificateManagementService "$T/rev.req" "$T/rev.xml")
expect_eq "revoke" "$(xml_text "$T/rev.xml" revocationCount)" 1
{
    echo '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    body_of "$EX/mgmt-searchCertificateRequest-bare.xml" | sed -e '/^<?xml/d' -e 's|<status>VALID<|<status>REVOKED<|'
    echo '</soapenv:Body></soapenv:Envelope>'
} >"$T/search.req"
code=$(post certificateManagementService "$T/search.req" "$T/search.xml")
expect_eq "search" "$(xml_text "$T/search.xml" certificateCount)" 1
curl -sS --cacert "$S/trust.pem" -o /dev/null "$URL/healthcheckService" 2>/dev/null &&
    fail "a client without a certificate got through"
kill -TERM "$SIM_PID"
rc=0
wait "$SIM_PID" || rc=$?
SIM_PIDS=()
if [ "$rc" != 0 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$T/valgrind.log"; then
    fail "valgrind run exited with $rc: $(grep -v '^==[0-9]*== *$' "$T/valgrind.log" | head -80)"
fi
expect_eq "issued under valgrind" "$(sim_stat issued)" 2
ok "valgrind: start, policy, issuance, pending, refusal, revoke, search, refused handshake, SIGTERM: 0 errors, no leaks"
