#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws: --help, --version, usage errors (exit 2), the JSON error contract, secrets off argv.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# --version and --help
run --version
expect_rc 0 "--version"
contains "$WORK/out" "pkiws 0.1.0 (libpkiws 0.1.0)" "--version names tool and library"
run --help
expect_rc 0 "--help"
for sub in issue preflight poll revoke search policy check ra-csr thumbprint pfx import-config; do
    contains "$WORK/out" "  $sub " "--help lists $sub"
done
run help pfx
expect_rc 0 "help pfx"
contains "$WORK/out" "--pfx-pass PASS | --pfx-pass-env VAR" "help pfx shows the -env form"
run thumbprint --help
expect_rc 0 "thumbprint --help"
contains "$WORK/out" "Usage: pkiws thumbprint FILE [--pass PASS]" "thumbprint --help usage"
run preflight -h
expect_rc 0 "preflight -h"
contains "$WORK/out" "Connection options" "preflight -h shows the connection options"
contains "$WORK/out" "Identity options:" "preflight -h shows the identity options"
run issue --help
expect_rc 0 "issue --help"
for opt in "--out FILE.pfx" "--pfx-pass PASS | --pfx-pass-env VAR" "--chain-out FILE.pem" \
    "--profile OID" "--upn UPN" "--base-url URL" "-v, --verbose"; do
    contains "$WORK/out" "$opt" "issue --help shows $opt"
done

# Usage errors: exit 2, a message and one usage line on stderr, nothing on stdout.
run
expect_usage_error "no subcommand" "no subcommand given"
run frobnicate
expect_usage_error "unknown subcommand" "unknown subcommand 'frobnicate'"
run --frobnicate
expect_usage_error "option before the subcommand" "unknown option '--frobnicate'"
run thumbprint x.pem --bogus
expect_usage_error "unknown option" "unknown option '--bogus'"
contains "$WORK/err" "Usage: pkiws thumbprint FILE [--pass PASS]" "usage line names the synopsis"
checks=$((checks + 1))
[ -s "$WORK/out" ] && fail "usage error without --json printed on stdout"
run thumbprint
expect_usage_error "missing positional" "missing argument"
run thumbprint a.pem b.pem
expect_usage_error "extra positional" "unexpected argument 'b.pem'"
run preflight --profile 1.2.3 --template
expect_usage_error "missing value" "option '--template' needs a value (FILE)"
run preflight --profile --template t.xml
expect_usage_error "value swallowing an option" "followed by '--template'"
run thumbprint x.pem --json=1
expect_usage_error "flag with a value" "option '--json' takes no value"
run thumbprint -vq x.pem
expect_usage_error "unknown short option" "unknown option '-q'"
run thumbprint x.pem --pass-env PKIWS_TEST_SURELY_UNSET
expect_usage_error "unset environment variable" "environment variable 'PKIWS_TEST_SURELY_UNSET'"

# With --json a usage error is also one JSON object on stdout.
run thumbprint x.pem --bogus --json
expect_rc 2 "usage error with --json"
jcheck "usage error JSON" 'd["status"] == "failed" and d["code"] == -1 and d["error"] == "PKIWS_E_INVALID_ARG" and "--bogus" in d["message"] and d["remedy"] is None and d["retryable"] is False and d["usage_error"] is True'

# The online subcommands check their options before they connect.
run issue --json
expect_rc 2 "issue without options"
jcheck "issue without options" 'd["error"] == "PKIWS_E_INVALID_ARG" and "--profile OID is required" in d["message"] and d["usage_error"] is True'
run revoke --serial 01 --seat x --json
expect_rc 2 "revoke with two selectors"
run check --ca a --base-url https://b/pki-ws
expect_usage_error "check with --ca and --base-url" "exclude each other"

# A failure: exit 1, message and error name on stderr.
run thumbprint "$WORK/does-not-exist.pem"
expect_rc 1 "missing file"
contains "$WORK/err" "does-not-exist.pem" "missing file named"
contains "$WORK/err" "PKIWS_E_IO" "missing file error name"
run thumbprint "$WORK/does-not-exist.pem" --json
expect_rc 1 "missing file --json"
jcheck "missing file JSON" 'd["status"] == "failed" and d["error"] == "PKIWS_E_IO" and d["code"] == -10 and "does-not-exist.pem" in d["message"] and "No such file" in d["message"]'
: >"$WORK/empty.pem"
run thumbprint "$WORK/empty.pem" --json
expect_rc 1 "empty file"
jcheck "empty file JSON" 'd["error"] == "PKIWS_E_IO" and "is empty" in d["message"]'

# A failing stdout is a failure, not a silent success.
if [ -w /dev/full ]; then
    "$PKIWS" --version >/dev/full 2>"$WORK/err"
    rc=$?
    expect_rc 1 "--version to /dev/full"
fi

# A password given on the command line is wiped from argv before any file is read: the tool
# blocks opening a FIFO while we look at /proc/PID/cmdline.
make_pki || fail "openssl could not make the test PKI"
mkfifo "$WORK/fifo"
"$PKIWS" thumbprint "$WORK/fifo" --pass 'hunter2-Secret' >"$WORK/out" 2>"$WORK/err" &
pid=$!
wiped=no
for _ in $(seq 1 100); do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q fifo &&
        ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q hunter2; then
        wiped=yes
        break
    fi
    sleep 0.05
done
# Feed the FIFO (without blocking forever should the tool never open it), then reap the tool.
timeout 10 sh -c 'cat "$1" >"$2"' sh "$WORK/pki/alice.pem" "$WORK/fifo" ||
    fail "the tool did not read the FIFO"
wait "$pid"
rc=$?
equal "$wiped" yes "password wiped from /proc/PID/cmdline"
expect_rc 0 "thumbprint through a FIFO"
equal "$(cat "$WORK/out")" "$(sha1_of "$WORK/pki/alice.pem")" "thumbprint through a FIFO"

finish
