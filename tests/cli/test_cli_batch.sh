#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws issue --batch against this script's own pkiws-sim: 20 identities on 4 threads sharing
# one session and profile, every PFX opened by openssl (no -legacy); a malformed line and a
# failing identity reported with their line numbers without stopping the others; exit 0 / 1 /
# 3; usage errors; a batch that cannot start.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=2.16.840.1.113733.1.16.1.2.3.1.1
# shellcheck disable=SC2119 # no extra simulator options
sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}
# EC P-256 (B.12: CN, SAN e-mail): cheap keys, so that the test holds under valgrind
EC=(--profile "$B.12" --key p256 --san email)

# jlines WHAT EXPR: stdout of the last run is JSON lines, each an object with the common
# members and "line"; EXPR over the list L of them (and re) is true.
jlines() {
    checks=$((checks + 1))
    if ! "$PYTHON" -c '
import json, re, sys
L = []
with open(sys.argv[1], encoding="utf-8") as f:
    for n, text in enumerate(f, 1):
        d = json.loads(text)
        if not isinstance(d, dict):
            sys.exit("output line %d is not a JSON object" % n)
        for k in ("status", "code", "error", "message", "remedy", "retryable", "line",
                  "pfx_file", "pfx_password", "serial", "subject", "san"):
            if k not in d:
                sys.exit("output line %d: member %r missing" % (n, k))
        L.append(d)
if not eval(sys.argv[2]):
    for d in L:
        print(json.dumps(d, ensure_ascii=False))
    sys.exit("false: " + sys.argv[2])
' "$WORK/out" "$2" >&2; then
        fail "$1: $2"
    fi
}

# --- 20 identities, a malformed line, a failing identity, on 4 threads ------------------
{
    echo "# users to enrol: one JSON object a line"
    for i in $(seq 1 20); do
        if [ "$i" = 5 ]; then # a line the tool cannot read: line 7 of the file
            echo '{"cn": "Broken", "email": "broken@contoso.com" "out": "x.pfx"}'
        fi
        if [ "$i" = 12 ]; then # an identity the CA cannot be asked for: no e-mail for the SAN
            printf '{"cn": "No Mail", "out": "%s/nomail.pfx"}\n' "$WORK"
            echo
        fi
        if [ $((i % 3)) = 0 ]; then # a chosen password, the modern preset
            printf '{"cn": "User %d", "email": "user%d@contoso.com", "seat": "seat-%d", "out": "%s/u%d.pfx", "pfx_pass": "pass %d \\u2713", "pfx_preset": "modern"}\n' \
                "$i" "$i" "$i" "$WORK" "$i" "$i"
        else # a generated password, printed in the answer
            printf '{"cn": "User %d", "email": "user%d@contoso.com", "out": "%s/u%d.pfx"}\n' \
                "$i" "$i" "$WORK" "$i"
        fi
    done
} >"$WORK/batch.jsonl"
broken_line=$(grep -n Broken "$WORK/batch.jsonl" | cut -d: -f1)
nomail_line=$(grep -n 'No Mail' "$WORK/batch.jsonl" | cut -d: -f1)
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/batch.jsonl" --parallel 4 --json
expect_rc 1 "batch with failures"
jlines "batch: one answer per identity" "len(L) == 22 and sorted(d['line'] for d in L) == sorted(set(d['line'] for d in L))"
jlines "batch: 20 issued" "len([d for d in L if d['status'] == 'ok' and d['code'] == 0 and d['error'] is None and d['pfx_file'] and d['serial']]) == 20"
jlines "batch: the malformed line" "[(d['status'], d['error'], d['pfx_file']) for d in L if d['line'] == $broken_line] == [('failed', 'PKIWS_E_INVALID_ARG', None)] and all(re.match('line $broken_line, column [0-9]+: ', d['message']) for d in L if d['line'] == $broken_line)"
jlines "batch: the failing identity" "[(d['status'], d['error'], d['pfx_file']) for d in L if d['line'] == $nomail_line] == [('failed', 'PKIWS_E_SAN_UNRESOLVED', None)]"
jlines "batch: subjects and SANs" "all(d['subject'] == 'CN=User %d' % int(re.search(r'u(\d+)\.pfx', d['pfx_file']).group(1)) and d['san'][0]['value'] == 'user%d@contoso.com' % int(re.search(r'u(\d+)\.pfx', d['pfx_file']).group(1)) for d in L if d['status'] == 'ok')"
jlines "batch: passwords echoed only when generated" "all((d['pfx_password'] is None) == (int(re.search(r'u(\d+)\.pfx', d['pfx_file']).group(1)) % 3 == 0) for d in L if d['status'] == 'ok')"
lacks "$WORK/out" "pass 3" "a chosen password is not echoed"
[ -e "$WORK/nomail.pfx" ] && fail "batch: a PFX for the failing identity"
# every PFX opens with openssl (OpenSSL 3 defaults: no -legacy), with its password
"$PYTHON" -c '
import json, sys
for text in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(text)
    if d["status"] == "ok":
        print(d["pfx_file"], d["pfx_password"] or "")
' "$WORK/out" >"$WORK/pfx.list"
opened=0
while read -r pfx pass; do
    n=$(basename "$pfx" .pfx | tr -d u)
    [ -n "$pass" ] || pass="pass $n ✓"
    checks=$((checks + 1))
    if pfx_leaf "$pfx" "$pass" "$WORK/leaf.pem"; then
        opened=$((opened + 1))
        "$OPENSSL" x509 -in "$WORK/leaf.pem" -noout -subject >"$WORK/subject.txt"
        contains "$WORK/subject.txt" "CN = User $n" "PFX $n: the leaf's subject"
        equal "$(mode_of "$pfx")" 600 "PFX $n: mode"
    else
        fail "openssl cannot open $pfx: $(cat "$WORK/openssl.err")"
    fi
done <"$WORK/pfx.list"
equal "$opened" 20 "PFX files opened by openssl"

# --- all issued: exit 0; human mode: JSON lines still, a summary on stderr ---------------
printf '{"cn": "Ann", "email": "ann@contoso.com", "out": "%s/ann.pfx", "pfx_pass": "a"}\n{"cn": "Ben", "email": "ben@contoso.com", "out": "%s/ben.pfx", "pfx_pass": "b", "chain_out": "%s/ben-chain.pem"}\n' \
    "$WORK" "$WORK" "$WORK" >"$WORK/ok.jsonl"
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/ok.jsonl" --parallel 1
expect_rc 0 "batch all issued"
jlines "batch all issued: answers" "len(L) == 2 and all(d['status'] == 'ok' for d in L) and [d['chain_count'] for d in L if d['line'] == 2] == [2]"
contains "$WORK/err" "2 identities: 2 issued, 0 pending, 0 failed" "human mode: the summary"
pfx_leaf "$WORK/ben.pfx" b "$WORK/ben.pem" || fail "openssl cannot open ben.pfx"

# --- human mode: a failure names its line on stderr; from stdin; duplicate files -------
printf '{"cn": "Cy", "email": "cy@contoso.com", "out": "%s/cy.pfx"}\n{"cn": "Cy again", "email": "cy2@contoso.com", "out": "%s/cy.pfx"}\n[1, 2]\n{"cn": "Di", "out": "%s/di.pfx", "colour": "blue"}\n' \
    "$WORK" "$WORK" "$WORK" >"$WORK/bad.jsonl"
${PKIWS_WRAP:-} "$PKIWS" issue "${CONN[@]}" "${EC[@]}" --batch - <"$WORK/bad.jsonl" \
    >"$WORK/out" 2>"$WORK/err"
rc=$?
expect_rc 1 "batch from stdin with bad lines"
contains "$WORK/err" "line 2: file '$WORK/cy.pfx' is also written by line 1" "a second writer of a file"
contains "$WORK/err" "line 3, column 1: expected a JSON object" "not an object"
contains "$WORK/err" 'unknown member "colour"' "an unknown member"
contains "$WORK/err" "error: line 4, column " "an unknown member: its line"
contains "$WORK/err" "4 identities: 1 issued, 0 pending, 3 failed" "human mode: the summary with failures"
jlines "stdin batch: answers" "len(L) == 4 and [d['status'] for d in sorted(L, key=lambda d: d['line'])] == ['ok', 'failed', 'failed', 'failed']"

# --- pending and none failed: exit 3 ------------------------------------------------------
printf '{"cn": "Pat", "email": "pat@contoso.com", "out": "%s/pat.pfx", "pfx_pass": "p"}\n' \
    "$WORK" >"$WORK/pending.jsonl"
run issue "${CONN[@]}" --profile "$B.11" --san email --batch "$WORK/pending.jsonl" --json
expect_rc 3 "batch with a pending identity"
jlines "pending: answer" "len(L) == 1 and L[0]['status'] == 'pending' and L[0]['pending_file'] == '$WORK/pat.pfx.pending' and L[0]['pending_reference']"
[ -s "$WORK/pat.pfx.pending" ] || fail "pending: no pending file"

# --- --duplicates report: each answer lists what the seat already had -------------------
printf '{"cn": "User 3b", "email": "user3b@contoso.com", "seat": "seat-3", "out": "%s/dup3.pfx"}\n' \
    "$WORK" >"$WORK/dup.jsonl"
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/dup.jsonl" --duplicates report --json
expect_rc 0 "batch with --duplicates report"
jlines "batch --duplicates report lists the seat's earlier certificate" "len(L) == 1 and L[0]['status'] == 'ok' and len(L[0]['duplicates']) == 1 and L[0]['duplicates'][0]['status'] == 'VALID' and L[0]['duplicates'][0]['serial'] != L[0]['serial']"

# --- a batch that cannot start: one answer, exit 1 ----------------------------------------
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/missing.jsonl" --json
expect_rc 1 "missing batch file"
jcheck "missing batch file: one answer" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_IO' and d['line'] is None"
run issue "${CONN[@]}" --profile 1.2.3.4.5 --batch "$WORK/ok.jsonl" --json
expect_rc 1 "unknown profile"
jcheck "unknown profile: one answer" "d['error'] == 'PKIWS_E_PROFILE_NOT_FOUND' and d['line'] is None"

# --- usage errors -------------------------------------------------------------------------
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/ok.jsonl" --out "$WORK/x.pfx"
expect_usage_error "--batch with --out" "--out goes on each line of the --batch file"
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/ok.jsonl" --cn Alice
expect_usage_error "--batch with --cn" "--cn goes on each line"
run issue "${CONN[@]}" "${EC[@]}" --batch "$WORK/ok.jsonl" --parallel 0
expect_usage_error "--parallel 0" "--parallel '0': expected a number from 1 to 64"
run issue "${CONN[@]}" "${EC[@]}" --out "$WORK/x.pfx" --cn Alice --parallel 2
expect_usage_error "--parallel without --batch" "--parallel goes with --batch"
run issue --help
contains "$WORK/out" "--batch FILE" "--help: --batch"
contains "$WORK/out" "--parallel N" "--help: --parallel"

sim_stop
# 20 + Ann, Ben + Cy + User 3b
equal "$(sim_stat issued)" 24 "the simulator issued one certificate per issued identity"
finish
