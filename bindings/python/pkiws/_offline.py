# SPDX-License-Identifier: MIT
"""Library-wide functions: version, features, error names, and the offline utilities."""
from __future__ import annotations

import ctypes
from typing import NamedTuple, Optional, Union

from . import _conv, _enums, _lib
from ._result import Result


def version() -> tuple[int, int, int]:
    """Run-time library version as (major, minor, patch)."""
    return _lib.version_tuple(_lib.pkiws_version())


def version_string() -> str:
    """Run-time library version text, e.g. "0.1.0"."""
    return _conv.borrowed_str(_lib.pkiws_version_string()) or ""


def features() -> _enums.Feature:
    """The Feature flags of the loaded library (unknown bits are kept)."""
    return _enums.Feature(_lib.pkiws_features())


def strerror(code: int) -> str:
    """Short English description of a code."""
    return _conv.borrowed_str(_lib.pkiws_strerror(int(code))) or ""


def error_name(code: int) -> str:
    """Symbolic name of a code, e.g. "PKIWS_E_TIMEOUT"."""
    return _conv.borrowed_str(_lib.pkiws_error_name(int(code))) or ""


def thumbprint_normalize(text: str) -> str:
    """Normalise a thumbprint copied from Windows (spaces, colons, quotes and invisible marks
    removed, upper-cased); anything not then 40 hex digits raises ConfigError naming the
    character and its position."""
    raw = _conv.text(text, "thumbprint")
    out = ctypes.c_void_p()
    _lib.pkiws_thumbprint_normalize(raw, ctypes.byref(out))
    return _conv.take_str(out.value)


def thumbprint(data: _conv.Data, password: Optional[Union[str, bytes]] = None) -> str:
    """SHA-1 thumbprint (40 upper-case hex digits) of a certificate (PEM or DER) or of the
    end-entity certificate of a PFX opened with ``password``."""
    raw = _conv.data(data, "certificate data") or b""
    pw = _conv.text(password, "PFX password")
    out = ctypes.c_void_p()
    _lib.pkiws_thumbprint(raw, len(raw), pw, ctypes.byref(out))
    return _conv.take_str(out.value)


def cert_renewal_due(cert: _conv.Data, now: int, renewal_days: int) -> bool:
    """True when the certificate (PEM or DER) is inside its renewal window at ``now`` (epoch
    seconds): now >= notAfter - ``renewal_days`` days, or expired."""
    raw = _conv.data(cert, "certificate data") or b""
    due = ctypes.c_int(0)
    _lib.pkiws_cert_renewal_due(raw, len(raw), int(now), int(renewal_days), ctypes.byref(due))
    return bool(due.value)


class RaCsr(NamedTuple):
    """What :func:`ra_csr` makes."""

    key_pem: bytes  #: the private key, PKCS#8 PEM (a secret: store it safely)
    csr_pem: bytes  #: the PKCS#10 request, PEM


def ra_csr(subject_dn: str, key_type: int = _enums.KeyType.RSA2048) -> RaCsr:
    """Make an RA key and CSR (key usage 0xa0, EKU clientAuth, SHA-256) for ``subject_dn``,
    e.g. "CN=Intune RA,O=Contoso"."""
    raw = _conv.text(subject_dn, "subject DN")
    key, csr = ctypes.c_void_p(), ctypes.c_void_p()
    _lib.pkiws_ra_csr(raw, int(key_type), ctypes.byref(key), ctypes.byref(csr))
    try:
        csr_pem = _conv.take_bytes(csr.value)
    finally:
        key_pem = _conv.take_bytes(key.value, secret=True)
    return RaCsr(key_pem, csr_pem)


def key_encrypt(key: _conv.Data, password: Union[str, bytes], *,
                key_password: Optional[Union[str, bytes]] = None) -> bytes:
    """Encrypt a private key for keeping at rest (e.g. the key of a pending result): any key
    pkiws reads (``key_password`` when it is encrypted) becomes encrypted PKCS#8 PEM under
    ``password`` (PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC), which OpenSSL and
    :meth:`Request.set_key` read."""
    raw = _conv.data(key, "key") or b""
    kp = _conv.text(key_password, "key password")
    pw = _conv.text(password, "password")
    out = ctypes.c_void_p()
    _lib.pkiws_key_encrypt(raw, len(raw), kp, pw, ctypes.byref(out))
    return _conv.take_bytes(out.value, secret=True)


def pfx_package(cert: _conv.Data, key: _conv.Data, password: Union[str, bytes], *,
                key_password: Optional[Union[str, bytes]] = None,
                chain: Optional[_conv.Data] = None,
                preset: int = _enums.PfxPreset.LEGACY,
                friendly_name: Optional[str] = None) -> bytes:
    """Package a key and certificate (PEM or DER; a PEM ``cert`` may carry the chain too,
    ``chain`` adds more) into a PFX protected by ``password``. Returns the PFX bytes."""
    c = _conv.data(cert, "certificate") or b""
    k = _conv.data(key, "key") or b""
    ch = _conv.data(chain, "chain")
    out, out_len = ctypes.c_void_p(), ctypes.c_size_t()
    _lib.pkiws_pfx_package(c, len(c), k, len(k), _conv.text(key_password, "key password"),
                           ch, len(ch) if ch else 0, _conv.text(password, "PFX password"),
                           int(preset), _conv.text(friendly_name, "friendly name"),
                           ctypes.byref(out), ctypes.byref(out_len))
    return _conv.take_bytes(out.value, out_len.value)


def pfx_inspect(pfx: bytes, password: Union[str, bytes]) -> Result:
    """Open a PFX and describe it: subject, serial, thumbprint, issuer, cert_der, chain,
    chain_length, mac_alg, mac_iterations, key_bag_alg, cert_bag_alg, friendly_name."""
    raw = _conv.data(pfx, "PFX data") or b""
    pw = _conv.text(password, "PFX password")
    out = _lib.ResultP()
    _lib.pkiws_pfx_inspect(raw, len(raw), pw, ctypes.byref(out))
    return Result._adopt(out)
