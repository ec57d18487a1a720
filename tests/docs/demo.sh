#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/demo, on this build (PKIWS_DEMO_NO_BUILD=1: no deps, no compile) with its output
# directory in a temp dir: it passes, keeps the PFX it names, prints the password that opens
# it, and ends with next steps whose commands run and whose documents exist.
#
#   demo.sh SOURCE_ROOT BUILD_ROOT
set -uo pipefail
src=$1 build=$(readlink -f "$2")
OPENSSL=${OPENSSL:-openssl}
T=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-docs-demo.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; cat "$T/log"; exit 1; }

PKIWS_BUILD_DIR=$build PKIWS_DEMO_OUT=$T/out PKIWS_DEMO_NO_BUILD=1 \
  "$src/scripts/demo" < /dev/null > "$T/log" 2>&1 || fail "scripts/demo exited $?"

pfx=$(sed -n 's/^The PFX is kept: *//p' "$T/log")
[ "$pfx" = "$T/out/alice.pfx" ] || fail "the demo names the PFX '$pfx', expected $T/out/alice.pfx"
[ -f "$pfx" ] || fail "the PFX $pfx is gone after the demo"
pass=$(sed -n 's/^its password: *\([^ ]*\).*/\1/p' "$T/log")
[ -n "$pass" ] || fail "the demo does not print the PFX password"
"$OPENSSL" pkcs12 -in "$pfx" -passin pass:"$pass" -nokeys -clcerts 2>/dev/null |
  "$OPENSSL" x509 -noout -subject > "$T/subject" || fail "the printed password does not open $pfx"
grep -Eq 'CN ?= ?Alice Example' "$T/subject" || fail "unexpected subject: $(cat "$T/subject")"
[ "$(cat "$T/out/alice.pfx.password")" = "$pass" ] || fail "alice.pfx.password differs from the printed password"
[ -f "$T/out/sim/root-ca.pem" ] || fail "the simulator's state is not kept in $T/out/sim"
echo "ok - the PFX is kept where the demo says, and the printed password opens it"

sed -n '/^Next:$/,$p' "$T/log" > "$T/next"
[ -s "$T/next" ] || fail "the demo does not end with next steps"
cmd=$(sed -n 's/^ *\(openssl pkcs12 -in [^#]*\)#.*/\1/p' "$T/next")
[ -n "$cmd" ] || fail "no openssl command among the next steps"
(cd "$src" && eval "$cmd") > "$T/cmd.log" 2>&1 || { cat "$T/cmd.log"; fail "the next step '$cmd' fails"; }
grep -q 'BEGIN CERTIFICATE' "$T/cmd.log" || fail "the next step '$cmd' shows no certificate"
for d in $(grep -o 'docs/[a-z-]*\.md' "$T/next"); do
  [ -f "$src/$d" ] || fail "the next steps name $d, which does not exist"
done
grep -q 'docs/quickstart.md' "$T/next" || fail "the next steps do not point to docs/quickstart.md"
grep -q './scripts/test' "$T/next" || fail "the next steps do not say how to run the tests"
echo "ok - the demo ends with next steps: the openssl command runs, the documents exist"
[ ! -e "$T/out/sim.port" ] || fail "the demo left sim.port behind (the simulator still running?)"
echo "ok - scripts/demo"
