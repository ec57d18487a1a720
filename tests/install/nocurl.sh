#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build options never change the ABI: a second build with -Dcurl=disabled -Dtests=false (the
# library and the CLI, native transport only) builds with warnings as errors, exports exactly
# the symbols (and symbol versions) of the main build, has the same ABI (abidiff), needs no
# libcurl, reports no PKIWS_FEATURE_CURL, and its installed copy links fully statically with
# `pkg-config --static` (Requires.private is then mxml alone).
#
# With SIM (a pkiws-sim executable) it also works: its CLI checks and issues against a simulator
# over the native transport alone.
#
# usage: nocurl.sh MESON SOURCE_DIR MAIN_LIBPKIWS_SO CONSUMER_C VERSION [ABIDIFF [SIM]]
set -u
meson=$1 src=$2 mainso=$3 consumer=$4 version=$5 abidiff=${6:-} sim=${7:-}
cc=cc
fail=0
bad() { echo "nocurl: FAIL: $*"; fail=1; }
die() { echo "nocurl: FAIL: $*"; exit 1; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
b=$tmp/build
# debug: quick to compile, and with the debug info abidiff needs
"$meson" setup "$b" "$src" -Dcurl=disabled -Dtests=false -Dwerror=true --buildtype=debug \
  --prefix=/usr > "$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; die "meson setup -Dcurl=disabled failed"; }
grep -q '#define PKIWS_HAVE_CURL 0' "$b/pkiws_config.h" || bad "-Dcurl=disabled still has PKIWS_HAVE_CURL"
"$meson" compile -C "$b" > "$tmp/compile.log" 2>&1 \
  || { grep -E 'error|warning|FAILED|undefined' "$tmp/compile.log" | head -40; die "the -Dcurl=disabled build fails (see above)"; }
so=$b/src/libpkiws.so.$version
[ -f "$so" ] || die "the -Dcurl=disabled build made no $so"
[ -x "$b/src/cli/pkiws" ] || bad "the -Dcurl=disabled build made no pkiws tool"

# --- exported symbols with their versions: identical ------------------------------------------
exports() { # name@VERSION of every defined dynamic symbol (default version @@ written as @)
  readelf --dyn-syms -W "$1" | awk '$7 != "UND" && $7 != "ABS" && $5 == "GLOBAL" && $8 != "" {print $8}' \
    | sed 's/@@/@/' | sort -u
}
exports "$mainso" > "$tmp/main.syms"
exports "$so" > "$tmp/nocurl.syms"
[ -s "$tmp/main.syms" ] || die "no exported symbols read from $mainso"
if ! diff -u "$tmp/main.syms" "$tmp/nocurl.syms" > "$tmp/syms.diff"; then
  bad "exports of the main build (-) and of the -Dcurl=disabled build (+) differ:"
  cat "$tmp/syms.diff"
fi
if readelf -d "$so" | grep -q 'NEEDED.*libcurl'; then bad "the -Dcurl=disabled library needs libcurl"; fi

# --- the same ABI, types included -------------------------------------------------------------
if [ -n "$abidiff" ]; then
  if readelf -S "$mainso" | grep -q '\.debug_info'; then
    "$abidiff" --headers-dir1 "$src/include/pkiws" --headers-dir2 "$src/include/pkiws" \
      --drop-private-types --exported-interfaces-only --fail-no-debug-info \
      "$mainso" "$so" > "$tmp/abidiff.log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { cat "$tmp/abidiff.log"; bad "abidiff main vs -Dcurl=disabled exits $rc (ABI differs)"; }
  else
    echo "nocurl: note: $mainso has no debug info; the abidiff comparison is skipped"
  fi
fi

# --- install, then a consumer: features, and a fully static link --------------------------------
"$meson" install -C "$b" --no-rebuild --quiet --destdir "$tmp/dest" > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; die "meson install of the -Dcurl=disabled build failed"; }
libdir=$(cd "$tmp/dest" && dirname "$(find . -name pkiws.pc | head -1)" | sed 's/^\.//; s,/pkgconfig$,,')
export PKG_CONFIG_PATH=$tmp/dest$libdir/pkgconfig
pc() { pkg-config --define-variable=prefix="$tmp/dest/usr" "$@" pkiws; }
req=$(sed -n 's/^Requires.private: *//p' "$tmp/dest$libdir/pkgconfig/pkiws.pc")
case $req in *curl*) bad "pkiws.pc of the -Dcurl=disabled build requires '$req'" ;; esac
cp "$consumer" "$tmp/consumer.c"
# shellcheck disable=SC2046,SC2086 # word splitting of pkg-config output is intended
$cc -std=c11 -Wall -Wextra -pedantic -Werror $(pc --cflags) -o "$tmp/consumer" "$tmp/consumer.c" \
  $(pc --libs) 2> "$tmp/cc.log" || { cat "$tmp/cc.log"; die "consumer does not build against the -Dcurl=disabled copy"; }
out=$(LD_LIBRARY_PATH=$tmp/dest$libdir "$tmp/consumer" "$version" 2>&1) || { echo "$out"; die "consumer failed"; }
features=$(echo "$out" | sed -n 's/^features: 0x//p')
[ -n "$features" ] || die "consumer printed no features: $out"
(( (16#$features & 2) == 0 )) || bad "-Dcurl=disabled build reports PKIWS_FEATURE_CURL (0x$features)"
(( (16#$features & 4) != 0 )) \
  || echo "nocurl: note: PKIWS_FEATURE_NATIVE is not set (0x$features): no transport is built in"
# fully static: every library of --static --libs exists as an archive
# shellcheck disable=SC2046,SC2086
if $cc -static -std=c11 $(pc --static --cflags) -o "$tmp/consumer_static" "$tmp/consumer.c" \
    $(pc --static --libs) > "$tmp/cs.log" 2>&1; then
  if readelf -d "$tmp/consumer_static" 2>/dev/null | grep -q NEEDED; then
    bad "the -static consumer still has NEEDED entries"
  fi
  sout=$("$tmp/consumer_static" "$version" 2>&1) || { echo "$sout"; bad "fully static consumer failed"; }
  echo "nocurl: static consumer: $(echo "$sout" | tr '\n' ' ')"
else
  cat "$tmp/cs.log"; bad "consumer does not link with -static \$(pkg-config --static --libs pkiws): $(pc --static --libs)"
fi

# --- it works: the native transport alone, end to end ------------------------------------------
if [ -n "$sim" ]; then
  "$sim" --listen 127.0.0.1:0 --port-file "$tmp/port" --state-dir "$tmp/sim" -q > "$tmp/sim.log" 2>&1 &
  simpid=$!
  for _ in $(seq 1 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  if [ -s "$tmp/port" ]; then
    st=$tmp/sim
    conn=(--base-url "https://localhost:$(cat "$tmp/port")/pki-ws" --trust "$st/trust.pem"
          --ra-p12 "$st/ra.p12" --ra-pass "$(cat "$st/ra.p12.password")")
    cli() { LD_LIBRARY_PATH=$b/src "$b/src/cli/pkiws" "$@"; }
    cli check --profile 2.16.840.1.113733.1.16.1.2.3.1.1.2 "${conn[@]}" > "$tmp/check.log" 2>&1 \
      || { cat "$tmp/check.log"; bad "pkiws check (native transport only) fails against the simulator"; }
    if cli issue --profile 2.16.840.1.113733.1.16.1.2.3.1.1.2 --san upn --cn Nat --upn nat@contoso.com \
        --out "$tmp/nat.pfx" --pfx-pass pw "${conn[@]}" > "$tmp/issue.log" 2>&1; then
      openssl pkcs12 -info -noout -in "$tmp/nat.pfx" -passin pass:pw > /dev/null 2>&1 \
        || bad "the PFX the -Dcurl=disabled build issued does not open with openssl"
      echo "nocurl: issued over the native transport: $(grep -m1 '^serial' "$tmp/issue.log")"
    else
      cat "$tmp/issue.log"; bad "pkiws issue (native transport only) fails against the simulator"
    fi
  else
    bad "pkiws-sim did not start: $(cat "$tmp/sim.log")"
  fi
  kill "$simpid" 2>/dev/null; wait "$simpid" 2>/dev/null
fi

echo "nocurl: $(wc -l < "$tmp/nocurl.syms") exports, consumer: $(echo "$out" | tr '\n' ' ')"
[ $fail -eq 0 ] && echo "nocurl: ok"
exit $fail
