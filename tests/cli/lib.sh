# shellcheck shell=bash disable=SC2034 # SHARED, DATA and rc are for the scripts that source this
# SPDX-License-Identifier: MIT
# Helpers for the pkiws tool's test scripts (sourced). Arguments of every script:
#   $1 the pkiws executable, $2 the shared/ directory, $3 tests/cli/data.
# Environment: SIM, the pkiws-sim executable, for the scripts that talk to a CA.
set -u
PKIWS=$1
SHARED=$2
DATA=$3
OPENSSL=${OPENSSL:-openssl}
PYTHON=${PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-cli-test.XXXXXX")
SIM_PID=
# On exit: stop a simulator the script left running, remove the work directory.
cleanup() {
    if [ -n "$SIM_PID" ]; then
        kill -KILL "$SIM_PID" 2>/dev/null
        wait "$SIM_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
failures=0
checks=0
rc=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run ARGS...: run the tool; stdout in $WORK/out, stderr in $WORK/err, status in $rc.
# PKIWS_WRAP runs it under a checker, e.g.
#   PKIWS_WRAP="valgrind -q --leak-check=full --error-exitcode=99" meson test --suite cli
run() {
    # shellcheck disable=SC2086 # the wrapper is a command line
    ${PKIWS_WRAP:-} "$PKIWS" "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
}

# expect_rc WANT WHAT: the last run exited with WANT.
expect_rc() {
    checks=$((checks + 1))
    if [ "$rc" != "$1" ]; then
        fail "$2: exit status $rc, want $1"
        sed 's/^/  stdout: /' "$WORK/out" >&2
        sed 's/^/  stderr: /' "$WORK/err" >&2
    fi
}

# jcheck WHAT EXPR: stdout of the last run is exactly one JSON object d and the Python
# expression EXPR over d (with the module re) is true.
jcheck() {
    checks=$((checks + 1))
    if ! "$PYTHON" -c '
import json, re, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
if not isinstance(d, dict):
    sys.exit("not a JSON object")
for k in ("status", "code", "error", "message", "remedy", "retryable"):
    if k not in d:
        sys.exit("common member %r missing" % k)
if not eval(sys.argv[2]):
    print(json.dumps(d, indent=1, ensure_ascii=False))
    sys.exit("false: " + sys.argv[2])
' "$WORK/out" "$2" >&2; then
        fail "$1: $2"
    fi
}

# jget EXPR: print the Python expression EXPR over the JSON d of the last run's stdout.
jget() {
    "$PYTHON" -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
print(eval(sys.argv[2]))
' "$WORK/out" "$1"
}

# contains FILE TEXT WHAT: FILE contains the fixed string TEXT.
contains() {
    checks=$((checks + 1))
    if ! grep -qF -- "$2" "$1"; then
        fail "$3: '$2' not in $(basename "$1")"
        sed 's/^/  | /' "$1" >&2
    fi
}

# lacks FILE TEXT WHAT: FILE does not contain the fixed string TEXT.
lacks() {
    checks=$((checks + 1))
    if grep -qF -- "$2" "$1"; then
        fail "$3: '$2' unexpectedly in $(basename "$1")"
    fi
}

# equal GOT WANT WHAT
equal() {
    checks=$((checks + 1))
    [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# The usage-error contract: exit 2, the message and exactly one "Usage:" line on stderr.
expect_usage_error() {
    expect_rc 2 "$1"
    contains "$WORK/err" "$2" "$1"
    checks=$((checks + 1))
    [ "$(grep -c '^Usage: ' "$WORK/err")" = 1 ] || fail "$1: want one Usage: line on stderr"
}

# sha1_of CERT: the certificate's SHA-1 fingerprint as openssl prints it, colons removed.
sha1_of() {
    "$OPENSSL" x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'
}

# A test PKI in $WORK/pki: root CA, issuing CA and a leaf for Alice, all RSA 2048.
make_pki() {
    local d="$WORK/pki"
    mkdir -p "$d"
    "$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.key" -out "$d/root.pem" \
        -days 30 -subj "/C=US/O=Contoso Ltd/CN=Contoso Test Root CA" \
        -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null || return 1
    "$OPENSSL" req -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.csr" \
        -subj "/C=US/O=Contoso Ltd/CN=Contoso Test Issuing CA" 2>/dev/null || return 1
    printf 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' \
        >"$d/ca.ext"
    "$OPENSSL" x509 -req -in "$d/ca.csr" -CA "$d/root.pem" -CAkey "$d/root.key" \
        -CAcreateserial -days 30 -extfile "$d/ca.ext" -out "$d/ca.pem" 2>/dev/null || return 1
    "$OPENSSL" req -newkey rsa:2048 -nodes -keyout "$d/alice.key" -out "$d/alice.csr" \
        -subj "/O=Contoso Ltd/CN=Alice Example" 2>/dev/null || return 1
    printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n%s\n' \
        'subjectAltName=email:alice@contoso.com' >"$d/alice.ext"
    "$OPENSSL" x509 -req -in "$d/alice.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
        -CAcreateserial -days 30 -extfile "$d/alice.ext" -out "$d/alice.pem" 2>/dev/null ||
        return 1
    cat "$d/ca.pem" "$d/root.pem" >"$d/chain.pem"
}

# sim_start [pkiws-sim options...]: start this script's own simulator on 127.0.0.1, port 0,
# with a fresh state directory, and wait for its port file. Sets SIM_PID, SIM_PORT, SIM_STATE,
# SIM_URL and CONN, the connection options of the tool (an array). SIM_WRAP runs it under a
# checker.
sim_start() {
    : "${SIM:?set SIM to the pkiws-sim executable}"
    SIM_STATE=$WORK/sim-state
    rm -f "$WORK/sim.port"
    # shellcheck disable=SC2086 # the wrapper is a command line
    ${SIM_WRAP:-} "$SIM" --listen 127.0.0.1:0 --port-file "$WORK/sim.port" \
        --state-dir "$SIM_STATE" --stats "$@" >"$WORK/sim.stdout" 2>"$WORK/sim.stderr" &
    SIM_PID=$!
    local i
    for i in $(seq 1 600); do
        [ -s "$WORK/sim.port" ] && break
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            echo "pkiws-sim exited at start-up: $(cat "$WORK/sim.stderr")" >&2
            SIM_PID=
            return 1
        fi
        sleep 0.1
    done
    [ -s "$WORK/sim.port" ] || return 1
    SIM_PORT=$(cat "$WORK/sim.port")
    SIM_URL=https://localhost:$SIM_PORT/pki-ws
    CONN=(--base-url "$SIM_URL" --trust "$SIM_STATE/trust.pem" --ra-p12 "$SIM_STATE/ra.p12"
        --ra-pass "$(cat "$SIM_STATE/ra.p12.password")")
}

# sim_stop: stop the simulator (SIGTERM); its --stats are then in $WORK/sim.stdout.
sim_stop() {
    [ -n "$SIM_PID" ] || return 0
    kill -TERM "$SIM_PID"
    wait "$SIM_PID"
    SIM_PID=
}

# sim_stat KEY: a counter printed by --stats after sim_stop.
sim_stat() {
    awk -v k="$1" '$1 == k { print $2 }' "$WORK/sim.stdout"
}

# mode_of FILE: its permission bits in octal, e.g. 600.
mode_of() {
    stat -c %a "$1"
}

# pfx_leaf PFX PASS OUT.pem: the end-entity certificate of a PFX, read by openssl (OpenSSL 3
# defaults, no -legacy); openssl's bag attributes stay in OUT.pem.
pfx_leaf() {
    "$OPENSSL" pkcs12 -in "$1" -passin "pass:$2" -nokeys -clcerts -out "$3" 2>"$WORK/openssl.err"
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures of $checks checks failed" >&2
        exit 1
    fi
    echo "all $checks checks passed"
    exit 0
}
