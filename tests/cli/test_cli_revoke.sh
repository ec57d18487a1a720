#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws revoke against this script's own pkiws-sim: by serial (from the issue JSON), again
# (nothing changed), suspend / resume, by seat, reasons by name, usage errors.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

# issue_for CN SEAT: issue a certificate; its serial (from the JSON) in $serial.
issue_for() {
    run issue "${CONN[@]}" --profile "$B.1" --san email --cn "$1" --email "$1@contoso.com" \
        --seat "$2" --out "$WORK/$1.pfx" --pfx-pass x --json
    expect_rc 0 "issue for $1"
    serial=$(jget "d['serial']")
    checks=$((checks + 1))
    [[ $serial =~ ^[0-9A-F]+$ ]] || fail "no serial in the issue JSON for $1: '$serial'"
}

issue_for alice alice-seat

# By serial, written the way people paste it: lower case, colons, a leading zero.
pasted=$(printf '0%s' "$serial" | tr 'A-F' 'a-f' | sed 's/../&:/g; s/:$//')
run revoke "${CONN[@]}" --serial "$pasted" --reason keyCOMPROMISE --comment "lost laptop" --json
expect_rc 0 "revoke by serial"
jcheck "revoke by serial" "d['status'] == 'ok' and d['code'] == 0 and d['operation'] == 'revoke' and d['serial'] == '$serial' and d['seat'] is None and d['reason'] == 'KeyCompromise'"
jcheck "revoke by serial: answer" "d['success_code'] == 0 and d['success_message'] and d['revocation_count'] == 1 and d['attempts'] == 1 and d['client_transaction_id'] and d['server_transaction_id']"

# Again: found, but nothing changed (successCode -2) is a refusal, exit 1.
run revoke "${CONN[@]}" --serial "$serial" --json
expect_rc 1 "revoke again"
jcheck "revoke again" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_REJECTED' and d['success_code'] == -2 and d['revocation_count'] == 0 and d['success_message'] and '$serial' in d['message']"
# A serial the CA never issued (successCode -1).
run revoke "${CONN[@]}" --serial 0BADC0FFEE --json
expect_rc 1 "unknown serial"
jcheck "unknown serial" "d['error'] == 'PKIWS_E_REJECTED' and d['success_code'] == -1 and d['serial'] == 'BADC0FFEE'"
# Not hex: refused before anything is sent, naming the character.
run revoke "${CONN[@]}" --serial 12xz --json
expect_rc 1 "serial not hex"
jcheck "serial not hex" "d['error'] == 'PKIWS_E_INVALID_ARG' and \"'x'\" in d['message'] and 'position 3' in d['message']"

# Suspend and resume, human output.
issue_for bob bob-seat
serial2=$serial
run revoke "${CONN[@]}" --serial "$serial2" --suspend
expect_rc 0 "suspend"
contains "$WORK/out" "operation:             suspend" "suspend: operation"
contains "$WORK/out" "successCode:           0" "suspend: successCode"
contains "$WORK/out" "revocationCount:       1" "suspend: revocationCount"
contains "$WORK/out" "message:" "suspend: message"
run revoke "${CONN[@]}" --serial "$serial2" --resume --json
expect_rc 0 "resume"
jcheck "resume" "d['operation'] == 'resume' and d['success_code'] == 0 and d['revocation_count'] == 1"
run revoke "${CONN[@]}" --serial "$serial2" --resume
expect_rc 1 "resume what is not suspended"
contains "$WORK/err" "PKIWS_E_REJECTED" "resume again: error name on stderr"

# By seat: every certificate of the seat.
issue_for carol carol-seat
issue_for carol2 carol-seat
run revoke "${CONN[@]}" --seat carol-seat --reason Superseded --json
expect_rc 0 "revoke by seat"
jcheck "revoke by seat" "d['seat'] == 'carol-seat' and d['serial'] is None and d['reason'] == 'Superseded' and d['success_code'] == 0 and d['revocation_count'] == 2"

# Usage errors.
run revoke "${CONN[@]}"
expect_usage_error "neither serial nor seat" "give exactly one of --serial HEX, --seat ID and --bulk FILE"
run revoke "${CONN[@]}" --serial 01 --seat s
expect_usage_error "serial and seat" "give exactly one of"
run revoke "${CONN[@]}" --serial 01 --reason stolen
expect_usage_error "unknown reason" "--reason 'stolen': expected one of KeyCompromise"
run revoke "${CONN[@]}" --serial 01 --suspend --resume
expect_usage_error "suspend and resume" "exclude each other"

# No RA credential: the library says so, with a remedy.
run revoke --base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --serial 01 --json
expect_rc 1 "revoke without RA"
jcheck "revoke without RA" "d['error'] == 'PKIWS_E_RA_CREDENTIAL' and d['remedy']"

sim_stop
equal "$(sim_stat status_changes)" 5 "the simulator changed five certificates"
finish
