#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Symbol versions: src/libpkiws.map is a well-formed ledger (PKIWS_1.0 first with `local: *`,
# each later node PKIWS_1.x inheriting the one before, no symbol twice, no wildcard exports)
# and libpkiws.so.1 defines exactly its nodes, with every export at the node the map gives it
# as the default version (readelf --dyn-syms / -V).
#
# usage: symvers.sh MAP LIBRARY
set -u
map=$1 so=$2
fail=0
bad() { echo "symvers: FAIL: $*"; fail=1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# --- the map: "node symbol" lines, and "node parent" lines ----------------------------------------
# Comments (/* */ and #) are dropped; the grammar is the subset GNU ld version scripts we use.
sed -e 's,/\*.*\*/,,g' -e 's/#.*//' "$map" | tr '\n' ' ' | sed 's/;/;\n/g; s/{/{\n/g; s/}/\n}/g' |
  awk -v out="$tmp" '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    { line = trim($0) }
    line == "" { next }
    node == "" && match(line, /^[A-Za-z0-9_.]+[ \t]*\{$/) {
      node = trim(substr(line, 1, length(line) - 1)); nodes[++n] = node; scope = ""; next
    }
    node != "" && line ~ /^(global|local):/ {
      scope = line; sub(/:.*/, "", scope); line = trim(substr(line, length(scope) + 2))
      if (line == "") next
    }
    node != "" && line ~ /^\}/ {
      parent = trim(substr(line, 2)); sub(/;$/, "", parent); parent = trim(parent)
      print node, (parent == "" ? "-" : parent) > (out "/parents")
      node = ""; next
    }
    node != "" && line ~ /;$/ {
      sym = trim(substr(line, 1, length(line) - 1))
      if (scope == "global") print node, sym > (out "/globals")
      else if (scope == "local") print node, sym > (out "/locals")
      else print "outside global/local in " node ": " sym > (out "/errors")
      next
    }
    { print "cannot parse: " line > (out "/errors") }
    END { for (i = 1; i <= n; i++) print nodes[i] > (out "/nodes") }'
touch "$tmp/nodes" "$tmp/globals" "$tmp/locals" "$tmp/parents" "$tmp/errors"
if [ -s "$tmp/errors" ]; then bad "$(basename "$map") does not parse:"; cat "$tmp/errors"; fi
[ "$(head -1 "$tmp/nodes")" = PKIWS_1.0 ] || bad "the first node of $(basename "$map") is '$(head -1 "$tmp/nodes")', expected PKIWS_1.0"
grep -q '^PKIWS_1.0 \*$' "$tmp/locals" || bad "node PKIWS_1.0 lacks 'local: *;' (internal symbols would leak)"
if awk '$1 != "PKIWS_1.0"' "$tmp/locals" | grep -q .; then bad "only PKIWS_1.0 may have a local: part"; fi
prev=""
while read -r node; do
  [[ $node =~ ^PKIWS_1\.[0-9]+$ ]] || bad "node '$node' is not named PKIWS_1.<minor>"
  parent=$(awk -v n="$node" '$1 == n {print $2}' "$tmp/parents")
  if [ -z "$prev" ]; then
    [ "$parent" = - ] || bad "node $node must not inherit ('$parent')"
  else
    [ "$parent" = "$prev" ] || bad "node $node inherits '$parent', expected the node before it, $prev"
    [ "${node#PKIWS_1.}" -gt "${prev#PKIWS_1.}" ] 2>/dev/null || bad "node $node does not follow $prev"
  fi
  prev=$node
done < "$tmp/nodes"
dups=$(awk '{print $2}' "$tmp/globals" | sort | uniq -d)
[ -z "$dups" ] || bad "symbols listed in more than one place of the map: $dups"
wild=$(awk '$2 ~ /[*?\[]/ {print $1 ": " $2}' "$tmp/globals")
[ -z "$wild" ] || bad "wildcard exports in the map: $wild"
awk '{print $2 "@" $1}' "$tmp/globals" | sort > "$tmp/map.syms"

# --- the library ------------------------------------------------------------------------------
readelf --dyn-syms -W "$so" > "$tmp/dynsym" || { bad "readelf cannot read $so"; exit 1; }
# defined functions and objects; the version nodes themselves are ABS symbols and are skipped
awk '$7 != "UND" && $7 != "ABS" && ($4 == "FUNC" || $4 == "OBJECT") && ($5 == "GLOBAL" || $5 == "WEAK") {print $8}' \
  "$tmp/dynsym" > "$tmp/defined"
nondefault=$(grep -v '@@' "$tmp/defined" | grep '@' || true)
[ -z "$nondefault" ] || bad "exports with a non-default (@) version, which the map never asks for: $nondefault"
unversioned=$(grep -v '@' "$tmp/defined" || true)
[ -z "$unversioned" ] || bad "exports without a symbol version: $unversioned"
sed 's/@@/@/' "$tmp/defined" | sort > "$tmp/so.syms"
if ! diff -u "$tmp/map.syms" "$tmp/so.syms" > "$tmp/d"; then
  bad "symbol@node of the map (-) and of $(basename "$so") (+) differ:"; cat "$tmp/d"
fi
# version definitions: the SONAME base, then exactly the map's nodes with the same parents
readelf -V -W "$so" | awk '
  /Version definition section/ { inside = 1; next }
  /Version (needs|symbols) section/ { inside = 0 }
  inside && /Name:/ { name = $NF; if ($0 !~ /Flags: BASE/) print "node", name }
  inside && /Parent 1:/ { print "parent", name, $NF }' > "$tmp/verdef"
awk '$1 == "node" {print $2}' "$tmp/verdef" > "$tmp/so.nodes"
diff -u "$tmp/nodes" "$tmp/so.nodes" > "$tmp/d" || { bad "version nodes of the map (-) and of the library (+) differ:"; cat "$tmp/d"; }
awk '$1 == "parent" {print $2, $3}' "$tmp/verdef" | sort > "$tmp/so.parents"
awk '$2 != "-"' "$tmp/parents" | sort > "$tmp/map.parents"
diff -u "$tmp/map.parents" "$tmp/so.parents" > "$tmp/d" || { bad "node inheritance of the map (-) and of the library (+) differ:"; cat "$tmp/d"; }

[ $fail -eq 0 ] && echo "symvers: ok ($(wc -l < "$tmp/map.syms") symbols in $(wc -l < "$tmp/nodes") node(s): $(paste -sd" " "$tmp/nodes"))"
exit $fail
