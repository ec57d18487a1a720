#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A PFX with the bags of two PFX files, for the tests of PFX files with two private keys.

    pfx_merge.py A.pfx B.pfx PASSWORD OUT.pfx

Neither `openssl pkcs12 -export` nor Python's cryptography writes more than one key, so the
tests merge two files they made under the same password, as OpenSSL's PKCS12_add_safes()
would: the AuthenticatedSafe of OUT holds the ContentInfos of A, then those of B, and a new
MAC (HMAC-SHA-256 with the RFC 7292 appendix B key, 2048 iterations) covers it. The bags are
copied untouched. `openssl pkcs12 -info` verifies the MAC and lists both keys.
"""
import hashlib
import hmac
import os
import sys

OID_DATA = bytes.fromhex("2a864886f70d010701")
OID_SHA256 = bytes.fromhex("608648016503040201")


def tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at pos (definite lengths)."""
    tag = data[pos]
    n = data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    return tag, pos, pos + n


def der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + head + content


def safes_of(pfx: bytes) -> bytes:
    """The ContentInfos inside the AuthenticatedSafe of a PFX."""
    _, s, _ = tlv(pfx, 0)                 # PFX SEQUENCE
    _, _, e = tlv(pfx, s)                 # version
    _, s, _ = tlv(pfx, e)                 # authSafe ContentInfo
    _, _, e = tlv(pfx, s)                 # contentType (data)
    _, s, _ = tlv(pfx, e)                 # [0]
    tag, s, e = tlv(pfx, s)               # OCTET STRING (DER: primitive)
    assert tag == 0x04, "authSafe is not a primitive OCTET STRING"
    auth = pfx[s:e]
    _, s, e = tlv(auth, 0)                # AuthenticatedSafe SEQUENCE
    return auth[s:e]


def p12_kdf(password: bytes, salt: bytes, ident: int, iterations: int, n: int) -> bytes:
    """RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64)."""
    u, v = 32, 64

    def stretch(x: bytes) -> bytes:
        if not x:
            return b""
        size = v * ((len(x) + v - 1) // v)
        return (x * (size // len(x) + 1))[:size]

    d = bytes([ident]) * v
    i = stretch(salt) + stretch(password)
    out = b""
    while len(out) < n:
        a = hashlib.sha256(d + i).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha256(a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        i = b"".join(((int.from_bytes(i[j:j + v], "big") + b + 1) % (1 << (8 * v)))
                     .to_bytes(v, "big") for j in range(0, len(i), v))
    return out[:n]


def main() -> None:
    a, b, password, out = sys.argv[1:5]
    with open(a, "rb") as f:
        safes = safes_of(f.read())
    with open(b, "rb") as f:
        safes += safes_of(f.read())
    auth = der(0x30, safes)
    bmp = password.encode("utf-16-be") + b"\0\0"
    salt, iterations = os.urandom(8), 2048
    key = p12_kdf(bmp, salt, 3, iterations, 32)
    mac = hmac.new(key, auth, hashlib.sha256).digest()
    mac_data = der(0x30, der(0x30, der(0x30, der(0x06, OID_SHA256) + der(0x05, b""))
                             + der(0x04, mac))
                   + der(0x04, salt) + der(0x02, iterations.to_bytes(2, "big")))
    pfx = der(0x30, der(0x02, b"\x03")
              + der(0x30, der(0x06, OID_DATA) + der(0xA0, der(0x04, auth)))
              + mac_data)
    with open(out, "wb") as f:
        f.write(pfx)


if __name__ == "__main__":
    main()
