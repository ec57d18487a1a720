# SPDX-License-Identifier: MIT
"""The log callback: records, levels, redaction, lifetime of the C trampoline, exceptions."""
from __future__ import annotations

import gc
import unittest

import pkiws
import pkiws_testsupport as support


class TestLogging(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = support.TempDir()
        # an RA credential: loading one logs an INFO record through the session
        cls.cert, cls.key = support.make_self_signed(cls.tmp.path, "logging-ra")
        cls.thumbprint = pkiws.thumbprint(cls.cert.read_bytes())

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def setUp(self) -> None:
        super().setUp()
        self.records: list[tuple] = []
        self.session = pkiws.Session()
        self.addCleanup(self.session.close)

    def load_ra(self) -> None:
        self.session.load_ra_pem_files(self.cert, self.key)

    def test_logging_records(self) -> None:
        self.session.set_log_callback(lambda *rec: self.records.append(rec),
                                      level=pkiws.LogLevel.INFO)
        self.load_ra()
        self.assertEqual(len(self.records), 1, self.records)
        level, domain, txid, msg = self.records[0]
        self.assertIs(level, pkiws.LogLevel.INFO)
        self.assertEqual((domain, txid), ("core", ""))
        self.assertIn("RA credential loaded", msg)
        self.assertIn(self.thumbprint, msg)
        # the RA certificate names the registration authority, not a person: not redacted
        # (identities are; see test_online)
        self.assertIn("CN=logging-ra", msg)
        self.assertIn(str(self.cert), msg)

    def test_logging_levels(self) -> None:
        self.session.set_log_callback(lambda *rec: self.records.append(rec))
        # installing a callback raises the level from NONE to WARN
        self.assertEqual(self.session.get_int(pkiws.SessionOpt.LOG_LEVEL), pkiws.LogLevel.WARN)
        self.load_ra()
        self.assertEqual(self.records, [])  # an INFO record is below WARN
        self.session.configure(log_level=pkiws.LogLevel.DEBUG)
        self.load_ra()
        self.assertEqual(len(self.records), 1)
        self.session.set_log_callback(None)  # silence
        self.load_ra()
        self.assertEqual(len(self.records), 1)

    def test_logging_callback_kept_alive(self) -> None:
        sink = self.records

        def make():
            return lambda level, domain, txid, msg: sink.append(msg)

        self.session.set_log_callback(make(), level=pkiws.LogLevel.INFO)
        gc.collect()  # nothing but the session holds the callable and its trampoline
        self.load_ra()
        self.assertEqual(len(sink), 1)
        self.assertIn("RA credential loaded", sink[0])

    def test_logging_exception_reraised_after_the_call(self) -> None:
        class Boom(Exception):
            pass

        def callback(level, domain, txid, msg):
            self.records.append(msg)
            raise Boom(msg)

        self.session.set_log_callback(callback, level=pkiws.LogLevel.INFO)
        with self.assertRaises(Boom) as cm:
            self.load_ra()
        self.assertIn("RA credential loaded", str(cm.exception))
        # the call itself completed before the exception surfaced
        self.assertEqual(self.session.ra_thumbprint, self.thumbprint)
        # and it is not raised again by the next call that does not log
        self.session.configure(timeout_ms=5000)
        self.session.set_log_callback(lambda *rec: None)
        self.load_ra()

    def test_logging_bad_arguments(self) -> None:
        def callback(level, domain, txid, msg):
            raise RuntimeError("from the callback")

        with self.assertRaises(TypeError):
            pkiws.Session(log_callback=callback, no_such_option=1)
        with self.assertRaises(TypeError):
            self.session.set_log_callback(42)  # type: ignore[arg-type]
        self.assertEqual(self.records, [])


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
