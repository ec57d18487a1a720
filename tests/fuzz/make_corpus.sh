#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates the seed corpora of tests/fuzz/corpus/ (run by hand; the result is committed):
# the shared protocol examples (../shared/wsdl/examples), the connector configs of the tests,
# a small test PKI made here with openssl (certificates with every SAN kind, keys, PKCS#7 and
# PKCS#12 files, some without MacData so that the fuzzer gets past the MAC), and hand-made
# edge cases. Keep it small: libFuzzer grows its own corpus in build-fuzz/.
#   tests/fuzz/make_corpus.sh [SHARED_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${1:-$root/../shared}
ex=$shared/wsdl/examples
out=$here/corpus
py=${PYTHON:-python3}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

rm -rf "$out"
for t in xml template soap pkcs7 pkcs12 cert key http1 connector_config settings othername; do
  mkdir -p "$out/$t"
done

# ---- XML bodies of the examples (without their HTTP head), and the HTTP answers themselves
body() { "$py" -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.find(b"\n\n"); sys.stdout.buffer.write(d[i+2:] if d.startswith(b"HTTP/") and i>=0 else d)' "$1"; }
for f in "$ex"/*.xml "$ex"/invalid/*.xml; do
  b=$(basename "$f" .xml)
  case "$f" in */invalid/*) b=invalid-$b;; esac
  body "$f" > "$out/xml/$b.xml"
  case "$b" in
    *Response*|fault-*|invalid-fault-*) body "$f" > "$out/soap/$b.xml";;
  esac
  if head -c 5 "$f" | grep -q '^HTTP/'; then
    cp "$f" "$out/http1/$b-lf.http"
    "$py" -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.find(b"\n\n"); sys.stdout.buffer.write(d[:i].replace(b"\n",b"\r\n")+b"\r\n\r\n"+d[i+2:])' "$f" > "$out/http1/$b-crlf.http"
  fi
done
body "$ex/policy-getPoliciesResponse.xml" > "$out/template/example.xml"
body "$ex/fault-server.xml" > "$out/template/fault.xml"
cp "$root/tests/sim/default-policy.xml" "$out/template/sim-default-policy.xml"
# the example with a bare (no SOAP envelope) response and with other prefixes
"$py" - "$out/template/example.xml" "$out/template" <<'EOF'
import re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<(\w+):Body>\s*(.*?)\s*</\1:Body>", doc, re.S)
if m:
    inner = m.group(2)
    open(sys.argv[2] + "/bare.xml", "w", encoding="utf-8").write(inner)
open(sys.argv[2] + "/prefixes.xml", "w", encoding="utf-8").write(
    doc.replace("ns2:", "p:").replace("xmlns:ns2=", "xmlns:p="))
EOF

cat > "$out/xml/edge-entities.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<r a="&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;" b='x&#9;y'>t&#xD;&#10;<![CDATA[<c>&]]>é😀</r>
EOF
printf '\xef\xbb\xbf<r xmlns="urn:d" xmlns:p="urn:p"><p:a p:x="1"/><b xmlns=""/></r>' > "$out/xml/edge-bom-ns.xml"
cat > "$out/xml/edge-nil-comment-pi.xml" <<'EOF'
<?xml version="1.0"?>
<!-- comment --><?pi data?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Body><a xsi:nil=" true "/></s:Body></s:Envelope>
EOF
printf '<a><b><c><d><e><f>deep</f></e></d></c></b></a>' > "$out/xml/edge-deep.xml"
printf '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>' > "$out/xml/edge-doctype.xml"
printf '<r xml:lang="en" a:b="1" xmlns:a="urn:a"></r>' > "$out/xml/edge-xml-prefix.xml"

cat > "$out/soap/fault-not-understood.xml" <<'EOF'
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault><faultcode>S:Client</faultcode><faultstring>A request element is not understood.</faultstring><detail><e:err xmlns:e="urn:e"><errorcode>1107</errorcode><message>special character</message></e:err></detail></S:Fault></S:Body></S:Envelope>
EOF
cat > "$out/soap/search-empty-cert.xml" <<'EOF'
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><m:searchCertificateResponse xmlns:m="http://schemas.verisign.com/pkiservices/2009/07/management"><m:certificateCount>1</m:certificateCount><m:certificateList><m:certificateInformation><m:certificate>AAAA</m:certificate><m:status>VALID</m:status></m:certificateInformation></m:certificateList></m:searchCertificateResponse></S:Body></S:Envelope>
EOF

# ---- a small test PKI
cd "$d"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=Fuzz Root CA/O=pkiws, Inc./C=NL" -days 36500 \
  -sha256 -addext "basicConstraints=critical,CA:TRUE" -out ca.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key 2>/dev/null
cat > leaf.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectAltName=email:alice@contoso.com,DNS:host.contoso.com,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:alice@contoso.com,otherName:1.2.3.4;OCTETSTRING:0102,IP:127.0.0.1,URI:urn:x
1.3.6.1.4.1.311.21.7=DER:300c06042a03040502010102010a
EOF
openssl req -new -key leaf.key -subj "/CN=Jürgen Tëst/emailAddress=alice@contoso.com/O=Example\, Inc." \
  -utf8 -out leaf.csr 2>/dev/null
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 0x00ff01 -days 36500 \
  -sha256 -extfile leaf.ext -out leaf.pem 2>/dev/null
openssl x509 -in ca.pem -outform DER -out ca.der
openssl x509 -in leaf.pem -outform DER -out leaf.der
cp ca.der leaf.der "$out/cert/"
cat leaf.pem ca.pem > "$out/cert/bundle.pem"
cp leaf.der "$out/pkcs7/bare-cert.der"
openssl crl2pkcs7 -nocrl -certfile leaf.pem -certfile ca.pem -outform DER -out "$out/pkcs7/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile leaf.pem -certfile ca.pem -out "$out/pkcs7/chain.p7b.pem"
base64 -w 64 "$out/pkcs7/chain.p7b" | sed 's/^/    /' > "$out/pkcs7/chain-indented.b64"
cat leaf.pem > "$out/pkcs7/pem-cert-only.pem"
"$py" - "$ex" "$out/pkcs7" <<'EOF'
import base64, re, sys
for name, dst in (("enrollment-RequestSecurityTokenResponse-issued.xml", "example-issued.p7b"),
                  ("enrollment-RequestSecurityTokenResponseCollection-x509.xml", "example-x509.der")):
    doc = open(sys.argv[1] + "/" + name, encoding="utf-8").read()
    m = re.search(r"binarySecurityToken[^>]*>([^<]+)<", doc)
    open(sys.argv[2] + "/" + dst, "wb").write(base64.b64decode("".join(m.group(1).split())))
EOF

# keys: SEC1 PEM, PKCS#8 DER, encrypted PKCS#8 (PBES2 AES, few iterations), RSA PKCS#1
cp leaf.key "$out/key/ec-sec1.pem"
openssl pkcs8 -topk8 -nocrypt -in leaf.key -outform DER -out "$out/key/ec-pkcs8.der"
openssl pkcs8 -topk8 -in leaf.key -passout pass:Secr3t! -v2 aes-256-cbc -iter 16 \
  -out "$out/key/ec-pkcs8-aes.pem"
openssl pkcs8 -topk8 -in leaf.key -passout pass:Secr3t! -v2 des3 -iter 16 -outform DER \
  -out "$out/key/ec-pkcs8-3des.der"
openssl genrsa -traditional 1024 2>/dev/null > "$out/key/rsa-1024-pkcs1.pem"

# PKCS#12 with the fuzz password Secr3t!, few iterations
p12() { openssl pkcs12 -export -inkey leaf.key -in leaf.pem -passout pass:Secr3t! -name "Fuzz key" "$@"; }
p12 -certfile ca.pem -iter 16 -macalg sha256 -out "$out/pkcs12/aes.pfx"
p12 -certfile ca.pem -iter 16 -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
  -out "$out/pkcs12/3des.pfx"
p12 -certfile ca.pem -nomac -keypbe NONE -certpbe NONE -out "$out/pkcs12/plain-nomac.pfx"
p12 -iter 16 -nomac -certpbe NONE -out "$out/pkcs12/key-aes-nomac.pfx"
p12 -iter 16 -nomac -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -out "$out/pkcs12/3des-nomac.pfx"
if openssl pkcs12 -help 2>&1 | grep -q -- -legacy; then
  p12 -legacy -iter 16 -nomac -out "$out/pkcs12/rc2-nomac.pfx" 2>/dev/null || true
fi
cd "$here"

# ---- HTTP/1.1 answers
crlf() { "$py" -c 'import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().replace(b"\n",b"\r\n"))'; }
printf 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nContent-Type: text/xml\n\n5;ext=1\nhello\n0\nTrailer: x\n\n' | crlf > "$out/http1/chunked-trailer.http"
printf 'HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 3\n\nabcHTTP/1.1 204 No Content\n\nHTTP/1.1 500 Oops\nContent-Length: 0\nConnection: close\n\n' | crlf > "$out/http1/interim-pipelined.http"
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n<r/>' > "$out/http1/http10-close.http"
printf 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 4\r\nConnection: keep-alive, Upgrade\r\n\r\nabcd' > "$out/http1/double-length.http"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n' > "$out/http1/gzip-chunked.http"

# ---- connector configs
cp "$root/tests/api/data/NDESConnector.exe.config" "$out/connector_config/api.exe.config"
cp "$root/tests/cli/data/NDESConnector.exe.config" "$out/connector_config/cli.exe.config"
cat > "$out/connector_config/proxy-url.exe.config" <<'EOF'
<configuration><appSettings><add key="Proxy" value="https://proxy.contoso.com:8443/"/><add key="ProxyPort" value="1"/><add key="CloudCAConnTimeoutInMilliseconds" value=" 60000 "/><add key="SecretThing" value="x"/><add value="no key"/></appSettings></configuration>
EOF
cat > "$out/connector_config/host-port.exe.config" <<'EOF'
<configuration><appSettings><add key="ProxyHost" value="10.0.0.1"/><add key="ProxyPort" value="3128"/><add key="RACertThumbprint" value="A94A426A555D3C218C443E45B49B821244F70B91"/></appSettings></configuration>
EOF

# ---- strings: settings and otherName values
w() { printf '%s' "$2" > "$out/$1"; }
w settings/fqdn pki-ws.symauth.com
w settings/fqdn-port pki-ws.symauth.com:8443
w settings/base-url https://pki-ws.symauth.com:443/pki-ws/
w settings/proxy proxy.contoso.com:3128
w settings/proxy-url http://10.0.0.1:8080/
w settings/thumbprint $'\xe2\x80\x8ea9 4a 42 6a 55 5d 3c 21 8c 44 3e 45 b4 9b 82 12 44 f7 0b 91'
w settings/oid 2.16.840.1.113733.1.16.1.2.3.1.1.47196109
w settings/dn 'CN=Alice,O=Contoso\, Ltd,OU=A\2B,EMAILADDRESS=a@b.c;1.2.3.4=x'
w settings/url-ipv6 'https://[::1]:8443/path?q=1'
w settings/ca-name Symantec
w othername/octets '04 10 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF'
w othername/colons '0c:05:61:6c:69:63:65'
w othername/long-form '04 81 80'"$(printf ' 00%.0s' $(seq 128))"
w othername/base64 'BBAAESIzRFVmd4iZqrvM3e7/'
w othername/tag-high '1f 81 01 01 00'
du -sh "$out"
