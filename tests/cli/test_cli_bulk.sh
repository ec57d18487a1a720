#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws revoke --bulk (serials or --by-seat seats from a file or stdin, chunks, per-id outcomes
# in JSON and text) and pkiws issue --duplicates (report lists the seat's earlier certificate,
# refuse refuses with PKIWS_E_DUPLICATE) against this script's own pkiws-sim.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

# issue_for CN SEAT [OPTIONS]: issue a certificate; its serial (from the JSON) in $serial.
issue_for() {
    local cn=$1 seat=$2
    shift 2
    run issue "${CONN[@]}" --profile "$B.1" --san email --cn "$cn" --email "$cn@contoso.com" \
        --seat "$seat" --out "$WORK/$cn.pfx" --pfx-pass x --json "$@"
    serial=$(jget "d['serial']")
}

serials=()
for n in 1 2 3 4 5; do
    issue_for "dev$n" "seat-$n"
    expect_rc 0 "issue dev$n"
    serials+=("$serial")
done

# ---- --bulk FILE --json: chunks of 2, one unknown serial, comments and blank lines ----
{
    echo "# retired fleet"
    printf '%s\n' "${serials[0]}" "  ${serials[1]}  " "" 0BADC0DE "${serials[2]}"
} >"$WORK/ids.txt"
run revoke "${CONN[@]}" --bulk "$WORK/ids.txt" --chunk 2 --reason CessationOfOperation --json
expect_rc 1 "bulk with an unknown serial"
jcheck "bulk: failed overall" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_REJECTED' and '1 of 4 ids not confirmed; first: BADC0DE' in d['message']"
jcheck "bulk: items" "[i['id'] for i in d['items']] == ['${serials[0]}', '${serials[1]}', 'BADC0DE', '${serials[2]}']"
jcheck "bulk: per-item outcomes" "[i['status'] for i in d['items']] == ['ok', 'ok', 'failed', 'ok'] and d['items'][2]['error'] == 'PKIWS_E_REJECTED' and 'No certificate found' in d['items'][2]['message'] and d['items'][0]['error'] is None"
jcheck "bulk: totals" "d['revocation_count'] == 3 and d['bulk_selector'] == 'serial' and d['client_transaction_id'].startswith('pkiws-bulk-')"

# ---- --by-seat from stdin, text output ----
printf 'seat-4\nseat-5\n' >"$WORK/seats.txt"
run revoke "${CONN[@]}" --bulk - --by-seat --suspend <"$WORK/seats.txt"
expect_rc 0 "bulk suspend by seat from stdin"
contains "$WORK/out" "ok     seat-4 Success" "by seat: seat-4"
contains "$WORK/out" "2 of 2 seats confirmed (suspend, 2 certificates changed, 1 request)" "by seat: summary"

# ---- usage ----
run revoke "${CONN[@]}" --bulk "$WORK/ids.txt" --serial 01
expect_usage_error "bulk and serial" "give exactly one of --serial HEX, --seat ID and --bulk FILE"
run revoke "${CONN[@]}" --serial 01 --by-seat
expect_usage_error "by-seat without bulk" "--by-seat and --chunk go with --bulk FILE"
run revoke "${CONN[@]}" --bulk "$WORK/ids.txt" --chunk 101
expect_usage_error "chunk too big" "--chunk '101': expected a number from 1 to 100"
printf '# nothing yet\n\n' >"$WORK/none.txt"
run revoke "${CONN[@]}" --bulk "$WORK/none.txt" --json
expect_rc 1 "only comments"
jcheck "only comments" "d['error'] == 'PKIWS_E_INVALID_ARG' and 'no ids in the file' in d['message'] and d['items'] == []"
: >"$WORK/empty.txt"
run revoke "${CONN[@]}" --bulk "$WORK/empty.txt" --json
expect_rc 1 "empty file"
jcheck "empty file" "d['error'] == 'PKIWS_E_IO' and 'empty' in d['message']"

# ---- issue --duplicates ----
issue_for erin erin-seat
expect_rc 0 "first for erin"
first=$serial
issue_for erin2 erin-seat --duplicates report
expect_rc 0 "report"
jcheck "report lists the earlier certificate" "d['status'] == 'ok' and [x['serial'] for x in d['duplicates']] == ['$first'] and d['duplicates'][0]['status'] == 'VALID'"
run issue "${CONN[@]}" --profile "$B.1" --san email --cn erin3 --email erin3@contoso.com \
    --seat erin-seat --out "$WORK/erin3.pfx" --pfx-pass x --duplicates refuse
expect_rc 1 "refuse"
contains "$WORK/err" "PKIWS_E_DUPLICATE" "refuse: error name"
contains "$WORK/out" "seat already has:      $first (VALID)" "refuse: lists the certificates"
[ ! -e "$WORK/erin3.pfx" ] || fail "refuse: a PFX was written"
run issue "${CONN[@]}" --profile "$B.1" --cn x --out "$WORK/x.pfx" --duplicates maybe
expect_usage_error "bad --duplicates" "--duplicates 'maybe': expected allow, report or refuse"

sim_stop
equal "$(sim_stat requests.bulkUpdateCertificateStatus)" 3 "three bulk requests (2 + 2 ids, 2 seats)"
finish
