#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/examples/issue.c against a pkiws-sim this script starts: PFX files checked with OpenSSL
# (subject, SANs, chain to the simulator's root, both presets, password), pending + poll, and
# the failures the documentation shows (exit status, error name, remedy, no PFX written).
#
#   example_c.sh ISSUE_EXE PKIWS_SIM [--valgrind]
#
# With --valgrind the example runs under valgrind (no error, no definite or indirect leak).
set -euo pipefail
issue=$(readlink -f "$1") sim=$(readlink -f "$2") # absolute: the test works in a temp dir
mode=${3:-}
OPENSSL=${OPENSSL:-openssl}
B=2.16.840.1.113733.1.16.1.2.3.1.1 # the simulator's catalogue arc (tests/sim/README.md)

wrap=()
if [ "$mode" = --valgrind ]; then
    if [ -n "${DOCS_SANITIZED:-}" ]; then
        echo "skip: valgrind does not run sanitizer builds"
        exit 77
    fi
    command -v valgrind >/dev/null || { echo "skip: no valgrind"; exit 77; }
    wrap=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
          --error-exitcode=99 --track-origins=yes)
fi

. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh" pkiws-docs-example "$sim"
start_sim
CONN=(--url "$URL" --sim-state sim)
printf 'correct horse battery staple\n' >pfx.pass

# run EXPECTED_STATUS ARGS...: the example's stdout in $T/out, stderr in $T/err
run() {
    local want=$1 rc=0
    shift
    "${wrap[@]}" "$issue" "$@" >out 2>err || rc=$?
    [ "$rc" = "$want" ] || fail "issue $*: exit status $rc, expected $want"
    if [ ${#wrap[@]} -gt 0 ] && grep -q '==[0-9]*==' err; then fail "valgrind reported errors"; fi
}
# leaf PFX PASSFILE: the end-entity certificate, PEM, on stdout (OpenSSL 3 without -legacy)
leaf() {
    "$OPENSSL" pkcs12 -in "$1" -passin "file:$2" -nokeys -clcerts 2>/dev/null ||
        fail "openssl cannot open $1 with the password of $2"
}
expect_grep() { grep -Eq -- "$2" "$3" || fail "$1: /$2/ not in $3: $(head -c 800 "$3")"; }

# 1. CN + E subject, e-mail SAN, legacy PFX with a password from a file.
run 0 "${CONN[@]}" --profile "$B.4" --subject-format cn-email --san email \
    --cn "Alice Example" --email alice@contoso.com --pfx-pass-file pfx.pass --out alice.pfx
expect_grep "trace" '^  email +alice@contoso\.com +from request\.email$' out
expect_grep "summary" '^wrote +alice\.pfx \([0-9]+ bytes, legacy' out
[ "$(stat -c %a alice.pfx)" = 600 ] || fail "alice.pfx has mode $(stat -c %a alice.pfx)"
leaf alice.pfx pfx.pass >alice.pem
"$OPENSSL" x509 -in alice.pem -noout -subject -ext subjectAltName >x509.txt
expect_grep "subject" 'CN ?= ?Alice Example, emailAddress ?= ?alice@contoso\.com' x509.txt
expect_grep "SAN" 'email:alice@contoso\.com' x509.txt
"$OPENSSL" pkcs12 -in alice.pfx -passin file:pfx.pass -nokeys -cacerts 2>/dev/null >chain.pem
n=$(grep -c 'BEGIN CERT' chain.pem)
[ "$n" = 2 ] || fail "alice.pfx chain: $n certificates, expected the issuing CA and the root"
"$OPENSSL" verify -CAfile sim/root-ca.pem -untrusted chain.pem alice.pem >verify.txt 2>&1 ||
    fail "alice.pem does not verify up to the simulator's root: $(cat verify.txt)"
"$OPENSSL" pkcs12 -in alice.pfx -passin file:pfx.pass -info -noout >info.txt 2>&1
expect_grep "legacy MAC" '^MAC: sha1' info.txt
expect_grep "legacy bags" 'pbeWithSHA1And3-KeyTripleDES-CBC' info.txt
serial=$(sed -nE 's/^serial +//p' out | head -1)
[ "$(sed -n 's/^serial=//p' <("$OPENSSL" x509 -in alice.pem -noout -serial))" = "$serial" ] ||
    fail "the printed serial '$serial' is not the certificate's"
ok "CN+E / EMAIL, legacy PFX: subject, SAN, chain, MAC, serial, mode 0600"

# 2. Every SAN type at once, with the otherName of the article, modern PFX, generated password.
run 0 "${CONN[@]}" --profile "$B.13" --subject-format cn-email --san email,upn,othername \
    --cn Carol --upn carol@contoso.com --modern \
    --othername "1.3.6.1.4.1.311.25.1=04 12 b8 ba 65 41 f2 d4 07 41 a9 f7 47 08 f3 e4 28 5c ef 2c" \
    --out carol.pfx
expect_grep "fallback" '^  email +carol@contoso\.com +from request\.upn$' out
expect_grep "othername trace" \
    '^  othername +0412B8BA6541F2D40741A9F74708F3E4285CEF2C +from request\.othername$' out
pass=$(sed -n 's/^password  //p' out)
[ -n "$pass" ] || fail "no generated password printed"
printf '%s\n' "$pass" >carol.pass
leaf carol.pfx carol.pass >carol.pem
"$OPENSSL" x509 -in carol.pem -noout -ext subjectAltName >x509.txt
expect_grep "SAN email" 'email:carol@contoso\.com' x509.txt
expect_grep "SAN UPN" 'othername: ?UPN::carol@contoso\.com' x509.txt # OpenSSL 3 notation
expect_grep "SAN otherName" 'othername: ?1\.3\.6\.1\.4\.1\.311\.25\.1::' x509.txt
"$OPENSSL" pkcs12 -in carol.pfx -passin file:carol.pass -info -noout >info.txt 2>&1
expect_grep "modern MAC" '^MAC: sha256' info.txt
expect_grep "modern bags" 'AES-256-CBC' info.txt
ok "EMAIL+UPN+OTHERNAME, modern PFX, generated password"

# 3. A profile that needs approval: PENDING, polled until issued.
run 0 "${CONN[@]}" --profile "$B.11" --san email --cn Bob --email bob@contoso.com \
    --pfx-pass-file pfx.pass --wait 10 --out bob.pfx
expect_grep "pending" '^pending +reference [^ ]+ \(waited 0 s\)$' out
expect_grep "issued after poll" '^wrote +bob\.pfx' out
leaf bob.pfx pfx.pass | "$OPENSSL" x509 -noout -subject >x509.txt
expect_grep "subject" 'CN ?= ?Bob' x509.txt
ok "pending, polled, issued"

# 4. Still pending after --wait 0: exit 3, no PFX.
run 3 "${CONN[@]}" --profile "$B.11" --san email --cn Dan --email dan@contoso.com --wait 0 \
    --out dan.pfx
[ ! -e dan.pfx ] || fail "a PFX was written for a pending request"
ok "pending after --wait 0: exit 3"

# 5. The failures the documentation shows: name, message, remedy, no PFX.
run 1 "${CONN[@]}" --profile "$B.999" --san email --cn Eve --email eve@contoso.com --out eve.pfx
expect_grep "unknown profile" '^issue: policy of the profile: PKIWS_E_PROFILE_NOT_FOUND$' err
expect_grep "unknown profile: remedy" '^  remedy: .*profile OID' err
run 1 "${CONN[@]}" --profile "$B.10" --san upn --cn Admin --upn global_admin@contoso.com \
    --out admin.pfx
expect_grep "special characters" 'PKIWS_E_UNSUPPORTED_CHARS' err
expect_grep "special characters: position" "'_' \(U\+005F\) at position 7" err
run 1 "${CONN[@]}" --profile "$B.2" --san email --cn Bob --upn bob@contoso.com --out x.pfx
expect_grep "mismatch" 'PKIWS_E_POLICY_MISMATCH' err
expect_grep "mismatch verdicts" '^  san_upn: mandatory but unfillable' err
run 1 "${CONN[@]}" --profile "$B.1" --san email --cn Bob --out x.pfx
expect_grep "unresolved" 'PKIWS_E_SAN_UNRESOLVED' err
run 1 --url "$URL" --trust sim/trust.pem --ra-cert sim/foreign-ra.pem --ra-key sim/foreign-ra.key \
    --profile "$B.1" --san email --cn Bob --email bob@contoso.com --out x.pfx
expect_grep "foreign RA" 'PKIWS_E_TLS' err
expect_grep "foreign RA: remedy" 'remedy: .*RA' err
run 1 --url "$URL" --trust sim/root-ca.pem --ra-p12 sim/ra.p12 --ra-password-file pfx.pass \
    --profile "$B.1" --out x.pfx
expect_grep "wrong RA password" 'PKIWS_E_RA_CREDENTIAL' err
for f in eve.pfx admin.pfx x.pfx; do [ ! -e "$f" ] || fail "$f written by a failed run"; done
ok "failures: PROFILE_NOT_FOUND, UNSUPPORTED_CHARS, POLICY_MISMATCH, SAN_UNRESOLVED, TLS, RA_CREDENTIAL"

# 6. Usage errors.
run 2 "${CONN[@]}" --cn Alice --out x.pfx
expect_grep "usage" 'missing or bad --profile' err
run 2 "${CONN[@]}" --profile "$B.1" --san dns --out x.pfx
expect_grep "usage: san" "'dns' is not email, upn or othername" err
ok "usage errors: exit 2"

stop_sim || fail "pkiws-sim exited with $?"
issued=$(awk '$1 == "issued" { print $2 }' sim.stats)
[ "$issued" = 3 ] || fail "the simulator issued $issued certificates, expected 3 (alice, carol, bob)"
ok "the simulator counted 3 issued certificates"
