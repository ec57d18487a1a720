#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation checkers can fail: check_docs.py and run_doc.py on a small fake tree with
# known mistakes must report each of them (and pass once they are fixed).
#
#   selftest.sh CHECK_DOCS RUN_DOC PYTHON
set -euo pipefail
check=$1 rundoc=$2 py=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-docs-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*" >&2
    [ -f "$T/out" ] && cat "$T/out" >&2
    exit 1
}
expect_grep() { grep -Eq -- "$1" "$T/out" || fail "/$1/ not reported"; }

mkdir -p "$T/root/include/pkiws" "$T/root/docs/examples" "$T/root/scripts"
cat >"$T/root/include/pkiws/pkiws.h" <<'EOF'
typedef struct pkiws_session pkiws_session;
enum pkiws_error { PKIWS_OK = 0, PKIWS_E_CONFIG = -100 };
int pkiws_session_new(pkiws_session **out);
EOF
echo 'echo "$PKIWS_SELFTEST_DIR"' >"$T/root/scripts/run"
echo 'int main(void) { return 0; }' >"$T/root/docs/examples/x.c"
cat >"$T/root/README.md" <<'EOF'
# Fake

See [the guide](docs/guide.md#first-steps), [the example](docs/examples/x.c) and
[errors](docs/errors.md). Call `pkiws_session_new()`; it may fail with `PKIWS_E_CONFIG` or
any `PKIWS_E_*` code. Set `PKIWS_SELFTEST_DIR` first. Files like `pkiws_internal.h` are fine.
EOF
cat >"$T/root/docs/guide.md" <<'EOF'
# Guide

## First steps

Back to the [readme](../README.md) and to [the top](#guide). [Gone](missing.md),
[bad anchor](#no-such-heading), [outside](../../outside.md),
<a href="examples/y.c">HTML link</a>, and [a web page](https://example.com/x.md).

```c
pkiws_session_new(&s); /* in code blocks too */
pkiws_sesion_free(s);
```

Also `PKIWS_E_CONFIGG` and [ref]. `pkiws_dep` is not a meson variable of this tree.

[ref]: examples/z.c
EOF
echo '# Errors' >"$T/root/docs/errors.md"
echo '# Outside the tree' >"$T/outside.md"

rc=0
"$py" "$check" "$T/root" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "check_docs.py exited $rc on a tree with mistakes"
expect_grep "docs/guide.md:5: link 'missing.md': missing.md does not exist"
expect_grep "docs/guide.md:6: link '#no-such-heading': no heading with anchor #no-such-heading"
expect_grep "docs/guide.md:6: link '../../outside.md' leaves the repository"
expect_grep "docs/guide.md:7: link 'examples/y.c': examples/y.c does not exist"
expect_grep "docs/guide.md:16: link 'examples/z.c': examples/z.c does not exist"
expect_grep "docs/guide.md:11: 'pkiws_sesion_free' is not declared"
expect_grep "docs/guide.md:14: 'PKIWS_E_CONFIGG' is not declared"
expect_grep "docs/guide.md:14: 'pkiws_dep' is not declared"
n=$(grep -c -E '^(README|docs/)' "$T/out")
[ "$n" = 8 ] || fail "check_docs.py reported $n problems, expected exactly the 8 planted ones"
echo "ok - check_docs.py reports each planted mistake, naming file and line"

# Fixed, it passes: links, anchors, identifiers, environment variables, meson variables.
sed -i -e 's/\[Gone\](missing.md),//; s/\[bad anchor\](#no-such-heading),//' \
    -e 's|\[outside\](../../outside.md),||; s|examples/y.c|examples/x.c|; s|examples/z.c|examples/x.c|' \
    -e 's/pkiws_sesion_free/pkiws_session_new/; s/PKIWS_E_CONFIGG/PKIWS_E_CONFIG/' \
    "$T/root/docs/guide.md"
echo "pkiws_dep = declare_dependency()" >"$T/root/meson.build"
"$py" "$check" "$T/root" >"$T/out" 2>&1 || fail "check_docs.py fails on the fixed tree"
expect_grep "0 problem"
echo "ok - check_docs.py passes the fixed tree"

# run_doc.py: blocks run in order with shared variables; skip, exit, expect and file work; a
# failing block, a wrong exit status and an unmatched expectation each fail the document.
mkdir -p "$T/build"
cat >"$T/doc.md" <<'EOF'
# Doc

```sh
greeting=hello
```

<!-- doc-test: file note.txt -->
```text
a note
```

<!-- doc-test: expect ^hello a note$ -->
```sh
echo "$greeting $(cat note.txt)"
```

<!-- doc-test: skip not on this machine -->
```sh
false
```

<!-- doc-test-setup
greeting=bye
-->

<!-- doc-test: exit 3 -->
```sh
echo "$greeting"; exit 3
```
EOF
"$py" "$rundoc" "$T/root" "$T/build" "$T/doc.md" >"$T/out" 2>&1 || fail "run_doc.py fails a good document"
expect_grep "doc-test: doc.md: 3 block\(s\) run, 1 skipped: ok"
expect_grep "^bye$"
echo "ok - run_doc.py runs a good document"

for bad in 's/^greeting=hello$/greeting=hello; false/' 's/exit 3$/exit 4/' 's/\^hello a note/^hello no note/'; do
    sed "$bad" "$T/doc.md" >"$T/bad.md"
    rc=0
    "$py" "$rundoc" "$T/root" "$T/build" "$T/bad.md" >"$T/out" 2>&1 || rc=$?
    [ "$rc" = 1 ] || fail "run_doc.py passed a document edited with '$bad'"
    expect_grep "doc-test: .*bad.md:[0-9]+: "
done
echo "ok - run_doc.py fails a failing block, a wrong exit status and an unmatched expectation"

# --outside: the clone is ~/pkiws, the blocks start in ~ (outside it), and variables that
# would make a walk-through pass only on the tester's machine are not passed on.
cat >"$T/outside.md" <<'EOF'
# Outside

<!-- doc-test: expect ^home ok$ -->
```sh
[ "$PWD" = "$HOME" ] && [ -d ~/pkiws/build ] && [ -f ~/pkiws/README.md ] && echo home ok
[ ! -e README.md ] && [ -z "${PYTHONPATH:-}" ] && [ -z "${PKIWS_LIBRARY:-}" ]
```
EOF
PYTHONPATH=/nowhere PKIWS_LIBRARY=/nowhere/libpkiws.so.1 \
    "$py" "$rundoc" --outside "$T/root" "$T/build" "$T/outside.md" >"$T/out" 2>&1 ||
    fail "run_doc.py --outside: the clone is not ~/pkiws, or the blocks do not start in ~"
"$py" "$rundoc" "$T/root" "$T/build" "$T/outside.md" >"$T/out" 2>&1 &&
    fail "run_doc.py without --outside starts in ~"
echo "ok - run_doc.py --outside: blocks start in ~, the clone is ~/pkiws, no PYTHONPATH/PKIWS_LIBRARY"
