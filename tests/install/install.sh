#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `meson install --destdir` of the current build: every file lands where it should (headers,
# libpkiws.so.1 and its links, libpkiws.a, pkiws.pc, the pkiws tool and its man page; nothing
# outside the prefix, no build-tree run path), each installed header compiles alone as C and
# C++, and a program built only with `pkg-config --cflags --libs pkiws` against that copy runs,
# linked to the shared library (also under valgrind when PKIWS_TEST_VALGRIND is set) and then,
# with `pkg-config --static`, to libpkiws.a; without --static that link must fail.
#
# The Python package lands in PYTHON_DIR (meson.build: a directory python3 searches under the
# prefix). A real install, run from a clean environment, is install_system (system.sh).
#
# usage: install.sh MESON BUILD_DIR SOURCE_DIR CONSUMER_C VERSION PREFIX LIBDIR INCLUDEDIR
#                   BINDIR MANDIR CLI(true|false) CURL(true|false) [PYTHON_DIR]
set -u
meson=$1 build=$2 src=$3 consumer=$4 version=$5 prefix=$6 libdir=$7 includedir=$8
bindir=$9 mandir=${10} cli=${11} curl=${12} pydir=${13:-}
cc=${PKIWS_TEST_CC:-cc} # with -fsanitize=... when the library is sanitized
fail=0
bad() { echo "install: FAIL: $*"; fail=1; }
die() { echo "install: FAIL: $*"; exit 1; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
D=$tmp/dest
L=$D$(abs "$libdir") I=$D$(abs "$includedir") B=$D$(abs "$bindir") M=$D$(abs "$mandir")

# --- 1. meson install into the DESTDIR ----------------------------------------------------------
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$D" > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; die "meson install --destdir failed (log above)"; }

# --- 2. the files -------------------------------------------------------------------------------
for h in "$src"/include/pkiws/*.h; do
  n=$(basename "$h")
  if [ ! -f "$I/pkiws/$n" ]; then bad "public header include/pkiws/$n is not installed in $I/pkiws"
  elif ! cmp -s "$h" "$I/pkiws/$n"; then bad "installed $I/pkiws/$n differs from include/pkiws/$n"; fi
done
[ -f "$I/pkiws/version.h" ] || bad "generated header pkiws/version.h is not installed"
grep -q "#define PKIWS_VERSION_STRING \"$version\"" "$I/pkiws/version.h" 2>/dev/null \
  || bad "installed pkiws/version.h does not say version $version"
[ -L "$L/libpkiws.so.1" ] || bad "$L/libpkiws.so.1 (the SONAME link) is missing"
[ "$(readlink "$L/libpkiws.so.1")" = "libpkiws.so.$version" ] \
  || bad "libpkiws.so.1 points to '$(readlink "$L/libpkiws.so.1")', expected libpkiws.so.$version"
[ -f "$L/libpkiws.so.$version" ] || bad "$L/libpkiws.so.$version is missing"
[ -L "$L/libpkiws.so" ] || bad "$L/libpkiws.so (the link-time name) is missing"
[ -f "$L/libpkiws.a" ] || bad "$L/libpkiws.a is missing"
[ -f "$L/pkgconfig/pkiws.pc" ] || die "$L/pkgconfig/pkiws.pc is missing"
soname=$(readelf -d "$L/libpkiws.so.$version" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libpkiws.so.1 ] || bad "installed library has SONAME '$soname', expected libpkiws.so.1"
if [ "$cli" = true ]; then
  [ -x "$B/pkiws" ] || bad "the pkiws tool is not installed in $B"
  [ -f "$M/man1/pkiws.1" ] || bad "the man page pkiws.1 is not installed in $M/man1"
  head -5 "$M/man1/pkiws.1" 2>/dev/null | grep -q '^\.TH PKIWS 1 ' \
    || bad "installed man1/pkiws.1 has no '.TH PKIWS 1' header"
  out=$(LD_LIBRARY_PATH=$L "$B/pkiws" --version 2>&1)
  [ "$out" = "pkiws $version (libpkiws $version)" ] \
    || bad "installed 'pkiws --version' says '$out', expected 'pkiws $version (libpkiws $version)'"
fi
if [ -n "$pydir" ]; then
  for f in "$src"/bindings/python/pkiws/*.py; do
    [ -f "$D$(abs "$pydir")/pkiws/$(basename "$f")" ] \
      || bad "the Python module pkiws/$(basename "$f") is not installed in $(abs "$pydir")/pkiws"
  done
fi
# nothing outside the prefix, and no run path into the build tree
outside=$(cd "$D" && find . \( -type f -o -type l \) | sed 's/^\.//' | grep -v "^$prefix/" || true)
[ -z "$outside" ] || bad "files installed outside the prefix $prefix: $outside"
for f in "$L/libpkiws.so.$version" "$B/pkiws"; do
  [ -f "$f" ] || continue
  rp=$(readelf -d "$f" | grep -E 'R(UN)?PATH' || true)
  case $rp in *"$build"* | *'$ORIGIN'*) bad "$f keeps a build-tree run path: $rp" ;; esac
done

# --- 3. a consumer built with pkg-config only, shared ---------------------------------------------
export PKG_CONFIG_PATH=$L/pkgconfig
pc() { pkg-config --define-variable=prefix="$D$prefix" "$@" pkiws; }
[ "$(pc --modversion)" = "$version" ] || bad "pkg-config --modversion pkiws is '$(pc --modversion)'"
cflags=$(pc --cflags) libs=$(pc --libs) || die "pkg-config cannot read the installed pkiws.pc"
case " $cflags " in *" -I$I "*) ;; *) bad "pkg-config --cflags '$cflags' lacks -I$I (not relocatable?)" ;; esac
case " $libs " in *" -L$L "*"-lpkiws "*) ;; *) bad "pkg-config --libs '$libs' lacks -L$L -lpkiws" ;; esac
# each installed header compiles on its own, as C and as C++, with only these flags
cxx=${PKIWS_TEST_CXX:-c++}
for h in "$I"/pkiws/*.h; do
  n=$(basename "$h")
  printf '#include <pkiws/%s>\nint main(void) { return 0; }\n' "$n" > "$tmp/h.c"
  # shellcheck disable=SC2086
  $cc -std=c99 -Wall -Wextra -pedantic -Werror $cflags -c "$tmp/h.c" -o "$tmp/h.o" 2> "$tmp/h.log" \
    || { cat "$tmp/h.log"; bad "installed pkiws/$n does not compile alone as C99"; }
  if command -v "$cxx" > /dev/null; then
    cp "$tmp/h.c" "$tmp/h.cpp"
    # shellcheck disable=SC2086
    $cxx -std=c++11 -Wall -Wextra -pedantic -Werror $cflags -c "$tmp/h.cpp" -o "$tmp/h.o" 2> "$tmp/h.log" \
      || { cat "$tmp/h.log"; bad "installed pkiws/$n does not compile alone as C++11"; }
  fi
done
cp "$consumer" "$tmp/consumer.c"
# shellcheck disable=SC2086 # word splitting of pkg-config output is intended
$cc -std=c11 -Wall -Wextra -pedantic -Werror $cflags -o "$tmp/consumer" "$tmp/consumer.c" $libs \
  2> "$tmp/cc.log" || { cat "$tmp/cc.log"; die "consumer does not build with pkg-config --cflags --libs pkiws"; }
readelf -d "$tmp/consumer" | grep -q 'NEEDED.*\[libpkiws\.so\.1\]' \
  || bad "consumer does not record NEEDED libpkiws.so.1"
out=$(LD_LIBRARY_PATH=$L "$tmp/consumer" "$version" 2>&1) || { echo "$out"; die "consumer (shared) failed"; }
echo "$out" | grep -q "^library: $L/libpkiws.so.1$" \
  || bad "consumer did not run against the installed copy: $(echo "$out" | grep '^library:')"
echo "install: shared consumer: $(echo "$out" | tr '\n' ' ')"
if [ -n "${PKIWS_TEST_VALGRIND:-}" ]; then
  LD_LIBRARY_PATH=$L "$PKIWS_TEST_VALGRIND" -q --leak-check=full --error-exitcode=1 \
    --errors-for-leak-kinds=definite,indirect "$tmp/consumer" "$version" > "$tmp/vg.log" 2>&1 \
    || { cat "$tmp/vg.log"; bad "the installed consumer has memory errors or leaks under valgrind"; }
fi

# --- 4. a consumer built with pkg-config --static against libpkiws.a ------------------------------
rm -f "$L"/libpkiws.so* # as a static-only installation: -lpkiws now finds libpkiws.a
scflags=$(pc --static --cflags) slibs=$(pc --static --libs) || die "pkg-config --static failed"
case " $scflags " in *" -DPKIWS_STATIC "*) ;; *) bad "pkg-config --static --cflags lacks -DPKIWS_STATIC" ;; esac
own=$(sed -n 's/^Libs.private: *//p' "$L/pkgconfig/pkiws.pc")
for f in $own; do
  case " $slibs " in *" $f "*) ;; *) bad "pkg-config --static --libs lacks '$f' of our Libs.private" ;; esac
done
[ "$curl" = true ] && case " $slibs " in *" -lcurl "*) ;; *) bad "--static --libs lacks -lcurl (Requires.private libcurl)" ;; esac
case " $slibs " in *" -lmxml "*) ;; *) bad "--static --libs lacks -lmxml (Requires.private mxml)" ;; esac
# the private part is what makes it link: without --static it must fail
# shellcheck disable=SC2086
if $cc -std=c11 $cflags -o "$tmp/consumer_nostatic" "$tmp/consumer.c" $libs 2> "$tmp/ns.log"; then
  bad "libpkiws.a linked without the Libs.private/Requires.private flags: the negative control is void"
elif ! grep -q -E "undefined reference to .(mbedtls_|mxml)" "$tmp/ns.log"; then
  cat "$tmp/ns.log"; bad "static link without --static failed for another reason than missing dependencies"
fi
# Third-party .pc files may list private libraries whose -dev packages are not installed
# (Debian's libcurl.pc: -lnghttp2, -lrtmp, ...); they serve a static libcurl only. Ours must all be there.
found() { # found LIBNAME: in a -L directory of the flags or where the compiler looks
  local d
  for d in $(printf '%s\n' $slibs | sed -n 's/^-L//p'); do
    [ -e "$d/lib$1.so" ] || [ -e "$d/lib$1.a" ] && return 0
  done
  [ "$($cc -print-file-name="lib$1.so")" != "lib$1.so" ] || [ "$($cc -print-file-name="lib$1.a")" != "lib$1.a" ]
}
linkable=""
for f in $slibs; do
  case $f in
    -l*) case " -lpkiws $own " in *" $f "*) ;; *)
           if ! found "${f#-l}"; then
             echo "install: note: $f (a dependency's private library) is not installed; left out"
             continue
           fi ;;
         esac ;;
  esac
  linkable="$linkable $f"
done
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -pedantic -Werror $scflags -o "$tmp/consumer_static" "$tmp/consumer.c" \
  $linkable 2> "$tmp/cs.log" || { cat "$tmp/cs.log"; die "consumer does not link statically with: $linkable"; }
if readelf -d "$tmp/consumer_static" | grep -q 'NEEDED.*libpkiws'; then
  bad "static consumer still needs libpkiws.so"
fi
out=$("$tmp/consumer_static" "$version" 2>&1) || { echo "$out"; die "consumer (static) failed"; }
echo "$out" | grep -q "^library: $tmp/consumer_static$" \
  || bad "static consumer's pkiws code is not in the executable: $(echo "$out" | grep '^library:')"
echo "install: static consumer: $(echo "$out" | tr '\n' ' ')"

[ $fail -eq 0 ] && echo "install: ok ($(cd "$D" && find . -type f | wc -l) files under $prefix)"
exit $fail
