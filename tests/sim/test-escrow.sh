#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim escrowed server-side keys and keyRecovery: the escrow profiles' getPolicies says
# keyEscrowEnabled and PKCS12 delivery; an Issue without a CSR is answered with a PKCS#12 and
# its pKCS12Password (OpenSSL opens it); keyRecovery by serial and issuer gives the same key
# back; dual-admin profiles (and --dual-admin) answer adminApprovalPendingCount until a second
# adminID asks. Every request and answer passes the vendor schemas.
. "$(dirname "$0")/lib.sh"

sim_start escrow
P12=http://schemas.verisign.com/pkiservices/2009/07/PKCS12
ALICE=(seat_id=alice@contoso.com common_name=Alice san_email=alice@contoso.com)

# ---- the template says so ----
cat >"$T/pol.req" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<pol:getPolicies xmlns:pol="http://schemas.verisign.com/pkiservices/2009/07/policy"><pol:version>2.0</pol:version>
<pol:requestFilter><pol:policyIDs><pol:oid>$B.16</pol:oid></pol:policyIDs></pol:requestFilter></pol:getPolicies>
</soapenv:Body></soapenv:Envelope>
XML
code=$(post policyService "$T/pol.req" "$T/pol.resp")
expect_eq "getPolicies: HTTP status" "$code" 200
validate "$T/pol.req" "$T/pol.resp"
expect_eq "keyEscrowEnabled" "$(xml_text "$T/pol.resp" keyEscrowEnabled)" true
expect_eq "keyRecoveryDualAdminApprovalRequired" "$(xml_text "$T/pol.resp" keyRecoveryDualAdminApprovalRequired)" true
expect_eq "certificateDeliveryFormat" "$(xml_text "$T/pol.resp" certificateDeliveryFormat)" "$P12"
ok "getPolicies of the escrow profile: keyEscrowEnabled, dual admin, PKCS12 delivery"

# escrow_issue NAME PROFILE TXID: Issue without a CSR, tokenType PKCS12; NAME.p12 + NAME.pw.
escrow_issue() {
    local name=$1 oid=$2 txid=$3 code
    TOKEN_TYPE=$P12 rst "$T/$name.tmp" "$oid" "$txid" unused "${ALICE[@]}"
    grep -v binarySecurityToken "$T/$name.tmp" >"$T/$name.req"
    code=$(post enrollmentService "$T/$name.req" "$T/$name.resp")
    expect_eq "$name: HTTP status ($(xml_text "$T/$name.resp" faultstring))" "$code" 200
    validate "$T/$name.req" "$T/$name.resp"
    expect_grep "$name: ValueType PKCS12" "ValueType=\"$P12\"" "$T/$name.resp"
    token_of "$T/$name.resp" "$T/$name.p12"
    p12_check "$name"
}
# p12_check NAME: the answer NAME.resp's PKCS#12 NAME.p12 opens with its pKCS12Password
# (NAME.pw); its certificate into NAME.pem, its key's public key into NAME.pub, which matches.
p12_check() {
    local name=$1
    xml_text "$T/$name.resp" pKCS12Password >"$T/$name.pw"
    [ -s "$T/$name.pw" ] || fail "$name: no pKCS12Password"
    "$OPENSSL" pkcs12 -in "$T/$name.p12" -passin file:"$T/$name.pw" -nokeys -clcerts -out "$T/$name.pem" ||
        fail "$name: OpenSSL cannot open the PKCS#12"
    "$OPENSSL" pkcs12 -in "$T/$name.p12" -passin file:"$T/$name.pw" -nocerts -nodes 2>/dev/null |
        "$OPENSSL" pkey -pubout -out "$T/$name.pub" || fail "$name: no key in the PKCS#12"
    "$OPENSSL" x509 -in "$T/$name.pem" -noout -pubkey >"$T/$name.certpub"
    cmp -s "$T/$name.pub" "$T/$name.certpub" || fail "$name: the key does not match the certificate"
}
# recover NAME SERIAL ISSUER ADMIN [PASSWORD]: requestKeyRecoveryMessage; HTTP status printed.
recover() {
    local name=$1
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        echo '<m:requestKeyRecoveryMessage xmlns:m="http://schemas.verisign.com/pkiservices/2009/07/management">'
        echo "<m:clientTransactionID>kr-$name</m:clientTransactionID>"
        [ -z "${5:-}" ] || echo "<m:pKCS12Password>$5</m:pKCS12Password>"
        echo "<m:certificateSerialNumber>$2</m:certificateSerialNumber><m:certificateIssuer>$3</m:certificateIssuer>"
        echo "<m:adminID>$4</m:adminID><m:version>1.0</m:version></m:requestKeyRecoveryMessage>"
        echo '</soapenv:Body></soapenv:Envelope>'
    } >"$T/$name.req"
    post certificateManagementService "$T/$name.req" "$T/$name.resp"
}
recovered_pub() { # NAME PASSWORD-FILE: public key of the recovered PKCS#12 into NAME.pub
    "$PY" - "$T/$1.resp" "$T/$1.p12" <<'PYEOF'
import base64, re, sys
s = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'pKCS12Message>([^<]*)<', s)
open(sys.argv[2], 'wb').write(base64.b64decode(m.group(1)))
PYEOF
    "$OPENSSL" pkcs12 -in "$T/$1.p12" -passin file:"$2" -nocerts -nodes 2>/dev/null |
        "$OPENSSL" pkey -pubout -out "$T/$1.pub" || fail "$1: OpenSSL cannot open the recovered PKCS#12"
}

# ---- issue: a PKCS#12 made by the service ----
escrow_issue one "$B.15" alice-escrow-1
SERIAL=$(serial_of "$T/one.pem")
ISSUER=$("$OPENSSL" x509 -in "$T/one.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
escrow_issue again "$B.15" alice-escrow-1
cmp -s "$T/one.pub" "$T/again.pub" || fail "same clientTransactionID: another key"
expect_eq "same clientTransactionID: same certificate" "$(serial_of "$T/again.pem")" "$SERIAL"
ok "Issue without a CSR on an escrow profile: PKCS#12 + pKCS12Password, key matches; a repeat gets the same key"

# ---- recovery, one administrator ----
code=$(recover r1 "$SERIAL" "$ISSUER" admin-a)
expect_eq "recover: HTTP status ($(xml_text "$T/r1.resp" faultstring))" "$code" 200
validate "$T/r1.req" "$T/r1.resp"
expect_eq "recover: nothing pending" "$(xml_text "$T/r1.resp" adminApprovalPendingCount)" 0
xml_text "$T/r1.resp" pKCS12Password >"$T/r1.pw"
recovered_pub r1 "$T/r1.pw"
cmp -s "$T/r1.pub" "$T/one.pub" || fail "recovered key differs from the issued one"
ok "keyRecovery (serial + RFC 2253 issuer): the issued key, under a password of the service"

# ---- dual admin (profile) ----
escrow_issue two "$B.16" bob-escrow-1
S2=$(serial_of "$T/two.pem")
code=$(recover d1 "$S2" "$ISSUER" admin-a)
expect_eq "dual: first admin HTTP status" "$code" 200
validate "$T/d1.req" "$T/d1.resp"
expect_eq "dual: first admin pending" "$(xml_text "$T/d1.resp" adminApprovalPendingCount)" 1
expect_eq "dual: no PKCS#12 yet" "$(xml_count "$T/d1.resp" pKCS12Message)" 0
recover d2 "$S2" "$ISSUER" admin-a >/dev/null
expect_eq "dual: same admin again is still pending" "$(xml_text "$T/d2.resp" adminApprovalPendingCount)" 1
code=$(recover d3 "$S2" "$ISSUER" admin-b 'Our pass w0rd')
expect_eq "dual: second admin HTTP status" "$code" 200
validate "$T/d3.req" "$T/d3.resp"
expect_eq "dual: done" "$(xml_text "$T/d3.resp" adminApprovalPendingCount)" 0
expect_eq "dual: the caller's password is not echoed" "$(xml_count "$T/d3.resp" pKCS12Password)" 0
printf 'Our pass w0rd' >"$T/d3.pw"
recovered_pub d3 "$T/d3.pw"
cmp -s "$T/d3.pub" "$T/two.pub" || fail "dual: recovered key differs"
ok "dual-admin profile: pending (count 1) until a second adminID asks; then the key under our password"

# ---- faults ----
code=$(recover f1 0BADBAD "$ISSUER" admin-a)
expect_eq "unknown serial: HTTP status" "$code" 500
validate "$T/f1.resp"
expect_eq "unknown serial: errorcode" "$(xml_text "$T/f1.resp" errorcode)" 4001
code=$(recover f2 "$SERIAL" "CN=Someone Else" admin-a)
expect_eq "other issuer: errorcode" "$(xml_text "$T/f2.resp" errorcode)" 4001
new_key "$T/k.key"
rst "$T/plain.req" "$B.1" plain-1 "$(csr_b64 "$T/k.key")" "${ALICE[@]}"
post enrollmentService "$T/plain.req" "$T/plain.resp" >/dev/null
leaf_of "$T/plain.resp" "$T/plain.pem"
code=$(recover f3 "$(serial_of "$T/plain.pem")" "$ISSUER" admin-a)
expect_eq "not escrowed: errorcode" "$(xml_text "$T/f3.resp" errorcode)" 4002
TOKEN_TYPE=$P12 rst "$T/f4.req" "$B.1" - "$(csr_b64 "$T/k.key")" "${ALICE[@]}"
code=$(post enrollmentService "$T/f4.req" "$T/f4.resp")
expect_eq "PKCS12 on a non-escrow profile: HTTP status" "$code" 500
validate "$T/f4.resp"
ok "faults: unknown serial / other issuer (4001), key not escrowed (4002), PKCS12 on a plain profile"
sim_stop

# ---- --dual-admin: every escrow profile needs two ----
sim_start dual --dual-admin
escrow_issue three "$B.15" carol-escrow-1
code=$(recover g1 "$(serial_of "$T/three.pem")" "$ISSUER" admin-a)
validate "$T/g1.resp"
expect_eq "--dual-admin: pending" "$(xml_text "$T/g1.resp" adminApprovalPendingCount)" 1
recover g2 "$(serial_of "$T/three.pem")" "$ISSUER" admin-b >/dev/null
validate "$T/g2.resp"
expect_eq "--dual-admin: second admin" "$(xml_text "$T/g2.resp" adminApprovalPendingCount)" 0
sim_stop
ok "--dual-admin applies to every escrow profile"

# ---- --escrow-pending N: an escrow Issue held pending; the key made at request time comes in
# the PKCS#12 of the N-th QueryTokenStatus, and is escrowed ----
sim_start held --escrow-pending 2
TOKEN_TYPE=$P12 rst "$T/hp.tmp" "$B.15" dana-escrow-1 unused "${ALICE[@]}"
grep -v binarySecurityToken "$T/hp.tmp" >"$T/hp.req"
code=$(post enrollmentService "$T/hp.req" "$T/hp.resp")
expect_eq "--escrow-pending: HTTP status ($(xml_text "$T/hp.resp" faultstring))" "$code" 200
validate "$T/hp.req" "$T/hp.resp"
ref=$(xml_text "$T/hp.resp" pendingTokenReferenceID)
[[ $ref =~ ^PND-[0-9]{8}-[0-9]{6}$ ]] || fail "--escrow-pending: pendingTokenReferenceID '$ref'"
expect_eq "--escrow-pending: no token yet" "$(xml_count "$T/hp.resp" binarySecurityToken)" 0
query "$T/hq.req" "$B.15" "$ref"
post enrollmentService "$T/hq.req" "$T/hq1.resp" >/dev/null
validate "$T/hq.req" "$T/hq1.resp"
expect_eq "--escrow-pending: first poll still pending" "$(xml_text "$T/hq1.resp" pendingTokenReferenceID)" "$ref"
code=$(post enrollmentService "$T/hq.req" "$T/hq2.resp")
expect_eq "--escrow-pending: second poll HTTP status" "$code" 200
validate "$T/hq2.resp"
expect_grep "--escrow-pending: ValueType PKCS12" "ValueType=\"$P12\"" "$T/hq2.resp"
token_of "$T/hq2.resp" "$T/hq2.p12"
p12_check hq2
code=$(recover hr "$(serial_of "$T/hq2.pem")" "$ISSUER" admin-a)
expect_eq "--escrow-pending: recover HTTP status" "$code" 200
validate "$T/hr.req" "$T/hr.resp"
xml_text "$T/hr.resp" pKCS12Password >"$T/hr.pw"
recovered_pub hr "$T/hr.pw"
cmp -s "$T/hr.pub" "$T/hq2.pub" || fail "--escrow-pending: recovered key differs"
sim_stop
ok "--escrow-pending 2: escrow Issue pending, second poll brings the PKCS#12; that key is escrowed"
