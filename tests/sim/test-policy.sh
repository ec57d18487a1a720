#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim policy service and request routing: getPolicies by OID / xsi:nil, unknown OID,
# the built-in and a --policy catalogue, dispatch on the body element, SOAP-level errors.
. "$(dirname "$0")/lib.sh"

: "${SIM_SRC:?}"
# The built-in catalogue is itself a valid getPoliciesResponse.
validate "$SIM_SRC/default-policy.xml"
ok "default-policy.xml validates against the vendor schema"

sim_start policy
S=$SIM_STATE
b64_der() { "$OPENSSL" x509 -in "$1" -outform DER | base64 -w0; }

body_of "$EX/policy-getPolicies-by-oid.xml" >"$T/by-oid.xml"
code=$(post policyService "$T/by-oid.xml" "$T/by-oid-resp.xml" \
    -H 'SOAPAction: "http://schemas.verisign.com/pkiservices/2009/07/policy/requestPolicies"')
expect_eq "getPolicies by OID" "$code" 200
validate "$T/by-oid-resp.xml"
expect_eq "policies returned" "$(xml_count "$T/by-oid-resp.xml" policy)" 1
expect_grep "the requested profile" "<ns2:value>$B.47196109</ns2:value>" "$T/by-oid-resp.xml"
expect_no_grep "other profiles filtered out" "<ns2:value>$B.1</ns2:value>" "$T/by-oid-resp.xml"
expect_eq "clientTransactionID echoed" "$(xml_text "$T/by-oid-resp.xml" clientTransactionID)" pkiws-5b1e7c40-0001
[ -n "$(xml_text "$T/by-oid-resp.xml" serverTransactionID)" ] || fail "no serverTransactionID"
expect_eq "cA/certificate is the issuing CA" "$(xml_text "$T/by-oid-resp.xml" certificate)" "$(b64_der "$S/issuing-ca.pem")"
expect_eq "cA/rootCACertificate is the root" "$(xml_text "$T/by-oid-resp.xml" rootCACertificate)" "$(b64_der "$S/root-ca.pem")"
expect_grep "Content-Type of answers" '^text/xml;charset=utf-8$' <(curl -sS --cacert "$S/trust.pem" \
    --cert "$S/ra.pem" --key "$S/ra.key" -H 'Content-Type: text/xml' --data-binary @"$T/by-oid.xml" \
    -o /dev/null -w '%{content_type}\n' "$URL/policyService")
ok "getPolicies by OID: one policy, echo, the simulator's CA certificates, schema-valid"

body_of "$EX/policy-getPolicies-nil-filter.xml" >"$T/nil.xml"
code=$(post policyService "$T/nil.xml" "$T/nil-resp.xml" -H 'SOAPAction: "anything at all"')
expect_eq "getPolicies with xsi:nil filter" "$code" 200
validate "$T/nil-resp.xml"
expect_eq "every profile of the built-in catalogue" "$(xml_count "$T/nil-resp.xml" policy)" 16
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 47196109; do
    expect_grep "profile $B.$n" "<ns2:value>$B.$n</ns2:value>" "$T/nil-resp.xml"
done
ok "getPolicies with requestFilter xsi:nil: all 16 profiles (any SOAPAction)"

sed "s|<pol:oid>[^<]*</pol:oid>|<pol:oid>$B.2</pol:oid><pol:oid>$B.11</pol:oid>|" "$T/by-oid.xml" >"$T/two.xml"
code=$(post policyService "$T/two.xml" "$T/two-resp.xml")
expect_eq "two OIDs" "$code" 200
validate "$T/two-resp.xml"
expect_eq "two policies" "$(xml_count "$T/two-resp.xml" policy)" 2
ok "getPolicies with two OIDs"

sed "s|<pol:oid>[^<]*</pol:oid>|<pol:oid>$B.999</pol:oid>|" "$T/by-oid.xml" >"$T/unknown.xml"
code=$(post policyService "$T/unknown.xml" "$T/unknown-resp.xml")
expect_eq "unknown OID" "$code" 500
validate "$T/unknown-resp.xml"
expect_eq "faultstring" "$(xml_text "$T/unknown-resp.xml" faultstring)" "A request element is not understood."
expect_eq "faultcode" "$(xml_text "$T/unknown-resp.xml" faultcode)" "S:Server"
expect_eq "detail/errorcode" "$(xml_text "$T/unknown-resp.xml" errorcode)" 1012
expect_eq "detail/message" "$(xml_text "$T/unknown-resp.xml" message)" "A request element is not understood."
ok "unknown profile OID: SOAP fault 'A request element is not understood.' (HTTP 500)"

# ---- routing and SOAP-level errors ----
code=$(post enrollmentService "$T/by-oid.xml" "$T/wrong-ep.xml")
expect_eq "getPolicies sent to the enrollment endpoint" "$code" 500
validate "$T/wrong-ep.xml"
expect_grep "dispatch fault" 'Cannot find dispatch method for \{http://schemas.verisign.com/pkiservices/2009/07/policy\}getPolicies' "$T/wrong-ep.xml"
code=$(post policyService "$T/by-oid.xml" "$T/ctype.txt" -H 'Content-Type: application/soap+xml')
expect_eq "SOAP 1.2 content type" "$code" 415
expect_grep "415 text" 'Unsupported Content-Type: application/soap\+xml' "$T/ctype.txt"
printf '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><a>' >"$T/broken.xml"
code=$(post policyService "$T/broken.xml" "$T/broken-resp.xml")
expect_eq "malformed request" "$code" 500
validate "$T/broken-resp.xml"
expect_eq "malformed request: faultcode" "$(xml_text "$T/broken-resp.xml" faultcode)" "S:Client"
sed 's|http://schemas.xmlsoap.org/soap/envelope/|http://www.w3.org/2003/05/soap-envelope|' "$T/by-oid.xml" >"$T/soap12.xml"
code=$(post policyService "$T/soap12.xml" "$T/soap12-resp.xml")
expect_eq "SOAP 1.2 envelope" "$code" 500
expect_eq "SOAP 1.2 envelope: faultcode" "$(xml_text "$T/soap12-resp.xml" faultcode)" "S:VersionMismatch"
# Children in the wrong namespace are not the schema's elements: the filter is not seen.
sed 's|<pol:oid>|<oid xmlns="urn:other">|; s|</pol:oid>|</oid>|' "$T/by-oid.xml" >"$T/ns.xml"
code=$(post policyService "$T/ns.xml" "$T/ns-resp.xml")
expect_eq "oid in another namespace" "$code" 500
code=$(post nosuchService "$T/by-oid.xml" "$T/404.txt")
expect_eq "unknown endpoint" "$code" 404
code=$(curl -sS --cacert "$S/trust.pem" --cert "$S/ra.pem" --key "$S/ra.key" -o /dev/null -w '%{http_code}' "$URL/policyService")
expect_eq "GET" "$code" 405
ok "routing: wrong endpoint, 415, malformed XML, SOAP 1.2, foreign namespace, 404, 405"
sim_stop
expect_eq "stats: getPolicies" "$(sim_stat requests.getPolicies)" 9
expect_eq "stats: SOAP faults" "$(sim_stat soap_faults)" 5

# ---- --policy FILE: the vendor example as the catalogue (its HTTP head is skipped) ----
STATE=$S sim_start custom --policy "$EX/policy-getPoliciesResponse.xml"
expect_grep "catalogue loaded" 'catalogue: 1 profiles from .*policy-getPoliciesResponse.xml' "$SIM_DIR/stderr"
code=$(post policyService "$T/nil.xml" "$T/custom-resp.xml")
expect_eq "getPolicies from --policy" "$code" 200
validate "$T/custom-resp.xml"
expect_eq "one policy" "$(xml_count "$T/custom-resp.xml" policy)" 1
expect_grep "its profile" 'Contoso Intune user' "$T/custom-resp.xml"
expect_eq "its CA replaced" "$(xml_text "$T/custom-resp.xml" certificate)" "$(b64_der "$S/issuing-ca.pem")"
sed "s|<pol:oid>[^<]*</pol:oid>|<pol:oid>$B.1</pol:oid>|" "$T/by-oid.xml" >"$T/b1.xml"
code=$(post policyService "$T/b1.xml" "$T/custom-b1.xml")
expect_eq "a built-in profile is gone" "$code" 500
sim_stop
echo '<notAPolicy/>' >"$T/bad-policy.xml"
rc=0
"$SIM" --state-dir "$S" --policy "$T/bad-policy.xml" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
expect_eq "bad --policy exit status" "$rc" 1
expect_grep "bad --policy message" 'is not a getPoliciesResponse document' "$T/bad.err"
rc=0
"$SIM" --state-dir "$S" --fault nonsense >"$T/bad.out" 2>"$T/bad.err" || rc=$?
expect_eq "bad --fault exit status" "$rc" 2
expect_grep "bad --fault message" "unknown fault 'nonsense'" "$T/bad.err"
ok "--policy FILE replaces the catalogue; a bad catalogue or fault stops the start"
