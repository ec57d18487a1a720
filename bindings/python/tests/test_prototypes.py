# SPDX-License-Identifier: MIT
"""The prototype table of pkiws/_lib.py against the PKIWS_API declarations of pkiws.h."""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import unittest
from typing import Optional
from ctypes import POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

import pkiws
import pkiws_header
import pkiws_testsupport as support
from pkiws import _lib

_SCALARS = {
    "void": None,
    "int": c_int,
    "size_t": c_size_t,
    "uint32_t": c_uint32,
    "uint64_t": c_uint64,
    "int64_t": c_int64,
    "pkiws_log_cb": _lib.LOG_CB,
    "pkiws_sign_cb": _lib.SIGN_CB,
    "pkiws_outbox_step_cb": _lib.OUTBOX_STEP_CB,
    "pkiws_progress_cb": _lib.PROGRESS_CB,
}
_HANDLES = {
    "pkiws_session": _lib._Session,
    "pkiws_profile": _lib._Profile,
    "pkiws_request": _lib._Request,
    "pkiws_result": _lib._Result,
    "pkiws_outbox": _lib._Outbox,
    "pkiws_op": _lib._Op,
}

#: int-returning functions that report a value, not a PKIWS_E_* code: no errcheck
_VALUE_RETURNS = {"pkiws_last_error_code", "pkiws_last_error_retryable", "pkiws_result_status",
                  "pkiws_result_error",
                  "pkiws_result_retryable"}
#: functions for which PKIWS_E_STATE means "absent" and is returned, not raised
_ABSENT_OK = {"pkiws_result_int", "pkiws_result_blob", "pkiws_session_ra_thumbprint",
               "pkiws_profile_template_int"}


def expected_ctype(ctype: str, is_return: bool):
    """The ctypes type the binding must declare for a C type of the header."""
    base = ctype.replace("const ", "").rstrip("* ").strip()
    stars = ctype.count("*")
    if stars == 0:
        return _SCALARS[base]
    if base in _HANDLES:
        t = _HANDLES[base]
        for _ in range(stars):
            t = POINTER(t)
        return t
    if stars == 1:
        if base == "char":
            # borrowed text returns must stay pointers (copied with string_at)
            return c_void_p if is_return else c_char_p
        if base == "void":
            return c_void_p
        if base in ("size_t", "int64_t", "int"):
            return POINTER(_SCALARS[base])
    if stars == 2 and base in ("char", "uint8_t"):
        return POINTER(c_void_p)
    raise AssertionError(f"no mapping for C type {ctype!r}")


class TestPrototypes(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.header = pkiws_header.functions(support.header_text())
        cls.table = {name: (restype, argtypes, errcheck)
                     for name, restype, argtypes, errcheck in _lib.PROTOTYPES}

    def test_prototypes_header_is_read(self) -> None:
        # the parser itself must find the API, or the comparisons below prove nothing
        self.assertGreaterEqual(len(self.header), 70)
        self.assertEqual(self.header["pkiws_issue"].params[1].ctype, "pkiws_result **")
        self.assertEqual(self.header["pkiws_strerror"].returns, "const char *")

    def test_prototypes_table_covers_every_declaration(self) -> None:
        self.assertEqual(len(self.table), len(_lib.PROTOTYPES), "a name appears twice")
        missing = sorted(set(self.header) - set(self.table))
        extra = sorted(set(self.table) - set(self.header))
        self.assertEqual(missing, [], "declared in pkiws.h but not in _lib.PROTOTYPES")
        self.assertEqual(extra, [], "in _lib.PROTOTYPES but not declared in pkiws.h")

    def test_prototypes_types_match_header(self) -> None:
        for name, fn in self.header.items():
            with self.subTest(function=name):
                self.assertIn(name, self.table)
                restype, argtypes, _ = self.table[name]
                self.assertIs(restype, expected_ctype(fn.returns, True), f"{name} return type")
                self.assertEqual(len(argtypes), len(fn.params), f"{name} parameter count")
                for i, (have, param) in enumerate(zip(argtypes, fn.params)):
                    self.assertIs(have, expected_ctype(param.ctype, False),
                                  f"{name} parameter {i + 1} ({param.ctype} {param.name})")

    def test_prototypes_errcheck_on_every_fallible_function(self) -> None:
        for name, fn in self.header.items():
            with self.subTest(function=name):
                self.assertIn(name, self.table)
                errcheck = self.table[name][2]
                if fn.returns != "int" or name in _VALUE_RETURNS:
                    self.assertIsNone(errcheck, f"{name} reports by value")
                elif fn.params and fn.params[-1].ctype == "pkiws_result **":
                    self.assertIs(errcheck, _lib._check_rc_result, name)
                elif name in _ABSENT_OK:
                    self.assertIs(errcheck, _lib._check_rc_absent, name)
                else:
                    self.assertIs(errcheck, _lib._check_rc, name)

    def test_prototypes_applied_to_the_loaded_library(self) -> None:
        for name, restype, argtypes, errcheck in _lib.PROTOTYPES:
            fn = getattr(_lib, name)
            with self.subTest(function=name):
                self.assertIsInstance(fn, ctypes._CFuncPtr)
                self.assertIs(fn.restype, restype)
                self.assertEqual(tuple(fn.argtypes), tuple(argtypes))
                if errcheck is not None:
                    self.assertIs(fn.errcheck, errcheck)

    def test_prototypes_handles_are_distinct_types(self) -> None:
        session = _lib.SessionP()
        _lib.pkiws_session_new(ctypes.byref(session))
        try:
            with self.assertRaises(ctypes.ArgumentError):
                _lib.pkiws_profile_free(session)  # a session where a profile is expected
            with self.assertRaises(ctypes.ArgumentError):
                _lib.pkiws_result_status(session)
        finally:
            _lib.pkiws_session_free(session)



def loaded_path(name: str) -> Optional[str]:
    """The full path of a shared object loaded into this process, from /proc/self/maps."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                if line.rstrip().endswith("/" + name):
                    return line.split()[-1]
    except OSError:
        pass
    return None


def import_with(library: str) -> subprocess.CompletedProcess:
    """``import pkiws`` in a fresh interpreter with PKIWS_LIBRARY=library."""
    env = dict(os.environ, PKIWS_LIBRARY=library)
    return subprocess.run([sys.executable, "-c", "import pkiws"], env=env, capture_output=True,
                          text=True, timeout=60)


class TestLoading(support.TestCase):
    def test_loading_version_is_checked(self) -> None:
        self.assertGreaterEqual(pkiws.version(), _lib.MIN_VERSION)
        self.assertEqual(".".join(map(str, pkiws.version())), pkiws.version_string())
        saved = _lib.MIN_VERSION
        try:
            _lib.MIN_VERSION = (saved[0] + 1, 0, 0)
            with self.assertRaises(ImportError) as cm:
                _lib._check_version()
            self.assertIn(f"needs at least {saved[0] + 1}.0.0", str(cm.exception))
        finally:
            _lib.MIN_VERSION = saved
        self.assertIn(pkiws.Feature.THREADSAFE, pkiws.features())

    def test_loading_errors_are_clear(self) -> None:
        proc = import_with("libpkiws.so.1")  # a name, not a full path
        self.assertIn("is not a full path", proc.stderr)
        proc = import_with("/nonexistent/libpkiws.so.1")
        self.assertIn("cannot load /nonexistent/libpkiws.so.1", proc.stderr)
        self.assertIn("PKIWS_LIBRARY", proc.stderr)
        libc = loaded_path("libc.so.6")
        if libc:  # a real library without pkiws in it
            proc = import_with(libc)
            self.assertIn("lacks pkiws_strerror", proc.stderr)
        if os.environ.get("PKIWS_LIBRARY"):
            proc = import_with(os.environ["PKIWS_LIBRARY"])
            self.assertEqual(proc.returncode, 0, proc.stderr)

load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
