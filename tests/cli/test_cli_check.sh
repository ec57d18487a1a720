#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws check: the health report against this script's own pkiws-sim (passes), with an unknown
# profile, with options that cannot make a session, and once the simulator is stopped
# (exit 1, PKIWS_E_CONNECT, the failing step named); -v logging.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

run check "${CONN[@]}" --profile "$B.1" --json
expect_rc 0 "check passes"
jcheck "check passes: status" "d['status'] == 'ok' and d['code'] == 0 and d['error'] is None and d['profile'] == '$B.1'"
jcheck "check passes: steps" "len(d['checks']) >= 6 and all(set(c) == {'name', 'verdict', 'detail', 'remedy'} for c in d['checks']) and all(c['verdict'] == 'ok' for c in d['checks'])"
jcheck "check passes: step names" "[c['name'] for c in d['checks']][:4] == ['configuration', 'RA credential', 'name resolution', 'TCP connect'] and any(c['name'] == 'policy' for c in d['checks'])"
jcheck "check passes: details" "all(c['detail'] for c in d['checks']) and 'localhost' in d['checks'][2]['detail']"

run check "${CONN[@]}"
expect_rc 0 "check passes, human"
contains "$WORK/out" "health check:" "human: title"
contains "$WORK/out" "  ok    RA credential" "human: RA step"
contains "$WORK/out" "check: ok" "human: verdict"

# An unknown profile: the service says DOWN for it.
run check "${CONN[@]}" --profile "$B.999" --json
expect_rc 1 "check, unknown profile"
jcheck "check, unknown profile" "d['status'] == 'failed' and d['error'] is not None and any(c['verdict'] == 'fail' and '$B.999' in c['detail'] for c in d['checks'])"
# A profile that is not an OID: refused before anything is sent.
run check "${CONN[@]}" --profile 2.16.840.01 --json
expect_rc 1 "check, bad OID"
jcheck "check, bad OID" "d['error'] == 'PKIWS_E_CONFIG' and 'leading zero' in d['message']"
# Options that cannot make a session: the first step, named "options".
run check --base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --ra-p12 "$SIM_STATE/ra.p12" \
    --ra-pass wrong --json
expect_rc 1 "check, wrong RA password"
jcheck "check, wrong RA password" "d['status'] == 'failed' and d['checks'][0]['name'] == 'options' and d['checks'][0]['verdict'] == 'fail' and 'ra.p12' in d['checks'][0]['detail']"
# No RA credential at all: the RA step fails with a remedy.
run check --base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --json
expect_rc 1 "check, no RA"
jcheck "check, no RA" "d['error'] == 'PKIWS_E_RA_CREDENTIAL' and any(c['name'] == 'RA credential' and c['verdict'] == 'fail' and c['remedy'] for c in d['checks'])"

# -v: library records on stderr (debug), -vv also the SOAP (trace); stdout stays one object.
run check "${CONN[@]}" --profile "$B.1" -v --json
expect_rc 0 "check -v"
jcheck "check -v" "d['status'] == 'ok'"
contains "$WORK/err" "pkiws: debug: [" "check -v: debug records on stderr"
lacks "$WORK/err" "pkiws: trace: [" "check -v: no trace records"
run check "${CONN[@]}" --profile "$B.1" -vv
expect_rc 0 "check -vv"
contains "$WORK/err" "pkiws: trace: [" "check -vv: trace records on stderr"
contains "$WORK/err" "getStatus" "check -vv: the SOAP on the wire"

# The simulator stopped: TCP connect fails, the later steps are not run.
sim_stop
run check "${CONN[@]}" --profile "$B.1" --json
expect_rc 1 "check, simulator stopped"
jcheck "check, simulator stopped: error" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_CONNECT' and d['code'] == -200 and 'TCP connect' in d['message']"
jcheck "check, simulator stopped: steps" "[c['verdict'] for c in d['checks'] if c['name'] == 'TCP connect'] == ['fail'] and [c['verdict'] for c in d['checks'] if c['name'] == 'RA credential'] == ['ok']"
jcheck "check, simulator stopped: remedy" "d['remedy'] and [c['remedy'] for c in d['checks'] if c['name'] == 'TCP connect'] == [d['remedy']]"
run check "${CONN[@]}"
expect_rc 1 "check, simulator stopped, human"
contains "$WORK/out" "  FAIL  TCP connect" "human: the failing step"
contains "$WORK/out" "check: PKIWS_E_CONNECT" "human: verdict"
contains "$WORK/err" "PKIWS_E_CONNECT" "human: error on stderr"
# issue against the stopped simulator: a transport failure, retryable.
run issue "${CONN[@]}" --profile "$B.1" --cn x --out "$WORK/x.pfx" --timeout-ms 5000 --json
expect_rc 1 "issue, simulator stopped"
jcheck "issue, simulator stopped" "d['error'] == 'PKIWS_E_CONNECT' and d['retryable'] is True"

finish
