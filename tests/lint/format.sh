#!/usr/bin/env bash
# Every C file of the tree is formatted as .clang-format says (clang-format 14).
set -u
cf=$1 root=$2
cd "$root" || exit 2
bad=$(git ls-files '*.c' '*.h' 2>/dev/null | while read -r f; do
        "$cf" --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [ -n "$bad" ]; then
  echo "format: not clang-formatted (run clang-format -i):"
  echo "$bad"
  exit 1
fi
echo "format: ok"
