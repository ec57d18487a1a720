# SPDX-License-Identifier: MIT
"""Loading of libpkiws.so.1 and the ONE prototype table of every function of pkiws.h.

Every exported function is declared here with its ``restype``, ``argtypes`` and ``errcheck``;
``tests/test_prototypes.py`` compares this table with the header's ``PKIWS_API`` declarations,
so the two cannot drift apart.

Rules followed by the table (style.md §2.15):

* borrowed ``const char *`` returns are declared ``c_void_p`` and copied at once with
  :func:`ctypes.string_at` (``c_char_p`` would hide the pointer);
* ``char **`` / ``uint8_t **`` out-parameters are ``POINTER(c_void_p)``: the caller copies the
  memory, then releases it with ``pkiws_free`` (``pkiws_free_secret`` for keys);
* each handle has its own opaque type, so passing the wrong handle fails in Python
  (``ctypes.ArgumentError``) before it reaches C;
* fallible functions get an ``errcheck`` that turns a negative code into a
  :class:`~pkiws.PkiwsError` subclass built from the calling thread's last error.
"""
from __future__ import annotations

import ctypes
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from typing import Any, Callable, Optional

from . import _errors

#: The SONAME this binding is written for (the ABI major is part of the name).
if sys.platform == "darwin":
    SONAME = "libpkiws.1.dylib"
elif sys.platform == "win32":
    SONAME = "pkiws-1.dll"
else:
    SONAME = "libpkiws.so.1"

#: Oldest library the binding supports, as (major, minor, patch).
MIN_VERSION = (0, 1, 0)


# ---- opaque handle types: one per handle -------------------------------------------------

class _Session(ctypes.Structure):
    """struct pkiws_session (opaque)."""


class _Profile(ctypes.Structure):
    """struct pkiws_profile (opaque)."""


class _Request(ctypes.Structure):
    """struct pkiws_request (opaque)."""


class _Result(ctypes.Structure):
    """struct pkiws_result (opaque)."""


class _Outbox(ctypes.Structure):
    """struct pkiws_outbox (opaque)."""


class _Op(ctypes.Structure):
    """struct pkiws_op (opaque)."""


SessionP = POINTER(_Session)
ProfileP = POINTER(_Profile)
RequestP = POINTER(_Request)
ResultP = POINTER(_Result)
OutboxP = POINTER(_Outbox)
OpP = POINTER(_Op)

#: typedef void (*pkiws_log_cb)(int level, const char *domain, const char *txid,
#:                              const char *msg, void *user_data);
LOG_CB = CFUNCTYPE(None, c_int, c_char_p, c_char_p, c_char_p, c_void_p)
#: typedef int (*pkiws_sign_cb)(void *ctx, int alg, const uint8_t *hash, size_t hash_len,
#:                              uint8_t *sig, size_t cap, size_t *sig_len);
SIGN_CB = CFUNCTYPE(c_int, c_void_p, c_int, c_void_p, c_size_t, c_void_p, c_size_t,
                    POINTER(c_size_t))

#: typedef void (*pkiws_outbox_step_cb)(int64_t entry_id, int step, void *user_data);
OUTBOX_STEP_CB = CFUNCTYPE(None, c_int64, c_int, c_void_p)

#: typedef int (*pkiws_progress_cb)(void *user_data, const char *operation, int event,
#:                                  int attempt, int64_t ms);
PROGRESS_CB = CFUNCTYPE(c_int, c_void_p, c_char_p, c_int, c_int, c_int64)

_PSTR = POINTER(c_void_p)  # const char ** / char ** / (const) uint8_t **
_PSIZE = POINTER(c_size_t)
_PINT = POINTER(c_int)
_PI64 = POINTER(c_int64)


def _load() -> ctypes.CDLL:
    override = os.environ.get("PKIWS_LIBRARY")
    if override:
        if not os.path.isabs(override):
            raise ImportError(
                f"pkiws: PKIWS_LIBRARY={override!r} is not a full path; set it to the full "
                f"path of {SONAME} (or unset it to load {SONAME} from the system)")
        name = override
    else:
        name = SONAME
    try:
        return ctypes.CDLL(name)
    except OSError as exc:
        hint = ("check the path in PKIWS_LIBRARY" if override else
                f"install pkiws (meson install) so that the loader finds {SONAME}, or set "
                f"PKIWS_LIBRARY to its full path")
        raise ImportError(f"pkiws: cannot load {name}: {exc}; {hint}") from exc


lib = _load()


# ---- errcheck functions ------------------------------------------------------------------

def _borrowed(p: Optional[int]) -> str:
    return ctypes.string_at(p).decode("utf-8", "replace") if p else ""


def error_for(rc: int, result: Any = None) -> _errors.PkiwsError:
    """The exception for code ``rc``: message and remedy from ``result`` when the call made
    one (the per-result detail survives anything a log callback did meanwhile), else from the
    calling thread's last error."""
    message = remedy = ""
    if result is not None:
        message, remedy = result.message, result.remedy or ""
    if not message and pkiws_last_error_code() == rc:
        message = _borrowed(pkiws_last_error_message())
        remedy = remedy or _borrowed(pkiws_last_error_remedy())
    if not message:
        message = _borrowed(pkiws_strerror(rc))
    return _errors.make(rc, _borrowed(pkiws_error_name(rc)), message, remedy or None, result)


def _check_rc(rc: int, func: Any, args: tuple) -> int:
    if rc < 0:
        raise error_for(rc)
    return rc


def _check_rc_absent(rc: int, func: Any, args: tuple) -> int:
    """As _check_rc, but PKIWS_E_STATE ("not in this result" / "nothing loaded") is returned."""
    if rc < 0 and rc != _errors.E_STATE:
        raise error_for(rc)
    return rc


def _check_rc_result(rc: int, func: Any, args: tuple) -> int:
    """For calls that hand out a result even on failure: the exception keeps it."""
    if rc >= 0:
        return rc
    result = None
    out = args[-1]
    if isinstance(out, POINTER(ResultP)):
        ptr = out.contents
    else:
        ptr = getattr(out, "_obj", None)  # byref(ptr) -> ptr
    if isinstance(ptr, ResultP) and ptr:
        from ._result import Result  # late: _result imports this module
        handle = ResultP.from_buffer_copy(ptr)  # the exception's Result owns the handle...
        ctypes.memset(ctypes.addressof(ptr), 0, ctypes.sizeof(ptr))  # ...the caller sees NULL
        result = Result._adopt(handle)
    raise error_for(rc, result)


# ---- the prototype table -----------------------------------------------------------------
# name, restype, argtypes, errcheck (None: the function cannot fail, or reports by value)

_R = _check_rc
_RR = _check_rc_result
_RA = _check_rc_absent

PROTOTYPES: tuple[tuple[str, Any, tuple, Optional[Callable]], ...] = (
    # errors
    ("pkiws_strerror", c_void_p, (c_int,), None),
    ("pkiws_error_name", c_void_p, (c_int,), None),
    ("pkiws_last_error_code", c_int, (), None),
    ("pkiws_last_error_message", c_void_p, (), None),
    ("pkiws_last_error_remedy", c_void_p, (), None),
    ("pkiws_last_error_retryable", c_int, (), None),
    ("pkiws_last_error_clear", None, (), None),
    # library
    ("pkiws_version", c_uint32, (), None),
    ("pkiws_version_string", c_void_p, (), None),
    ("pkiws_features", c_uint64, (), None),
    ("pkiws_global_init", c_int, (c_uint32,), _R),
    ("pkiws_global_cleanup", None, (), None),
    ("pkiws_free", None, (c_void_p,), None),
    ("pkiws_free_secret", None, (c_void_p, c_size_t), None),
    # session
    ("pkiws_session_new", c_int, (POINTER(SessionP),), _R),
    ("pkiws_session_free", None, (SessionP,), None),
    ("pkiws_session_set_int", c_int, (SessionP, c_int, c_int64), _R),
    ("pkiws_session_set_str", c_int, (SessionP, c_int, c_char_p), _R),
    ("pkiws_session_set_blob", c_int, (SessionP, c_int, c_void_p, c_size_t), _R),
    ("pkiws_session_get_int", c_int, (SessionP, c_int, _PI64), _R),
    ("pkiws_session_get_str", c_int, (SessionP, c_int, _PSTR), _R),
    ("pkiws_session_set_log_cb", c_int, (SessionP, LOG_CB, c_void_p), _R),
    ("pkiws_session_set_progress_cb", c_int, (SessionP, PROGRESS_CB, c_void_p), _R),
    ("pkiws_session_set_ra_pkcs12", c_int, (SessionP, c_void_p, c_size_t, c_char_p), _R),
    ("pkiws_session_set_ra_pkcs12_file", c_int, (SessionP, c_char_p, c_char_p), _R),
    ("pkiws_session_set_ra_pem", c_int,
     (SessionP, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p), _R),
    ("pkiws_session_set_ra_pem_files", c_int, (SessionP, c_char_p, c_char_p, c_char_p), _R),
    ("pkiws_session_set_ra_store", c_int, (SessionP, c_char_p, c_char_p, c_char_p), _R),
    ("pkiws_session_set_ra_signer", c_int, (SessionP, c_void_p, c_size_t, SIGN_CB, c_void_p),
     _R),
    ("pkiws_session_set_ra_pkcs11", c_int, (SessionP, c_char_p, c_char_p, c_char_p), _R),
    ("pkiws_session_ra_thumbprint", c_int, (SessionP, _PSTR), _RA),
    ("pkiws_session_load_connector_config", c_int, (SessionP, c_char_p), _R),
    ("pkiws_session_config_count", c_size_t, (SessionP,), None),
    ("pkiws_session_config_entry", c_int, (SessionP, c_size_t, _PSTR, _PSTR), _R),
    ("pkiws_session_config_value", c_void_p, (SessionP, c_char_p), None),
    # profile
    ("pkiws_profile_new", c_int, (POINTER(ProfileP), SessionP, c_char_p), _R),
    ("pkiws_profile_free", None, (ProfileP,), None),
    ("pkiws_profile_set_int", c_int, (ProfileP, c_int, c_int64), _R),
    ("pkiws_profile_set_mapping", c_int, (ProfileP, c_int, c_char_p), _R),
    ("pkiws_profile_load_template", c_int, (ProfileP, c_void_p, c_size_t), _R),
    ("pkiws_profile_load_template_file", c_int, (ProfileP, c_char_p), _R),
    ("pkiws_profile_verify", c_int, (ProfileP, POINTER(ResultP)), _RR),
    ("pkiws_profile_template_int", c_int, (ProfileP, c_int, _PI64), _RA),
    ("pkiws_profile_template_attribute", c_int,
     (ProfileP, c_size_t, _PSTR, _PSTR, _PSTR, _PINT, _PINT, _PINT), _R),
    ("pkiws_profile_fetch_policy", c_int, (ProfileP,), _R),
    # request
    ("pkiws_request_new", c_int, (POINTER(RequestP), ProfileP), _R),
    ("pkiws_request_free", None, (RequestP,), None),
    ("pkiws_request_set_str", c_int, (RequestP, c_int, c_char_p), _R),
    ("pkiws_request_set_int", c_int, (RequestP, c_int, c_int64), _R),
    ("pkiws_request_set_othername", c_int, (RequestP, c_char_p, c_char_p), _R),
    ("pkiws_request_set_key", c_int, (RequestP, c_void_p, c_size_t, c_char_p), _R),
    ("pkiws_preflight", c_int, (RequestP, POINTER(ResultP)), _RR),
    ("pkiws_issue", c_int, (RequestP, POINTER(ResultP)), _RR),
    ("pkiws_poll", c_int, (RequestP, POINTER(ResultP)), _RR),
    ("pkiws_renew", c_int, (RequestP, c_void_p, c_size_t, POINTER(ResultP)), _RR),
    # sans-I/O operations
    ("pkiws_issue_start", c_int, (RequestP, POINTER(OpP)), _R),
    ("pkiws_renew_start", c_int, (RequestP, c_void_p, c_size_t, POINTER(OpP)), _R),
    ("pkiws_op_next", c_int, (OpP, _PINT), _R),
    ("pkiws_op_http_request", c_int, (OpP, _PSTR, _PSTR, _PSTR, _PSIZE), _R),
    ("pkiws_op_feed", c_int, (OpP, c_int, c_char_p, c_void_p, c_size_t), _R),
    ("pkiws_op_feed_error", c_int, (OpP, c_int, c_char_p), _R),
    ("pkiws_op_wait_ms", c_int, (OpP, _PI64), _R),
    ("pkiws_op_result", c_int, (OpP, POINTER(ResultP)), _RR),
    ("pkiws_op_cancel", c_int, (OpP,), _R),
    ("pkiws_op_free", None, (OpP,), None),
    ("pkiws_op_perform", c_int, (OpP, _PINT), _R),
    ("pkiws_op_fds", c_int, (OpP, _PINT, _PINT, c_size_t, _PSIZE, _PI64), _R),
    ("pkiws_poll_start", c_int, (RequestP, POINTER(OpP)), _R),
    ("pkiws_profile_fetch_policy_start", c_int, (ProfileP, POINTER(OpP)), _R),
    ("pkiws_revoke_start", c_int,
     (SessionP, c_int, c_int, c_char_p, c_int, c_char_p, POINTER(OpP)), _R),
    ("pkiws_revoke_bulk_start", c_int,
     (SessionP, c_int, c_int, POINTER(c_void_p), c_size_t, c_int, c_char_p, POINTER(OpP)), _R),
    ("pkiws_search_start", c_int, (SessionP, c_int, c_char_p, c_char_p, c_int, POINTER(OpP)),
     _R),
    ("pkiws_recover_start", c_int,
     (SessionP, c_char_p, c_char_p, c_char_p, c_char_p, c_int, POINTER(OpP)), _R),
    # result
    ("pkiws_result_free", None, (ResultP,), None),
    ("pkiws_result_status", c_int, (ResultP,), None),
    ("pkiws_result_error", c_int, (ResultP,), None),
    ("pkiws_result_message", c_void_p, (ResultP,), None),
    ("pkiws_result_remedy", c_void_p, (ResultP,), None),
    ("pkiws_result_retryable", c_int, (ResultP,), None),
    ("pkiws_result_str", c_void_p, (ResultP, c_int), None),
    ("pkiws_result_int", c_int, (ResultP, c_int, _PI64), _RA),
    ("pkiws_result_blob", c_int, (ResultP, c_int, _PSTR, _PSIZE), _RA),
    ("pkiws_result_chain_count", c_size_t, (ResultP,), None),
    ("pkiws_result_chain_cert", c_int, (ResultP, c_size_t, _PSTR, _PSIZE), _R),
    ("pkiws_result_trace_count", c_size_t, (ResultP,), None),
    ("pkiws_result_trace", c_int, (ResultP, c_size_t, _PINT, _PSTR, _PINT), _R),
    ("pkiws_source_name", c_void_p, (c_int,), None),
    ("pkiws_field_name", c_void_p, (c_int,), None),
    ("pkiws_result_check_count", c_size_t, (ResultP,), None),
    ("pkiws_result_check", c_int, (ResultP, c_size_t, _PSTR, _PINT, _PSTR, _PSTR), _R),
    ("pkiws_verdict_name", c_void_p, (c_int,), None),
    ("pkiws_result_found_count", c_size_t, (ResultP,), None),
    ("pkiws_result_found", c_int,
     (ResultP, c_size_t, _PSTR, _PSIZE, _PSTR, _PSTR, _PSTR), _R),
    ("pkiws_result_item_count", c_size_t, (ResultP,), None),
    ("pkiws_result_item", c_int, (ResultP, c_size_t, _PSTR, _PINT, _PSTR), _R),
    # online operations on a session
    ("pkiws_revoke", c_int,
     (SessionP, c_int, c_int, c_char_p, c_int, c_char_p, POINTER(ResultP)), _RR),
    ("pkiws_revoke_bulk", c_int,
     (SessionP, c_int, c_int, POINTER(c_void_p), c_size_t, c_int, c_char_p, POINTER(ResultP)),
     _RR),
    ("pkiws_check", c_int, (SessionP, c_char_p, POINTER(ResultP)), _RR),
    ("pkiws_search", c_int,
     (SessionP, c_int, c_char_p, c_char_p, c_int, POINTER(ResultP)), _RR),
    ("pkiws_recover", c_int,
     (SessionP, c_char_p, c_char_p, c_char_p, c_char_p, c_int, POINTER(ResultP)), _RR),
    # the durable revocation outbox
    ("pkiws_outbox_open", c_int, (SessionP, c_char_p, POINTER(OutboxP)), _R),
    ("pkiws_outbox_free", None, (OutboxP,), None),
    ("pkiws_outbox_add", c_int, (OutboxP, c_int, c_int, c_char_p, c_int, _PI64), _R),
    ("pkiws_outbox_run", c_int, (OutboxP, c_int, _PINT), _R),
    ("pkiws_outbox_pending_count", c_int, (OutboxP, _PINT), _R),
    ("pkiws_outbox_list", c_int, (OutboxP, c_int, _PSIZE), _R),
    ("pkiws_outbox_entry_int", c_int, (OutboxP, c_size_t, c_int, _PI64), _R),
    ("pkiws_outbox_entry_str", c_void_p, (OutboxP, c_size_t, c_int), None),
    ("pkiws_outbox_set_step_callback", c_int, (OutboxP, OUTBOX_STEP_CB, c_void_p), _R),
    ("pkiws_outbox_state_name", c_void_p, (c_int,), None),
    # offline utilities
    ("pkiws_thumbprint_normalize", c_int, (c_char_p, _PSTR), _R),
    ("pkiws_thumbprint", c_int, (c_void_p, c_size_t, c_char_p, _PSTR), _R),
    ("pkiws_cert_renewal_due", c_int, (c_void_p, c_size_t, c_int64, c_int, _PINT), _R),
    ("pkiws_ra_csr", c_int, (c_char_p, c_int, _PSTR, _PSTR), _R),
    ("pkiws_key_encrypt", c_int, (c_void_p, c_size_t, c_char_p, c_char_p, _PSTR), _R),
    ("pkiws_pfx_package", c_int,
     (c_void_p, c_size_t, c_void_p, c_size_t, c_char_p, c_void_p, c_size_t, c_char_p, c_int,
      c_char_p, _PSTR, _PSIZE), _R),
    ("pkiws_pfx_inspect", c_int, (c_void_p, c_size_t, c_char_p, POINTER(ResultP)), _RR),
)


def _bind() -> None:
    module = sys.modules[__name__]
    for name, restype, argtypes, errcheck in PROTOTYPES:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise ImportError(
                f"pkiws: the loaded library ({lib._name}) lacks {name}: it is not libpkiws, or "
                f"older than this binding, which needs pkiws >= "
                f"{'.'.join(map(str, MIN_VERSION))}") from None
        fn.restype = restype
        fn.argtypes = list(argtypes)
        if errcheck is not None:
            fn.errcheck = errcheck
        setattr(module, name, fn)


# Declared for type checkers and readers; _bind() assigns the real foreign functions.
pkiws_last_error_code: Any
pkiws_last_error_message: Any
pkiws_last_error_remedy: Any
pkiws_last_error_retryable: Any
pkiws_strerror: Any
pkiws_error_name: Any

_bind()


# pkiws_backend_fail (include/pkiws/backend.h, not pkiws.h: outside PROTOTYPES): a Python
# callback that fails records its reason with it, on the calling thread.
#: int pkiws_backend_fail(int code, int cause, const char *domain, int64_t native_code,
#:                        const char *message);
backend_fail = lib.pkiws_backend_fail
backend_fail.restype = c_int
backend_fail.argtypes = [c_int, c_int, c_char_p, c_int64, c_char_p]
#: enum pkiws_backend_cause: PKIWS_CAUSE_RA_KEY
CAUSE_RA_KEY = 4


def version_tuple(num: int) -> tuple[int, int, int]:
    """0xMMmmpp -> (MM, mm, pp)."""
    return ((num >> 16) & 0xFF, (num >> 8) & 0xFF, num & 0xFF)


def _check_version() -> None:
    have = version_tuple(lib.pkiws_version())
    if have < MIN_VERSION:
        raise ImportError(
            f"pkiws: {lib._name} is version {'.'.join(map(str, have))}, but this binding needs "
            f"at least {'.'.join(map(str, MIN_VERSION))}; install a newer libpkiws")


_check_version()
