# SPDX-License-Identifier: MIT
"""The IntEnum / IntFlag mirrors and the exception table against the text of pkiws.h."""
from __future__ import annotations

import enum
import unittest

import pkiws
import pkiws_header
import pkiws_testsupport as support
from pkiws import _errors

#: Python class -> (header enum name or None for #defines, constant prefix)
MIRRORS = {
    pkiws.ErrorCode: ("pkiws_error", "PKIWS_E_"),
    pkiws.LogLevel: ("pkiws_log_level", "PKIWS_LOG_"),
    pkiws.Transport: ("pkiws_transport", "PKIWS_TRANSPORT_"),
    pkiws.SignAlg: ("pkiws_sign_alg", "PKIWS_SIGN_"),
    pkiws.SessionOpt: ("pkiws_session_opt", "PKIWS_SESSION_OPT_"),
    pkiws.SubjectFormat: ("pkiws_subject_format", "PKIWS_SUBJECT_"),
    pkiws.KeyType: ("pkiws_key_type", "PKIWS_KEY_"),
    pkiws.PfxPreset: ("pkiws_pfx_preset", "PKIWS_PFX_"),
    pkiws.Field: ("pkiws_field", "PKIWS_FIELD_"),
    pkiws.ProfileOpt: ("pkiws_profile_opt", "PKIWS_PROFILE_OPT_"),
    pkiws.RequestOpt: ("pkiws_request_opt", "PKIWS_REQUEST_OPT_"),
    pkiws.TemplateInt: ("pkiws_template_int", "PKIWS_TEMPLATE_"),
    pkiws.Status: ("pkiws_status", "PKIWS_STATUS_"),
    pkiws.ResultStr: ("pkiws_result_str", "PKIWS_RESULT_"),
    pkiws.ResultInt: ("pkiws_result_int", "PKIWS_RESULT_"),
    pkiws.ResultBlob: ("pkiws_result_blob", "PKIWS_RESULT_"),
    pkiws.Source: ("pkiws_source", "PKIWS_SOURCE_"),
    pkiws.Verdict: ("pkiws_verdict", "PKIWS_VERDICT_"),
    pkiws.StatusOp: ("pkiws_status_op", "PKIWS_OP_"),
    pkiws.OpWant: ("pkiws_op_want", "PKIWS_OP_"),
    pkiws.PollEvent: ("pkiws_poll_event", "PKIWS_POLL_"),
    pkiws.ProgressEvent: ("pkiws_progress_event", "PKIWS_PROGRESS_"),
    pkiws.Selector: ("pkiws_selector", "PKIWS_BY_"),
    pkiws.Duplicates: ("pkiws_duplicates", "PKIWS_DUPLICATES_"),
    pkiws.Reason: ("pkiws_reason", "PKIWS_REASON_"),
    pkiws.OutboxState: ("pkiws_outbox_state", "PKIWS_OUTBOX_"),
    pkiws.OutboxStep: ("pkiws_outbox_step", "PKIWS_OUTBOX_STEP_"),
    pkiws.OutboxItem: ("pkiws_outbox_item", "PKIWS_OUTBOX_ITEM_"),
    pkiws.Feature: (None, "PKIWS_FEATURE_"),
    pkiws.SanType: (None, "PKIWS_SAN_"),
}


def _short(name: str, prefix: str) -> str:
    if name == "PKIWS_OK":
        return "OK"
    if not name.startswith(prefix):
        raise AssertionError(f"{name} does not start with {prefix}")
    return name[len(prefix):]


class TestEnums(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        text = support.header_text()
        cls.enums = pkiws_header.enums(text)
        cls.features = pkiws_header.defines(text, "PKIWS_FEATURE_")
        cls.san = pkiws_header.defines(text, "PKIWS_SAN_")

    def header_constants(self, cls: type) -> dict[str, int]:
        enum_name, prefix = MIRRORS[cls]
        if enum_name is None:
            return {_short(k, prefix): v
                    for k, v in (self.features if cls is pkiws.Feature else self.san).items()}
        return {_short(k, prefix): v for k, v in self.enums[enum_name].items()}

    def test_enums_header_is_read(self) -> None:
        self.assertEqual(self.enums["pkiws_error"]["PKIWS_E_OTHERNAME_ENCODING"], -502)
        self.assertEqual(self.features["PKIWS_FEATURE_NATIVE"], 4)
        self.assertEqual(self.san["PKIWS_SAN_OTHERNAME"], 4)

    def test_enums_every_header_enum_is_mirrored(self) -> None:
        mirrored = {name for name, _ in MIRRORS.values() if name}
        self.assertEqual(sorted(set(self.enums) - mirrored), [])

    def test_enums_values_match_header(self) -> None:
        for cls in MIRRORS:
            with self.subTest(enum=cls.__name__):
                header = self.header_constants(cls)
                python = {m.name: int(m.value) for m in cls}
                self.assertEqual(python, header)
                self.assertTrue(issubclass(cls, (enum.IntEnum, enum.IntFlag)))

    def test_enums_flags_combine(self) -> None:
        both = pkiws.SanType.EMAIL | pkiws.SanType.UPN
        self.assertEqual(int(both), 3)
        self.assertIn(pkiws.SanType.UPN, both)

    def test_enums_every_error_code_has_its_exception(self) -> None:
        for code in pkiws.ErrorCode:
            if code == pkiws.ErrorCode.OK:
                continue
            with self.subTest(code=code.name):
                cls = _errors.BY_CODE[int(code)]
                self.assertTrue(issubclass(cls, pkiws.PkiwsError))
                # the family follows the code range of the header
                family = {1: pkiws.ApiError, 2: pkiws.SetupError, 3: pkiws.TransportError,
                          4: pkiws.ServiceError, 5: pkiws.ProfileError,
                          6: pkiws.IdentityError}[(-int(code)) // 100 + 1]
                self.assertTrue(issubclass(cls, family), f"{cls.__name__} not a {family}")
                # and the library names the code as the enum does
                self.assertEqual(pkiws.error_name(code), "PKIWS_E_" + code.name)

    def test_enums_unknown_code_gets_its_family(self) -> None:
        self.assertIs(pkiws.error_class(-299), pkiws.TransportError)
        self.assertIs(pkiws.error_class(-450), pkiws.ProfileError)
        self.assertIs(pkiws.error_class(-9999), pkiws.PkiwsError)
        self.assertIs(pkiws.error_class(-401), pkiws.PolicyMismatchError)


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
