# SPDX-License-Identifier: MIT
"""Conversions between Python values and the C calling conventions of pkiws.h.

Inputs: text becomes UTF-8 (a NUL inside would silently cut it in C, so it is refused), paths
go through os.fsencode, binary data must be bytes-like. Outputs: borrowed memory is copied at
once; owned memory is copied and then released with pkiws_free / pkiws_free_secret.
"""
from __future__ import annotations

import ctypes
import os
from typing import Optional, Union

from . import _errors, _lib

Text = Union[str, bytes]
Data = Union[bytes, bytearray, memoryview, str]
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def invalid_arg(message: str) -> _errors.PkiwsError:
    """A Python-side PKIWS_E_INVALID_ARG, shaped like the library's."""
    return _errors.make(_errors.E_INVALID_ARG, "PKIWS_E_INVALID_ARG", message)


def _no_nul(raw: bytes, what: str) -> bytes:
    at = raw.find(b"\0")
    if at >= 0:
        raise invalid_arg(f"{what} contains a NUL character at byte {at + 1}; text passed to "
                          f"pkiws must not contain NUL")
    return raw


def text(value: Optional[Text], what: str) -> Optional[bytes]:
    """str/bytes -> NUL-terminated UTF-8 for a ``const char *`` argument (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise invalid_arg(f"{what} is not valid Unicode: character {exc.start + 1} "
                              f"({value[exc.start]!r}) cannot be encoded as UTF-8") from None
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    return _no_nul(raw, what)


def path(value: Optional[PathLike], what: str) -> Optional[bytes]:
    """A file-system path (str, bytes or os.PathLike) for a ``const char *`` argument."""
    if value is None:
        return None
    try:
        raw = os.fsencode(value)
    except TypeError:
        raise TypeError(f"{what} must be a path (str, bytes or os.PathLike), not "
                        f"{type(value).__name__}") from None
    return _no_nul(raw, what)


def data(value: Optional[Data], what: str) -> Optional[bytes]:
    """Binary input (bytes-like; str is taken as UTF-8, e.g. PEM text) for ``const void *``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be bytes, not {type(value).__name__}")


def borrowed_str(ptr: Optional[int]) -> Optional[str]:
    """Copy a borrowed ``const char *`` (None for NULL)."""
    if not ptr:
        return None
    return ctypes.string_at(ptr).decode("utf-8", "replace")


def borrowed_bytes(ptr: Optional[int], size: int) -> bytes:
    """Copy a borrowed ``(const uint8_t *, size_t)`` pair."""
    if not ptr or size == 0:
        return b""
    return ctypes.string_at(ptr, size)


def take_bytes(ptr: Optional[int], size: Optional[int] = None, secret: bool = False) -> bytes:
    """Copy memory the library handed over (NUL-terminated when ``size`` is None), free it."""
    if not ptr:
        return b""
    try:
        if size is None:
            copy = ctypes.string_at(ptr)
            size = len(copy)
        else:
            copy = ctypes.string_at(ptr, size)
    finally:
        if secret:
            _lib.pkiws_free_secret(ptr, size)
        else:
            _lib.pkiws_free(ptr)
    return copy


def take_str(ptr: Optional[int]) -> str:
    """Copy a ``char *`` the library handed over, free it with pkiws_free."""
    return take_bytes(ptr).decode("utf-8", "replace")
