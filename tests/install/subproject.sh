#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws as a meson subproject: a downstream project (tests/install/subproject/) with this source
# tree as subprojects/pkiws configures, builds and runs a program through
# dependency('pkiws') (the override) and through subproject('pkiws').get_variable('pkiws_dep').
#
# usage: subproject.sh MESON SOURCE_DIR CONSUMER_PROJECT_DIR CONSUMER_C VERSION
set -u
meson=$1 src=$2 proj=$3 consumer=$4 version=$5
fail=0
bad() { echo "subproject: FAIL: $*"; fail=1; }
die() { echo "subproject: FAIL: $*"; exit 1; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proj/subprojects"
cp "$proj/meson.build" "$consumer" "$tmp/proj/"
ln -s "$src" "$tmp/proj/subprojects/pkiws"

# plain: no optimisation and no debug info, the quickest build of the library
"$meson" setup "$tmp/build" "$tmp/proj" --buildtype=plain --force-fallback-for=pkiws \
  > "$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; die "meson setup of the consumer project failed"; }
grep -q "Subproject pkiws finished" "$tmp/setup.log" || bad "pkiws was not configured as a subproject"
grep -q -E "Dependency pkiws found: YES .*\(overridden\)" "$tmp/setup.log" \
  || bad "dependency('pkiws') did not resolve to the subproject's override"
"$meson" compile -C "$tmp/build" > "$tmp/compile.log" 2>&1 \
  || { tail -40 "$tmp/compile.log"; die "the consumer project does not build"; }
# the subproject was built with its tests off (the consumer's default_options reached it)
[ -e "$tmp/build/subprojects/pkiws/tests" ] && bad "the subproject built its tests despite tests=false"
want=$tmp/build/subprojects/pkiws/src/libpkiws.so.1
for exe in consumer consumer_var; do
  out=$("$tmp/build/$exe" "$version" 2>&1) || { echo "$out"; bad "$exe failed"; continue; }
  echo "$out" | grep -q "^library: $want$" \
    || bad "$exe does not use the subproject's library $want: $(echo "$out" | grep '^library:')"
  echo "subproject: $exe: $(echo "$out" | tr '\n' ' ')"
done
[ $fail -eq 0 ] && echo "subproject: ok"
exit $fail
