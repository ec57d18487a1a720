#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pinned values stay complete: every enumerator of the public headers has an explicit
# value (no implicit numbering that an insertion could shift), and every error code PKIWS_E_*
# is pinned in tests/lint/test_abi_pins.c, which fails when a pinned value changes. Other
# constants that are not pinned yet are listed, without failing.
#
# usage: pins.sh PINS_C HEADER_OR_DIR...   (a directory stands for every *.h in it)
set -u
pins=$1; shift
fail=0
headers=()
for a in "$@"; do
  if [ -d "$a" ]; then headers+=("$a"/*.h); else headers+=("$a"); fi
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# enumerators: the lines between `enum ... {` and `};`, comments removed by the preprocessor
for h in "${headers[@]}"; do
  ${CC:-cc} -w -fpreprocessed -dD -E -P -x c "$h" | awk -v file="$(basename "$h")" '
    /^[ \t]*(typedef[ \t]+)?enum[ \t]*[A-Za-z0-9_]*[ \t]*\{/ { inside = 1; next }
    inside && /\}/ { inside = 0; next }
    inside {
      n = split($0, parts, ",")
      for (i = 1; i <= n; i++) {
        e = parts[i]; gsub(/^[ \t]+|[ \t]+$/, "", e)
        if (e == "") continue
        if (e !~ /^PKIWS_[A-Z0-9_]+[ \t]*=/) {
          printf "implicit %s: %s\n", file, e
          if (e ~ /^PKIWS_[A-Z0-9_]+$/) print "enum " e
          continue
        }
        name = e; sub(/[ \t]*=.*/, "", name); print "enum " name
      }
    }'
done > "$tmp/enums"
implicit=$(sed -n 's/^implicit //p' "$tmp/enums")
if [ -n "$implicit" ]; then
  echo "pins: FAIL: enumerators without an explicit value (an insertion would renumber them):"
  echo "$implicit"; fail=1
fi
sed -n 's/^enum //p' "$tmp/enums" | sort -u > "$tmp/names"
grep -o -E 'PIN\(PKIWS_[A-Z0-9_]+' "$pins" | sed 's/^PIN(//' | sort -u > "$tmp/pinned"
[ -s "$tmp/names" ] || { echo "pins: FAIL: no enumerators found in ${headers[*]}"; exit 1; }
[ -s "$tmp/pinned" ] || { echo "pins: FAIL: no PIN(...) entries in $pins"; exit 1; }
unpinned_err=$(grep '^PKIWS_E_' "$tmp/names" | comm -23 - "$tmp/pinned")
if [ -n "$unpinned_err" ]; then
  echo "pins: FAIL: error codes not pinned in $(basename "$pins"):" $unpinned_err; fail=1
fi
stale=$(comm -13 "$tmp/names" "$tmp/pinned" | grep -v -x -f <(grep -h -o -E '#define PKIWS_[A-Z0-9_]+' "${headers[@]}" | awk '{print $2}') || true)
if [ -n "$stale" ]; then
  echo "pins: FAIL: pinned names that no public header defines:" $stale; fail=1
fi
others=$(grep -v '^PKIWS_E_' "$tmp/names" | comm -23 - "$tmp/pinned" | wc -l)
[ $fail -eq 0 ] && echo "pins: ok ($(grep -c '^PKIWS_E_' "$tmp/names") error codes pinned;" \
  "$(wc -l < "$tmp/names") enumerators all with explicit values; $others other enumerators not pinned)"
exit $fail
