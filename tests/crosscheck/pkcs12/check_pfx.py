# SPDX-License-Identifier: MIT
"""Cross-check a pkiws-written PFX with python cryptography (OpenSSL underneath).

usage: check_pfx.py PFX PASSWORD LEAF.pem CHAIN_COUNT FRIENDLY_NAME
Asserts: the PFX opens with PASSWORD (and not with a wrong one), the key matches the
certificate, the certificate is LEAF.pem, there are CHAIN_COUNT extra certificates, and the
friendlyName of the certificate is FRIENDLY_NAME (UTF-8; "-" for none).
"""
import sys

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12


def main():
    pfx_path, password, leaf_path, count, name = sys.argv[1:6]
    data = open(pfx_path, "rb").read()
    pw = password.encode("utf-8")
    leaf = x509.load_pem_x509_certificate(open(leaf_path, "rb").read())

    key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
    assert key is not None, "no key"
    assert cert is not None, "no certificate"
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    assert key.public_key().public_bytes(*spki) == cert.public_key().public_bytes(*spki), \
        "key does not match the certificate"
    assert cert.public_bytes(serialization.Encoding.DER) == \
        leaf.public_bytes(serialization.Encoding.DER), "certificate is not the leaf"
    assert len(extra) == int(count), "chain: %d certificates, expected %s" % (len(extra), count)

    p12 = pkcs12.load_pkcs12(data, pw)
    got = p12.cert.friendly_name
    want = None if name == "-" else name.encode("utf-8")
    assert got == want, "friendlyName %r, expected %r" % (got, want)

    try:
        pkcs12.load_key_and_certificates(data, pw + b"x")
    except ValueError:
        pass
    else:
        raise AssertionError("a wrong password was accepted")
    print("ok: cryptography %s, %s, chain %d, name %r" %
          (cryptography.__version__, type(key).__name__, len(extra), got))


if __name__ == "__main__":
    main()
