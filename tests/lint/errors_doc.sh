#!/usr/bin/env bash
# Every error code of the public header is documented in docs/errors.md with the same value.
set -u
header=$1 doc=$2
fail=0
while read -r name value; do
  grep -q -E "^\| \`$name\` \| $value \|" "$doc" || { echo "errors_doc: $name ($value) is not documented in $doc"; fail=1; }
done < <(grep -o -E 'PKIWS_E_[A-Z_]+ = -[0-9]+' "$header" | sed 's/ = / /')
n=$(grep -c -E '^\| `PKIWS_E_' "$doc")
m=$(grep -c -E 'PKIWS_E_[A-Z_]+ = -[0-9]+' "$header")
[ "$n" = "$m" ] || { echo "errors_doc: $doc lists $n codes, the header has $m"; fail=1; }
[ $fail -eq 0 ] && echo "errors_doc: ok ($m codes)"
exit $fail
