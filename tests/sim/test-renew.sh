#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim renewal: RequestSecurityToken with requestType Renew carries the PKCS#10 request and
# the certificate to renew (binarySecurityToken ValueType X509v3); the new certificate is for
# the same seat; idempotent by clientTransactionID; unknown, revoked, suspended, foreign-profile
# and other-seat renewals are SOAP faults. Every request and answer passes the vendor schemas.
. "$(dirname "$0")/lib.sh"

: "${SIM_SRC:?}"
sim_start renew
S=$SIM_STATE
X509='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3'

# renew_req OUT PROFILE TXID CSR_B64 OLD.pem [name=value...]: a Renew request.
renew_req() {
    local out=$1 oid=$2 txid=$3 csr=$4 old=$5 oldb64
    shift 5
    oldb64=$("$OPENSSL" x509 -in "$old" -outform DER | base64 -w0)
    rst "$out.tmp" "$oid" "$txid" "$csr" "$@"
    sed -e 's|ws-trust/200512/Issue<|ws-trust/200512/Renew<|' \
        -e "s|</vs:binarySecurityToken>|</vs:binarySecurityToken><vs:binarySecurityToken ValueType=\"$X509\">$oldb64</vs:binarySecurityToken>|" \
        "$out.tmp" >"$out"
    rm -f "$out.tmp"
}
issue() { # NAME PROFILE KEY TXID [name=value...]
    local name=$1 oid=$2 key=$3 txid=$4 code
    shift 4
    rst "$T/$name.req" "$oid" "$txid" "$(csr_b64 "$key")" "$@"
    code=$(post enrollmentService "$T/$name.req" "$T/$name.resp")
    expect_eq "$name: HTTP status ($(xml_text "$T/$name.resp" faultstring))" "$code" 200
    validate "$T/$name.req" "$T/$name.resp"
    leaf_of "$T/$name.resp" "$T/$name.pem"
}
renew_ok() { # NAME PROFILE KEY TXID OLD.pem [name=value...]
    local name=$1 oid=$2 key=$3 txid=$4 old=$5 code
    shift 5
    renew_req "$T/$name.req" "$oid" "$txid" "$(csr_b64 "$key")" "$old" "$@"
    code=$(post enrollmentService "$T/$name.req" "$T/$name.resp")
    expect_eq "$name: HTTP status ($(xml_text "$T/$name.resp" faultstring))" "$code" 200
    validate "$T/$name.req" "$T/$name.resp"
    leaf_of "$T/$name.resp" "$T/$name.pem"
}
renew_fault() { # NAME PROFILE KEY OLD.pem ERRORCODE FAULT-REGEX [name=value...]
    local name=$1 oid=$2 key=$3 old=$4 ec=$5 want=$6 code
    shift 6
    renew_req "$T/$name.req" "$oid" - "$(csr_b64 "$key")" "$old" "$@"
    code=$(post enrollmentService "$T/$name.req" "$T/$name.resp")
    expect_eq "$name: HTTP status" "$code" 500
    validate "$T/$name.req" "$T/$name.resp"
    expect_eq "$name: errorcode" "$(xml_text "$T/$name.resp" errorcode)" "$ec"
    expect_grep "$name: faultstring" "<faultstring>$want" "$T/$name.resp"
}
new_key "$T/k1.key"
new_key "$T/k2.key"
new_key "$T/k3.key"
ALICE=(seat_id=alice@contoso.com common_name=Alice san_email=alice@contoso.com)

# ---- issue, then renew with a new key: same seat, same subject, new serial ----
issue old "$B.1" "$T/k1.key" alice-1 "${ALICE[@]}"
renew_ok new "$B.1" "$T/k2.key" alice-renew-1 "$T/old.pem" "${ALICE[@]}"
[ "$(serial_of "$T/old.pem")" != "$(serial_of "$T/new.pem")" ] || fail "renewal kept the serial"
expect_eq "same subject" "$("$OPENSSL" x509 -in "$T/new.pem" -noout -subject)" \
    "$("$OPENSSL" x509 -in "$T/old.pem" -noout -subject)"
"$OPENSSL" verify -CAfile "$S/root-ca.pem" -untrusted "$S/issuing-ca.pem" "$T/new.pem" >/dev/null ||
    fail "renewed certificate does not chain to the root"
expect_eq "new key" "$("$OPENSSL" x509 -in "$T/new.pem" -noout -pubkey | sha256sum)" \
    "$("$OPENSSL" pkey -in "$T/k2.key" -pubout | sha256sum)"
ok "Renew: a new certificate for the same seat and subject, with the CSR's key, chained to the root"

# ---- idempotent by clientTransactionID ----
renew_ok again "$B.1" "$T/k2.key" alice-renew-1 "$T/old.pem" "${ALICE[@]}"
expect_eq "same certificate again" "$(serial_of "$T/again.pem")" "$(serial_of "$T/new.pem")"
ok "a repeated Renew with the same clientTransactionID answers the same certificate"

# ---- the renewed certificate can be renewed, the old one still too (overlap) ----
renew_ok newer "$B.1" "$T/k3.key" alice-renew-2 "$T/new.pem" "${ALICE[@]}"
{
    echo '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    body_of "$EX/mgmt-searchCertificateRequest-bare.xml" | sed '/^<?xml/d' |
        sed -e "s|<profileOID>[^<]*<|<profileOID>$B.1<|" -e '/<status>/d'
    echo '</soapenv:Body></soapenv:Envelope>'
} >"$T/search.req"
code=$(post certificateManagementService "$T/search.req" "$T/search.resp")
expect_eq "search by seat: HTTP status" "$code" 200
validate "$T/search.req" "$T/search.resp"
expect_eq "three certificates on the seat" "$(xml_text "$T/search.resp" certificateCount)" 3
ok "a renewed certificate can itself be renewed; all three are on the same seat (searchCertificate)"

# ---- refusals ----
# unknown: a certificate of another CA (the server certificate is not an issued one)
"$OPENSSL" x509 -in "$S/server.pem" -out "$T/foreign.pem"
renew_fault unknown "$B.1" "$T/k3.key" "$T/foreign.pem" 2008 'Renew: the certificate to renew was not issued by this CA' "${ALICE[@]}"
# another seat
renew_fault seat "$B.1" "$T/k3.key" "$T/newer.pem" 2009 "Renew: certificate [0-9A-F]* belongs to seat 'alice@contoso.com'; the request names seat 'bob@contoso.com'" \
    seat_id=bob@contoso.com common_name=Bob san_email=bob@contoso.com
# another profile
renew_fault profile "$B.4" "$T/k3.key" "$T/newer.pem" 2009 "Renew: certificate [0-9A-F]* belongs to profile $B.1, not to $B.4" \
    seat_id=alice@contoso.com common_name=Alice mail_email=alice@contoso.com san_email=alice@contoso.com
# revoked
s_old=$(serial_of "$T/old.pem")
body_of "$EX/mgmt-updateCertificateStatusRequest-revoke-serial.xml" |
    sed -e "s|<m:certificateSerialNumber>[^<]*<|<m:certificateSerialNumber>$s_old<|" >"$T/rev.req"
code=$(post certificateManagementService "$T/rev.req" "$T/rev.resp")
expect_eq "revoke the old certificate" "$code" 200
expect_eq "revoked" "$(xml_text "$T/rev.resp" successCode)" 0
renew_fault revoked "$B.1" "$T/k3.key" "$T/old.pem" 2009 "Renew: certificate $s_old is revoked and cannot be renewed" "${ALICE[@]}"
# no old certificate, a bad old certificate, X509v3 token on Issue
rst "$T/noold.req" "$B.1" - "$(csr_b64 "$T/k3.key")" "${ALICE[@]}"
sed -i 's|ws-trust/200512/Issue<|ws-trust/200512/Renew<|' "$T/noold.req"
code=$(post enrollmentService "$T/noold.req" "$T/noold.resp")
expect_eq "no old certificate: HTTP status" "$code" 500
validate "$T/noold.req" "$T/noold.resp"
expect_grep "no old certificate: faultstring" '<faultstring>requestType Renew needs a vs:binarySecurityToken with ValueType' "$T/noold.resp"
echo garbage >"$T/garbage.txt"
renew_req "$T/bad.req" "$B.1" - "$(csr_b64 "$T/k3.key")" "$T/newer.pem" "${ALICE[@]}"
sed -i "s|ValueType=\"$X509\">[^<]*<|ValueType=\"$X509\">Z2FyYmFnZQ==<|" "$T/bad.req"
code=$(post enrollmentService "$T/bad.req" "$T/bad.resp")
expect_eq "bad old certificate: HTTP status" "$code" 500
validate "$T/bad.resp"
expect_grep "bad old certificate: faultstring" '<faultstring>Renew: the X509v3 binarySecurityToken is not a certificate' "$T/bad.resp"
renew_req "$T/iss2.req" "$B.1" - "$(csr_b64 "$T/k3.key")" "$T/newer.pem" "${ALICE[@]}"
sed -i 's|ws-trust/200512/Renew<|ws-trust/200512/Issue<|' "$T/iss2.req"
code=$(post enrollmentService "$T/iss2.req" "$T/iss2.resp")
expect_eq "X509v3 token on Issue: HTTP status" "$code" 500
validate "$T/iss2.resp"
ok "refused with SOAP faults: unknown (2008), other seat, other profile, revoked (2009), no / bad old certificate, X509v3 on Issue"

# ---- counters ----
sim_stop
expect_eq "issued (1 issue + 2 renewals)" "$(sim_stat issued)" 3
expect_eq "reissued" "$(sim_stat reissued)" 1
ok "--stats: renewals count as issued certificates, the repeat as reissued"
