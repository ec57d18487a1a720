#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim enrollment: issuance from template + nameValuePairs (every Intune combination of the
# built-in catalogue), RSTR vs RSTRC, X509v3 tokens, refusals worded like the service's,
# idempotent re-issue, pending -> issued.
. "$(dirname "$0")/lib.sh"

: "${SIM_SRC:?}"
sim_start issue
S=$SIM_STATE
issued=0 # certificates the simulator must have counted

info() { "$PY" "$SIM_SRC/certinfo.py" "$1"; }
spki_hash() { "$OPENSSL" pkey -in "$1" -pubout -outform DER | sha256sum | cut -d' ' -f1; }
# issue_ok NAME PROFILE KEY [name=value...]: issue, validate, leave the leaf in $T/NAME.pem and
# its facts in $T/NAME.info.
issue_ok() {
    local name=$1 oid=$2 key=$3 code
    shift 3
    rst "$T/$name.req" "$oid" "$name" "$(csr_b64 "$key")" "$@"
    code=$(post enrollmentService "$T/$name.req" "$T/$name.resp")
    expect_eq "$name: HTTP status ($(xml_text "$T/$name.resp" faultstring))" "$code" 200
    validate "$T/$name.resp"
    leaf_of "$T/$name.resp" "$T/$name.pem"
    "$OPENSSL" verify -CAfile "$S/root-ca.pem" -untrusted "$S/issuing-ca.pem" "$T/$name.pem" >/dev/null ||
        fail "$name: the certificate does not chain to the root"
    info "$T/$name.pem" >"$T/$name.info"
    expect_grep "$name: public key from the CSR" "^key $(spki_hash "$key")\$" "$T/$name.info"
    issued=$((issued + 1))
}
# issue_fault NAME PROFILE KEY FAULT-REGEX [name=value...]: the request must get a SOAP fault.
issue_fault() {
    local name=$1 oid=$2 key=$3 want=$4 code
    shift 4
    rst "$T/$name.req" "$oid" - "$(csr_b64 "$key")" "$@"
    code=$(post enrollmentService "$T/$name.req" "$T/$name.resp")
    expect_eq "$name: HTTP status" "$code" 500
    validate "$T/$name.resp"
    expect_grep "$name: faultstring" "<faultstring>$want" "$T/$name.resp"
}

new_key "$T/rsa.key"
new_key "$T/ec.key" ec

# ---- the vendor example, unchanged (profile of the Intune documentation) ----
body_of "$EX/enrollment-RequestSecurityToken-issue.xml" >"$T/ex.req"
code=$(post enrollmentService "$T/ex.req" "$T/ex.resp" \
    -H 'SOAPAction: "http://schemas.verisign.com/pkiservices/2009/07/enrollment/requestSecurityToken"')
expect_eq "example issue request" "$code" 200
validate "$T/ex.resp"
issued=$((issued + 1))
expect_count() { expect_eq "$1" "$(xml_count "$2" "$3")" "$4"; }
expect_count "a bare RSTR" "$T/ex.resp" RequestSecurityTokenResponse 1
expect_count "no collection" "$T/ex.resp" RequestSecurityTokenResponseCollection 0
expect_eq "clientTransactionID echoed" "$(xml_text "$T/ex.resp" clientTransactionID)" pkiws-5b1e7c40-0002
expect_eq "tokenType" "$(xml_text "$T/ex.resp" tokenType)" \
    'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7'
token_of "$T/ex.resp" "$T/ex.p7b"
"$OPENSSL" pkcs7 -inform DER -in "$T/ex.p7b" -print_certs -out "$T/ex-chain.pem"
expect_eq "certificates in the PKCS#7" "$(grep -c 'BEGIN CERT' "$T/ex-chain.pem")" 3
"$OPENSSL" pkcs7 -inform DER -in "$T/ex.p7b" -print_certs -noout | grep '^subject' >"$T/ex-subjects"
expect_grep "leaf first" '^subject=CN = alice@contoso.com, O = Contoso Ltd' <(head -1 "$T/ex-subjects")
expect_grep "then the issuing CA" 'CN = pkiws-sim Issuing CA' <(sed -n 2p "$T/ex-subjects")
expect_grep "then the root" 'CN = pkiws-sim Root CA' <(sed -n 3p "$T/ex-subjects")
leaf_of "$T/ex.resp" "$T/ex.pem"
"$OPENSSL" verify -CAfile "$S/root-ca.pem" -untrusted "$S/issuing-ca.pem" "$T/ex.pem" >/dev/null ||
    fail "example: leaf does not chain to the root"
info "$T/ex.pem" >"$T/ex.info"
expect_grep "subject from the template: CN, then the fixed O" '^subject CN=alice@contoso.com,O=Contoso Ltd$' "$T/ex.info"
expect_grep "SAN e-mail" '^san email:alice@contoso.com$' "$T/ex.info"
expect_grep "SAN UPN" '^san upn:alice@contoso.com$' "$T/ex.info"
expect_grep "key usage" '^ku digital_signature,key_encipherment critical$' "$T/ex.info"
expect_grep "EKU from the template" '^eku 1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4$' "$T/ex.info"
expect_grep "profile OID as certificate policy" "^policy $B.47196109\$" "$T/ex.info"
expect_grep "end entity" '^ca False$' "$T/ex.info"
expect_grep "validity from the template" '^days 365$' "$T/ex.info"
"$OPENSSL" x509 -in "$T/ex.pem" -noout -text >"$T/ex.txt"
expect_grep "openssl -text: SAN" 'email:alice@contoso.com, othername: UPN::alice@contoso.com' "$T/ex.txt"
expect_grep "openssl -text: EKU" 'TLS Web Client Authentication, E-mail Protection' "$T/ex.txt"
ok "vendor example request: RSTR with PKCS#7 (leaf, issuing CA, root), subject/SAN/KU/EKU from the template"

# RequestSecurityTokenResponseCollection when SOAPAction ends in requestSecurityToken2.
sed 's|pkiws-5b1e7c40-0002|rstrc-1|' "$T/ex.req" >"$T/rstrc.req"
code=$(post enrollmentService "$T/rstrc.req" "$T/rstrc.resp" \
    -H 'SOAPAction: "http://schemas.verisign.com/pkiservices/2009/07/enrollment/requestSecurityToken2"')
expect_eq "requestSecurityToken2" "$code" 200
validate "$T/rstrc.resp"
issued=$((issued + 1))
expect_count "collection" "$T/rstrc.resp" RequestSecurityTokenResponseCollection 1
# tokenType X509v3: the bare certificate.
TOKEN_TYPE='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3' \
    rst "$T/x509.req" "$B.1" x509-1 "$(csr_b64 "$T/rsa.key")" common_name=Bare san_email=bare@contoso.com
code=$(post enrollmentService "$T/x509.req" "$T/x509.resp")
expect_eq "X509v3 token" "$code" 200
validate "$T/x509.resp"
issued=$((issued + 1))
expect_grep "X509v3 tokenType" 'tokenType>[^<]*#X509v3<' "$T/x509.resp"
token_of "$T/x509.resp" "$T/x509.der"
"$OPENSSL" x509 -inform DER -in "$T/x509.der" -noout -subject | grep -q 'CN = Bare' ||
    fail "X509v3 token is not the bare certificate"
# The CSR may be PEM (as BouncyCastle clients send it).
pem=$("$OPENSSL" req -new -key "$T/rsa.key" -subj /CN=pem)
rst "$T/pem.req" "$B.1" pem-1 "$pem" common_name=Pem san_email=pem@contoso.com
code=$(post enrollmentService "$T/pem.req" "$T/pem.resp")
expect_eq "PEM CSR" "$code" 200
issued=$((issued + 1))
ok "RSTRC for requestSecurityToken2, X509v3 token, PEM CSR"

# ---- every Intune combination of the built-in catalogue ----
OTHER=BAi4umVBEjRWeA== # DER 04 08 b8ba654112345678 (the connector sends base64 of the hex)
OTHER_LINE='^san other:1.3.6.1.4.1.311.25.1:0408b8ba654112345678$'
issue_ok cn-email "$B.1" "$T/rsa.key" "common_name=Alice Example" san_email=alice@contoso.com
expect_grep "B.1 subject (not the CSR's)" '^subject CN=Alice Example$' "$T/cn-email.info"
expect_grep "B.1 SAN" '^san email:alice@contoso.com$' "$T/cn-email.info"
issue_ok cn-upn "$B.2" "$T/rsa.key" common_name=Alice san_upn=alice@corp.contoso.com
expect_grep "B.2 SAN" '^san upn:alice@corp.contoso.com$' "$T/cn-upn.info"
issue_ok cn-other "$B.3" "$T/rsa.key" "common_name=Device 42" san_othername=$OTHER
expect_grep "B.3 SAN" "$OTHER_LINE" "$T/cn-other.info"
issue_ok cne-email "$B.4" "$T/rsa.key" common_name=Bob mail_email=bob@contoso.com san_email=bob@contoso.com
expect_grep "B.4 subject" '^subject CN=Bob,E=bob@contoso.com$' "$T/cne-email.info"
expect_grep "B.4 E is an IA5String" '^subject-tag E IA5String$' "$T/cne-email.info"
expect_grep "B.4 CN is a UTF8String" '^subject-tag CN UTF8String$' "$T/cne-email.info"
issue_ok cne-upn "$B.5" "$T/rsa.key" common_name=Bob mail_email=bob@contoso.com san_upn=bob@contoso.com
expect_grep "B.5 subject" '^subject CN=Bob,E=bob@contoso.com$' "$T/cne-upn.info"
expect_grep "B.5 SAN" '^san upn:bob@contoso.com$' "$T/cne-upn.info"
issue_ok cne-other "$B.6" "$T/rsa.key" common_name=Bob mail_email=bob@contoso.com san_othername=$OTHER
expect_grep "B.6 SAN" "$OTHER_LINE" "$T/cne-other.info"
issue_ok cnae-email "$B.7" "$T/rsa.key" common_name=carol@contoso.com san_email=carol@contoso.com
expect_grep "B.7 subject" '^subject CN=carol@contoso.com$' "$T/cnae-email.info"
issue_ok cnae-upn "$B.8" "$T/rsa.key" common_name=carol@contoso.com san_upn=carol@contoso.com
expect_grep "B.8 SAN" '^san upn:carol@contoso.com$' "$T/cnae-upn.info"
issue_ok cnae-other "$B.9" "$T/rsa.key" common_name=carol@contoso.com san_othername=$OTHER
expect_grep "B.9 SAN" "$OTHER_LINE" "$T/cnae-other.info"
issue_ok names "$B.10" "$T/rsa.key" "common_name=Zoë O'Brien" mail_firstname=Zoë "mail_lastname=O'Brien-Łukasz" san_upn=zoe@contoso.com
expect_grep "B.10 subject with GN/SN" "^subject CN=Zoë O'Brien,GN=Zoë,SN=O'Brien-Łukasz\$" "$T/names.info"
issue_ok ec "$B.12" "$T/ec.key" common_name=Eve san_email=eve@contoso.com
expect_grep "B.12 EC key usage" '^ku digital_signature critical$' "$T/ec.info"
issue_ok all "$B.13" "$T/rsa.key" common_name=All san_email=all@contoso.com san_upn=all@corp.contoso.com san_othername=$OTHER
expect_grep "B.13 three SANs" '^san email:all@contoso.com$' "$T/all.info"
expect_grep "B.13 three SANs" '^san upn:all@corp.contoso.com$' "$T/all.info"
expect_grep "B.13 three SANs" "$OTHER_LINE" "$T/all.info"
expect_grep "B.13 SAN not critical with a subject" '^san-critical False$' "$T/all.info"
ok "CN / CN+E / CN-as-e-mail x EMAIL / UPN / OTHERNAME, names (GN/SN), EC, all SANs: subjects and SANs as the template says"

# ---- refusals worded like the service's ----
issue_fault missing "$B.1" "$T/rsa.key" 'Policy Verification failed. Mandatory attribute san_email is missing.' common_name=Alice
issue_fault extra "$B.1" "$T/rsa.key" 'Policy Verification failed. Attribute does not fall under Symantec supported Certificate template attributes list: publish_flag' \
    common_name=Alice san_email=alice@contoso.com publish_flag=yes
issue_fault underscore "$B.10" "$T/rsa.key" "Special characters are not supported in mail_firstname: '_' \\(U\\+005F\\) at position 7 of 'global_admin'" \
    common_name=Admin mail_firstname=global_admin mail_lastname=Admin san_upn=global_admin@contoso.com
issue_fault cn-not-email "$B.7" "$T/rsa.key" 'Invalid value of attribute common_name: the profile puts the e-mail address in the common name' \
    "common_name=Carol Example" san_email=carol@contoso.com
issue_fault bad-email "$B.1" "$T/rsa.key" "Invalid value of attribute san_email: 'alice.contoso.com' is not an rfc822Name" \
    common_name=Alice san_email=alice.contoso.com
issue_fault fixed "$B.47196109" "$T/rsa.key" "Policy Verification failed. Attribute corp_company has the fixed value 'Contoso Ltd'" \
    seat_id=a common_name=Alice san_email=alice@contoso.com corp_company=Evil
issue_fault long-cn "$B.1" "$T/rsa.key" "Invalid value of attribute common_name: .* the subject CN allows at most 64" \
    common_name=$(printf 'x%.0s' $(seq 1 65)) san_email=alice@contoso.com
issue_fault not-der "$B.3" "$T/rsa.key" 'Invalid value of attribute san_othername: the 3 bytes decoded from base64 are not one DER value' \
    common_name=Device san_othername=YWJj
issue_fault ec-for-rsa "$B.1" "$T/ec.key" 'The key algorithm does not match the certificate profile' common_name=Alice san_email=alice@contoso.com
issue_fault rsa-for-ec "$B.12" "$T/rsa.key" 'The key algorithm does not match the certificate profile' common_name=Alice san_email=alice@contoso.com
issue_fault unknown-profile "$B.999" "$T/rsa.key" 'A request element is not understood.' common_name=Alice
TOKEN_TYPE=http://schemas.verisign.com/pkiservices/2009/07/PKCS12 \
    issue_fault pkcs12 "$B.1" "$T/rsa.key" 'tokenType PKCS12' common_name=Alice san_email=alice@contoso.com
# A CSR whose signature does not verify (last signature byte changed), and one that is no CSR.
"$OPENSSL" req -new -key "$T/rsa.key" -subj /CN=x -outform DER >"$T/csr.der"
"$PY" -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[-1]^=1; open(sys.argv[1],'wb').write(d)" "$T/csr.der"
rst "$T/badsig.req" "$B.1" - "$(base64 -w0 "$T/csr.der")" common_name=Alice san_email=alice@contoso.com
code=$(post enrollmentService "$T/badsig.req" "$T/badsig.resp")
expect_eq "bad CSR signature" "$code" 500
expect_grep "bad CSR signature" 'Invalid CSR: the signature does not verify' "$T/badsig.resp"
rst "$T/nocsr.req" "$B.1" - "bm90IGEgQ1NS" common_name=Alice san_email=alice@contoso.com
code=$(post enrollmentService "$T/nocsr.req" "$T/nocsr.resp")
expect_eq "not a CSR" "$code" 500
expect_grep "not a CSR" 'Invalid CSR: not a PKCS#10 request' "$T/nocsr.resp"
rst "$T/longtx.req" "$B.1" "$(printf 't%.0s' $(seq 1 41))" "$(csr_b64 "$T/rsa.key")" common_name=A san_email=a@contoso.com
code=$(post enrollmentService "$T/longtx.req" "$T/longtx.resp")
expect_eq "clientTransactionID of 41 characters" "$code" 500
expect_grep "txid length" 'has 41 characters; at most 40 are allowed' "$T/longtx.resp"
ok "refused: missing mandatory, extra attribute, '_' in mail_firstname, CN not e-mail, bad rfc822Name, fixed value, CN > 64, otherName not DER, key type, unknown profile, PKCS12, bad/garbage CSR, long txid"

# ---- idempotent re-issue ----
rst "$T/idem.req" "$B.1" idem-1 "$(csr_b64 "$T/rsa.key")" common_name=Idem san_email=idem@contoso.com
code=$(post enrollmentService "$T/idem.req" "$T/idem1.resp")
expect_eq "first issue" "$code" 200
issued=$((issued + 1))
code=$(post enrollmentService "$T/idem.req" "$T/idem2.resp")
expect_eq "repeated clientTransactionID" "$code" 200
leaf_of "$T/idem1.resp" "$T/idem1.pem"
leaf_of "$T/idem2.resp" "$T/idem2.pem"
expect_eq "same certificate again" "$(serial_of "$T/idem2.pem")" "$(serial_of "$T/idem1.pem")"
cmp -s "$T/idem1.pem" "$T/idem2.pem" || fail "the repeated answer carries another certificate"
new_key "$T/other.key"
rst "$T/idem-other.req" "$B.1" idem-1 "$(csr_b64 "$T/other.key")" common_name=Idem san_email=idem@contoso.com
code=$(post enrollmentService "$T/idem-other.req" "$T/idem3.resp")
expect_eq "same clientTransactionID, other key" "$code" 500
expect_grep "reuse refused" 'clientTransactionID idem-1 was already used for a different request' "$T/idem3.resp"
ok "idempotent: a repeated clientTransactionID gets the certificate already issued; another key is refused"

# ---- pending -> issued ----
rst "$T/pend.req" "$B.11" pend-1 "$(csr_b64 "$T/rsa.key")" common_name=Pat san_email=pat@contoso.com
code=$(post enrollmentService "$T/pend.req" "$T/pend.resp")
expect_eq "approval profile" "$code" 200
validate "$T/pend.resp"
ref=$(xml_text "$T/pend.resp" pendingTokenReferenceID)
[[ $ref =~ ^PND-[0-9]{8}-[0-9]{6}$ ]] || fail "pendingTokenReferenceID '$ref'"
expect_eq "disposition" "$(xml_text "$T/pend.resp" dispositionMessage)" "The request is pending administrator approval."
expect_count "no token while pending" "$T/pend.resp" binarySecurityToken 0
code=$(post enrollmentService "$T/pend.req" "$T/pend-again.resp")
expect_eq "the same Issue again" "$code" 200
expect_eq "same reference" "$(xml_text "$T/pend-again.resp" pendingTokenReferenceID)" "$ref"
query "$T/q.req" "$B.11" "$ref"
code=$(post enrollmentService "$T/q.req" "$T/q1.resp")
expect_eq "QueryTokenStatus" "$code" 200
validate "$T/q1.resp"
issued=$((issued + 1))
leaf_of "$T/q1.resp" "$T/pend.pem"
info "$T/pend.pem" >"$T/pend.info"
expect_grep "approved certificate" '^subject CN=Pat$' "$T/pend.info"
expect_grep "approved certificate key" "^key $(spki_hash "$T/rsa.key")\$" "$T/pend.info"
code=$(post enrollmentService "$T/q.req" "$T/q2.resp")
leaf_of "$T/q2.resp" "$T/pend2.pem"
expect_eq "polling again: the same certificate" "$(serial_of "$T/pend2.pem")" "$(serial_of "$T/pend.pem")"
code=$(post enrollmentService "$T/pend.req" "$T/pend-issued.resp")
leaf_of "$T/pend-issued.resp" "$T/pend3.pem"
expect_eq "the Issue again after approval: the same certificate" "$(serial_of "$T/pend3.pem")" "$(serial_of "$T/pend.pem")"
query "$T/qx.req" "$B.11" PND-00000000-999999
code=$(post enrollmentService "$T/qx.req" "$T/qx.resp")
expect_eq "unknown reference" "$code" 500
validate "$T/qx.resp"
expect_grep "unknown reference" "Unknown pendingTokenReferenceID 'PND-00000000-999999'" "$T/qx.resp"
ok "pending: PENDING with a reference, QueryTokenStatus issues, repeats give the same certificate"

sim_stop
expect_eq "stats: issued" "$(sim_stat issued)" "$issued"
expect_eq "stats: pending" "$(sim_stat pending)" 1
expect_eq "stats: reissued" "$(sim_stat reissued)" 3
ok "--stats: issued $issued, pending 1, reissued 3"
