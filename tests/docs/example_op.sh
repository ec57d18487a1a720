#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/examples/op_curl_multi.c against a pkiws-sim this script starts: 50 issuances driven
# from one thread over libcurl's multi interface, with a 503 and a reset so that some go
# through PKIWS_OP_WANT_WAIT; 50 distinct serials, 50 certificates issued by the simulator.
#
#   example_op.sh OP_CURL_MULTI_EXE PKIWS_SIM
set -euo pipefail
example=$(readlink -f "$1") sim=$(readlink -f "$2")
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh" pkiws-docs-op "$sim"
start_sim --fault http503@7 --fault reset@70
rc=0
"$example" --url "$URL" --sim-state sim -n 50 >out 2>err || rc=$?
[ "$rc" = 0 ] || fail "op_curl_multi: exit status $rc"
[ "$(grep -c '^issued ' out)" = 50 ] || fail "not 50 'issued' lines"
[ "$(awk '/^issued /{print $2}' out | sort -u | wc -l)" = 50 ] || fail "serials are not distinct"
grep -q '^50 of 50 issued$' err || fail "no summary"
ok "50 issuances over libcurl multi from one thread"
# usage errors: exit status 2
rc=0
"$example" --url x >out 2>err || rc=$?
[ "$rc" = 2 ] || fail "usage: exit status $rc, expected 2"
ok "usage"
stop_sim || true
issued=$(sed -n 's/.*issued[^0-9]*\([0-9][0-9]*\).*/\1/p' sim.stats sim.log | head -1)
echo "simulator stats: ${issued:-?} issued"
[ -z "$issued" ] || [ "$issued" = 50 ] || fail "the simulator issued $issued certificates, want 50"
ok "the simulator issued 50"
