#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/examples/issue.py against a pkiws-sim this script starts, under the usual umask 022:
# the PFX it writes holds a private key, so it has mode 0600 like the CLI's (also when it
# replaces a 0644 file), opens with OpenSSL and the given password; a pending answer leaves the
# key file, 0600 too, and exit status 3.
#
#   example_py.sh PYTHON ISSUE_PY PKIWS_SIM LIBPKIWS_SO BINDINGS_PYTHON_DIR
set -euo pipefail
py=$1 example=$(readlink -f "$2") sim=$(readlink -f "$3") # absolute: the test works in a temp dir
PKIWS_LIBRARY=$(readlink -f "$4") PYTHONPATH=$(readlink -f "$5")
export PKIWS_LIBRARY PYTHONPATH PYTHONDONTWRITEBYTECODE=1
OPENSSL=${OPENSSL:-openssl}
B=2.16.840.1.113733.1.16.1.2.3.1.1 # the simulator's catalogue arc (tests/sim/README.md)
if [ -n "${DOCS_SANITIZED:-}" ]; then
    echo "skip: python3 cannot load a sanitizer-built library without its runtime"
    exit 77
fi

. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh" pkiws-docs-example-py "$sim"
umask 022
start_sim
CONN=(--url "$URL" --sim-state sim)

# run EXPECTED_STATUS ARGS...: stdout in $T/out, stderr in $T/err
run() {
    local want=$1 rc=0
    shift
    "$py" "$example" "$@" >out 2>err || rc=$?
    [ "$rc" = "$want" ] || fail "issue.py $*: exit status $rc, expected $want"
}
mode() { stat -c %a "$1"; }

run 0 "${CONN[@]}" --profile "$B.4" --subject-format cn-email --san email \
    --cn "Alice Example" --email alice@contoso.com --pfx-pass "correct horse" --out alice.pfx
[ "$(mode alice.pfx)" = 600 ] || fail "alice.pfx has mode $(mode alice.pfx), expected 600 (umask 022)"
"$OPENSSL" pkcs12 -in alice.pfx -passin pass:"correct horse" -nokeys -clcerts 2>/dev/null |
    "$OPENSSL" x509 -noout -subject >subject.txt || fail "openssl cannot open alice.pfx"
grep -Eq 'CN ?= ?Alice Example' subject.txt || fail "alice.pfx: subject $(cat subject.txt)"
grep -q '^wrote    alice.pfx (mode 0600)$' out || fail "no 'wrote alice.pfx (mode 0600)' line"
ok "a new PFX: mode 0600, opens with OpenSSL"

printf 'old\n' >bob.pfx
chmod 644 bob.pfx
run 0 "${CONN[@]}" --profile "$B.1" --san email --cn Bob --email bob@contoso.com --out bob.pfx
[ "$(mode bob.pfx)" = 600 ] || fail "bob.pfx (was 0644) has mode $(mode bob.pfx), expected 600"
pass=$(sed -n 's/^PFX password: //p' out)
[ -n "$pass" ] || fail "no generated PFX password printed"
"$OPENSSL" pkcs12 -in bob.pfx -passin pass:"$pass" -info -noout >/dev/null 2>&1 ||
    fail "bob.pfx does not open with the printed password"
ok "a PFX replacing a 0644 file: mode 0600; the generated password is printed and opens it"

run 3 "${CONN[@]}" --profile "$B.11" --san email --cn Dan --email dan@contoso.com --out dan.pfx
[ -f dan.pending.key ] || fail "no dan.pending.key for a pending request"
[ "$(mode dan.pending.key)" = 600 ] || fail "dan.pending.key has mode $(mode dan.pending.key)"
[ ! -e dan.pfx ] || fail "a PFX was written for a pending request"
ok "pending: exit 3, the key kept with mode 0600, no PFX"
