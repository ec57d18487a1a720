#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ABI guard can fail: abi.sh check, with the project's suppressions, must pass on a fresh
# dump of the library and fail on each kind of change (removed symbols, an added symbol, a
# changed parameter type, a public struct's layout, a malformed baseline), and skip a library
# without debug info.
#
# usage: abi-selftest.sh ABI_SH ABIDW ABIDIFF HEADERS_DIR BUILD_HEADERS_DIR LIBRARY SUPPRESSIONS
set -u
abi=$1 abidw=$2 abidiff=$3 headers=$4 bheaders=$5 lib=$6 suppr=$7
cc=cc
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS PATTERN BASELINE LIBRARY: abi.sh check exits STATUS and says PATTERN
expect() {
  local name=$1 want=$2 pattern=$3 base=$4 so=$5 out rc
  out=$(bash "$abi" check "$abidiff" "$headers" "$so" "$base" "$suppr" 2>&1)
  rc=$?
  if [ $rc -ne "$want" ]; then
    echo "abi-selftest: FAIL: $name: exit status $rc, expected $want. Output:"; echo "$out"; fail=1
  elif ! echo "$out" | grep -q -E "$pattern"; then
    echo "abi-selftest: FAIL: $name: output lacks /$pattern/. Output:"; echo "$out"; fail=1
  else
    echo "abi-selftest: ok: $name (exit $rc)"
  fi
}

fresh=$tmp/fresh.abi
bash "$abi" dump "$abidw" "$headers" "$lib" "$fresh" || { echo "abi-selftest: FAIL: abi.sh dump"; exit 1; }
# a function that takes a size_t (pkiws_free_secret(void *, size_t)) to mutate
victim=pkiws_free_secret
grep -q "<function-decl name='$victim'" "$fresh" || { echo "abi-selftest: FAIL: $victim is not in the dump"; exit 1; }

# 1. dump and check agree: the library against its own fresh dump is unchanged
expect "fresh dump of the same library" 0 '^abi: ok' "$fresh" "$lib"

# 2. removed symbols: a libpkiws.so.1 that exports only pkiws_version()
cat > "$tmp/stub.c" <<'EOF'
#include <pkiws/pkiws.h>
PKIWS_API uint32_t pkiws_version(void) { return PKIWS_VERSION_NUM; }
EOF
$cc -g -O0 -shared -fPIC -fvisibility=hidden -I"$(dirname "$headers")" -I"$(dirname "$bheaders")" \
  -Wl,-soname,libpkiws.so.1 -o "$tmp/libpkiws.so.1" "$tmp/stub.c" || { echo "abi-selftest: FAIL: stub build"; exit 1; }
expect "removed symbols" 1 'INCOMPATIBLE' "$fresh" "$tmp/libpkiws.so.1"
out=$(bash "$abi" check "$abidiff" "$headers" "$tmp/libpkiws.so.1" "$fresh" "$suppr" 2>&1)
echo "$out" | grep -q "pkiws_session_new" || { echo "abi-selftest: FAIL: the report does not name pkiws_session_new"; fail=1; }

# 3. an added symbol: the baseline without pkiws_free_secret
awk -v s="$victim" '
  index($0, "<elf-symbol name='\''" s "'\''") { next }
  index($0, "<function-decl name='\''" s "'\''") { skip = 1 }
  skip { if (index($0, "</function-decl>")) skip = 0; next }
  { print }' "$fresh" > "$tmp/added.abi"
expect "added symbol" 1 "grew.*scripts/abi-baseline" "$tmp/added.abi" "$lib"

# 4. a changed parameter: the baseline says pkiws_free_secret(void *, int)
int_id=$(sed -n "s/.*<type-decl name='int' [^>]* id='\([^']*\)'.*/\1/p" "$fresh" | head -1)
[ -n "$int_id" ] || { echo "abi-selftest: FAIL: no 'int' type in the dump"; exit 1; }
awk -v s="$victim" -v t="$int_id" '
  index($0, "<function-decl name='\''" s "'\''") { f = 1 }
  f && /name='\''len'\''/ { sub(/type-id='\''[^'\'']*'\''/, "type-id='\''" t "'\''"); f = 0 }
  { print }' "$fresh" > "$tmp/changed.abi"
cmp -s "$fresh" "$tmp/changed.abi" && { echo "abi-selftest: FAIL: the type mutation did not apply"; exit 1; }
expect "changed parameter type" 1 'CHANGED interfaces' "$tmp/changed.abi" "$lib"

# 5. a public struct's layout: the first pkiws_ struct with a definition (a plug-in table of
#    backend.h) is 64 bits larger in the baseline
struct=$(sed -n "s/.*<class-decl name='\(pkiws_[a-z0-9_]*\)' size-in-bits='[0-9]*'.*/\1/p" "$fresh" | head -1)
if [ -n "$struct" ]; then
  awk -v s="$struct" '
    !done && index($0, "<class-decl name='\''" s "'\'' size-in-bits='\''") {
      match($0, /size-in-bits='\''[0-9]+'\''/)
      bits = substr($0, RSTART + 14, RLENGTH - 15) + 64
      $0 = substr($0, 1, RSTART - 1) "size-in-bits='\''" bits "'\''" substr($0, RSTART + RLENGTH)
      done = 1
    }
    { print }' "$fresh" > "$tmp/layout.abi"
  cmp -s "$fresh" "$tmp/layout.abi" && { echo "abi-selftest: FAIL: the layout mutation did not apply"; exit 1; }
  expect "public struct $struct layout" 1 'CHANGED interfaces' "$tmp/layout.abi" "$lib"
else
  echo "abi-selftest: note: no public struct in the ABI yet; the layout case is not exercised"
fi

# 6. a truncated baseline (abidiff itself would read it partially and exit 0)
head -n 20 "$fresh" > "$tmp/truncated.abi"
expect "truncated baseline" 1 'not well-formed' "$tmp/truncated.abi" "$lib"

# 7. no debug info: skipped, not passed
cp "$lib" "$tmp/nodebug.so" && objcopy --strip-debug "$tmp/nodebug.so"
expect "library without debug info" 77 'SKIP' "$fresh" "$tmp/nodebug.so"

[ $fail -eq 0 ] && echo "abi-selftest: ok"
exit $fail
