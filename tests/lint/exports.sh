#!/usr/bin/env bash
# The ABI ledger agrees with itself: exported symbols == version script == PKIWS_API
# declarations of the public headers; every global symbol of the static archive is pkiws_*;
# the SONAME is libpkiws.so.1.
set -u
so=$1 ar=$2 map=$3; shift 3
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /[TDBR]/ {print $3}' | sed 's/@.*//' | sort -u > "$tmp/exports"
grep -E '^\s+pkiws_[a-z0-9_]+;' "$map" | tr -d ' ;\t' | sort -u > "$tmp/map"
cat "$@" | tr '\n' ' ' | grep -o -E 'PKIWS_API[^;{(]*\(' | grep -o -E 'pkiws_[a-z0-9_]+\s*\($' \
  | tr -d ' (' | sort -u > "$tmp/header"
if grep -v -E '^pkiws_[a-z0-9]' "$tmp/exports"; then echo "exports: the symbols above are not public pkiws_ names"; fail=1; fi
if ! diff -u "$tmp/header" "$tmp/map" > "$tmp/d1"; then echo "exports: header declarations (-) and version script (+) differ:"; cat "$tmp/d1"; fail=1; fi
if ! diff -u "$tmp/map" "$tmp/exports" > "$tmp/d2"; then echo "exports: version script (-) and exported symbols (+) differ:"; cat "$tmp/d2"; fail=1; fi
# (ASan builds add an __odr_asan.<name> indicator per global: allowed for pkiws_ names)
bad=$(nm -g --defined-only "$ar" 2>/dev/null | awk 'NF==3 {print $3}' | grep -v -E '^(__odr_asan\.)?pkiws_' | sort -u)
if [ -n "$bad" ]; then echo "exports: static archive has global symbols without the pkiws_ prefix:"; echo "$bad" | head -20; fail=1; fi
soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libpkiws.so.1 ] || { echo "exports: SONAME is '$soname', expected libpkiws.so.1"; fail=1; }
[ $fail -eq 0 ] && echo "exports: ok ($(wc -l < "$tmp/exports") symbols)"
exit $fail
