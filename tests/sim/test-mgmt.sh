#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim certificate management and health check: updateCertificateStatus (Revoke, Suspend,
# Resume by serial or seat; state kept), searchCertificate (filters, paging), getStatus.
. "$(dirname "$0")/lib.sh"

sim_start mgmt --page-size 2
S=$SIM_STATE
new_key "$T/k.key"
csr=$(csr_b64 "$T/k.key")
serials=()
for i in 1 2 3; do
    rst "$T/a$i.req" "$B.1" "alice-$i" "$csr" seat_id=alice@contoso.com "common_name=Alice $i" san_email=alice@contoso.com
    code=$(post enrollmentService "$T/a$i.req" "$T/a$i.resp")
    expect_eq "issue alice $i" "$code" 200
    leaf_of "$T/a$i.resp" "$T/a$i.pem"
    serials+=("$(serial_of "$T/a$i.pem")")
done
rst "$T/b.req" "$B.2" bob-1 "$csr" seat_id=bob@contoso.com common_name=Bob san_upn=bob@contoso.com
code=$(post enrollmentService "$T/b.req" "$T/b.resp")
expect_eq "issue bob" "$code" 200

# search: the vendor example is a bare Body element; put it in an envelope.
search() { # OUT [sed expressions for the request]
    local out=$1
    shift
    {
        echo '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        body_of "$EX/mgmt-searchCertificateRequest-bare.xml" | sed '/^<?xml/d' | sed "$@"
        echo '</soapenv:Body></soapenv:Envelope>'
    } >"$T/search.req"
    code=$(post certificateManagementService "$T/search.req" "$out")
    expect_eq "searchCertificate" "$code" 200
    validate "$out"
}
# The example asks for seat alice, the Contoso profile, VALID, from index 0.
search "$T/s0.xml" -e "s|<profileOID>[^<]*</profileOID>|<profileOID>$B.1</profileOID>|"
expect_eq "count" "$(xml_text "$T/s0.xml" certificateCount)" 3
expect_eq "page of 2" "$(xml_count "$T/s0.xml" certificateInformation)" 2
expect_eq "more" "$(xml_text "$T/s0.xml" moreCertificateAvailable)" true
expect_eq "echo" "$(xml_text "$T/s0.xml" clientTransactionID)" pkiws-5b1e7c40-0006
expect_eq "first serial" "$(xml_text "$T/s0.xml" serialNumber)" "${serials[0]}"
expect_eq "first seat" "$(xml_text "$T/s0.xml" seatId)" alice@contoso.com
expect_eq "first status" "$(xml_text "$T/s0.xml" status)" VALID
expect_eq "profile" "$(xml_text "$T/s0.xml" profileOID)" "$B.1"
expect_eq "certificate is the leaf" "$(xml_text "$T/s0.xml" certificate)" \
    "$("$OPENSSL" x509 -in "$T/a1.pem" -outform DER | base64 -w0)"
search "$T/s2.xml" -e "s|<profileOID>[^<]*</profileOID>|<profileOID>$B.1</profileOID>|" \
    -e 's|<startIndex>0<|<startIndex>2<|'
expect_eq "second page" "$(xml_count "$T/s2.xml" certificateInformation)" 1
expect_eq "no more" "$(xml_text "$T/s2.xml" moreCertificateAvailable)" false
expect_eq "third serial" "$(xml_text "$T/s2.xml" serialNumber)" "${serials[2]}"
search "$T/sall.xml" -e '/<seatId>/d' -e '/<profileOID>/d' -e '/<status>/d'
expect_eq "all certificates" "$(xml_text "$T/sall.xml" certificateCount)" 4
search "$T/sbob.xml" -e 's|<seatId>[^<]*<|<seatId>bob@contoso.com<|' -e '/<profileOID>/d'
expect_eq "bob's" "$(xml_text "$T/sbob.xml" certificateCount)" 1
search "$T/snone.xml" -e 's|<seatId>[^<]*<|<seatId>nobody<|'
expect_eq "nobody's" "$(xml_text "$T/snone.xml" certificateCount)" 0
expect_eq "no list when empty" "$(xml_count "$T/snone.xml" certificateList)" 0
s3lower=$(echo "${serials[2]}" | tr 'A-F' 'a-f')
search "$T/sserial.xml" -e '/<seatId>/d' -e '/<profileOID>/d' -e "s|<status>VALID</status>|<serialNumber>00$s3lower</serialNumber>|"
expect_eq "by serial number" "$(xml_text "$T/sserial.xml" certificateCount)" 1
expect_eq "that serial" "$(xml_text "$T/sserial.xml" serialNumber)" "${serials[2]}"
search "$T/scn.xml" -e '/<seatId>/d' -e '/<profileOID>/d' -e 's|<status>VALID</status>|<commonName>Bob</commonName>|'
expect_eq "by common name" "$(xml_text "$T/scn.xml" certificateCount)" 1
expect_eq "by common name: seat" "$(xml_text "$T/scn.xml" seatId)" bob@contoso.com
search "$T/semail.xml" -e '/<seatId>/d' -e '/<profileOID>/d' -e 's|<status>VALID</status>|<emailAddress>ALICE@contoso.com</emailAddress>|'
expect_eq "by e-mail (case-insensitive)" "$(xml_text "$T/semail.xml" certificateCount)" 3
search "$T/sacct.xml" -e '/<seatId>/d' -e '/<profileOID>/d' -e 's|<status>VALID</status>|<accountId>someone-else</accountId>|'
expect_eq "another account" "$(xml_text "$T/sacct.xml" certificateCount)" 0
ok "searchCertificate: filters (seat, profile, status, serial, common name, e-mail, account), paging by startIndex with --page-size 2"

# ---- revoke by serial: the vendor example with our serial (lower case, leading zeros) ----
revoke_serial() { # OUT SERIAL OPERATION [REASON]
    body_of "$EX/mgmt-updateCertificateStatusRequest-revoke-serial.xml" |
        sed -e "s|<m:certificateSerialNumber>[^<]*<|<m:certificateSerialNumber>$2<|" \
            -e "s|<m:operationType>[^<]*<|<m:operationType>$3<|" \
            -e "s|<m:revocationReason>[^<]*<|<m:revocationReason>${4:-KeyCompromise}<|" >"$T/upd.req"
    code=$(post certificateManagementService "$T/upd.req" "$1")
    expect_eq "updateCertificateStatus $3" "$code" 200
    validate "$1"
}
s1=${serials[0]}
revoke_serial "$T/r1.xml" "00$(echo "$s1" | tr 'A-F' 'a-f')" Revoke
expect_eq "successCode" "$(xml_text "$T/r1.xml" successCode)" 0
expect_eq "successMsg" "$(xml_text "$T/r1.xml" successMsg)" Success
expect_eq "revocationCount" "$(xml_text "$T/r1.xml" revocationCount)" 1
expect_eq "echo" "$(xml_text "$T/r1.xml" clientTransactionID)" pkiws-5b1e7c40-0004
search "$T/s-rev.xml" -e "s|<profileOID>[^<]*<|<profileOID>$B.1<|" -e 's|<status>VALID<|<status>REVOKED<|'
expect_eq "one revoked" "$(xml_text "$T/s-rev.xml" certificateCount)" 1
expect_eq "its serial" "$(xml_text "$T/s-rev.xml" serialNumber)" "$s1"
expect_eq "its reason" "$(xml_text "$T/s-rev.xml" revokeReason)" KeyCompromise
[ -n "$(xml_text "$T/s-rev.xml" revokeAt)" ] || fail "no revokeAt"
expect_eq "its comment" "$(xml_text "$T/s-rev.xml" revokeComments)" "Device wiped; certificate retired by the MDM server."
revoke_serial "$T/r1b.xml" "$s1" Revoke
expect_eq "revoking again: successCode" "$(xml_text "$T/r1b.xml" successCode)" -2
expect_eq "revoking again: count" "$(xml_text "$T/r1b.xml" revocationCount)" 0
revoke_serial "$T/r-unknown.xml" 0BADC0DE Revoke
expect_eq "unknown serial: successCode" "$(xml_text "$T/r-unknown.xml" successCode)" -1
expect_grep "unknown serial: message" 'No certificate found for serial number 0BADC0DE' "$T/r-unknown.xml"
ok "revoke by serial (case and leading zeros ignored): state kept, repeat -2, unknown -1"

# ---- suspend / resume ----
s2=${serials[1]}
revoke_serial "$T/sus.xml" "$s2" Suspend CertificateHold
expect_eq "suspend" "$(xml_text "$T/sus.xml" revocationCount)" 1
search "$T/s-sus.xml" -e '/<profileOID>/d' -e 's|<status>VALID<|<status>SUSPENDED<|'
expect_eq "suspended" "$(xml_text "$T/s-sus.xml" serialNumber)" "$s2"
revoke_serial "$T/res.xml" "$s2" Resume Unspecified
expect_eq "resume" "$(xml_text "$T/res.xml" revocationCount)" 1
revoke_serial "$T/res2.xml" "$s2" Resume Unspecified
expect_eq "resume a valid certificate" "$(xml_text "$T/res2.xml" successCode)" -2
search "$T/s-valid.xml" -e '/<profileOID>/d'
expect_eq "valid again" "$(xml_text "$T/s-valid.xml" certificateCount)" 2
ok "suspend and resume"

# ---- revoke a whole seat: the vendor example (alice@contoso.com) ----
body_of "$EX/mgmt-updateCertificateStatusRequest-revoke-seat.xml" >"$T/seat.req"
code=$(post certificateManagementService "$T/seat.req" "$T/seat.xml")
expect_eq "revoke seat" "$code" 200
validate "$T/seat.xml"
expect_eq "seat: successCode" "$(xml_text "$T/seat.xml" successCode)" 0
expect_eq "seat: the two still valid" "$(xml_text "$T/seat.xml" revocationCount)" 2
search "$T/s-seat.xml" -e '/<profileOID>/d' -e 's|<status>VALID<|<status>REVOKED<|'
expect_eq "three revoked" "$(xml_text "$T/s-seat.xml" certificateCount)" 3
search "$T/s-bob.xml" -e 's|<seatId>[^<]*<|<seatId>bob@contoso.com<|' -e '/<profileOID>/d'
expect_eq "bob untouched" "$(xml_text "$T/s-bob.xml" certificateCount)" 1
sed 's|<m:operationType>Revoke<|<m:operationType>Destroy<|' "$T/seat.req" >"$T/badop.req"
code=$(post certificateManagementService "$T/badop.req" "$T/badop.xml")
expect_eq "unknown operationType" "$code" 500
validate "$T/badop.xml"
ok "revoke by seat: only that seat's valid certificates; bad operationType is a fault"

# ---- health check ----
body_of "$EX/healthcheck-getStatusRequestMessage.xml" >"$T/hc.req"
code=$(post healthcheckService "$T/hc.req" "$T/hc.xml")
expect_eq "getStatus" "$code" 200
validate "$T/hc.xml"
expect_eq "UP" "$(xml_text "$T/hc.xml" statusCode)" UP
sed "s|<hc:profileOid>[^<]*<|<hc:profileOid>$B.999<|" "$T/hc.req" >"$T/hc-unknown.req"
code=$(post healthcheckService "$T/hc-unknown.req" "$T/hc-unknown.xml")
validate "$T/hc-unknown.xml"
expect_eq "unknown profile: DOWN" "$(xml_text "$T/hc-unknown.xml" statusCode)" DOWN
ok "getStatus: UP, DOWN for an unknown profile"

sim_stop
expect_eq "stats: status changes" "$(sim_stat status_changes)" 5
expect_eq "stats: updateCertificateStatus" "$(sim_stat requests.updateCertificateStatus)" 8
expect_eq "stats: searchCertificate" "$(sim_stat requests.searchCertificate)" 14
ok "--stats counts per operation"
