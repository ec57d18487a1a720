#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real `meson install` (no DESTDIR) into the configured prefix, then what a user does next,
# from a directory outside the tree, in a clean login environment (env -i: no LD_LIBRARY_PATH,
# PYTHONPATH, PKG_CONFIG_PATH or PKIWS_LIBRARY, Debian's default PATH):
#   - `pkiws --version` finds the tool on PATH and the loader finds libpkiws.so.1;
#   - a program built with `pkg-config --cflags --libs pkiws` (default search path) runs
#     against the installed library;
#   - `python3 -c 'import pkiws'` imports the installed package, which loads that library.
# Each also names the file it found, which must be the installed one.
#
# Why not a DESTDIR copy: the loader, pkg-config and python3 search fixed places (ld.so.cache
# built from /etc/ld.so.conf.d, pkg-config's compiled-in path, python3's site directories);
# a staged copy elsewhere can only be found through the variables above, which would prove
# nothing. So the install is real, and made harmless instead:
#   1. preferred: in a private mount namespace (unshare -m, needs root) where the prefix and
#      /etc are overlays whose writes go to a tmpfs: meson install, its ldconfig and python's
#      byte code change nothing outside, and everything vanishes with the namespace, also when
#      the test is killed;
#   2. else, as root, prefix /usr/local only, and only when no file of pkiws is there yet: a
#      real install, undone afterwards (the files a staged install lists, the directories it
#      created, then ldconfig again), serialised by a lock;
#   3. else (not root, or a prefix that neither ld.so nor python3 searches): skipped (77).
#
# usage: system.sh MESON BUILD_DIR CONSUMER_C VERSION PREFIX LIBDIR BINDIR PYTHON_DIR CLI(true|false)
set -u
meson=$1 build=$2 consumer=$3 version=$4 prefix=$5 libdir=$6 bindir=$7 pydir=$8 cli=$9
fail=0
bad() { echo "system: FAIL: $*"; fail=1; }
die() { echo "system: FAIL: $*"; exit 1; }
skip() { echo "system: SKIP: $*"; exit 77; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
L=$(abs "$libdir") B=$(abs "$bindir")
P=$([ -n "$pydir" ] && abs "$pydir")
# Debian's PATH for a login shell of root
syspath=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

[ "$(id -u)" = 0 ] || skip "a real meson install needs root"
# a sanitizer-built library loads only with its runtime, which a clean environment lacks
[ -z "${PKIWS_TEST_CC:-}" ] || skip "the library is built with sanitizers"
case $prefix in
  /usr/local | /usr) ;;
  *) skip "prefix $prefix: neither ld.so nor python3 searches it, so there is nothing to prove" ;;
esac
case $P in "" | "$prefix"/*) ;; *) die "the Python package directory $P is outside the prefix $prefix" ;; esac

# --- the checks, after the real install ------------------------------------------------------------
checks() {
  local tmp=$1 home=$1/home out
  mkdir -p "$home/elsewhere"
  cp "$consumer" "$home/elsewhere/consumer.c"
  # a clean login environment, in a directory outside the tree
  user() { (cd "$home/elsewhere" && env -i HOME="$home" PATH="$syspath" LANG=C.UTF-8 \
              PYTHONDONTWRITEBYTECODE=1 "$@"); }

  ldconfig -p 2> /dev/null | grep -q "libpkiws\.so\.1 .*=> $L/libpkiws\.so\.1$" \
    || bad "after meson install the loader's cache has no $L/libpkiws.so.1 (ldconfig not run, or $L not in /etc/ld.so.conf)"

  if [ "$cli" = true ]; then
    out=$(user sh -c 'command -v pkiws')
    [ "$out" = "$B/pkiws" ] || bad "'command -v pkiws' finds '$out', expected $B/pkiws"
    out=$(user pkiws --version 2>&1)
    [ "$out" = "pkiws $version (libpkiws $version)" ] \
      || bad "installed 'pkiws --version' says '$out', expected 'pkiws $version (libpkiws $version)'"
  fi

  out=$(user pkg-config --modversion pkiws 2>&1)
  [ "$out" = "$version" ] || bad "pkg-config --modversion pkiws (default search path) says '$out'"
  out=$(user pkg-config --variable=libdir pkiws 2>&1)
  [ "$out" = "$L" ] || bad "pkg-config --variable=libdir pkiws is '$out', expected $L"
  # shellcheck disable=SC2016 # expanded by the user's shell
  if user sh -c 'cc -std=c11 -Wall -Werror -o consumer consumer.c $(pkg-config --cflags --libs pkiws)' \
      > "$tmp/cc.log" 2>&1; then
    out=$(user ./consumer "$version" 2>&1) || bad "the pkg-config consumer fails: $out"
    echo "$out" | grep -q "^library: $L/libpkiws\.so\.1$" \
      || bad "the pkg-config consumer did not load $L/libpkiws.so.1: $(echo "$out" | grep '^library:')"
    echo "system: consumer: $(echo "$out" | tr '\n' ' ')"
  else
    cat "$tmp/cc.log"; bad "a program does not build with \$(pkg-config --cflags --libs pkiws)"
  fi

  if [ -n "$P" ]; then
    # shellcheck disable=SC2016
    out=$(user python3 -c 'import pkiws
print(pkiws.__file__)
print(pkiws.version_string())
print([l.split()[-1] for l in open("/proc/self/maps") if "libpkiws" in l][0])' 2>&1) \
      || { bad "python3 -c 'import pkiws' fails: $out"; return; }
    [ "$(echo "$out" | sed -n 1p)" = "$P/pkiws/__init__.py" ] \
      || bad "python3 imported pkiws from '$(echo "$out" | sed -n 1p)', expected $P/pkiws/__init__.py"
    [ "$(echo "$out" | sed -n 2p)" = "$version" ] || bad "pkiws.version_string() is '$(echo "$out" | sed -n 2p)'"
    case $(echo "$out" | sed -n 3p) in
      "$L"/libpkiws.so.*) ;;
      *) bad "python3 loaded '$(echo "$out" | sed -n 3p)', not the installed library in $L" ;;
    esac
    echo "system: python3: $(echo "$out" | tr '\n' ' ')"
  fi
}

install_real() { # meson install, as a user would type it
  "$meson" install -C "$build" --no-rebuild --quiet > "$1/install.log" 2>&1 \
    || { cat "$1/install.log"; die "meson install into $prefix failed (log above)"; }
}

# --- 1. in a private mount namespace ----------------------------------------------------------------
if [ -n "${PKIWS_SYSTEM_NS:-}" ]; then # the second half of 1: inside, on the parent's directory
  tmp=$PKIWS_SYSTEM_NS
  mount -t tmpfs -o mode=0755 pkiws-install-test "$tmp" || exit 75
  n=0
  for d in /etc "$prefix"; do
    n=$((n + 1))
    mkdir -p "$tmp/up$n" "$tmp/work$n"
    mount -t overlay -o "lowerdir=$d,upperdir=$tmp/up$n,workdir=$tmp/work$n" pkiws-install-test "$d" \
      2> "$tmp/mount.log" || { cat "$tmp/mount.log"; exit 75; }
  done
  echo "system: in a private mount namespace: $prefix and /etc are overlays on a tmpfs"
  install_real "$tmp"
  checks "$tmp"
  [ $fail -eq 0 ] && echo "system: ok (a real meson install into $prefix, undone with the namespace)"
  exit $fail
fi
# (PKIWS_SYSTEM_NO_NS=1 takes way 2 directly, to test it)
if [ -z "${PKIWS_SYSTEM_NO_NS:-}" ] && command -v unshare > /dev/null &&
    unshare --mount --propagation private true 2> /dev/null; then
  nsdir=$(mktemp -d)
  PKIWS_SYSTEM_NS=$nsdir unshare --mount --propagation private bash "$0" "$@"
  rc=$?
  rmdir "$nsdir"
  [ $rc -eq 75 ] || exit $rc
  echo "system: note: no overlay mounts in a mount namespace here; installing for real instead"
fi

# --- 2. a real install, undone afterwards -------------------------------------------------------------
[ "$prefix" = /usr/local ] || skip "no mount namespace here, and a real install into $prefix would not be undone safely"
command -v flock > /dev/null || skip "no flock to serialise a real install"
exec 9> /run/lock/pkiws-install-test.lock 2> /dev/null || exec 9> /tmp/pkiws-install-test.lock
flock -w 300 9 || die "another install test holds the lock for 300 s"
tmp=$(mktemp -d)
# what the install writes: a staged copy lists it
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$tmp/stage" > "$tmp/stage.log" 2>&1 \
  || { cat "$tmp/stage.log"; rm -rf "$tmp"; die "meson install --destdir failed"; }
(cd "$tmp/stage" && find . \( -type f -o -type l \) | sed 's/^\.//') > "$tmp/files"
(cd "$tmp/stage" && find . -mindepth 1 -type d | sed 's/^\.//' | sort -r) | while read -r d; do
  [ -e "$d" ] || echo "$d"
done > "$tmp/newdirs"
while read -r f; do
  if [ -e "$f" ] || [ -L "$f" ]; then
    rm -rf "$tmp"; skip "$f exists (an installed pkiws?): not overwriting it"
  fi
done < "$tmp/files"
undo() {
  while read -r f; do rm -f "$f"; done < "$tmp/files"
  [ -z "$P" ] || rm -rf "$P/pkiws/__pycache__"
  while read -r d; do rmdir "$d" 2> /dev/null; done < "$tmp/newdirs"
  ldconfig
  left=$(while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done < "$tmp/files")
  [ -z "$left" ] || echo "system: FAIL: left behind after the undo: $left"
  rm -rf "$tmp"
}
trap undo EXIT
trap 'exit 1' INT TERM
echo "system: a real install into $prefix ($(wc -l < "$tmp/files") files), undone afterwards"
install_real "$tmp"
checks "$tmp"
[ $fail -eq 0 ] && echo "system: ok (a real meson install into $prefix, undone)"
exit $fail
