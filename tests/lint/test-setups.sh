#!/usr/bin/env bash
# The `valgrind` test setup (meson.build) exports PKIWS_TEST_SLOW=1 and multiplies timeouts:
# the test setup_probe, run here under that setup, sleeps 5 s when it sees PKIWS_TEST_SLOW=1,
# beyond its own 3 s timeout, and must still pass.
#
# usage: test-setups.sh MESON BUILD_DIR
set -u
meson=$1 build=$2
command -v valgrind > /dev/null || { echo "skip: no valgrind"; exit 77; }
out=$("$meson" test -C "$build" --no-rebuild --setup valgrind --logbase testlog-setup-probe -v \
        setup_probe 2>&1)
rc=$?
echo "$out" | grep -q '^PKIWS_TEST_SLOW=1$' \
  || { echo "$out"; echo "FAIL: under --setup valgrind the tests do not see PKIWS_TEST_SLOW=1"; exit 1; }
[ $rc -eq 0 ] \
  || { echo "$out"; echo "FAIL: setup_probe (5 s, timeout 3 s) fails under --setup valgrind: no timeout multiplier?"; exit 1; }
echo "ok - --setup valgrind: PKIWS_TEST_SLOW=1 and a timeout multiplier"
