#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim bulkUpdateCertificateStatus: up to 100 serials, seats or profile OIDs per request
# (Revoke, Suspend, Resume), successCode/revocationCount over the whole list, more than 100
# ids or two lists refused with a SOAP fault, and the --fault injection on bulk requests.
# Every request and answer passes pkiws-validate.
. "$(dirname "$0")/lib.sh"

sim_start bulk
S=$SIM_STATE
new_key "$T/k.key"
csr=$(csr_b64 "$T/k.key")
serials=()
for i in 1 2 3 4; do
    seat=alice@contoso.com
    [ "$i" = 4 ] && seat=bob@contoso.com
    rst "$T/a$i.req" "$B.1" "bulk-$i" "$csr" seat_id=$seat "common_name=Bulk $i" san_email=$seat
    code=$(post enrollmentService "$T/a$i.req" "$T/a$i.resp")
    expect_eq "issue $i" "$code" 200
    leaf_of "$T/a$i.resp" "$T/a$i.pem"
    serials+=("$(serial_of "$T/a$i.pem")")
done

# bulk OUT OPERATION ELEMENT ID...: a bulkUpdateCertificateStatusRequest with one list.
bulk() {
    local out=$1 op=$2 el=$3 id
    shift 3
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        echo '<m:bulkUpdateCertificateStatusRequest xmlns:m="http://schemas.verisign.com/pkiservices/2009/07/management">'
        echo "<m:clientTransactionID>bulk-$op-$#</m:clientTransactionID><m:version>1.0</m:version>"
        [ "$op" = Revoke ] && echo '<m:revocationReason>CessationOfOperation</m:revocationReason><m:comment>fleet retired</m:comment>'
        for id in "$@"; do echo "<m:$el>$id</m:$el>"; done
        echo "<m:operationType>$op</m:operationType>"
        echo '</m:bulkUpdateCertificateStatusRequest></soapenv:Body></soapenv:Envelope>'
    } >"$out.req"
    code=$(post certificateManagementService "$out.req" "$out")
}

# ---- by serial: two known (lower case, leading zeros), one unknown ----
s1lower=00$(echo "${serials[0]}" | tr 'A-F' 'a-f')
bulk "$T/b1.xml" Revoke certificateSerialNumber "$s1lower" "${serials[1]}" 0BADC0DE
expect_eq "bulk revoke" "$code" 200
validate "$T/b1.xml.req" "$T/b1.xml"
expect_eq "root element" "$(xml_count "$T/b1.xml" bulkUpdateCertificateStatusResponse)" 1
expect_eq "echo" "$(xml_text "$T/b1.xml" clientTransactionID)" bulk-Revoke-3
expect_eq "one unknown: successCode" "$(xml_text "$T/b1.xml" successCode)" -1
expect_eq "two revoked" "$(xml_text "$T/b1.xml" revocationCount)" 2
expect_grep "message names the unknown serial" '1 of 3 ids not found.*serial number 0BADC0DE' "$T/b1.xml"
bulk "$T/b2.xml" Revoke certificateSerialNumber "${serials[0]}"
validate "$T/b2.xml"
expect_eq "again: nothing to change" "$(xml_text "$T/b2.xml" successCode)" -2
expect_eq "again: count" "$(xml_text "$T/b2.xml" revocationCount)" 0
ok "by serial: every id processed, revocationCount of all, successCode -1 when an id is unknown, -2 when nothing changes"

# ---- by seat: suspend and resume alice's and bob's ----
bulk "$T/b3.xml" Suspend seatId alice@contoso.com bob@contoso.com
validate "$T/b3.xml.req" "$T/b3.xml"
expect_eq "suspend seats" "$(xml_text "$T/b3.xml" successCode)" 0
expect_eq "the two valid ones" "$(xml_text "$T/b3.xml" revocationCount)" 2
bulk "$T/b4.xml" Resume seatId alice@contoso.com bob@contoso.com
validate "$T/b4.xml"
expect_eq "resume seats" "$(xml_text "$T/b4.xml" revocationCount)" 2
ok "by seat: Suspend, Resume"

# ---- by profile OID ----
bulk "$T/b5.xml" Revoke profileOID "$B.1"
validate "$T/b5.xml.req" "$T/b5.xml"
expect_eq "revoke profile" "$(xml_text "$T/b5.xml" successCode)" 0
expect_eq "the remaining two" "$(xml_text "$T/b5.xml" revocationCount)" 2
bulk "$T/b6.xml" Revoke profileOID "$B.999"
validate "$T/b6.xml"
expect_eq "unknown profile" "$(xml_text "$T/b6.xml" successCode)" -1
ok "by profile OID"

# ---- limits: 101 ids is a SOAP fault, so are two lists ----
ids=()
for i in $(seq 1 101); do ids+=("$(printf '%04X' "$i")"); done
bulk "$T/b7.xml" Revoke certificateSerialNumber "${ids[@]}"
expect_eq "101 ids" "$code" 500
validate "$T/b7.xml"
expect_grep "101 ids: faultstring" '101 certificateSerialNumber elements: a bulk request takes at most 100' "$T/b7.xml"
bulk "$T/b8.xml" Revoke certificateSerialNumber "${ids[@]:0:100}"
expect_eq "100 ids" "$code" 200
validate "$T/b8.xml.req" "$T/b8.xml"
expect_eq "100 unknown" "$(xml_text "$T/b8.xml" successCode)" -1
sed 's|<m:operationType>|<m:seatId>x</m:seatId><m:operationType>|' "$T/b2.xml.req" >"$T/two.req"
code=$(post certificateManagementService "$T/two.req" "$T/two.xml")
expect_eq "two lists" "$code" 500
validate "$T/two.xml"
expect_grep "two lists: faultstring" 'give one list' "$T/two.xml"
sed 's|<m:operationType>Revoke<|<m:operationType>Destroy<|' "$T/b2.xml.req" >"$T/op.req"
code=$(post certificateManagementService "$T/op.req" "$T/op.xml")
expect_eq "bad operationType" "$code" 500
validate "$T/op.xml"
ok "more than 100 ids, two lists, a bad operationType: SOAP faults"

sim_stop
expect_eq "stats: bulk requests" "$(sim_stat requests.bulkUpdateCertificateStatus)" 10
expect_eq "stats: status changes" "$(sim_stat status_changes)" 8
ok "--stats counts bulkUpdateCertificateStatus"

# ---- faults hit bulk requests like any other: soap-fault, reset ----
export STATE=$S
sim_start fault --fault soap-fault:Busy@1 --fault reset@2
bulk "$T/f1.xml" Resume seatId alice@contoso.com
expect_eq "soap-fault" "$code" 500
validate "$T/f1.xml"
expect_grep "injected text" 'Busy' "$T/f1.xml"
bulk "$T/f2.xml" Resume seatId alice@contoso.com
expect_eq "reset: no answer" "$code" 000
bulk "$T/f3.xml" Resume seatId alice@contoso.com
expect_eq "third request answered" "$code" 200
validate "$T/f3.xml"
# the store of issued certificates is in memory: a new simulator knows no seat
expect_eq "answered: a fresh store" "$(xml_text "$T/f3.xml" successCode)" -1
sim_stop
expect_eq "faults: not processed" "$(sim_stat status_changes)" 0
ok "--fault soap-fault and reset on bulk requests"
