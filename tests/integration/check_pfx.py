#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check a PFX written by pkiws with independent tools: OpenSSL 3 (without -legacy) and
Python's cryptography. Usage: check_pfx.py PFX PASSWORD SUBJECT [SAN ...]
SUBJECT is "CN=..,E=..,O=.." in certificate order; each SAN is email:VALUE, upn:VALUE or
othername:OID:HEX (upper-case hex of the DER value). Exit status 0 when everything matches."""
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PublicFormat

UPN = "1.3.6.1.4.1.311.20.2.3"
SHORT = {"commonName": "CN", "emailAddress": "E", "organizationName": "O",
         "organizationalUnitName": "OU", "countryName": "C", "localityName": "L",
         "stateOrProvinceName": "ST"}


def fail(msg):
    print("check_pfx: " + msg)
    sys.exit(1)


def der_utf8(value: bytes) -> str:
    if len(value) < 2 or value[0] != 0x0C:
        fail("UPN value is not a UTF8String: " + value.hex())
    n = value[1]
    off = 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(value[2:2 + k], "big")
        off = 2 + k
    return value[off:off + n].decode("utf-8")


def main():
    path, password, want_subject = sys.argv[1], sys.argv[2], sys.argv[3]
    want_sans = sorted(sys.argv[4:])
    data = open(path, "rb").read()
    # 1. OpenSSL 3 opens it without -legacy
    r = subprocess.run(["openssl", "pkcs12", "-info", "-noout", "-in", path, "-passin",
                        "pass:" + password], capture_output=True, text=True)
    if r.returncode != 0:
        fail("openssl pkcs12 -info (no -legacy) failed: " + r.stderr.strip())
    # 2. cryptography loads key + certificate + chain, and the key matches
    key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode())
    if key is None or cert is None:
        fail("no key or no certificate in the PFX")
    pub = PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(Encoding.DER, pub) != cert.public_key().public_bytes(Encoding.DER, pub):
        fail("the key does not match the certificate")
    if len(extra) < 1:
        fail("no chain certificates in the PFX")
    subject = ",".join("%s=%s" % (SHORT.get(a.oid._name, a.oid.dotted_string), a.value)
                       for a in cert.subject)
    if subject != want_subject:
        fail("subject is %r, expected %r" % (subject, want_subject))
    sans = []
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        for gn in ext:
            if isinstance(gn, x509.RFC822Name):
                sans.append("email:" + gn.value)
            elif isinstance(gn, x509.OtherName) and gn.type_id.dotted_string == UPN:
                sans.append("upn:" + der_utf8(gn.value))
            elif isinstance(gn, x509.OtherName):
                sans.append("othername:%s:%s" % (gn.type_id.dotted_string, gn.value.hex().upper()))
            else:
                sans.append("other:" + str(gn))
    except x509.ExtensionNotFound:
        pass
    if sorted(sans) != want_sans:
        fail("SANs are %r, expected %r" % (sorted(sans), want_sans))
    # 3. usages as OpenSSL prints them
    pem = cert.public_bytes(Encoding.PEM)
    r = subprocess.run(["openssl", "x509", "-noout", "-text"], input=pem, capture_output=True)
    text = r.stdout.decode()
    from cryptography.hazmat.primitives.asymmetric import rsa
    usage = "Digital Signature, Key Encipherment" if isinstance(key, rsa.RSAPrivateKey) \
        else "Digital Signature"
    for needle in (usage, "TLS Web Client Authentication"):
        if needle not in text:
            fail("openssl x509 -text lacks %r" % needle)
    print("check_pfx: ok %s %s" % (subject, " ".join(sans)))


main()
