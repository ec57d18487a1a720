# SPDX-License-Identifier: MIT
"""Online operations against pkiws-sim: issue, pending + poll, revoke, check, errors, faults,
logging and threads."""
from __future__ import annotations

import datetime
import socket
import subprocess
import sys
import threading
import time
import unittest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

import pkiws
import pkiws_testsupport as support

P_EMAIL = support.SIM_ARC + ".1"  # CN subject, EMAIL SAN
P_UPN = support.SIM_ARC + ".2"  # CN subject, UPN SAN
P_PENDING = support.SIM_ARC + ".11"  # CN x EMAIL, approval required
P_EC = support.SIM_ARC + ".12"  # CN x EMAIL, EC P-256


def public_der(obj) -> bytes:
    return obj.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimTestCase(support.TestCase):
    SIM_OPTIONS: tuple[str, ...] = ()

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = support.Simulator("-q", *cls.SIM_OPTIONS).start()
        try:
            cls.session = cls.sim.session(retry_backoff_ms=10)
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls.session.close()
        cls.stats = cls.sim.stop()

    def profile(self, oid: str, **options) -> pkiws.Profile:
        p = self.session.profile(oid, **options)
        self.addCleanup(p.close)
        return p


class TestOnline(SimTestCase):
    def issue(self, oid: str = P_EMAIL, profile_options=None, **fields) -> pkiws.Result:
        opts = {"san_types": pkiws.SanType.EMAIL}
        opts.update(profile_options or {})
        p = self.profile(oid, **opts)
        with p.request(**fields) as r:
            res = r.issue()
        self.addCleanup(res.close)
        return res

    def test_online_issue_pfx(self) -> None:
        res = self.issue(cn="Alice Example", email="alice@contoso.com", pfx_password="pfx pw",
                         seat_id="alice-seat")
        self.assertEqual(res.status, pkiws.Status.OK)
        self.assertEqual(res.subject, "CN=Alice Example")
        self.assertEqual(res.attempts, 1)
        self.assertTrue(res.client_txid.startswith("pkiws-"), res.client_txid)
        self.assertTrue(res.server_txid)
        cert = x509.load_der_x509_certificate(res.cert_der)
        self.assertEqual(cert.fingerprint(hashes.SHA1()).hex().upper(), res.thumbprint)
        self.assertEqual(int(res.serial, 16), cert.serial_number)
        self.assertEqual(x509.load_pem_x509_certificate(res.cert_pem.encode()), cert)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        self.assertEqual(san.get_values_for_type(x509.RFC822Name), ["alice@contoso.com"])
        now = time.time()
        self.assertLess(res.not_before, now + 60)
        self.assertGreater(res.not_after, now + 300 * 86400)
        self.assertEqual(res.not_after,
                         int(cert.not_valid_after.replace(
                             tzinfo=datetime.timezone.utc).timestamp()))
        # the PFX: key, leaf and chain, opened by Python's cryptography
        loaded = pkcs12.load_pkcs12(res.pfx, b"pfx pw")
        self.assertEqual(loaded.cert.certificate, cert)
        self.assertEqual(public_der(loaded.key), public_der(cert))
        self.assertEqual(res.chain_length, len(res.chain))
        self.assertGreaterEqual(len(res.chain), 1)
        self.assertEqual(sorted(c.certificate.public_bytes(serialization.Encoding.DER)
                                for c in loaded.additional_certs), sorted(res.chain))
        issuer = x509.load_der_x509_certificate(res.chain[0])
        self.assertEqual(cert.issuer, issuer.subject)
        self.assertEqual(res.pfx_password, "pfx pw")
        self.assertIsNone(res.key_pkcs8)  # only when asked for
        self.assertEqual(res.find_trace(pkiws.Field.SAN_EMAIL).source_name, "request.email")

    def test_online_issue_generated_password_and_key(self) -> None:
        res = self.issue(P_EC, {"key_type": pkiws.KeyType.EC_P256,
                                "pfx_preset": pkiws.PfxPreset.MODERN},
                         cn="Eve", email="eve@contoso.com", return_key=1)
        password = res.pfx_password
        self.assertGreaterEqual(len(password), 16)
        loaded = pkcs12.load_pkcs12(res.pfx, password.encode())
        self.assertIsInstance(loaded.key, ec.EllipticCurvePrivateKey)
        key = serialization.load_der_private_key(res.key_pkcs8, None)
        self.assertEqual(public_der(key), public_der(loaded.cert.certificate))
        with pkiws.pfx_inspect(res.pfx, password) as info:
            self.assertEqual(info.mac_alg, "sha256")
            self.assertEqual(info.thumbprint, res.thumbprint)

    def test_online_pending_then_poll(self) -> None:
        p = self.profile(P_PENDING, san_types=pkiws.SanType.EMAIL)
        with p.request(cn="Pat", email="pat@contoso.com", pfx_password="pw") as r:
            pending = r.issue()
        self.addCleanup(pending.close)
        self.assertEqual(pending.status, pkiws.Status.PENDING)
        self.assertTrue(pending.pending)
        self.assertIsNone(pending.pfx)
        ref, key = pending.pending_ref, pending.key_pkcs8
        self.assertTrue(ref)
        self.assertTrue(key)
        # later, perhaps in another process: a new request with the reference and the key
        with p.request(cn="Pat", email="pat@contoso.com", pfx_password="pw", pending_ref=ref,
                       key=key) as r2, r2.poll() as done:
            self.assertEqual(done.status, pkiws.Status.OK)
            cert = x509.load_der_x509_certificate(done.cert_der)
            self.assertEqual(public_der(cert),
                             public_der(serialization.load_der_private_key(key, None)))
            loaded = pkcs12.load_pkcs12(done.pfx, b"pw")
            self.assertEqual(loaded.cert.certificate, cert)
        # the key kept encrypted at rest works the same
        kept = pkiws.key_encrypt(key, "rest pw")
        with p.request(cn="Pat", email="pat@contoso.com", pending_ref=ref, key=kept,
                       key_password="rest pw") as r2, r2.poll() as again:
            self.assertEqual(x509.load_der_x509_certificate(again.cert_der).public_key()
                             .public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo),
                             public_der(serialization.load_der_private_key(key, None)))
        with p.request(cn="Pat", pending_ref=ref) as r3, \
                self.assertRaises(pkiws.StateError) as cm:
            r3.poll()
        self.assertIn("pkiws_request_set_key", cm.exception.message)
        # as for issue(), the failed result comes with the exception
        self.assertEqual(cm.exception.result.status, pkiws.Status.FAILED)

    def test_online_recover(self) -> None:
        escrow, dual = support.SIM_ARC + ".15", support.SIM_ARC + ".16"  # the CA makes the key
        issued = self.issue(escrow, cn="Kim", email="kim@contoso.com", pfx_password="issued")
        self.assertIsNone(issued.key_pkcs8)
        issued_key = pkcs12.load_pkcs12(issued.pfx, b"issued").key
        with self.session.recover(issued.serial, issued.issuer, "admin-a",
                                  pfx_password="recovered",
                                  preset=pkiws.PfxPreset.MODERN) as rec:
            self.assertEqual(rec.status, pkiws.Status.OK)
            self.assertEqual(rec.get_int(pkiws.ResultInt.APPROVALS_PENDING), 0)
            self.assertEqual(rec.cert_der, issued.cert_der)
            self.assertEqual(rec.pfx_password, "recovered")
            loaded = pkcs12.load_pkcs12(rec.pfx, b"recovered")
            self.assertEqual(public_der(loaded.key), public_der(issued_key))
            with pkiws.pfx_inspect(rec.pfx, "recovered") as info:
                self.assertEqual(info.mac_alg, "sha256")
        # dual admin: pending (not an exception) until a second administrator asks
        two = self.issue(dual, cn="Lou", email="lou@contoso.com", pfx_password="issued")
        with self.session.recover(two.serial, two.issuer, "admin-a") as rec:
            self.assertEqual(rec.status, pkiws.Status.PENDING)
            self.assertEqual(rec.get_int(pkiws.ResultInt.APPROVALS_PENDING), 1)
            self.assertIsNone(rec.pfx)
        with self.session.recover(two.serial, two.issuer, "admin-b") as rec:
            self.assertEqual(rec.status, pkiws.Status.OK)
            loaded = pkcs12.load_pkcs12(rec.pfx, rec.pfx_password.encode())
            self.assertEqual(public_der(loaded.key),
                             public_der(pkcs12.load_pkcs12(two.pfx, b"issued").key))
        with self.assertRaises(pkiws.SoapFaultError) as cm:
            self.session.recover("0BADBAD", issued.issuer, "admin-a")
        self.assertIn("BADBAD", cm.exception.message)
        cm.exception.result.close()

    def test_online_revoke_suspend_resume(self) -> None:
        res = self.issue(cn="Rita", email="rita@contoso.com", seat_id="rita-seat")
        serial = res.serial
        spelled = "00" + serial.lower()  # case and leading zeros are ignored
        with self.session.revoke(spelled, operation=pkiws.StatusOp.SUSPEND,
                                 reason=pkiws.Reason.CERTIFICATE_HOLD) as out:
            self.assertEqual((out.success_code, out.revocation_count), (0, 1))
            self.assertEqual(out.serial, serial.lstrip("0"))
        with self.session.revoke(serial, operation=pkiws.StatusOp.RESUME) as out:
            self.assertEqual(out.success_code, 0)
        with self.session.revoke("rita-seat", by=pkiws.Selector.SEAT,
                                 reason=pkiws.Reason.KEY_COMPROMISE,
                                 comment="lost laptop") as out:
            self.assertEqual(out.success_code, 0)
            self.assertGreaterEqual(out.revocation_count, 1)
            self.assertTrue(out.disposition)
        with self.assertRaises(pkiws.RejectedError) as cm:
            self.session.revoke("0A0B0C")
        self.assertIn("A0B0C", cm.exception.message)
        self.assertEqual(cm.exception.result.success_code, -1)
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            self.session.revoke("XYZ")
        self.assertIn("'X' at position 1", cm.exception.message)

    def test_online_search(self) -> None:
        res = self.issue(cn="Sam", email="sam@contoso.com", seat_id="sam-seat")
        with self.session.search("sam-seat", by=pkiws.Selector.SEAT) as page:
            self.assertEqual(page.get_int(pkiws.ResultInt.SEARCH_TOTAL), 1)
            found = page.found
            self.assertEqual(len(found), 1)
            self.assertEqual(found[0].status, "VALID")
            self.assertEqual(found[0].seat, "sam-seat")
            self.assertEqual(found[0].serial.lstrip("0").upper(), res.serial.lstrip("0").upper())
            self.assertEqual(found[0].der[0], 0x30)

    def test_online_revoke_bulk(self) -> None:
        serials = [self.issue(cn=f"Bulk {i}", email=f"bulk{i}@contoso.com",
                              seat_id=f"bulk-seat-{i}").serial for i in range(3)]
        self.session.set_int(pkiws.SessionOpt.BULK_CHUNK, 2)
        self.addCleanup(self.session.set_int, pkiws.SessionOpt.BULK_CHUNK, 100)
        with self.session.revoke_bulk(serials, reason=pkiws.Reason.CESSATION_OF_OPERATION,
                                      comment="fleet retired") as out:
            self.assertEqual([i.id for i in out.items], [s.lstrip("0") for s in serials])
            self.assertTrue(all(i.ok for i in out.items), out.items)
            self.assertEqual(out.revocation_count, 3)
            self.assertEqual(out.attempts, 2)  # chunks of 2 and 1
        # an unknown serial: its own error; the others confirmed (already revoked)
        with self.assertRaises(pkiws.RejectedError) as cm:
            self.session.revoke_bulk([serials[0], "0BADC0DE"])
        items = cm.exception.result.items
        self.assertEqual([i.code for i in items], [0, pkiws.ErrorCode.REJECTED])
        self.assertEqual(items[0].message, "already REVOKED (searchCertificate)")
        self.assertIn("No certificate found", items[1].message)
        with self.session.revoke_bulk(["bulk-seat-9"], by=pkiws.Selector.SEAT,
                                      check=False) as out:
            self.assertEqual(out.error, pkiws.ErrorCode.REJECTED)
            self.assertFalse(out.items[0].ok)
        with self.assertRaises(TypeError):
            self.session.revoke_bulk("0A0B")
        with self.assertRaises(pkiws.InvalidArgumentError):
            self.session.revoke_bulk([])

    def test_online_duplicates(self) -> None:
        first = self.issue(cn="Dee", email="dee@contoso.com", seat_id="dee-seat")
        report = self.issue(profile_options={"duplicates": pkiws.Duplicates.REPORT},
                            cn="Dee", email="dee@contoso.com", seat_id="dee-seat")
        self.assertEqual([f.serial.lstrip("0") for f in report.found],
                         [first.serial.lstrip("0")])
        with self.assertRaises(pkiws.DuplicateError) as cm:
            self.issue(profile_options={"duplicates": pkiws.Duplicates.REFUSE},
                       cn="Dee", email="dee@contoso.com", seat_id="dee-seat")
        self.assertEqual(len(cm.exception.result.found), 2)
        cm.exception.result.close()

    def test_online_check(self) -> None:
        with self.session.check(P_EMAIL) as report:
            self.assertTrue(report.ok)
            names = [c.name for c in report.checks]
            self.assertIn("RA credential", names)
            self.assertIn("policy", names)
            self.assertTrue(all(c.verdict == pkiws.Verdict.OK for c in report.checks),
                            report.checks)
        # an unknown profile: the service's getStatus and the policy fetch both fail; the
        # exception names the cause (the policy's), the report is in its result
        with self.assertRaises(pkiws.ProfileNotFoundError) as cm:
            self.session.check(support.SIM_ARC + ".999")
        report = cm.exception.result
        self.assertEqual(cm.exception.code, report.error)
        failed = {c.name: c for c in report.checks if c.verdict == pkiws.Verdict.FAIL}
        self.assertEqual(sorted(failed), ["TLS and health check", "policy"])
        self.assertIn("not known", failed["TLS and health check"].detail)
        self.assertIn("profile OID", failed["policy"].remedy)
        self.assertEqual([c.verdict for c in report.checks[:4]], [pkiws.Verdict.OK] * 4)

    def test_online_unknown_profile(self) -> None:
        p = self.profile(support.SIM_ARC + ".999")
        with self.assertRaises(pkiws.ProfileNotFoundError) as cm:
            p.fetch_policy()
        self.assertIn("A request element is not understood.", cm.exception.message)
        self.assertIn(support.SIM_ARC + ".999", cm.exception.message)
        self.assertIn("OID", cm.exception.remedy)
        self.assertFalse(cm.exception.retryable)

    def test_online_identity_checked_before_sending(self) -> None:
        p = self.profile(P_UPN, san_types=pkiws.SanType.UPN)
        with p.request(cn="Nobody") as r, self.assertRaises(pkiws.SanUnresolvedError) as cm:
            r.issue()
        self.assertIn("UPN", cm.exception.message)
        self.assertEqual(cm.exception.result.trace[0].value, "Nobody")

    def test_online_transport_errors(self) -> None:
        cases = [
            ("untrusted server", {"trust_file": str(self.sim.state / "foreign-ra.pem")},
             pkiws.TLSError, "server not trusted"),
            ("refused", {"base_url": f"https://localhost:{free_port()}/pki-ws", "retries": 1},
             pkiws.ConnectError, "cannot connect"),
        ]
        for label, options, exc, text in cases:
            with self.subTest(case=label):
                settings = {"base_url": self.sim.url, "trust_file": str(self.sim.trust),
                            "retry_backoff_ms": 10}
                settings.update(options)
                with pkiws.Session(**settings) as s:
                    s.load_ra_pkcs12_file(self.sim.ra_p12, self.sim.ra_password)
                    with s.profile(P_EMAIL) as p, self.assertRaises(exc) as cm:
                        p.fetch_policy()
                    self.assertIn(text, cm.exception.message)
                    self.assertIsInstance(cm.exception, pkiws.TransportError)
        with pkiws.Session(base_url=self.sim.url, trust_file=str(self.sim.trust)) as s:
            s.load_ra_pem_files(self.sim.state / "foreign-ra.pem",
                                self.sim.state / "foreign-ra.key")
            with s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as p, \
                    p.request(cn="F", email="f@contoso.com") as r, \
                    self.assertRaises(pkiws.TLSError) as cm:
                r.issue()
            self.assertIn("refused the RA client certificate", cm.exception.message)
            self.assertFalse(cm.exception.retryable)
            self.assertTrue(cm.exception.remedy)
            self.assertEqual(cm.exception.result.attempts, 1)

    def test_online_trust_and_credential_in_memory(self) -> None:
        with pkiws.Session(base_url=self.sim.url, trust_pem=self.sim.trust.read_bytes()) as s:
            s.load_ra_pkcs12(self.sim.ra_p12.read_bytes(), self.sim.ra_password)
            with s.profile(P_EMAIL) as p:
                p.fetch_policy()
                p.configure(san_types=pkiws.SanType.EMAIL)
                with p.verify() as report:
                    self.assertTrue(report.ok)
                    self.assertIn("san_email", [c.name for c in report.checks])

    def test_online_transports(self) -> None:
        built = {pkiws.Transport.CURL: pkiws.Feature.CURL,
                 pkiws.Transport.NATIVE: pkiws.Feature.NATIVE}
        for transport, feature in built.items():
            with self.subTest(transport=transport.name):
                if feature not in pkiws.features():
                    with pkiws.Session() as s, self.assertRaises(pkiws.UnsupportedError):
                        s.configure(transport=transport)
                    continue
                with self.sim.session(transport=transport) as s, \
                        s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as p, \
                        p.request(cn="Net", email="net@contoso.com", pfx_password="pw") as r, \
                        r.issue() as res:
                    self.assertEqual(s.get_int(pkiws.SessionOpt.TRANSPORT), transport)
                    loaded = pkcs12.load_pkcs12(res.pfx, b"pw")
                    self.assertEqual(loaded.cert.certificate.serial_number, int(res.serial, 16))

    def test_online_key_pool(self) -> None:
        with self.sim.session(key_pool_size=2) as s:
            self.assertEqual(s.get_int(pkiws.SessionOpt.KEY_POOL_SIZE), 2)
            with s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as p:
                serials, keys = set(), set()
                for i in range(3):
                    with p.request(cn="Pool", email=f"pool{i}@contoso.com") as r, \
                            r.issue() as res:
                        serials.add(res.serial)
                        cert = x509.load_der_x509_certificate(res.cert_der)
                        keys.add(public_der(cert))
                        loaded = pkcs12.load_pkcs12(res.pfx, res.pfx_password.encode())
                        self.assertEqual(public_der(loaded.key), public_der(cert))
                self.assertEqual((len(serials), len(keys)), (3, 3))  # a key is used once

    def test_online_connect_failure_is_retried(self) -> None:
        with pkiws.Session(base_url=f"https://localhost:{free_port()}/pki-ws",
                           trust_file=str(self.sim.trust), retries=2,
                           retry_backoff_ms=5) as s:
            s.load_ra_pkcs12_file(self.sim.ra_p12, self.sim.ra_password)
            with s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as p, \
                    p.request(cn="G", email="g@contoso.com") as r, \
                    self.assertRaises(pkiws.ConnectError) as cm:
                r.issue()
        self.assertTrue(cm.exception.retryable)
        self.assertEqual(cm.exception.result.attempts, 3)

    def test_online_log_records_carry_the_txid(self) -> None:
        records: list[tuple] = []
        with self.sim.session(log_callback=lambda *rec: records.append(rec),
                              log_level=pkiws.LogLevel.DEBUG) as s, \
                s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as p, \
                p.request(cn="Lou", email="lou@contoso.com") as r, r.issue() as res:
            txid = res.client_txid
        mine = [rec for rec in records if rec[2] == txid]
        self.assertTrue(any(rec[1] == "http" and "enrollmentService" in rec[3] for rec in mine),
                        records)
        self.assertTrue(any(rec[1] == "core" and res_serial_in(rec[3]) for rec in mine))
        self.assertTrue(all(isinstance(rec[0], pkiws.LogLevel) for rec in records))

    def test_online_log_redacts_identities(self) -> None:
        for sensitive in (0, 1):
            records: list[str] = []
            with self.sim.session(log_callback=lambda *rec: records.append(rec[3]),
                                  log_level=pkiws.LogLevel.TRACE,
                                  log_sensitive=sensitive) as s, \
                    s.profile(P_UPN, san_types=pkiws.SanType.UPN) as p, \
                    p.request(cn="Quinn Private", upn="quinn.private@contoso.com") as r, \
                    r.issue() as res:
                self.assertTrue(res.ok)
            text = "\n".join(records)
            with self.subTest(log_sensitive=sensitive):
                self.assertIn("RequestSecurityToken", text)  # the SOAP on the wire
                if sensitive:
                    self.assertIn("quinn.private@contoso.com", text)
                else:
                    self.assertNotIn("quinn.private", text)
                    self.assertNotIn("Quinn Private", text)

    def test_online_log_callback_outlives_the_session_object(self) -> None:
        records: list[str] = []
        s = self.sim.session(log_level=pkiws.LogLevel.INFO)
        s.set_log_callback(lambda level, domain, txid, msg: records.append(msg))
        p = s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL)
        s.close()  # the C session lives on inside the profile, with the callback
        del s
        import gc
        gc.collect()
        with p.request(cn="Sam", email="sam@contoso.com") as r, r.issue() as res:
            self.assertTrue(res.ok)
        p.close()
        self.assertTrue(any("issued serial" in m for m in records), records)

    def test_online_threads_share_session_and_profile(self) -> None:
        p = self.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL)
        p.fetch_policy()
        serials: dict[int, list[str]] = {}
        errors: dict[int, BaseException] = {}

        class FromCallback(Exception):
            pass

        def callback(level, domain, txid, msg):
            if threading.current_thread().name == "worker-0":
                raise FromCallback(msg)

        with self.sim.session(log_callback=callback, log_level=pkiws.LogLevel.INFO) as s, \
                s.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as shared:
            shared.fetch_policy()

            def worker(n: int) -> None:
                got = serials.setdefault(n, [])
                try:
                    for i in range(2):
                        with shared.request(cn=f"T{n}", email=f"t{n}.{i}@contoso.com") as r, \
                                r.issue() as res:
                            got.append(res.serial)
                except BaseException as exc:  # noqa: B036
                    errors[n] = exc

            threads = [threading.Thread(target=worker, args=(n,), name=f"worker-{n}")
                       for n in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        # only the thread whose callback raised sees the exception, after its own call
        self.assertEqual(list(errors), [0], errors)
        self.assertIsInstance(errors[0], FromCallback)
        all_serials = [x for n in (1, 2, 3) for x in serials[n]]
        self.assertEqual(len(all_serials), 6)
        self.assertEqual(len(set(all_serials)), 6)

    def test_online_docs_example(self) -> None:
        # docs/examples/issue.py, run as a user would
        tmp = support.TempDir()
        self.addCleanup(tmp.cleanup)
        out = tmp / "alice.pfx"
        proc = subprocess.run(
            [sys.executable, str(support.REPO / "docs" / "examples" / "issue.py"),
             "--url", self.sim.url, "--sim-state", str(self.sim.state), "--profile", P_UPN,
             "--san", "upn", "--cn", "Alice Example", "--upn", "alice@contoso.com",
             "--out", str(out), "--pfx-pass", "example pw", "--modern", "-v"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("upn", proc.stdout)
        self.assertIn("from request.upn", proc.stdout)
        self.assertIn("[info] core", proc.stderr)  # -v routes the log callback to stderr
        loaded = pkcs12.load_pkcs12(out.read_bytes(), b"example pw")
        self.assertEqual(loaded.cert.certificate.subject.rfc4514_string(), "CN=Alice Example")
        # a failure: exit 1 with the message and the remedy
        proc = subprocess.run(
            [sys.executable, str(support.REPO / "docs" / "examples" / "issue.py"),
             "--url", self.sim.url, "--sim-state", str(self.sim.state), "--profile", P_UPN,
             "--san", "upn", "--cn", "Nobody", "--out", str(tmp / "x.pfx")],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("PKIWS_E_SAN_UNRESOLVED", proc.stderr)


def res_serial_in(msg: str) -> bool:
    return "issued serial" in msg


class TestFaults(SimTestCase):
    # request 1 is the policy fetch; 2.. are enrollments
    SIM_OPTIONS = ("--fault", "http503@2", "--fault", "soap-fault:Injected refusal@4",
                   "--fault", "malformed-xml@5")

    def test_faults_sequence(self) -> None:
        p = self.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL)
        with p.request(cn="A", email="a1@contoso.com") as r, r.issue() as res:
            self.assertTrue(res.ok)
            self.assertEqual(res.attempts, 2)  # 503 without a SOAP fault: retried
        with p.request(cn="A", email="a2@contoso.com") as r, \
                self.assertRaises(pkiws.SoapFaultError) as cm:
            r.issue()
        self.assertIn("Injected refusal", cm.exception.message)
        self.assertFalse(cm.exception.retryable)
        self.assertEqual(cm.exception.result.attempts, 1)
        with p.request(cn="A", email="a3@contoso.com") as r, \
                self.assertRaises(pkiws.ProtocolError) as cm:
            r.issue()
        self.assertIn("does not match the start tag", cm.exception.message)


class TestHttp500(SimTestCase):
    SIM_OPTIONS = ("--fault", "http500@2", "--fault", "http500@4")

    def test_faults_http500_without_soap_fault(self) -> None:
        # product.md §6: a 5xx without a SOAP fault (here an HTML page, well-formed XML) is a
        # transport failure: retried with the same transaction id
        p = self.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL)
        with p.request(cn="H", email="h@contoso.com") as r, r.issue() as res:
            self.assertTrue(res.ok)
            self.assertEqual(res.attempts, 2)  # requests 2 (500) and 3
        # without retries, the same fault (request 4) surfaces as a retryable HTTP error
        self.session.configure(retries=0)
        with p.request(cn="H", email="h2@contoso.com") as r, \
                self.assertRaises(pkiws.HTTPError) as cm:
            r.issue()
        self.assertIn("500", cm.exception.message)
        self.assertTrue(cm.exception.retryable)
        self.assertEqual(cm.exception.result.attempts, 1)


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
