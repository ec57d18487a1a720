#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The libabigail side of the ABI guard (style.md §2.13), one place for the options that the
# baseline (scripts/abi-baseline) and the check (meson test --suite abi) must share.
#
#   abi.sh dump  ABIDW   HEADERS_DIR LIBRARY OUT_ABI
#       write the ABI of LIBRARY as declared by the public headers in HEADERS_DIR
#   abi.sh check ABIDIFF HEADERS_DIR LIBRARY BASELINE_ABI SUPPRESSIONS
#       compare LIBRARY with the baseline; exit 0 only when abidiff finds no change at all,
#       77 (skipped) when the library has no debug info or is for another architecture
#
# abidiff's exit status is a bit mask: 1 tool error, 2 usage error, 4 ABI change (e.g. added
# symbols, compatible), 8 incompatible change (e.g. removed symbols). Every bit fails the
# check: 8 and 1|2 because they are failures, 4 because additions must be deliberate (a map
# node, a CHANGELOG ABI entry and a refreshed baseline go with them).
set -u

# The ABI as the public headers define it: exported functions only, private (opaque) types
# kept opaque; no paths, DT_NEEDED or build directories, which differ from build to build.
dump_opts=(--drop-private-types --exported-interfaces-only --no-corpus-path --no-comp-dir-path
           --no-elf-needed --short-locs)
diff_opts=(--drop-private-types --exported-interfaces-only --fail-no-debug-info)

has_debug_info() { readelf -S "$1" 2>/dev/null | grep -q '\.debug_info'; }
machine() { readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }

cmd=${1:-}
case $cmd in
dump)
  [ $# -eq 5 ] || { echo "usage: abi.sh dump ABIDW HEADERS_DIR LIBRARY OUT_ABI" >&2; exit 2; }
  abidw=$2 headers=$3 lib=$4 out=$5
  has_debug_info "$lib" || { echo "abi: $lib has no debug info (build with -g, e.g. buildtype debugoptimized)" >&2; exit 1; }
  "$abidw" --headers-dir "$headers" "${dump_opts[@]}" --out-file "$out" "$lib" \
    || { echo "abi: abidw failed on $lib" >&2; exit 1; }
  grep -q "soname='libpkiws.so.1'" "$out" || { echo "abi: $out does not describe libpkiws.so.1" >&2; exit 1; }
  ;;
check)
  [ $# -eq 6 ] || { echo "usage: abi.sh check ABIDIFF HEADERS_DIR LIBRARY BASELINE SUPPRESSIONS" >&2; exit 2; }
  abidiff=$2 headers=$3 lib=$4 baseline=$5 suppr=$6
  [ -f "$baseline" ] || { echo "abi: FAIL: no baseline $baseline: create it with scripts/abi-baseline"; exit 1; }
  [ -f "$lib" ] || { echo "abi: FAIL: no library $lib"; exit 1; }
  # abidiff reads a malformed baseline partially and may then exit 0: refuse it first
  if command -v xmllint > /dev/null && ! xmllint --noout "$baseline" 2> /dev/null; then
    echo "abi: FAIL: the baseline $baseline is not well-formed XML ($(xmllint --noout "$baseline" 2>&1 | head -1));" \
         "regenerate it with scripts/abi-baseline"
    exit 1
  fi
  if ! grep -q "<abi-corpus .*soname='libpkiws.so.1'" "$baseline" || ! grep -q '<elf-symbol ' "$baseline"; then
    echo "abi: FAIL: the baseline $baseline is not an abidw corpus of libpkiws.so.1 with symbols"
    exit 1
  fi
  if ! has_debug_info "$lib"; then
    echo "abi: SKIP: $lib has no debug info; the ABI check needs -g (buildtype debugoptimized or debug)"
    exit 77
  fi
  arch=$(sed -n "s/.*<abi-corpus [^>]*architecture='\([^']*\)'.*/\1/p" "$baseline" | head -1)
  if [ "$arch" = elf-amd-x86_64 ] && [ "$(machine "$lib")" != "Advanced Micro Devices X86-64" ]; then
    echo "abi: SKIP: the baseline is for $arch, $lib is for '$(machine "$lib")'"
    exit 77
  fi
  report=$("$abidiff" --headers-dir2 "$headers" "${diff_opts[@]}" --suppressions "$suppr" \
            "$baseline" "$lib" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "abi: ok: $(basename "$lib") matches $(basename "$baseline")" \
         "($(grep -c '<elf-symbol ' "$baseline") symbols)"
    exit 0
  fi
  echo "$report"
  echo "----"
  if (( rc & 3 )); then
    echo "abi: FAIL: abidiff itself failed (exit status $rc: bit 1 error, bit 2 usage);" \
         "the comparison of $lib with $baseline did not happen"
  elif (( rc & 8 )); then
    echo "abi: FAIL: INCOMPATIBLE ABI change against $baseline (abidiff exit status $rc):" \
         "removed or changed symbols break programs linked to libpkiws.so.1." \
         "Restore them; removing anything needs a new SONAME (style.md §2.1, §2.11)."
  elif (( rc & 4 )) && echo "$report" | grep -q -E '(summary: [0-9]+ Removed, [1-9][0-9]* Changed)|sub-type change'; then
    echo "abi: FAIL: CHANGED interfaces against $baseline (abidiff exit status $rc): a parameter," \
         "return or public struct type differs from the released one. abidiff files that under" \
         "'compatible', but callers compiled against the old headers break: restore the old" \
         "type and add a new function instead (style.md §2.1)."
  elif (( rc & 4 )); then
    echo "abi: FAIL: the ABI grew against $baseline (abidiff exit status $rc): symbols were" \
         "added. Additions must be deliberate: list them in the right node of src/libpkiws.map" \
         "(a new PKIWS_1.x node once 1.0 is released), add an ABI entry to CHANGELOG.md, then" \
         "refresh the baseline with scripts/abi-baseline and commit it."
  else
    echo "abi: FAIL: abidiff exit status $rc"
  fi
  exit 1
  ;;
*)
  echo "usage: abi.sh dump|check ..." >&2
  exit 2
  ;;
esac
