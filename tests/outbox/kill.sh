#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The durable outbox survives kill -9 at every step: queue N revocations, run `pkiws outbox run`
# against a pkiws-sim with faults (delays, resets, answers lost after processing, truncated
# answers, 5xx, SOAP faults) and kill it with SIGKILL, at deterministic points (the test hook
# PKIWS_OUTBOX_TEST_KILL_AT=STEP[:N] right after send / sent / accepted / searched / done) and
# after random short delays, restarting each time, until nothing is pending. Then prove from the
# simulator's request log and state: every queued serial ends REVOKED, changed exactly once
# (status_changes == N), every update of an entry carried the entry's one stored
# clientTransactionID, no txid served two serials, and every logged request validates.
# usage: kill.sh PKIWS SHARED_DIR CLI_DATA_DIR  (env: SIM, PYTHON, VALIDATE)
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

N=${PKIWS_OUTBOX_KILL_N:-20}
B=2.16.840.1.113733.1.16.1.2.3.1.1
DB=$WORK/outbox.db
LOG=$WORK/requests
: "${VALIDATE:?set VALIDATE to pkiws-validate}"

# The issue phase sends 2 requests per certificate (getPolicies, RequestSecurityToken): the
# faults are placed on the requests after it, i.e. on the outbox's updates and searches.
K=$((2 * N))
faults=(--fault delay:15)
for off in 2 5 9 13 18 24 31 37 44 52; do
    case $((off % 5)) in
    0) f=drop-after-issue ;; # processed, answer lost: the re-send must get successCode -2
    1) f=reset ;;
    2) f=truncate ;; # processed, half an answer
    3) f=http503 ;;
    4) f=soap-fault:busy ;;
    esac
    faults+=(--fault "$f@$((K + off))")
done
sim_start --log-requests "$LOG" "${faults[@]}" || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}

serials=()
for i in $(seq 1 "$N"); do
    run issue "${CONN[@]}" --profile "$B.1" --san email --cn "dev$i" --email "dev$i@contoso.com" \
        --seat "seat$i" --out "$WORK/dev$i.pfx" --pfx-pass x --json
    expect_rc 0 "issue $i"
    serials+=("$(jget "d['serial']")")
done
equal "$(find "$LOG" -name '*.xml' | wc -l)" "$K" "requests of the issue phase (the faults' offsets)"

args=()
for s in "${serials[@]}"; do args+=(--serial "$s"); done
run outbox add --db "$DB" "${args[@]}" --reason CessationOfOperation --json
expect_rc 0 "outbox add"
jcheck "outbox add" "len(d['added']) == $N and d['pending'] == $N and all(e['state'] == 'queued' and e['client_transaction_id'] for e in d['entries'])"
cp "$WORK/out" "$WORK/queued.json"

pending() {
    "$PKIWS" outbox list --db "$DB" --json >"$WORK/list.json" 2>"$WORK/list.err" || {
        fail "outbox list: $(cat "$WORK/list.err")"
        echo 0
        return
    }
    "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pending"])' "$WORK/list.json"
}

RUN=(outbox run --db "$DB" --backoff-ms 40 --max-seconds 30 --timeout-ms 5000 "${CONN[@]}")
kills=0
# Deterministic kill points: right after each step, at its 1st, 2nd and 3rd occurrence.
for step in send sent accepted searched done sent send; do
    for nth in 1 2; do
        [ "$(pending)" -gt 0 ] || break 2
        PKIWS_OUTBOX_TEST_KILL_AT=$step:$nth "$PKIWS" "${RUN[@]}" >"$WORK/run.out" 2>"$WORK/run.err"
        rc=$?
        checks=$((checks + 1))
        if [ "$rc" = 137 ]; then
            kills=$((kills + 1))
        elif [ "$rc" != 0 ]; then
            fail "outbox run with kill at $step:$nth: exit $rc: $(tail -3 "$WORK/run.err")"
        fi
    done
done
# Random kills: after 30..330 ms, while it works (several entries in flight per run).
for i in $(seq 1 15); do
    [ "$(pending)" -gt 0 ] || break
    "$PKIWS" "${RUN[@]}" >"$WORK/run.out" 2>"$WORK/run.err" &
    pid=$!
    sleep "0.$(printf '%03d' $((30 + RANDOM % 300)))"
    kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null
done
# Finally, uninterrupted until done.
for i in 1 2 3; do
    [ "$(pending)" -gt 0 ] || break
    run "${RUN[@]}" --json
done
equal "$(pending)" 0 "nothing pending after the last run"
echo "outbox kill test: $kills kill -9" >&2
checks=$((checks + 1))
[ "$kills" -ge 10 ] || fail "only $kills runs were killed (want 10 or more)"

run outbox list --db "$DB" --all --json
expect_rc 0 "outbox list --all"
jcheck "every entry done" "len(d['entries']) == $N and all(e['state'] == 'done' and e['last_error'] is None for e in d['entries'])"
cp "$WORK/out" "$WORK/final.json"

# The CA's state: every serial REVOKED.
run search "${CONN[@]}" --profile "$B.1" --all-pages --json
expect_rc 0 "search the profile"
"$PYTHON" - "$WORK/out" "${serials[@]}" >&2 <<'PY' || fail "the CA's state"
import json, sys
d = json.load(open(sys.argv[1]))
status = {c["serial"].upper(): c["status"] for c in d["certificates"]}
bad = [(s, status.get(s)) for s in sys.argv[2:] if status.get(s.upper()) != "REVOKED"]
if bad:
    sys.exit("not REVOKED in the CA: %r" % bad)
PY

# The request log: updates per serial, their txids against the stored ones.
"$PYTHON" - "$LOG" "$WORK/queued.json" "$WORK/final.json" >&2 <<'PY' || fail "the request log"
import json, os, re, sys
log, queued, final = sys.argv[1:4]
stored = {e["serial"]: e["client_transaction_id"] for e in json.load(open(queued))["entries"]}
after = {e["serial"]: e["client_transaction_id"] for e in json.load(open(final))["entries"]}
if stored != after:
    sys.exit("a stored clientTransactionID changed: %r -> %r" % (stored, after))
sends, by_txid = {}, {}
for f in sorted(os.listdir(log)):
    if not f.endswith("-updateCertificateStatus.xml"):
        continue
    x = open(os.path.join(log, f), encoding="utf-8").read()
    tx = re.search(r"clientTransactionID>([^<]*)<", x).group(1)
    serial = re.search(r"certificateSerialNumber>([^<]*)<", x).group(1)
    sends.setdefault(serial, []).append(tx)
    by_txid.setdefault(tx, set()).add(serial)
problems = []
for s, tx in stored.items():
    got = set(sends.get(s, []))
    if got != {tx}:
        problems.append("serial %s: txids sent %r, stored %s" % (s, sorted(got), tx))
for tx, ss in by_txid.items():
    if len(ss) > 1:
        problems.append("txid %s sent for serials %r" % (tx, sorted(ss)))
extra = set(sends) - set(stored)
if extra:
    problems.append("updates for serials never queued: %r" % sorted(extra))
if problems:
    sys.exit("\n".join(problems))
resent = sum(1 for v in sends.values() if len(v) > 1)
print("request log: %d updates for %d serials, %d serials re-sent (same txid each time)"
      % (sum(map(len, sends.values())), len(sends), resent))
if resent == 0:
    sys.exit("no entry was re-sent: the kills and faults did not exercise a re-send")
PY

# Every request the library sent validates against the vendor schemas.
"$VALIDATE" --direction request "$LOG"/*-updateCertificateStatus.xml \
    "$LOG"/*-searchCertificate.xml >"$WORK/val.out" 2>&1 ||
    fail "logged requests fail pkiws-validate: $(grep -v '^OK' "$WORK/val.out" | head -5)"

sim_stop
equal "$(sim_stat status_changes)" "$N" "the CA changed each certificate exactly once"
finish
