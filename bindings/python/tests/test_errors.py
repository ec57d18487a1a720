# SPDX-License-Identifier: MIT
"""Errors and exceptions: codes, classes, messages that name the offending input."""
from __future__ import annotations

import pickle
import threading
import unittest

import pkiws
import pkiws_testsupport as support


class TestErrors(support.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.session = pkiws.Session()
        self.addCleanup(self.session.close)

    def test_errors_bad_ca_fqdn_names_the_character(self) -> None:
        with self.assertRaises(pkiws.ConfigError) as cm:
            self.session.set_str(pkiws.SessionOpt.CA, "pki-ws.symauth.com/pki-ws")
        e = cm.exception
        self.assertEqual(e.code, -100)
        self.assertEqual(e.name, "PKIWS_E_CONFIG")
        self.assertIn("'/' at position 19", e.message)
        self.assertIn("pki-ws.symauth.com/pki-ws", e.message)
        self.assertTrue(e.remedy and "FQDN" in e.remedy, e.remedy)
        with self.assertRaises(pkiws.ConfigError) as cm:
            self.session.configure(ca="pki-ws.sym_auth.com")
        self.assertIn("'_' at position 11", cm.exception.message)
        with self.assertRaises(pkiws.ConfigError) as cm:
            self.session.configure(ca="https://pki-ws.symauth.com")
        self.assertIn("scheme", cm.exception.message)

    def test_errors_refused_value_changes_nothing(self) -> None:
        self.session.configure(ca="pki-ws.symauth.com:8443")
        with self.assertRaises(pkiws.ConfigError):
            self.session.configure(ca="pki ws.symauth.com")
        self.assertEqual(self.session.get_str(pkiws.SessionOpt.CA), "pki-ws.symauth.com:8443")
        with self.assertRaises(pkiws.ConfigError) as cm:
            self.session.configure(ca_name="DigiCert")
        self.assertIn("Symantec", cm.exception.message)

    def test_errors_exception_shape(self) -> None:
        with self.assertRaises(pkiws.PkiwsError) as cm:
            pkiws.thumbprint_normalize("xyz")
        e = cm.exception
        self.assertIsInstance(e, pkiws.ConfigError)
        self.assertIsInstance(e, pkiws.SetupError)
        self.assertEqual(e.args, (e.code, e.name, e.message, e.remedy))
        self.assertEqual(str(e), "PKIWS_E_CONFIG: " + e.message)
        self.assertIsNone(e.result)
        self.assertFalse(e.retryable)
        copy = pickle.loads(pickle.dumps(e))
        self.assertIs(type(copy), pkiws.ConfigError)
        self.assertEqual((copy.code, copy.message, copy.remedy), (e.code, e.message, e.remedy))

    def test_errors_thumbprint_normalisation(self) -> None:
        want = "A94A426A555D3C218C443E45B49B821244F70B91"
        # as copied from the Windows certificate dialog: LRM first, spaces, any case
        self.assertEqual(pkiws.thumbprint_normalize(
            "\u200ea9 4a 42 6a 55 5d 3c 21 8c 44 3e 45 b4 9b 82 12 44 f7 0b 91"), want)
        self.assertEqual(pkiws.thumbprint_normalize(
            "\u201cA9:4A:42:6A:55:5D:3C:21:8C:44:3E:45:B4:9B:82:12:44:F7:0B:91\u201d"), want)
        self.assertEqual(pkiws.thumbprint_normalize("\ufeff" + want.lower() + "\u200b"), want)
        with self.assertRaises(pkiws.ConfigError) as cm:
            pkiws.thumbprint_normalize(want[:-1] + "Z")
        self.assertIn("'Z' at character 40", cm.exception.message)
        with self.assertRaises(pkiws.ConfigError) as cm:
            pkiws.thumbprint_normalize(want[:-1])
        self.assertIn("39 hex digits", cm.exception.message)

    def test_errors_bad_oid(self) -> None:
        cases = {
            "1.2.03": "leading zero",
            "3.1.2": "first arc",
            "1": "at least two arcs",
            "1..2": "empty arc",
        }
        for oid, why in cases.items():
            with self.subTest(oid=oid):
                with self.assertRaises(pkiws.ConfigError) as cm:
                    pkiws.Profile(self.session, oid)
                self.assertIn(f"'{oid}'", cm.exception.message)
                self.assertIn(why, cm.exception.message)
        profile = self.session.profile(support.EXAMPLE_PROFILE)
        self.addCleanup(profile.close)
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            profile.request(othername=("1..2", "0400"))
        self.assertIn("otherName type OID '1..2'", cm.exception.message)

    def test_errors_options(self) -> None:
        with self.assertRaises(pkiws.UnknownOptionError):
            self.session.set_int(9999, 1)
        with self.assertRaises(pkiws.OptionTypeError):
            self.session.set_int(pkiws.SessionOpt.CA, 1)
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            self.session.configure(timeout_ms=0)
        self.assertIn("TIMEOUT_MS", cm.exception.message)
        with self.assertRaises(TypeError) as cm2:
            self.session.configure(time_out=5)
        self.assertIn("time_out", str(cm2.exception))
        self.session.configure(connect_timeout_ms=1234, proxy="proxy:8080")
        self.assertEqual(self.session.get_int(pkiws.SessionOpt.CONNECT_TIMEOUT_MS), 1234)
        self.assertEqual(self.session.get_str(pkiws.SessionOpt.PROXY), "http://proxy:8080")
        self.session.set_str(pkiws.SessionOpt.PROXY, None)  # None resets
        self.assertIsNone(self.session.get_str(pkiws.SessionOpt.PROXY))

    def test_errors_text_with_nul_is_refused(self) -> None:
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            self.session.configure(ca="pki-ws.symauth.com\0evil")
        self.assertIn("session option CA", cm.exception.message)
        self.assertIn("NUL character at byte 19", cm.exception.message)
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            pkiws.thumbprint_normalize("\ud800")  # a lone surrogate is not UTF-8
        self.assertIn("character 1", cm.exception.message)
        with self.assertRaises(TypeError):
            pkiws.thumbprint_normalize(1234)  # type: ignore[arg-type]

    def test_errors_files_are_named(self) -> None:
        profile = self.session.profile(support.EXAMPLE_PROFILE)
        self.addCleanup(profile.close)
        with self.assertRaises(pkiws.LocalIOError) as cm:
            profile.load_template_file("/nonexistent/pkiws/template.xml")
        self.assertIn("/nonexistent/pkiws/template.xml", cm.exception.message)
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.session.load_ra_pkcs12_file("/nonexistent/ra.p12", "pw")
        self.assertIn("/nonexistent/ra.p12", cm.exception.message)
        self.assertNotIn("pw", cm.exception.message.replace("/nonexistent", ""))
        with self.assertRaises(pkiws.ProtocolError) as cm:
            profile.load_template(b"<not xml")
        self.assertIn("truncated", cm.exception.message)

    def test_errors_strerror_and_names(self) -> None:
        self.assertEqual(pkiws.error_name(-401), "PKIWS_E_POLICY_MISMATCH")
        self.assertEqual(pkiws.error_name(-12345), "PKIWS_E_UNKNOWN")
        self.assertTrue(pkiws.strerror(-201))
        self.assertEqual(pkiws.strerror(-12345), "unknown error code")

    def test_errors_are_per_thread(self) -> None:
        # errcheck reads the calling thread's last error: under contention, each thread must
        # see the message about its own input
        digits = "0123456789ABCDEF" * 3
        failures: list[str] = []

        def worker(n: int) -> None:
            bad = "G" if n % 2 else "Q"
            text = digits[:n] + bad + digits[n + 1:40]
            for _ in range(200):
                try:
                    pkiws.thumbprint_normalize(text)
                    failures.append(f"{n}: no error")
                except pkiws.ConfigError as e:
                    want = f"'{bad}' at character {n + 1},"
                    if want not in e.message:
                        failures.append(f"{n}: {e.message}")
                pkiws.thumbprint_normalize(digits[:40])  # a success in between

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
