# SPDX-License-Identifier: MIT
"""RA credentials whose key stays outside pkiws (issue 11): Session.set_ra_signer with a Python
callback signing in the cryptography package (RSA PKCS#1 v1.5 and ECDSA over the prehashed
digest), and Session.set_ra_pkcs11 with a SoftHSM2 token, issuing against pkiws-sim over the
native transport; a failing callback becomes a clean RACredentialError."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import unittest
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

import pkiws
import pkiws_testsupport as support

P_UPN = support.SIM_ARC + ".2"  # CN subject, UPN SAN

_HASHES = {pkiws.SignAlg.RSA_PKCS1_SHA1: hashes.SHA1, pkiws.SignAlg.ECDSA_SHA1: hashes.SHA1,
           pkiws.SignAlg.RSA_PKCS1_SHA224: hashes.SHA224,
           pkiws.SignAlg.ECDSA_SHA224: hashes.SHA224,
           pkiws.SignAlg.RSA_PKCS1_SHA256: hashes.SHA256,
           pkiws.SignAlg.ECDSA_SHA256: hashes.SHA256,
           pkiws.SignAlg.RSA_PKCS1_SHA384: hashes.SHA384,
           pkiws.SignAlg.ECDSA_SHA384: hashes.SHA384,
           pkiws.SignAlg.RSA_PKCS1_SHA512: hashes.SHA512,
           pkiws.SignAlg.ECDSA_SHA512: hashes.SHA512}


class CountingSigner:
    """sign(alg, digest) with a key held by the cryptography package; counts the calls and
    records the algorithms asked for."""

    def __init__(self, key) -> None:
        self.key = key
        self.calls = 0
        self.algs: set[pkiws.SignAlg] = set()
        self.lock = threading.Lock()

    def __call__(self, alg: pkiws.SignAlg, digest: bytes) -> bytes:
        with self.lock:
            self.calls += 1
            self.algs.add(alg)
        prehashed = utils.Prehashed(_HASHES[alg]())
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(digest, padding.PKCS1v15(), prehashed)
        return self.key.sign(digest, ec.ECDSA(prehashed))  # DER ECDSA-Sig-Value


class HsmTestCase(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = support.Simulator("-q").start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.stats = cls.sim.stop()

    def session(self, transport: pkiws.Transport = pkiws.Transport.NATIVE) -> pkiws.Session:
        s = pkiws.Session(base_url=self.sim.url, trust_file=str(self.sim.trust),
                          transport=transport, retries=1)
        self.addCleanup(s.close)
        return s

    def issue(self, session: pkiws.Session, upn: str) -> pkiws.Result:
        with session.profile(P_UPN, san_types=pkiws.SanType.UPN) as p, \
                p.request(cn=upn.split("@")[0], upn=upn) as r:
            res = r.issue()
        self.addCleanup(res.close)
        return res

    def state(self, name: str) -> bytes:
        return (self.sim.state / name).read_bytes()


class TestRaSigner(HsmTestCase):
    def signer(self, key_file: str) -> CountingSigner:
        return CountingSigner(serialization.load_pem_private_key(self.state(key_file), None))

    def test_hsm_python_signer_rsa(self) -> None:
        sign = self.signer("ra.key")
        s = self.session()
        s.set_ra_signer(self.state("ra.pem"), sign)
        self.assertEqual(sign.calls, 0)  # nothing signs before the first connection
        self.assertEqual(s.ra_thumbprint,
                         x509.load_pem_x509_certificate(self.state("ra.pem"))
                         .fingerprint(hashes.SHA1()).hex().upper())
        res = self.issue(s, "py-signer@contoso.com")
        self.assertEqual(res.status, pkiws.Status.OK)
        cert = x509.load_der_x509_certificate(res.cert_der)
        self.assertEqual(cert.subject.rfc4514_string(), "CN=py-signer")
        # the key-match probe and the handshake's CertificateVerify, RSA PKCS#1 v1.5 only
        self.assertGreaterEqual(sign.calls, 2)
        self.assertTrue(sign.algs)
        self.assertTrue(all(a.name.startswith("RSA_PKCS1_") for a in sign.algs), sign.algs)
        before = sign.calls
        self.issue(s, "py-signer2@contoso.com")
        self.assertGreaterEqual(sign.calls, before)

    def test_hsm_python_signer_ec(self) -> None:
        sign = self.signer("ra-ec.key")
        s = self.session()
        s.set_ra_signer(self.state("ra-ec.pem"), sign)
        self.assertEqual(self.issue(s, "py-signer-ec@contoso.com").status, pkiws.Status.OK)
        self.assertGreaterEqual(sign.calls, 2)
        self.assertTrue(all(a.name.startswith("ECDSA_") for a in sign.algs), sign.algs)

    def test_hsm_python_signer_exception_is_a_clean_error(self) -> None:
        class KeyServiceDown(Exception):
            pass

        calls = []

        def broken(alg: pkiws.SignAlg, digest: bytes) -> bytes:
            calls.append(alg)
            raise KeyServiceDown("the key service is down")

        s = self.session()
        s.set_ra_signer(self.state("ra.pem"), broken)
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.issue(s, "py-broken@contoso.com")
        self.assertTrue(calls)
        self.assertIn("RA signer callback: raised KeyServiceDown: the key service is down",
                      str(cm.exception))
        self.assertEqual(cm.exception.code, pkiws.ErrorCode.RA_CREDENTIAL)
        # a result that is not bytes, and an empty signature
        for bad, words in ((lambda a, d: "not bytes", "returned str, not bytes"),
                           (lambda a, d: b"", "returned a signature of 0 bytes")):
            with self.subTest(words=words):
                s = self.session()
                s.set_ra_signer(self.state("ra.pem"), bad)
                with self.assertRaises(pkiws.RACredentialError) as cm:
                    self.issue(s, "py-bad@contoso.com")
                self.assertIn(words, str(cm.exception))
        # the process and the binding are fine: a working signer issues afterwards
        sign = self.signer("ra.key")
        s = self.session()
        s.set_ra_signer(self.state("ra.pem"), sign)
        self.assertEqual(self.issue(s, "py-after@contoso.com").status, pkiws.Status.OK)

    def test_hsm_python_signer_wrong_key(self) -> None:
        sign = self.signer("foreign-ra.key")
        s = self.session()
        s.set_ra_signer(self.state("ra.pem"), sign)
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.issue(s, "py-foreign@contoso.com")
        self.assertIn("does not match the RA certificate", str(cm.exception))

    @unittest.skipUnless(pkiws.features() & pkiws.Feature.CURL, "built without libcurl")
    def test_hsm_python_signer_curl_refused(self) -> None:
        sign = self.signer("ra.key")
        s = self.session(pkiws.Transport.CURL)
        s.set_ra_signer(self.state("ra.pem"), sign)
        with self.assertRaises(pkiws.UnsupportedError) as cm:
            self.issue(s, "py-curl@contoso.com")
        self.assertIn("native transport", cm.exception.remedy or "")
        self.assertEqual(sign.calls, 0)


def _token_tool() -> str | None:
    return os.environ.get("PKIWS_TOKEN_TOOL")


def _softhsm_module() -> str | None:
    """The SoftHSM2 module (as the token tool finds it), or None when softhsm2 is missing."""
    tool = _token_tool()
    if tool:
        proc = subprocess.run([tool, "module"], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None
    for m in ("/usr/lib/softhsm/libsofthsm2.so",
              "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"):
        if Path(m).exists() and shutil.which("softhsm2-util"):
            return m
    return None


@unittest.skipUnless(_softhsm_module(), "softhsm2 is not installed (scripts/deps installs it)")
class TestPkcs11(HsmTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        tool = _token_tool()
        if not tool:
            cls.sim.stop()
            raise RuntimeError("softhsm2 is installed but PKIWS_TOKEN_TOOL is not set "
                               "(meson sets it when the p11-kit headers are installed)")
        cls.tokens = support.TempDir("pkiws-py-hsm-")
        st = cls.sim.state
        proc = subprocess.run([tool, "make", str(cls.tokens.path), str(st / "ra.key"),
                               str(st / "ra.pem")], capture_output=True, text=True)
        if proc.returncode != 0:
            cls.sim.stop()
            cls.tokens.cleanup()
            raise RuntimeError(f"token_tool make failed: {proc.stderr}")
        cls.label, cls.pin = proc.stdout.split()
        cls.module = _softhsm_module()
        # the module reads this when pkiws first initialises it in this process
        os.environ["SOFTHSM2_CONF"] = str(cls.tokens / "softhsm2.conf")

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls.tokens.cleanup()

    def uri(self) -> str:
        return f"pkcs11:token={self.label};object=ra;type=private"

    def test_hsm_pkcs11_issue_native(self) -> None:
        s = self.session()
        s.set_ra_pkcs11(self.module, self.uri(), self.pin)
        self.assertEqual(s.ra_thumbprint,
                         x509.load_pem_x509_certificate(self.state("ra.pem"))
                         .fingerprint(hashes.SHA1()).hex().upper())
        res = self.issue(s, "py-hsm@contoso.com")
        self.assertEqual(res.status, pkiws.Status.OK)
        self.assertTrue(res.pfx)

    def test_hsm_pkcs11_wrong_pin(self) -> None:
        s = self.session()
        with self.assertRaises(pkiws.RACredentialError) as cm:
            s.set_ra_pkcs11(self.module, self.uri(), "98765")
        self.assertIn("CKR_PIN_INCORRECT", str(cm.exception))
        self.assertNotIn("98765", str(cm.exception))

    def test_hsm_pkcs11_bad_uri(self) -> None:
        s = self.session()
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            s.set_ra_pkcs11(self.module, f"pkcs11:token={self.label}", self.pin)
        self.assertIn("names no key", str(cm.exception))


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
