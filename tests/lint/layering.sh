#!/usr/bin/env bash
# One adapter file per dependency, and one-way layering:
#   util <- {crypto, xml, http, tls, pkcs11} <- proto <- core <- api;  util <- store <- core
#   (the outbox's SQLite store);  cli sees only <pkiws/pkiws.h>.
set -u
src=${1:?source root}
cd "$src" || exit 2
fail=0
bad() { echo "layering: $*"; fail=1; }

# Dependency headers, each in exactly one place.
for f in $(grep -rl --include='*.[ch]' -E '#\s*include\s*<mbedtls/' src tests 2>/dev/null); do
  [ "$f" = src/crypto/crypto_int.h ] || bad "$f includes <mbedtls/...> (only src/crypto/crypto_int.h may)"
done
for f in $(grep -rl --include='*.[ch]' -E '#\s*include\s*<mxml\.h>' src tests 2>/dev/null); do
  [ "$f" = src/xml/xml_mxml.c ] || bad "$f includes <mxml.h> (only src/xml/xml_mxml.c may)"
done
for f in $(grep -rl --include='*.[ch]' -E '#\s*include\s*<curl/' src tests 2>/dev/null); do
  case "$f" in
    src/http/http_curl.c) ;;
    tests/plugin/*) ;; # a third-party plug-in stand-in: uses libcurl itself, not pkiws internals
    tests/integration/test_op.c) ;; # a host doing the I/O of pkiws_op with its own libcurl
    *) bad "$f includes <curl/...> (only src/http/http_curl.c may)";;
  esac
done
for f in $(grep -rl --include='*.[ch]' -E '#\s*include\s*<p11-kit/' src tests 2>/dev/null); do
  case "$f" in
    src/pkcs11/pkcs11.c) ;;
    tests/pkcs11/*) ;; # the test's token helper talks PKCS#11 itself, like a host would
    *) bad "$f includes <p11-kit/...> (only src/pkcs11/pkcs11.c may)";;
  esac
done
for f in $(grep -rl --include='*.[ch]' -E '#\s*include\s*<sqlite3\.h>' src tests 2>/dev/null); do
  [ "$f" = src/store/sqlite.c ] || bad "$f includes <sqlite3.h> (only src/store/sqlite.c may)"
done
# crypto_int.h only inside the crypto layer, the TLS backend and the simulator.
for f in $(grep -rl --include='*.[ch]' 'crypto/crypto_int.h' src tests 2>/dev/null); do
  case "$f" in
    src/crypto/*|src/tls/*|tests/sim/*|tests/unit/crypto/*|tests/unit/pkcs12/*|tests/crosscheck/*) ;;
    *) bad "$f includes crypto/crypto_int.h (mbedTLS types stay in the crypto layer)";;
  esac
done

# Which layers each layer may include (quoted includes of the form "layer/file.h").
allowed() {
  case "$1" in
    util) echo "util" ;;
    crypto|xml|store) echo "util $1" ;;
    http|tls) echo "util crypto $1 http tls" ;;
    pkcs11) echo "util crypto pkcs11" ;;
    proto) echo "util crypto xml http tls proto" ;;
    core) echo "util crypto xml http tls pkcs11 proto store core" ;;
    api) echo "util crypto xml http tls pkcs11 proto store core api" ;;
  esac
}
for layer in util crypto xml http tls pkcs11 proto store core api; do
  [ -d "src/$layer" ] || continue
  ok=" $(allowed $layer) "
  while IFS=: read -r file inc; do
    dep=${inc%%/*}
    case "$ok" in *" $dep "*) ;; *) bad "$file (layer $layer) includes \"$inc\" from layer $dep";; esac
  done < <(grep -H -o -E '#\s*include\s*"[a-z_]+/[a-z0-9_]+\.h"' src/$layer/*.[ch] 2>/dev/null \
            | sed -E 's/#\s*include\s*"//; s/"$//')
done
# src/api/ is the only home of PKIWS_API definitions (the entry points: argument checks, handle
# checks, dispatch); the layers below export nothing themselves.
for f in $(grep -rl --include='*.c' -E '^PKIWS_API' src 2>/dev/null); do
  case "$f" in src/api/*) ;; *) bad "$f defines PKIWS_API functions (only src/api/ may)";; esac
done
# The CLI is a client of the public API only.
if [ -d src/cli ]; then
  grep -H -E '#\s*include\s*"' src/cli/*.[ch] | grep -v -E '"[a-z_]+\.h"' | while read -r l; do
    echo "layering: CLI includes library internals: $l"; done | grep . && fail=1
  grep -l -E '#\s*include\s*<(mbedtls|curl|mxml)' src/cli/*.[ch] 2>/dev/null | while read -r f; do
    echo "layering: $f uses a dependency directly"; done | grep . && fail=1
fi
# Banned functions in library code (all memory goes through util/alloc.c).
banned='\b(malloc|calloc|realloc|free|strdup|strndup|sprintf|vsprintf|strcpy|strcat|atoi|atol|gets|getenv)\s*\('
for f in $(grep -rl --include='*.c' -E "$banned" src/util src/crypto src/xml src/proto src/store src/core src/api src/http src/tls 2>/dev/null); do
  [ "$f" = src/util/alloc.c ] && continue
  grep -n -E "$banned" "$f" | grep -v 'allowed:' | sed "s|^|layering: banned call in $f:|" | grep . && fail=1
done
# No long / time_t / off_t in public headers.
if grep -n -E '\b(long|time_t|off_t)\b' include/pkiws/*.h include/pkiws/*.in 2>/dev/null | grep -v '^\s*\*' | grep -v -E '/\*.*\b(long|time_t)\b.*\*/|^\S+:\s*\*|No `long`'; then
  bad "public headers use long/time_t/off_t"
fi
[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
