# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# What the scripts that run the documentation's examples against a pkiws-sim share. Sourced
# after they made their paths absolute:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh" NAME PKIWS_SIM
#
# gives a fresh "$TMPDIR/NAME.XXXXXX" as $T and the working directory (removed at exit, with a
# simulator still running), fail MESSAGE (prints $T/out, $T/err and the simulator's log, exits
# 1), ok MESSAGE, start_sim [ARGS...] (pkiws-sim in $T: state dir sim, port 0 into sim.port,
# --stats into sim.stats, log in sim.log; sets $URL) and stop_sim (SIGTERM, its exit status).
T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
sim_exe=$2
sim_pid=
cleanup() {
    [ -z "$sim_pid" ] || kill -KILL "$sim_pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$T"/out "$T"/err "$T"/sim.log; do
        [ -s "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok - $*"; }
start_sim() {
    "$sim_exe" --state-dir sim --port-file sim.port --listen 127.0.0.1:0 --stats -q "$@" \
        >sim.stats 2>sim.log &
    sim_pid=$!
    for _ in $(seq 1 600); do
        [ -s sim.port ] && break
        kill -0 "$sim_pid" 2>/dev/null || fail "pkiws-sim exited"
        sleep 0.1
    done
    [ -s sim.port ] || fail "pkiws-sim wrote no port file"
    URL=https://localhost:$(cat sim.port)/pki-ws
}
stop_sim() {
    local rc=0
    kill -TERM "$sim_pid"
    wait "$sim_pid" || rc=$?
    sim_pid=
    return $rc
}
cd "$T"
