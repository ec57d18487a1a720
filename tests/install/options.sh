#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build options that leave features out never change the ABI: a build with -Dnative=false
# -Dplugins=false -Dunwind_tables=false -Dsqlite=disabled (libcurl transport only, no outbox),
# --buildtype=minsize -Db_lto=true, builds with warnings as errors, exports exactly the symbols
# (and symbol versions) of the main build and needs no more than it; stripped, it is at most
# 300 KiB (issue 10's size goal: the smallest build an appliance can choose).
# The stand-ins (src/http/http_native_off.c, http_plugin_off.c, src/tls/tls_mbedtls_off.c,
# src/store/sqlite_off.c) return PKIWS_E_UNSUPPORTED.
#
# usage: options.sh MESON SOURCE_DIR MAIN_LIBPKIWS_SO VERSION
set -u
meson=$1 src=$2 mainso=$3 version=$4
fail=0
bad() { echo "options: FAIL: $*"; fail=1; }
die() { echo "options: FAIL: $*"; exit 1; }

if ! pkg-config --exists libcurl; then
  echo "options: SKIP: -Dnative=false needs libcurl"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
b=$tmp/build
"$meson" setup "$b" "$src" -Dnative=false -Dplugins=false -Dunwind_tables=false -Dtests=false \
  -Dsqlite=disabled -Dcurl=enabled -Dwerror=true --buildtype=minsize -Db_lto=true \
  > "$tmp/setup.log" 2>&1 \
  || { cat "$tmp/setup.log"; die "meson setup -Dnative=false -Dplugins=false failed"; }
grep -q '#define PKIWS_HAVE_NATIVE 0' "$b/pkiws_config.h" || bad "-Dnative=false still has PKIWS_HAVE_NATIVE"
grep -q '#define PKIWS_HAVE_PLUGINS 0' "$b/pkiws_config.h" || bad "-Dplugins=false still has PKIWS_HAVE_PLUGINS"
grep -q '#define PKIWS_HAVE_SQLITE 0' "$b/pkiws_config.h" || bad "-Dsqlite=disabled still has PKIWS_HAVE_SQLITE"
"$meson" compile -C "$b" > "$tmp/compile.log" 2>&1 \
  || { grep -E 'error|warning|FAILED|undefined' "$tmp/compile.log" | head -40; die "the option-off build fails"; }
so=$b/src/libpkiws.so.$version
[ -f "$so" ] || die "the option-off build made no $so"

exports() {
  readelf --dyn-syms -W "$1" | awk '$7 != "UND" && $7 != "ABS" && $5 == "GLOBAL" && $8 != "" {print $8}' \
    | sed 's/@@/@/' | sort -u
}
exports "$mainso" > "$tmp/main.syms"
exports "$so" > "$tmp/small.syms"
[ -s "$tmp/main.syms" ] || die "no exported symbols read from $mainso"
if ! diff -u "$tmp/main.syms" "$tmp/small.syms" > "$tmp/syms.diff"; then
  bad "exports of the main build (-) and of the option-off build (+) differ:"
  cat "$tmp/syms.diff"
fi
# what the library reports must match what it was built with
cat > "$tmp/feat.c" <<'C'
#include <pkiws/pkiws.h>
#include <stdio.h>
int main(void)
{
    unsigned long long f = pkiws_features();
    printf("%d %d\n", (f & PKIWS_FEATURE_NATIVE) != 0, (f & PKIWS_FEATURE_CURL) != 0);
    return 0;
}
C
if cc -I"$src/include" -I"$b/include" -o "$tmp/feat" "$tmp/feat.c" "$so" > "$tmp/cc.log" 2>&1; then
  got=$(LD_LIBRARY_PATH=$(dirname "$so") "$tmp/feat")
  [ "$got" = "0 1" ] || bad "pkiws_features() of the option-off build says native=${got% *} curl=${got#* } (want native=0 curl=1)"
else
  cat "$tmp/cc.log"; bad "could not build the pkiws_features() probe"
fi
strip -o "$tmp/stripped.so" "$so"
kib=$(($(stat -c %s "$tmp/stripped.so") / 1024))
echo "options: $(wc -l < "$tmp/small.syms") exports, stripped size $kib KiB"
[ "$kib" -le 300 ] || bad "the smallest build is $kib KiB stripped; the goal is 300 KiB at most"
[ $fail -eq 0 ] && echo "options: ok"
exit $fail
