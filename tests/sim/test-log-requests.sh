#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim --log-requests DIR: every request body lands in DIR/NNNN-<operation>.xml, byte for
# byte, and the vendor's example requests pass pkiws-validate from there.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/requests"
sim_start log --log-requests "$T/requests"
i=0
send() { # SERVICE FILE
    i=$((i + 1))
    body_of "$2" >"$T/sent$i.xml"
    code=$(post "$1" "$T/sent$i.xml" "$T/resp$i.xml")
    [ "$code" != 000 ] || fail "no answer to $2"
}
send policyService "$EX/policy-getPolicies-by-oid.xml"
send policyService "$EX/policy-getPolicies-nil-filter.xml"
send enrollmentService "$EX/enrollment-RequestSecurityToken-issue.xml"
send enrollmentService "$EX/enrollment-RequestSecurityToken-query-status.xml"
send certificateManagementService "$EX/mgmt-updateCertificateStatusRequest-revoke-serial.xml"
send certificateManagementService "$EX/mgmt-updateCertificateStatusRequest-revoke-seat.xml"
send healthcheckService "$EX/healthcheck-getStatusRequestMessage.xml"
printf 'not xml at all' >"$T/garbage.txt"
send policyService "$T/garbage.txt"
# A chunked request is logged de-chunked.
i=$((i + 1))
cp "$T/sent7.xml" "$T/sent$i.xml"
code=$(post healthcheckService "$T/sent$i.xml" "$T/resp$i.xml" -H 'Transfer-Encoding: chunked')
sim_stop

want="0001-getPolicies.xml 0002-getPolicies.xml 0003-RequestSecurityToken.xml
0004-RequestSecurityToken.xml 0005-updateCertificateStatus.xml 0006-updateCertificateStatus.xml
0007-getStatus.xml 0008-other.xml 0009-getStatus.xml"
expect_eq "logged files" "$(cd "$T/requests" && ls | tr '\n' ' ')" "$(echo $want) "
n=0
for f in $want; do
    n=$((n + 1))
    cmp -s "$T/requests/$f" "$T/sent$n.xml" || fail "$f differs from request $n"
done
ok "--log-requests: one file per request, NNNN-<operation>.xml, the body byte for byte"
"$VALIDATE" --direction request "$T"/requests/000[1-79]-*.xml >"$T/val.out" 2>&1 ||
    fail "logged requests fail the schema check: $(cat "$T/val.out")"
expect_eq "validated requests" "$(grep -c '^OK' "$T/val.out")" 10 # management twice (sdk, live)
ok "logged requests validate with pkiws-validate --direction request"
