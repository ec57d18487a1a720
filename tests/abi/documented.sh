#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every export is documented (libfido2 man/check.sh): each PKIWS_API declaration of the public
# headers comes right after a Doxygen comment (/** ... */, no blank line between). The error
# codes' documentation in docs/errors.md is tests/lint/errors_doc.sh's.
#
# usage: documented.sh HEADER_OR_DIR...   (a directory stands for every *.h in it)
set -u
fail=0 n=0
headers=()
for a in "$@"; do
  if [ -d "$a" ]; then headers+=("$a"/*.h); else headers+=("$a"); fi
done
for h in "${headers[@]}"; do
  out=$(awk -v file="$(basename "$h")" '
    {
      line = $0
      if (incomment) {
        if (index(line, "*/")) { incomment = 0; doc = isdoc }
        next
      }
      if (line ~ /^[ \t]*$/) { doc = 0; next }
      if (line ~ /^[ \t]*\/\*/) {
        isdoc = (line ~ /^[ \t]*\/\*\*[^<]/ || line ~ /^[ \t]*\/\*\*$/)
        rest = substr(line, index(line, "/*") + 2)
        if (index(rest, "*/")) { doc = isdoc; next }
        incomment = 1; next
      }
      if (line ~ /^PKIWS_API /) {
        name = line; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
        decls++
        if (!doc) printf "%s:%d: %s has no /** */ comment right above it\n", file, NR, name
      }
      doc = 0
    }
    END { printf "count %d\n", decls }' "$h")
  n=$((n + $(echo "$out" | sed -n 's/^count //p')))
  missing=$(echo "$out" | grep -v '^count ' || true)
  if [ -n "$missing" ]; then echo "$missing" | sed 's/^/documented: FAIL: /'; fail=1; fi
done
[ "$n" -gt 0 ] || { echo "documented: FAIL: no PKIWS_API declaration found in: ${headers[*]}"; exit 1; }
[ $fail -eq 0 ] && echo "documented: ok ($n PKIWS_API declarations in ${#headers[@]} headers, each with a doc comment)"
exit $fail
