#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/examples/op_curl_multi.c against a pkiws-sim this script starts: 50 issuances driven
# from one thread over libcurl's multi interface, with a 503 and a reset so that some go
# through PKIWS_OP_WANT_WAIT; 50 distinct serials, 50 certificates issued by the simulator.
#
#   example_op.sh OP_CURL_MULTI_EXE PKIWS_SIM
set -euo pipefail
example=$(readlink -f "$1") sim=$(readlink -f "$2")
T=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-docs-op.XXXXXX")
sim_pid=
cleanup() {
    [ -z "$sim_pid" ] || kill -KILL "$sim_pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$T"/out "$T"/err "$T"/sim.log; do [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done
    exit 1
}
cd "$T"
"$sim" --state-dir sim --port-file sim.port --listen 127.0.0.1:0 --stats -q \
    --fault http503@7 --fault reset@70 >sim.stats 2>sim.log &
sim_pid=$!
for _ in $(seq 1 600); do
    [ -s sim.port ] && break
    kill -0 "$sim_pid" 2>/dev/null || fail "pkiws-sim exited"
    sleep 0.1
done
[ -s sim.port ] || fail "pkiws-sim wrote no port file"
rc=0
"$example" --url "https://localhost:$(cat sim.port)/pki-ws" --sim-state sim -n 50 >out 2>err || rc=$?
[ "$rc" = 0 ] || fail "op_curl_multi: exit status $rc"
[ "$(grep -c '^issued ' out)" = 50 ] || fail "not 50 'issued' lines"
[ "$(awk '/^issued /{print $2}' out | sort -u | wc -l)" = 50 ] || fail "serials are not distinct"
grep -q '^50 of 50 issued$' err || fail "no summary"
echo "ok - 50 issuances over libcurl multi from one thread"
# usage errors: exit status 2
rc=0
"$example" --url x >out 2>err || rc=$?
[ "$rc" = 2 ] || fail "usage: exit status $rc, expected 2"
echo "ok - usage"
kill -TERM "$sim_pid"
wait "$sim_pid" || true
sim_pid=
issued=$(sed -n 's/.*issued[^0-9]*\([0-9][0-9]*\).*/\1/p' sim.stats sim.log | head -1)
echo "simulator stats: ${issued:-?} issued"
[ -z "$issued" ] || [ "$issued" = 50 ] || fail "the simulator issued $issued certificates, want 50"
echo "ok - the simulator issued 50"
