#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim transport: the state-dir PKI, mutual TLS (refusals during the handshake), HTTP/1.1
# keep-alive / chunked / 100-continue, concurrency, size and time limits, restart, signals.
. "$(dirname "$0")/lib.sh"

sim_start tls
S=$SIM_STATE

# ---- the PKI made on first start ----
for f in root-ca.pem issuing-ca.pem trust.pem server.pem server.key ra.pem ra.key ra.p12 \
    ra.p12.password foreign-ra.pem foreign-ra.key ra-ec.pem ra-ec.key; do
    [ -s "$S/$f" ] || fail "state dir lacks $f"
done
for f in server.key ra.key foreign-ra.key ra.p12 ra.p12.password ra-ec.key; do
    expect_eq "mode of $f" "$(stat -c %a "$S/$f")" 600
done
"$OPENSSL" x509 -in "$S/server.pem" -noout -text >"$T/server.txt"
expect_grep "server certificate SAN" 'DNS:localhost, IP Address:127\.0\.0\.1' "$T/server.txt"
expect_grep "server certificate EKU" 'TLS Web Server Authentication' "$T/server.txt"
"$OPENSSL" verify -CAfile "$S/trust.pem" -untrusted "$S/issuing-ca.pem" "$S/server.pem" >/dev/null ||
    fail "server.pem does not chain to trust.pem"
awk '/BEGIN CERT/ { n++ } n == 1' "$S/ra.pem" >"$T/ra-leaf.pem"
awk '/BEGIN CERT/ { n++ } n == 2' "$S/ra.pem" >"$T/ra-ca.pem"
"$OPENSSL" x509 -in "$T/ra-leaf.pem" -noout -text >"$T/ra.txt"
expect_grep "RA certificate EKU" 'TLS Web Client Authentication' "$T/ra.txt"
expect_grep "RA key usage" 'Digital Signature, Key Encipherment' "$T/ra.txt"
"$OPENSSL" verify -CAfile "$S/root-ca.pem" -untrusted "$T/ra-ca.pem" "$T/ra-leaf.pem" >/dev/null ||
    fail "ra.pem is not RA certificate + RA CA under the root"
[ "$(grep -c BEGIN "$S/ra.pem")" = 3 ] || fail "ra.pem should hold RA, RA CA and root"
# The foreign RA: same subject names, another key: only signatures tell them apart.
"$OPENSSL" verify -CAfile "$S/root-ca.pem" -untrusted "$T/ra-ca.pem" "$S/foreign-ra.pem" >/dev/null 2>&1 &&
    fail "foreign-ra.pem must not verify under the simulator's CAs"
# The second RA credential: EC P-256 under the same RA CA (digitalSignature only).
awk '/BEGIN CERT/ { n++ } n == 1' "$S/ra-ec.pem" >"$T/ra-ec-leaf.pem"
"$OPENSSL" x509 -in "$T/ra-ec-leaf.pem" -noout -text >"$T/ra-ec.txt"
expect_grep "EC RA key" 'ASN1 OID: prime256v1' "$T/ra-ec.txt"
expect_grep "EC RA subject" 'CN = pkiws-sim RA EC' "$T/ra-ec.txt"
expect_grep "EC RA EKU" 'TLS Web Client Authentication' "$T/ra-ec.txt"
"$OPENSSL" verify -CAfile "$S/root-ca.pem" -untrusted "$T/ra-ca.pem" "$T/ra-ec-leaf.pem" >/dev/null ||
    fail "ra-ec.pem is not an RA certificate under the RA CA"
"$OPENSSL" pkey -in "$S/ra-ec.key" -pubout >"$T/ra-ec.pub"
"$OPENSSL" x509 -in "$T/ra-ec-leaf.pem" -noout -pubkey >"$T/ra-ec-cert.pub"
cmp -s "$T/ra-ec.pub" "$T/ra-ec-cert.pub" || fail "ra-ec.key is not the key of ra-ec.pem"
ok "state-dir PKI: files, modes, server SANs, RA chain, foreign RA, EC RA"

# ra.p12 is the LEGACY preset and opens with OpenSSL 3 without -legacy.
"$OPENSSL" pkcs12 -in "$S/ra.p12" -passin "file:$S/ra.p12.password" -info -noout >"$T/p12.txt" 2>&1 ||
    fail "openssl pkcs12 cannot open ra.p12: $(cat "$T/p12.txt")"
expect_grep "ra.p12 MAC" 'MAC: sha1' "$T/p12.txt"
expect_grep "ra.p12 key bag" 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC' "$T/p12.txt"
expect_grep "ra.p12 cert bag" 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC' "$T/p12.txt"
"$OPENSSL" pkcs12 -in "$S/ra.p12" -passin "file:$S/ra.p12.password" -nodes -nocerts 2>/dev/null |
    "$OPENSSL" pkey -pubout >"$T/p12.pub"
"$OPENSSL" pkey -in "$S/ra.key" -pubout >"$T/ra.pub"
cmp -s "$T/p12.pub" "$T/ra.pub" || fail "the key in ra.p12 is not ra.key"
ok "ra.p12: LEGACY (3DES bags, SHA-1 MAC), opens without -legacy, holds ra.key"

# ---- mutual TLS ----
body_of "$EX/healthcheck-getStatusRequestMessage.xml" >"$T/hc.xml"
code=$(post healthcheckService "$T/hc.xml" "$T/hc-resp.xml")
expect_eq "getStatus with ra.pem" "$code" 200
validate "$T/hc-resp.xml"
rc=0
code=$(curl -sS --cacert "$S/trust.pem" --cert-type P12 --cert "$S/ra.p12:$(cat "$S/ra.p12.password")" \
    -H 'Content-Type: text/xml' --data-binary @"$T/hc.xml" -o "$T/hc-p12.xml" -w '%{http_code}' \
    "$URL/healthcheckService") || rc=$?
expect_eq "getStatus with ra.p12 (curl rc $rc)" "$code" 200
# IP SAN: curl also checks 127.0.0.1 against the server certificate.
code=$(curl -sS --cacert "$S/trust.pem" --cert "$S/ra.pem" --key "$S/ra.key" -H 'Content-Type: text/xml' \
    --data-binary @"$T/hc.xml" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$SIM_PORT/pki-ws/healthcheckService")
expect_eq "connect by IP address" "$code" 200
code=$(curl -sS --cacert "$S/trust.pem" --cert "$S/ra-ec.pem" --key "$S/ra-ec.key" -H 'Content-Type: text/xml' \
    --data-binary @"$T/hc.xml" -o /dev/null -w '%{http_code}' "$URL/healthcheckService")
expect_eq "getStatus with ra-ec.pem" "$code" 200
expect_grep "the log names the EC client key" 'client C=US, O=pkiws test, CN=pkiws-sim RA EC \(EC key\)' \
    "$SIM_DIR/stderr"
ok "mutual TLS with ra.pem+ra.key, ra.p12 and ra-ec.pem+ra-ec.key; server name localhost and 127.0.0.1"

# Refused during the handshake: no client certificate, the foreign RA, an end-entity
# certificate of the issuing CA (clientAuth EKU, but not from the RA CA).
refused() {
    local what=$1 rc=0
    shift
    curl -sS --cacert "$S/trust.pem" "$@" -H 'Content-Type: text/xml' --data-binary @"$T/hc.xml" \
        -o "$T/refused.out" -w '%{http_code}' "$URL/healthcheckService" >"$T/refused.code" 2>"$T/refused.err" || rc=$?
    [ "$rc" = 35 ] || [ "$rc" = 56 ] || fail "$what: curl rc $rc (want 35/56: TLS failure), $(cat "$T/refused.err")"
    expect_eq "$what: HTTP status" "$(cat "$T/refused.code")" 000
}
refused "no client certificate"
expect_grep "alert for a missing client certificate" 'alert handshake failure' "$T/refused.err"
refused "foreign RA" --cert "$S/foreign-ra.pem" --key "$S/foreign-ra.key"
expect_grep "alert for the foreign RA" 'alert unknown ca' "$T/refused.err"
new_key "$T/ee.key"
rst "$T/ee-req.xml" "$B.1" - "$(csr_b64 "$T/ee.key")" common_name=mallory san_email=mallory@contoso.com
code=$(post enrollmentService "$T/ee-req.xml" "$T/ee-resp.xml")
expect_eq "issue a client-auth end-entity certificate" "$code" 200
leaf_of "$T/ee-resp.xml" "$T/ee.pem"
cat "$T/ee.pem" "$S/issuing-ca.pem" >"$T/ee-chain.pem"
refused "end-entity certificate of the issuing CA" --cert "$T/ee-chain.pem" --key "$T/ee.key"
# TLS 1.2 is the minimum (the client below is allowed TLS 1.1 and nothing newer).
"$OPENSSL" s_client -connect "localhost:$SIM_PORT" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
    -CAfile "$S/trust.pem" -cert "$S/ra.pem" -key "$S/ra.key" </dev/null >"$T/tls11.out" 2>&1 &&
    fail "a TLS 1.1 handshake succeeded"
expect_grep "TLS 1.1 refused" 'alert protocol version' "$T/tls11.out"
expect_grep "log: no certificate" 'TLS handshake refused: the client sent no certificate' "$SIM_DIR/stderr"
expect_grep "log: untrusted certificate" 'TLS handshake refused: the client certificate is not trusted' "$SIM_DIR/stderr"
ok "refused in the handshake: no certificate, foreign RA, issuing-CA end entity, TLS 1.1"

# ---- HTTP/1.1 ----
# keep-alive: two requests over one connection
curl -sS -v --cacert "$S/trust.pem" --cert "$S/ra.pem" --key "$S/ra.key" -H 'Content-Type: text/xml' \
    --data-binary @"$T/hc.xml" -o "$T/ka1.xml" "$URL/healthcheckService" \
    --next --cacert "$S/trust.pem" --cert "$S/ra.pem" --key "$S/ra.key" -H 'Content-Type: text/xml' \
    --data-binary @"$T/hc.xml" -o "$T/ka2.xml" "$URL/healthcheckService" 2>"$T/ka.err"
expect_grep "keep-alive" 'Re-using existing connection' "$T/ka.err"
expect_grep "second answer on the kept connection" 'statusCode>UP<' "$T/ka2.xml"
# chunked request body, and Expect: 100-continue
code=$(post healthcheckService "$T/hc.xml" "$T/chunked.xml" -H 'Transfer-Encoding: chunked')
expect_eq "chunked request body" "$code" 200
expect_grep "chunked answer" 'statusCode>UP<' "$T/chunked.xml"
code=$(post healthcheckService "$T/hc.xml" "$T/cont.xml" -H 'Expect: 100-continue')
expect_eq "Expect: 100-continue" "$code" 200
# several concurrent connections
pids=()
for i in $(seq 1 8); do
    (code=$(post healthcheckService "$T/hc.xml" "$T/par$i.xml") && echo "$code" >"$T/par$i.code") &
    pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the simulator is a background job too
for i in $(seq 1 8); do
    expect_eq "concurrent request $i" "$(cat "$T/par$i.code")" 200
done
ok "keep-alive, chunked body, 100-continue, 8 concurrent connections"
sim_stop
[ "$(sim_stat tls_refused)" -ge 3 ] || fail "stats: tls_refused $(sim_stat tls_refused), want >= 3"
[ "$(sim_stat requests.getStatus)" -ge 12 ] || fail "stats: requests.getStatus $(sim_stat requests.getStatus)"
ok "SIGTERM: clean exit with --stats"

# ---- restart: the PKI is reused ----
sum1=$(sha256sum <"$S/root-ca.pem")
STATE=$S sim_start tls-again --max-request-bytes 2048 --request-timeout-ms 800
expect_no_grep "no new PKI" 'creating the test PKI' "$SIM_DIR/stderr"
expect_eq "root CA after restart" "$(sha256sum <"$S/root-ca.pem")" "$sum1"
code=$(post healthcheckService "$T/hc.xml" "$T/again.xml")
expect_eq "getStatus after restart" "$code" 200
ok "restart reuses the state directory"

# ---- limits ----
head -c 5000 /dev/zero | tr '\0' 'x' >"$T/big.xml"
code=$(post healthcheckService "$T/big.xml" "$T/big-resp.txt")
expect_eq "body over --max-request-bytes" "$code" 413
expect_grep "413 names the limit" 'exceeds the limit of 2048 bytes' "$T/big-resp.txt"
# A client that sends the head and then stalls gets 408 after --request-timeout-ms.
"$PY" - "$SIM_PORT" "$S" >"$T/slow.out" <<'EOF'
import socket, ssl, sys, time
port, state = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=state + '/trust.pem')
ctx.load_cert_chain(state + '/ra.pem', state + '/ra.key')
s = ctx.wrap_socket(socket.create_connection(('localhost', port)), server_hostname='localhost')
s.sendall(b'POST /pki-ws/healthcheckService HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n'
          b'Content-Length: 100\r\n\r\n<partial')
t0 = time.time()
data = b''
s.settimeout(10)
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except (ssl.SSLError, OSError):
    pass
print('%.2f %s' % (time.time() - t0, data.split(b'\r\n')[0].decode()))
EOF
read -r secs status_line <"$T/slow.out"
expect_eq "stalled request" "$status_line" "HTTP/1.1 408 Request Timeout"
"$PY" -c "import sys; sys.exit(0 if 0.5 <= float('$secs') < 5 else 1)" ||
    fail "408 after $secs s, want about 0.8 s"
ok "limits: 413 over the body limit, 408 for a stalled request after $secs s"
sim_stop INT
ok "SIGINT: clean exit"

# --max-connections: the connection beyond the limit is closed at once; the others work.
STATE=$S sim_start maxconn --max-connections 2 --idle-timeout-ms 5000
"$PY" - "$SIM_PORT" "$S" "$T/hc.xml" >"$T/maxconn.out" <<'PYEOF'
import socket, ssl, sys
port, state, body = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], 'rb').read()
ctx = ssl.create_default_context(cafile=state + '/trust.pem')
ctx.load_cert_chain(state + '/ra.pem', state + '/ra.key')
def conn():
    return ctx.wrap_socket(socket.create_connection(('localhost', port), timeout=5),
                           server_hostname='localhost')
held = [conn(), conn()]  # the two allowed connections, handshaken and idle
try:
    conn()
    print('third: accepted')
except (ssl.SSLError, OSError) as e:
    print('third: refused')
req = (b'POST /pki-ws/healthcheckService HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n'
       b'Content-Length: %d\r\n\r\n' % len(body)) + body
held[0].sendall(req)
print('held: ' + held[0].recv(64).split(b'\r\n')[0].decode())
PYEOF
expect_eq "third connection" "$(sed -n 1p "$T/maxconn.out")" "third: refused"
expect_eq "held connection" "$(sed -n 2p "$T/maxconn.out")" "held: HTTP/1.1 200 OK"
expect_grep "log: refusing" 'refusing a connection: 2 connections already open' "$SIM_DIR/stderr"
sim_stop
ok "--max-connections: a connection over the limit is closed"
