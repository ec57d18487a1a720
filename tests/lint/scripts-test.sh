#!/usr/bin/env bash
# scripts/test runs every stage even when one fails, and ends with a summary and status 1:
# a copy of it runs with a fake meson (and scripts/deps) that fails where told.
#
# usage: scripts-test.sh SOURCE_ROOT
set -u
src=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-scripts-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; [ -f "$T/out" ] && cat "$T/out"; exit 1; }

mkdir -p "$T/tree/scripts" "$T/bin"
cp "$src/scripts/test" "$T/tree/scripts/test"
printf '#!/bin/sh\necho deps >> "%s/calls"\n' "$T" > "$T/tree/scripts/deps"
# the fake meson: logs its arguments; fails for the arguments that match $FAKE_FAIL (a glob)
cat > "$T/bin/meson" << END_OF_MESON
#!/bin/sh
echo "meson \$*" >> "$T/calls"
case "meson \$*" in \$FAKE_FAIL) exit 1 ;; esac
exit 0
END_OF_MESON
chmod +x "$T/tree/scripts/test" "$T/tree/scripts/deps" "$T/bin/meson"

# run FAIL_GLOB: runs the copy; status in $rc, output in $T/out, meson calls in $T/calls
run() {
  rm -f "$T/calls"
  rc=0
  FAKE_FAIL=$1 PATH="$T/bin:$PATH" PKIWS_BUILD_DIR=b PKIWS_SAN_BUILD_DIR=s \
    "$T/tree/scripts/test" < /dev/null > "$T/out" 2>&1 || rc=$?
}
called() { grep -q -- "$1" "$T/calls" || fail "$2: no '$1' call"; }
said() { grep -Eq -- "$1" "$T/out" || fail "$2: output lacks /$1/"; }

run "meson test -C b --setup valgrind*"
[ $rc = 1 ] || fail "valgrind stage fails: exit status $rc, expected 1"
called "meson test -C s --suite unit" "valgrind stage fails: the ASan stage"
said '^  valgrind +FAILED \(1\)' "valgrind stage fails"
said '^  asan +ok' "valgrind stage fails"
said '^  tests +ok' "valgrind stage fails"
said '^scripts/test: FAILED: valgrind ' "valgrind stage fails"
echo "ok - a failing valgrind stage: the ASan stage still runs, the summary names it, exit 1"

run "meson compile -C b"
[ $rc = 1 ] || fail "build fails: exit status $rc, expected 1"
if grep -q "meson test -C b" "$T/calls"; then fail "build fails: the tests of the failed build ran"; fi
called "meson compile -C s" "build fails: the ASan build"
called "meson test -C s --suite unit" "build fails: the ASan stage"
said '^  tests +skipped: the build failed' "build fails"
said '^scripts/test: FAILED: build tests valgrind ' "build fails"
echo "ok - a failing build: its test stages skipped, the ASan stages still run, exit 1"

run "no such call"
[ $rc = 0 ] || fail "all pass: exit status $rc"
said '^scripts/test: all tests passed$' "all pass"
for s in deps build tests valgrind asan-build asan; do said "^  $s +ok" "all pass"; done
echo "ok - all stages pass: exit 0, six stages in the summary"
