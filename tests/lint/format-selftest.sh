#!/usr/bin/env bash
# format.sh on a small tree: it names exactly the badly formatted files (tracked or new, not
# ignored ones), passes once they are fixed, works without git, and runs clang-format ONCE
# for the whole tree (one process per file made the lint suite time out under load).
#
# usage: format-selftest.sh FORMAT_SH CLANG_FORMAT SOURCE_ROOT
set -u
fmt=$1 cf=$2 src=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-format-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; [ -f "$T/out" ] && cat "$T/out"; exit 1; }

# a clang-format that counts its runs
cat > "$T/cf" << EOF
#!/bin/sh
echo run >> "$T/runs"
exec "$cf" "\$@"
EOF
chmod +x "$T/cf"

mkdir -p "$T/tree/src" "$T/tree/build-x"
cp "$src/.clang-format" "$T/tree/"
printf '/build*/\n' > "$T/tree/.gitignore"
good='int f(void)\n{\n    return 0;\n}\n'
printf "$good" > "$T/tree/src/good.c"
printf 'int g(void) {   return 1; }\n' > "$T/tree/src/bad.c"
printf 'int  h ;\n' > "$T/tree/src/new_bad.h"
printf 'int  i ;\n' > "$T/tree/build-x/ignored.c"
for i in $(seq 1 40); do printf "$good" | sed "s/f(/f$i(/" > "$T/tree/src/more$i.c"; done

check_tree() { # WHAT: bad.c and new_bad.h reported, nothing else; one run; fixed, it passes
  rm -f "$T/runs"
  rc=0
  bash "$fmt" "$T/cf" "$T/tree" > "$T/out" 2>&1 || rc=$?
  [ $rc = 1 ] || fail "$1: format.sh exited $rc on a badly formatted tree"
  got=$(grep -E '\.[ch]$' "$T/out" | sort | tr '\n' ' ')
  [ "$got" = "src/bad.c src/new_bad.h " ] || fail "$1: reported '$got', expected 'src/bad.c src/new_bad.h '"
  [ "$(wc -l < "$T/runs")" = 1 ] || fail "$1: clang-format ran $(wc -l < "$T/runs") times for 43 files, expected once"
  "$cf" -i "$T/tree/src/bad.c" "$T/tree/src/new_bad.h"
  bash "$fmt" "$T/cf" "$T/tree" > "$T/out" 2>&1 || fail "$1: format.sh fails on the fixed tree"
  grep -q '^format: ok (43 files)$' "$T/out" || fail "$1: not 'format: ok (43 files)'"
  printf 'int g(void) {   return 1; }\n' > "$T/tree/src/bad.c"
  printf 'int  h ;\n' > "$T/tree/src/new_bad.h"
  echo "ok - $1: the two bad files named, one clang-format run, the fixed tree passes"
}

if command -v git > /dev/null; then
  (cd "$T/tree" && git init -q && git add .gitignore .clang-format src/good.c src/bad.c src/more*.c) \
    || fail "git init"
  check_tree "git work tree (src/new_bad.h not added yet)"
  rm -rf "$T/tree/.git"
fi
check_tree "without git"
