# SPDX-License-Identifier: MIT
# Helpers of the pkiws-sim test scripts (sourced). They drive the simulator with curl, openssl
# and the vendor examples only: nothing here uses the pkiws client library.
#
# Environment (set by meson): SIM (pkiws-sim), VALIDATE (pkiws-validate), SHARED (../shared),
# OPENSSL, SIM_SRC (tests/sim). Each script gets a fresh temporary directory $T, removed on exit
# together with every simulator it started.
set -euo pipefail

: "${SIM:?set SIM to the pkiws-sim executable}"
: "${SHARED:?set SHARED to the shared directory}"
VALIDATE=${VALIDATE:-$SHARED/tools/pkiws-validate}
OPENSSL=${OPENSSL:-openssl}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
EX="$SHARED/wsdl/examples"
B=2.16.840.1.113733.1.16.1.2.3.1.1 # the default catalogue's arc (README.md)

T=$(mktemp -d "${TMPDIR:-/tmp}/pkiws-sim-test.XXXXXX")
SIM_PIDS=()
cleanup() {
    local p
    for p in "${SIM_PIDS[@]}"; do # simulators a failed test left running
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -n "${SIM_DIR:-}" ] && [ -f "$SIM_DIR/stderr" ]; then
        echo "--- last simulator log lines ($SIM_DIR/stderr):" >&2
        tail -n 20 "$SIM_DIR/stderr" >&2
    fi
    exit 1
}
ok() { echo "ok - $*"; }

# expect_eq WHAT GOT WANT
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
# expect_grep WHAT PATTERN FILE (extended regexp)
expect_grep() {
    grep -Eq -- "$2" "$3" || fail "$1: /$2/ not found in $3: $(head -c 600 "$3")"
}
expect_no_grep() {
    if grep -Eq -- "$2" "$3"; then fail "$1: /$2/ unexpectedly found in $3"; fi
}

# sim_start NAME [pkiws-sim options...]: start a simulator on 127.0.0.1, port 0, and wait for
# its port file. STATE=dir reuses a state directory (default: a fresh one under $SIM_DIR).
# Sets SIM_PID, SIM_PORT, SIM_DIR, SIM_STATE, URL.
sim_start() {
    local name=$1
    shift
    SIM_DIR=$T/$name
    mkdir -p "$SIM_DIR"
    SIM_STATE=${STATE:-$SIM_DIR/state}
    rm -f "$SIM_DIR/port"
    ${SIM_WRAP:-} "$SIM" --listen 127.0.0.1:0 --port-file "$SIM_DIR/port" --state-dir "$SIM_STATE" \
        --stats "$@" >"$SIM_DIR/stdout" 2>"$SIM_DIR/stderr" &
    SIM_PID=$!
    SIM_PIDS+=("$SIM_PID")
    local i
    for i in $(seq 1 600); do
        [ -s "$SIM_DIR/port" ] && break
        kill -0 "$SIM_PID" 2>/dev/null || fail "pkiws-sim $name exited at start-up: $(cat "$SIM_DIR/stderr")"
        sleep 0.1
    done
    [ -s "$SIM_DIR/port" ] || fail "pkiws-sim $name wrote no port file within 60 s"
    SIM_PORT=$(cat "$SIM_DIR/port")
    URL=https://localhost:$SIM_PORT/pki-ws
}

# sim_stop [SIGNAL]: stop the current simulator, which must exit 0; its --stats are then in
# $SIM_DIR/stdout.
sim_stop() {
    local sig=${1:-TERM} rc=0 p keep=()
    kill -"$sig" "$SIM_PID"
    wait "$SIM_PID" || rc=$?
    for p in "${SIM_PIDS[@]}"; do # reaped: never signal that pid again
        [ "$p" = "$SIM_PID" ] || keep+=("$p")
    done
    SIM_PIDS=("${keep[@]}")
    [ "$rc" = 0 ] || fail "pkiws-sim exited with $rc after SIG$sig"
}

# sim_stat KEY: a counter printed by --stats after sim_stop.
sim_stat() {
    awk -v k="$1" '$1 == k { print $2 }' "$SIM_DIR/stdout"
}

# body_of FILE: the message without an HTTP head (the examples carry some).
body_of() {
    awk 'NR == 1 && /^(POST|HTTP)/ { h = 1 } h && /^\r?$/ { h = 0; next } !h' "$1"
}

# post SERVICE REQUEST OUT [curl options...]: POST with the RA credential; prints the HTTP
# status ("000" when there was none); curl's exit status goes to $SIM_DIR/curl.rc.
post() {
    local svc=$1 req=$2 out=$3 rc=0
    shift 3
    curl -sS --cacert "$SIM_STATE/trust.pem" --cert "$SIM_STATE/ra.pem" --key "$SIM_STATE/ra.key" \
        -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$req" -o "$out" \
        -w '%{http_code}' "$@" "$URL/$svc" 2>>"$SIM_DIR/curl.err" || rc=$?
    echo "$rc" >"$SIM_DIR/curl.rc"
}
curl_rc() { cat "$SIM_DIR/curl.rc"; }

# validate FILE...: every file must pass the vendor schemas.
validate() {
    "$VALIDATE" "$@" >"$T/validate.out" 2>&1 || fail "schema check failed: $(cat "$T/validate.out")"
}

# xml_text FILE LOCALNAME: text of the first element with that local name (any prefix).
xml_text() {
    "$PY" - "$1" "$2" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'<(?:[\w.-]+:)?%s(?:\s[^>]*)?>([^<]*)</' % re.escape(sys.argv[2]), s)
print(m.group(1).strip() if m else '')
EOF
}
# xml_count FILE LOCALNAME: number of elements with that local name.
xml_count() {
    grep -Eo "<([A-Za-z0-9_.-]+:)?$2[ />]" "$1" | wc -l | tr -d ' '
}

# token_of RESPONSE OUT: the base64-decoded binarySecurityToken of an enrollment answer.
token_of() {
    "$PY" - "$1" "$2" <<'EOF'
import base64, re, sys
s = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'binarySecurityToken[^>]*>([^<]*)<', s)
if not m:
    sys.exit('no binarySecurityToken in %s' % sys.argv[1])
open(sys.argv[2], 'wb').write(base64.b64decode(re.sub(r'\s', '', m.group(1))))
EOF
}

# leaf_of RESPONSE OUT.pem: the end-entity certificate of an enrollment answer (PKCS#7).
leaf_of() {
    token_of "$1" "$T/tok.der"
    "$OPENSSL" pkcs7 -inform DER -in "$T/tok.der" -print_certs -out "$T/chain.pem" ||
        fail "token of $1 is not a PKCS#7"
    awk '/BEGIN CERT/ { n++ } n == 1' "$T/chain.pem" >"$2"
}

# new_key FILE [rsa|ec]: a private key for CSRs.
new_key() {
    if [ "${2:-rsa}" = ec ]; then
        "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
    else
        "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
    fi
}
# csr_b64 KEY [SUBJECT]: base64 DER PKCS#10 (the subject is deliberately not the identity).
csr_b64() {
    "$OPENSSL" req -new -key "$1" -subj "${2:-/CN=ignored-by-the-CA}" -outform DER | base64 -w0
}

# rst OUT PROFILE TXID CSR_B64 [name=value...]: an Issue request (tokenType left out, as the
# .NET clients do). TXID "-" omits clientTransactionID. TOKEN_TYPE=uri adds one.
rst() {
    local out=$1 oid=$2 txid=$3 csr=$4 nv n v
    shift 4
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        echo '<wst:RequestSecurityToken xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512/">'
        echo '<vs:requestVSSecurityToken xmlns:vs="http://schemas.verisign.com/pkiservices/2009/07/enrollment">'
        echo "<vs:certificateProfileID>$oid</vs:certificateProfileID>"
        [ "$txid" = - ] || echo "<vs:clientTransactionID>$txid</vs:clientTransactionID>"
        [ -z "${TOKEN_TYPE:-}" ] || echo "<vs:tokenType>$TOKEN_TYPE</vs:tokenType>"
        echo '<vs:requestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</vs:requestType>'
        echo "<vs:binarySecurityToken ValueType=\"http://schemas.verisign.com/pkiservices/2009/07/PKCS10\">$csr</vs:binarySecurityToken>"
        for nv in "$@"; do
            n=${nv%%=*}
            v=${nv#*=}
            echo "<vs:nameValuePair><vs:name>$n</vs:name><vs:value>$v</vs:value></vs:nameValuePair>"
        done
        echo '<vs:version>2.0</vs:version></vs:requestVSSecurityToken></wst:RequestSecurityToken>'
        echo '</soapenv:Body></soapenv:Envelope>'
    } >"$out"
}

# query OUT PROFILE REF: QueryTokenStatus, made from the vendor example.
query() {
    body_of "$EX/enrollment-RequestSecurityToken-query-status.xml" |
        sed -e "s|<vs:certificateProfileID>[^<]*<|<vs:certificateProfileID>$2<|" \
            -e "s|<vs:pendingTokenReferenceID>[^<]*<|<vs:pendingTokenReferenceID>$3<|" >"$1"
}

# serial_of CERT.pem: upper-case hex serial.
serial_of() {
    "$OPENSSL" x509 -in "$1" -noout -serial | sed 's/^serial=//'
}
