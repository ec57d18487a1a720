# SPDX-License-Identifier: MIT
"""Offline operations: preflight (SAN trace, checks), verify, ra_csr, PFX package / inspect,
thumbprints, connector config import."""
from __future__ import annotations

import unittest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import pkiws
import pkiws_testsupport as support

SIM_CATALOGUE = support.REPO / "tests" / "sim" / "default-policy.xml"


def public_der(key_or_cert) -> bytes:
    return key_or_cert.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


class TestPreflight(support.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.session = pkiws.Session()
        self.addCleanup(self.session.close)

    def profile(self, fmt: int, sans: int, oid: str = support.EXAMPLE_PROFILE,
                template=None) -> pkiws.Profile:
        p = self.session.profile(oid, subject_format=fmt, san_types=sans)
        self.addCleanup(p.close)
        # the example starts with HTTP headers; the library skips them
        p.load_template_file(template or support.example("policy-getPoliciesResponse.xml"))
        return p

    def test_preflight_san_trace_and_checks(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN_EMAIL, pkiws.SanType.EMAIL | pkiws.SanType.UPN)
        with p.request(cn="Alice Example", upn="alice@contoso.com") as r, r.preflight() as res:
            self.assertEqual(res.status, pkiws.Status.OK)
            self.assertTrue(res.ok)
            self.assertEqual(res.error, pkiws.ErrorCode.OK)
            self.assertEqual(res.message, "")
            self.assertEqual(res.subject, "CN=Alice Example,E=alice@contoso.com,O=Contoso Ltd")
            by_field = {t.field: t for t in res.trace}
            self.assertEqual(by_field[pkiws.Field.CN],
                             pkiws.TraceEntry(pkiws.Field.CN, "cn", "Alice Example",
                                              pkiws.Source.REQUEST_CN, "request.cn"))
            email = by_field[pkiws.Field.SAN_EMAIL]
            self.assertEqual((email.value, email.source, email.source_name, email.field_name),
                             ("alice@contoso.com", pkiws.Source.REQUEST_UPN, "request.upn",
                              "email"))
            self.assertEqual(by_field[pkiws.Field.SUBJECT_EMAIL].source,
                             pkiws.Source.REQUEST_UPN)
            self.assertEqual(by_field[pkiws.Field.SAN_UPN].value, "alice@contoso.com")
            checks = {c.name: c for c in res.checks}
            self.assertEqual(checks["san_email"].verdict, pkiws.Verdict.OK)
            self.assertEqual(checks["san_email"].verdict_name, "ok")
            self.assertIn("Contoso Ltd", checks["corp_company"].detail)
            self.assertIn("SAN type UPN", checks)
            self.assertTrue(all(c.verdict == pkiws.Verdict.OK for c in res.checks), res.checks)

    def test_preflight_request_email_wins(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.EMAIL | pkiws.SanType.UPN)
        with p.request(cn="Bob", email="bob@contoso.com", upn="bob.upn@contoso.com") as r:
            res = r.preflight()
            self.assertEqual(res.find_trace(pkiws.Field.SAN_EMAIL).source_name, "request.email")
            self.assertEqual(res.find_trace(pkiws.Field.SAN_UPN).value, "bob.upn@contoso.com")
            self.assertIsNone(res.find_trace(pkiws.Field.SUBJECT_EMAIL))
            res.close()

    def test_preflight_unresolved_keeps_result(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.EMAIL)
        with p.request(cn="Bob") as r:
            with self.assertRaises(pkiws.SanUnresolvedError) as cm:
                r.preflight()
        e = cm.exception
        self.assertIsInstance(e, pkiws.IdentityError)
        self.assertIn("EMAIL", e.message)
        self.assertIn("request.email", e.message)
        res = e.result
        self.assertIsNotNone(res)
        self.assertEqual(res.status, pkiws.Status.FAILED)
        self.assertEqual(res.error, pkiws.ErrorCode.SAN_UNRESOLVED)
        self.assertEqual(res.message, e.message)
        self.assertEqual([t.source_name for t in res.trace], ["request.cn"])
        res.close()

    def test_preflight_policy_mismatch_explained(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.OTHERNAME)
        with p.request(cn="Bob") as r, self.assertRaises(pkiws.PolicyMismatchError) as cm:
            r.preflight()
        res = cm.exception.result
        missing = [c for c in res.checks if c.verdict == pkiws.Verdict.MISSING_FROM_TEMPLATE]
        self.assertEqual([c.name for c in missing], ["SAN type OTHERNAME"])
        self.assertEqual(missing[0].verdict_name, "missing from template")
        self.assertIn("template", missing[0].remedy)
        unfillable = [c.name for c in res.checks if c.verdict == pkiws.Verdict.UNFILLABLE]
        self.assertEqual(unfillable, ["san_email"])
        self.assertTrue(cm.exception.remedy)

    def test_preflight_verify_and_mapping(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.EMAIL)
        with p.verify() as res:
            self.assertTrue(res.ok)
            self.assertIn("san_email", [c.name for c in res.checks])
        # a verified profile is immutable (it may be shared by threads)
        with self.assertRaises(pkiws.StateError):
            p.set_mapping(pkiws.Field.SAN_EMAIL, "no_such_attribute")
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.EMAIL)
        p.set_mapping(pkiws.Field.SAN_EMAIL, "no_such_attribute")
        with self.assertRaises(pkiws.PolicyMismatchError) as cm:
            p.verify()
        self.assertIn("no_such_attribute", cm.exception.message)
        p.set_mapping(pkiws.Field.SAN_EMAIL, None)  # a failed verify leaves it editable
        p.verify().close()

    def test_preflight_template_facts(self) -> None:
        p = self.session.profile(support.EXAMPLE_PROFILE, san_types=pkiws.SanType.EMAIL)
        self.addCleanup(p.close)
        self.assertIsNone(p.template_int(pkiws.TemplateInt.KEY_SIZE))  # no template yet
        self.assertEqual(p.template_attributes, [])
        p.load_template_file(support.example("policy-getPoliciesResponse.xml"))
        self.assertEqual(p.template_int(pkiws.TemplateInt.KEY_SIZE), 2048)
        self.assertEqual(p.template_int(pkiws.TemplateInt.KEY_IS_EC), 0)
        self.assertEqual(p.template_int(pkiws.TemplateInt.VALIDITY_DAYS), 365)
        attrs = {a.name: a for a in p.template_attributes}
        self.assertEqual(len(attrs), p.template_int(pkiws.TemplateInt.ATTRIBUTE_COUNT))
        self.assertEqual(attrs["corp_company"],
                         pkiws.TemplateAttribute("corp_company", "O", "Contoso Ltd", True, False,
                                                 0))
        self.assertEqual(attrs["san_email"],
                         pkiws.TemplateAttribute("san_email", "rfc822Name", None, True, True,
                                                 pkiws.Field.SAN_EMAIL))
        self.assertEqual(attrs["san_upn"].type, "otherName:" + pkiws.UPN_OID)
        self.assertIs(attrs["common_name"].field, pkiws.Field.CN)
        p.set_mapping(pkiws.Field.SAN_EMAIL, "san_upn")  # the mapping shows in the facts
        self.assertIs({a.name: a for a in p.template_attributes}["san_upn"].field,
                      pkiws.Field.SAN_EMAIL)
        with self.assertRaises(pkiws.UnknownOptionError):
            p.template_int(99)

    def test_preflight_template_from_bytes_and_unknown_profile(self) -> None:
        xml = support.example("policy-getPoliciesResponse.xml").read_bytes()
        p = self.session.profile(support.EXAMPLE_PROFILE, san_types=pkiws.SanType.EMAIL)
        self.addCleanup(p.close)
        p.load_template(xml)
        with p.request(cn="C", email="c@contoso.com") as r:
            r.preflight().close()
        other = self.session.profile(support.SIM_ARC + ".1")
        self.addCleanup(other.close)
        with self.assertRaises(pkiws.ProfileNotFoundError) as cm:
            other.load_template(xml)
        self.assertIn(support.EXAMPLE_PROFILE, cm.exception.message)  # names what is offered
        self.assertTrue(cm.exception.remedy)

    def test_preflight_needs_a_template(self) -> None:
        p = self.session.profile(support.EXAMPLE_PROFILE)
        self.addCleanup(p.close)
        with p.request(cn="D") as r, self.assertRaises(pkiws.StateError) as cm:
            r.preflight()
        self.assertIn("no template", cm.exception.result.message)

    def test_preflight_othername_encoding(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.OTHERNAME,
                         oid=support.SIM_ARC + ".3", template=SIM_CATALOGUE)
        guid_oid = "1.3.6.1.4.1.311.25.1"
        with p.request(cn="E", othername=(guid_oid, "04 0G")) as r, \
                self.assertRaises(pkiws.OtherNameEncodingError) as cm:
            r.preflight()
        self.assertIn("'G' (0x47) at position 5", cm.exception.message)
        good = "04 10 " + " ".join(["ab"] * 16)
        with p.request(cn="E", othername=(guid_oid, good)) as r, r.preflight() as res:
            entry = res.find_trace(pkiws.Field.SAN_OTHERNAME)
            self.assertEqual(entry.value, "0410" + "AB" * 16)
            self.assertEqual(entry.source, pkiws.Source.REQUEST_OTHERNAME)
        p.configure(othername_compat=True)  # connector-compatible: sent unchecked
        with p.request(cn="E", othername=(guid_oid, "04 0G")) as r:
            r.preflight().close()

    def test_preflight_names_with_special_characters(self) -> None:
        p = self.profile(pkiws.SubjectFormat.CN, pkiws.SanType.UPN, oid=support.SIM_ARC + ".10",
                         template=SIM_CATALOGUE)
        with p.request(cn="GA", upn="global_admin@contoso.com") as r, \
                self.assertRaises(pkiws.UnsupportedCharsError) as cm:
            r.preflight()
        self.assertIn("'_' (U+005F) at position 7", cm.exception.message)
        self.assertIn("CN=<UPN>", cm.exception.remedy)
        with p.request(cn="GA", upn="global.admin@contoso.com") as r, r.preflight() as res:
            names = {t.field: (t.value, t.source_name) for t in res.trace}
            self.assertEqual(names[pkiws.Field.GIVEN_NAME], ("global", "derived from UPN"))
            self.assertEqual(names[pkiws.Field.FAMILY_NAME], ("admin", "derived from UPN"))


class TestCrypto(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = support.TempDir()
        cls.cert_pem_path, cls.key_pem_path = support.make_self_signed(cls.tmp.path, "alice")
        cls.ca_pem_path, _ = support.make_self_signed(cls.tmp.path, "extra-ca")
        cls.cert_pem = cls.cert_pem_path.read_bytes()
        cls.key_pem = cls.key_pem_path.read_bytes()
        cls.cert = x509.load_pem_x509_certificate(cls.cert_pem)
        cls.cert_der = cls.cert.public_bytes(serialization.Encoding.DER)
        cls.sha1 = cls.cert.fingerprint(hashes.SHA1()).hex().upper()
        out = support.run(support.openssl(), "x509", "-in", str(cls.cert_pem_path), "-noout",
                          "-fingerprint", "-sha1").stdout.decode()
        cls.openssl_sha1 = out.strip().split("=", 1)[1].replace(":", "")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def test_crypto_ra_csr(self) -> None:
        made = pkiws.ra_csr("CN=pkiws python RA,O=Contoso\\, Ltd", pkiws.KeyType.EC_P256)
        self.assertIsInstance(made, pkiws.RaCsr)
        self.assertTrue(made.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----"))
        csr = x509.load_pem_x509_csr(made.csr_pem)
        self.assertTrue(csr.is_signature_valid)
        self.assertEqual(csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value,
                         "pkiws python RA")
        self.assertEqual(csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value,
                         "Contoso, Ltd")
        eku = csr.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        self.assertEqual(list(eku), [ExtendedKeyUsageOID.CLIENT_AUTH])
        ku = csr.extensions.get_extension_for_class(x509.KeyUsage).value
        self.assertTrue(ku.digital_signature and not ku.key_encipherment)  # EC (RFC 5480)
        self.assertIsInstance(csr.signature_hash_algorithm, hashes.SHA256)
        key = serialization.load_pem_private_key(made.key_pem, None)
        self.assertEqual(public_der(key), public_der(csr))
        with self.assertRaises(pkiws.InvalidArgumentError) as cm:
            pkiws.ra_csr("CN")
        self.assertIn("subject DN 'CN'", cm.exception.message)
        with self.assertRaises(pkiws.InvalidArgumentError):
            pkiws.ra_csr("CN=x", 99)

    def test_crypto_key_encrypt(self) -> None:
        encrypted = pkiws.key_encrypt(self.key_pem, "at rest")
        self.assertTrue(encrypted.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        key = serialization.load_pem_private_key(encrypted, b"at rest")
        self.assertEqual(public_der(key), public_der(self.cert))
        with self.assertRaises(ValueError):
            serialization.load_pem_private_key(encrypted, b"other")
        # re-encrypting needs the first password
        again = pkiws.key_encrypt(encrypted, "new", key_password="at rest")
        self.assertEqual(public_der(serialization.load_pem_private_key(again, b"new")),
                         public_der(self.cert))
        with self.assertRaises(pkiws.CryptoError) as cm:
            pkiws.key_encrypt(encrypted, "new", key_password="not it")
        self.assertIn("decryption failed", cm.exception.message)
        # a request takes the encrypted key with its password (for pkiws_poll)
        with pkiws.Session() as s, s.profile(support.EXAMPLE_PROFILE) as p, \
                p.request(cn="K") as r:
            r.set_key(encrypted, "at rest")
            with self.assertRaises(pkiws.CryptoError) as cm:
                r.set_key(encrypted)
            self.assertIn("no password was given", cm.exception.message)

    def test_crypto_thumbprint(self) -> None:
        self.assertEqual(self.sha1, self.openssl_sha1)
        self.assertEqual(pkiws.thumbprint(self.cert_pem), self.sha1)
        self.assertEqual(pkiws.thumbprint(self.cert_der), self.sha1)
        pfx = pkiws.pfx_package(self.cert_pem, self.key_pem, "pw")
        self.assertEqual(pkiws.thumbprint(pfx, "pw"), self.sha1)
        with self.assertRaises(pkiws.CryptoError) as cm:
            pkiws.thumbprint(b"garbage")
        self.assertIn("offset 0", cm.exception.message)

    def check_pfx(self, pfx: bytes, password: str, friendly: str, extra: int) -> None:
        loaded = pkcs12.load_pkcs12(pfx, password.encode())
        self.assertEqual(loaded.cert.certificate, self.cert)
        self.assertEqual(loaded.cert.friendly_name, friendly.encode())
        self.assertEqual(public_der(loaded.key), public_der(self.cert))
        self.assertEqual(len(loaded.additional_certs), extra)
        # OpenSSL 3 opens both presets without -legacy
        path = self.tmp / "check.pfx"
        path.write_bytes(pfx)
        support.run(support.openssl(), "pkcs12", "-in", str(path), "-noout",
                    "-passin", "pass:" + password)

    def test_crypto_pfx_roundtrip(self) -> None:
        password = "pässwörd € with a long tail that exceeds thirty-one characters"
        for preset, mac in ((pkiws.PfxPreset.LEGACY, "sha1"), (pkiws.PfxPreset.MODERN,
                                                                "sha256")):
            with self.subTest(preset=preset.name):
                pfx = pkiws.pfx_package(self.cert_pem, self.key_pem, password, preset=preset,
                                        friendly_name="Alice", chain=self.ca_pem_path.read_bytes())
                self.assertIsInstance(pfx, bytes)
                self.check_pfx(pfx, password, "Alice", 1)
                with pkiws.pfx_inspect(pfx, password) as info:
                    self.assertTrue(info.ok)
                    self.assertEqual(info.thumbprint, self.sha1)
                    self.assertIn("CN=alice", info.subject)
                    self.assertEqual(info.cert_der, self.cert_der)
                    self.assertEqual(info.mac_alg, mac)
                    self.assertEqual(info.friendly_name, "Alice")
                    self.assertEqual(info.chain_length, 1)
                    self.assertEqual(len(info.chain), 1)
                    self.assertEqual(x509.load_der_x509_certificate(info.chain[0]).subject,
                                     x509.load_pem_x509_certificate(
                                         self.ca_pem_path.read_bytes()).subject)
                    self.assertTrue(info.key_bag_alg and info.cert_bag_alg)
                    self.assertGreaterEqual(info.mac_iterations, 2048)
                    # upper-case hex of the serial's bytes (as openssl x509 -serial prints it)
                    self.assertRegex(info.serial, r"^([0-9A-F]{2})+$")
                    self.assertEqual(int(info.serial, 16), self.cert.serial_number)
                    self.assertIsNone(info.pfx_password)  # absent items are None
                    self.assertIsNone(info.key_pkcs8)
        # DER inputs work too, without chain and friendly name
        key_der = serialization.load_pem_private_key(self.key_pem, None).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        pfx = pkiws.pfx_package(self.cert_der, key_der, "x")
        loaded = pkcs12.load_pkcs12(pfx, b"x")
        self.assertEqual(loaded.cert.certificate, self.cert)
        self.assertEqual(loaded.additional_certs, [])

    def test_crypto_pfx_errors(self) -> None:
        pfx = pkiws.pfx_package(self.cert_pem, self.key_pem, "c0rrect-h0rse")
        with self.assertRaises(pkiws.CryptoError) as cm:
            pkiws.pfx_inspect(pfx, "Tr0ub4dor&3")
        self.assertNotIn("Tr0ub4dor", cm.exception.message)
        self.assertIn("MAC", cm.exception.message)
        self.assertNotIn("c0rrect", cm.exception.message)
        other_key = pkiws.ra_csr("CN=other", pkiws.KeyType.EC_P256).key_pem
        with self.assertRaises(pkiws.PkiwsError) as cm:
            pkiws.pfx_package(self.cert_pem, other_key, "pw")
        self.assertIn("belongs to none of the 1 certificate(s)", cm.exception.message)
        self.assertIsInstance(cm.exception, pkiws.CryptoError)
        with self.assertRaises(pkiws.InvalidArgumentError):
            pkiws.pfx_package(self.cert_pem, self.key_pem, "pw", preset=7)


class TestRaCredential(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = support.TempDir()
        cls.cert, cls.key = support.make_self_signed(cls.tmp.path, "ra-cred", ec=False)
        cls.thumbprint = pkiws.thumbprint(cls.cert.read_bytes())
        # the same key, encrypted (PKCS#8, AES-256)
        cls.key_enc = cls.tmp / "ra-cred.enc.key"
        support.run(support.openssl(), "pkcs8", "-topk8", "-in", str(cls.key), "-out",
                    str(cls.key_enc), "-v2", "aes-256-cbc", "-passout", "pass:key secret")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def setUp(self) -> None:
        super().setUp()
        self.session = pkiws.Session()
        self.addCleanup(self.session.close)

    def test_ra_credential_sources(self) -> None:
        self.assertIsNone(self.session.ra_thumbprint)
        cert_pem, key_pem = self.cert.read_bytes(), self.key.read_bytes()
        self.session.load_ra_pem(cert_pem, key_pem)
        self.assertEqual(self.session.ra_thumbprint, self.thumbprint)
        with pkiws.Session() as s:
            s.load_ra_pem_files(self.cert, self.key_enc, "key secret")
            self.assertEqual(s.ra_thumbprint, self.thumbprint)
        pfx = pkiws.pfx_package(cert_pem, key_pem, "pfx secret")
        with pkiws.Session() as s:
            s.load_ra_pkcs12(pfx, "pfx secret")
            self.assertEqual(s.ra_thumbprint, self.thumbprint)
        (self.tmp / "ra.p12").write_bytes(pfx)
        with pkiws.Session() as s:
            s.load_ra_pkcs12_file(self.tmp / "ra.p12", b"pfx secret")
            self.assertEqual(s.ra_thumbprint, self.thumbprint)

    def test_ra_credential_refusals(self) -> None:
        pfx = pkiws.pfx_package(self.cert.read_bytes(), self.key.read_bytes(), "pfx secret")
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.session.load_ra_pkcs12(pfx, "not it")
        self.assertNotIn("not it", cm.exception.message)
        self.assertNotIn("pfx secret", cm.exception.message)
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.session.load_ra_pem_files(self.cert, self.key_enc, "Zebra")
        self.assertIn(str(self.key_enc), cm.exception.message)
        # a wrong password leaves valid CBC padding once in ~256 salts: then the plaintext is
        # refused as "not DER" instead; both name the cause as a wrong password or bad key
        self.assertRegex(cm.exception.message, "decryption failed|wrong password")
        self.assertNotIn("Zebra", cm.exception.message)
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.session.load_ra_pem_files(self.cert, self.key_enc)
        self.assertIn("no password was given", cm.exception.message)
        other_key = pkiws.ra_csr("CN=other").key_pem
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.session.load_ra_pem(self.cert.read_bytes(), other_key)
        self.assertIn("does not belong to the RA certificate", cm.exception.message)
        self.assertIsNone(self.session.ra_thumbprint)  # nothing half-loaded
        with self.assertRaises(pkiws.ConfigError):
            self.session.configure(trust_pem=b"not a PEM bundle")
        self.session.configure(trust_pem=self.cert.read_bytes())


CONFIG = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="RACertThumbprint" value="\u200e{thumbprint}"/>
    <add key="CloudCAConnTimeoutInMilliseconds" value="{timeout}"/>
    <add key="ProxyServer" value="proxy.contoso.com"/>
    <add key="ProxyPort" value="3128"/>
    <add key="ProxyPassword" value="s3cret"/>
  </appSettings>
</configuration>
"""


class TestConnectorConfig(support.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = support.TempDir()
        self.addCleanup(self.tmp.cleanup)
        self.session = pkiws.Session()
        self.addCleanup(self.session.close)

    def write(self, **values: str) -> str:
        path = self.tmp / "NDESConnector.exe.config"
        path.write_text(CONFIG.format(**values), encoding="utf-8")
        return str(path)

    def test_config_import(self) -> None:
        spaced = "a9 4a 42 6a 55 5d 3c 21 8c 44 3e 45 b4 9b 82 12 44 f7 0b 91"
        self.session.load_connector_config(self.write(thumbprint=spaced, timeout="30000"))
        self.assertEqual(list(self.session.config),
                         ["RACertThumbprint", "CloudCAConnTimeoutInMilliseconds", "ProxyServer",
                          "ProxyPort", "ProxyPassword"])
        self.assertEqual(self.session.config["ProxyPassword"], "***")
        self.assertEqual(self.session.config_value("racertthumbprint"),
                         "A94A426A555D3C218C443E45B49B821244F70B91")
        self.assertIsNone(self.session.config_value("NoSuchKey"))
        self.assertEqual(self.session.get_int(pkiws.SessionOpt.CONNECT_TIMEOUT_MS), 30000)
        self.assertEqual(self.session.get_str(pkiws.SessionOpt.PROXY),
                         "http://proxy.contoso.com:3128")

    def test_config_thumbprint_finds_the_store_credential(self) -> None:
        store = self.tmp / "store"
        store.mkdir()
        cert, key = support.make_self_signed(store, "ra")
        cert.rename(store / "ra.pem")
        key.rename(store / "ra.key")
        tp = pkiws.thumbprint((store / "ra.pem").read_bytes())
        colons = ":".join(tp[i:i + 2].lower() for i in range(0, 40, 2))
        self.session.load_connector_config(self.write(thumbprint=colons, timeout="1000"))
        self.assertIsNone(self.session.ra_thumbprint)
        self.session.load_ra_store(store)  # the imported thumbprint
        self.assertEqual(self.session.ra_thumbprint, tp)
        other = "00" * 20
        with self.assertRaises(pkiws.RACredentialError) as cm:
            self.session.load_ra_store(store, other)
        self.assertIn(other, cm.exception.message)

    def test_config_errors_name_the_file_and_key(self) -> None:
        path = self.write(thumbprint="A9" * 20, timeout="soon")
        with self.assertRaises(pkiws.ConfigError) as cm:
            self.session.load_connector_config(path)
        self.assertIn(path, cm.exception.message)
        self.assertIn("CloudCAConnTimeoutInMilliseconds", cm.exception.message)
        with self.assertRaises(pkiws.LocalIOError):
            self.session.load_connector_config(self.tmp / "missing.config")


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
