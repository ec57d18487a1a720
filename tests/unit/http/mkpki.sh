#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make the test PKI of test_http_tls and test_tls in directory $2 with openssl $1: a root CA, a
# server certificate for localhost (DNS:localhost and IP:127.0.0.1) and the same key and name
# expired and not yet valid, an RA (client) certificate and key under the root, a foreign root
# with its own client certificate, and an EC client.
set -euo pipefail
OPENSSL=$1
D=$2
cd "$D"
days=2
q() { "$OPENSSL" "$@" >/dev/null 2>&1; }
ca() { # name subject
    q req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days $days -subj "$2" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # name subject ca keyspec ext...
    local n=$1 s=$2 c=$3 k=$4
    shift 4
    q req -newkey "$k" -nodes -keyout "$n.key" -out "$n.csr" -subj "$s"
    printf '%s\n' "$@" >"$n.ext"
    q x509 -req -in "$n.csr" -CA "$c.pem" -CAkey "$c.key" -CAcreateserial -out "$n.pem" -days $days \
        -extfile "$n.ext"
}
ca root "/CN=pkiws test root"
ca foreign "/CN=pkiws foreign root"
leaf server "/CN=localhost" root rsa:2048 "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    "extendedKeyUsage=serverAuth" "basicConstraints=CA:FALSE"
leaf ra "/O=pkiws test/CN=pkiws RA" root rsa:2048 "extendedKeyUsage=clientAuth" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "basicConstraints=CA:FALSE"
leaf foreign-ra "/O=pkiws test/CN=pkiws RA" foreign rsa:2048 "extendedKeyUsage=clientAuth" \
    "basicConstraints=CA:FALSE"
leaf ec-ra "/CN=pkiws EC RA" root ec:<("$OPENSSL" ecparam -name prime256v1) \
    "extendedKeyUsage=clientAuth" "basicConstraints=CA:FALSE"
# PKCS#8 keys, as the session hands them over
for k in ra foreign-ra ec-ra; do "$OPENSSL" pkey -in "$k.key" -out "$k.p8"; done
# the server's DER, to compare with what the TLS backend reports
"$OPENSSL" x509 -in server.pem -outform DER -out server.der
# the server's key and name in certificates outside their validity: expired in 2020, valid only
# from 2090 (openssl ca sets the dates; no clock tricks)
cat >ca.cnf <<'CNF'
[ca]
default_ca = tca
[tca]
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = pol
unique_subject = no
[pol]
commonName = supplied
CNF
: >index.txt
echo 1000 >serial
dated() { # name start end
    q ca -config ca.cnf -batch -notext -cert root.pem -keyfile root.key -in server.csr -out "$1.pem" \
        -startdate "$2" -enddate "$3" -extfile server.ext
}
dated server-expired 20200101000000Z 20200201000000Z
dated server-future 20900101000000Z 20900201000000Z
