#!/usr/bin/env bash
# Every public header compiles on its own as C99, C11 and C++ with warnings as errors.
set -u
inc_src=$1 inc_build=$2; shift 2
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for h in "$@"; do
  name=$(basename "$h")
  printf '#include <pkiws/%s>\n#include <pkiws/%s>\nint main(void) { return 0; }\n' "$name" "$name" > "$tmp/t.c"
  cp "$tmp/t.c" "$tmp/t.cpp"
  for std in c99 c11; do
    cc -std=$std -Wall -Wextra -pedantic -Werror -I"$inc_src" -I"$inc_build" -c "$tmp/t.c" -o "$tmp/t.o" \
      || { echo "headers: $name does not compile as $std"; fail=1; }
  done
  if command -v c++ >/dev/null; then
    c++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$inc_src" -I"$inc_build" -c "$tmp/t.cpp" -o "$tmp/t.o" \
      || { echo "headers: $name does not compile as C++"; fail=1; }
  fi
done
[ $fail -eq 0 ] && echo "headers: ok"
exit $fail
