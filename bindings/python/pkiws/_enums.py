# SPDX-License-Identifier: MIT
"""IntEnum / IntFlag mirrors of the constants of pkiws.h (tests/test_enums.py checks them).

Member names are the header names without their prefix: ``PKIWS_SESSION_OPT_CA`` is
``SessionOpt.CA``, ``PKIWS_E_CONFIG`` is ``ErrorCode.CONFIG``, ``PKIWS_SAN_UPN`` is
``SanType.UPN``.
"""
from __future__ import annotations

import enum


class ErrorCode(enum.IntEnum):
    """enum pkiws_error (PKIWS_OK and PKIWS_E_*)."""

    OK = 0
    INVALID_ARG = -1
    NOMEM = -2
    INVALID_HANDLE = -3
    STATE = -4
    UNSUPPORTED = -5
    UNKNOWN_OPTION = -6
    OPTION_TYPE = -7
    LIMIT = -8
    INTERNAL = -9
    IO = -10
    RECURSIVE_API_CALL = -11
    CANCELLED = -12
    CONFIG = -100
    RA_CREDENTIAL = -101
    CRYPTO = -102
    CONNECT = -200
    TIMEOUT = -201
    TLS = -202
    HTTP = -203
    BACKEND = -204
    PROTOCOL = -300
    SOAP_FAULT = -301
    PROFILE_NOT_FOUND = -400
    POLICY_MISMATCH = -401
    REJECTED = -402
    DUPLICATE = -403
    SAN_UNRESOLVED = -500
    UNSUPPORTED_CHARS = -501
    OTHERNAME_ENCODING = -502


class Feature(enum.IntFlag):
    """PKIWS_FEATURE_* bits of pkiws_features()."""

    THREADSAFE = 1 << 0
    CURL = 1 << 1
    NATIVE = 1 << 2
    OUTBOX = 1 << 3


class LogLevel(enum.IntEnum):
    """enum pkiws_log_level."""

    NONE = 0
    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


class Transport(enum.IntEnum):
    """enum pkiws_transport."""

    CURL = 1
    NATIVE = 2


class SignAlg(enum.IntEnum):
    """enum pkiws_sign_alg."""

    RSA_PKCS1_SHA1 = 1
    RSA_PKCS1_SHA224 = 2
    RSA_PKCS1_SHA256 = 3
    RSA_PKCS1_SHA384 = 4
    RSA_PKCS1_SHA512 = 5
    ECDSA_SHA1 = 6
    ECDSA_SHA224 = 7
    ECDSA_SHA256 = 8
    ECDSA_SHA384 = 9
    ECDSA_SHA512 = 10


class SessionOpt(enum.IntEnum):
    """enum pkiws_session_opt: below 10000 integers, 10000..19999 strings, 20000.. blobs."""

    CONNECT_TIMEOUT_MS = 1
    TIMEOUT_MS = 2
    LOG_LEVEL = 3
    LOG_SENSITIVE = 4
    MAX_RESPONSE_BYTES = 5
    MAX_XML_DEPTH = 6
    RETRIES = 7
    POLICY_CACHE_HOURS = 8
    TRANSPORT = 9
    RETRY_BACKOFF_MS = 10
    KEY_POOL_SIZE = 11
    KEY_POOL_PREFILL = 12
    BULK_CHUNK = 13
    CA = 10000
    BASE_URL = 10001
    CA_NAME = 10002
    PROXY = 10003
    TRUST_FILE = 10004
    PROXY_CREDENTIALS = 10005
    TRUST_PEM = 20000


class SubjectFormat(enum.IntEnum):
    """enum pkiws_subject_format."""

    CN = 1
    CN_EMAIL = 2
    CN_AS_EMAIL = 3


class SanType(enum.IntFlag):
    """PKIWS_SAN_* bit set."""

    EMAIL = 0x1
    UPN = 0x2
    OTHERNAME = 0x4


class KeyType(enum.IntEnum):
    """enum pkiws_key_type."""

    RSA2048 = 1
    RSA3072 = 2
    RSA4096 = 3
    EC_P256 = 4
    EC_P384 = 5


class PfxPreset(enum.IntEnum):
    """enum pkiws_pfx_preset."""

    LEGACY = 1
    MODERN = 2


class Field(enum.IntEnum):
    """enum pkiws_field: identity fields (attribute mappings, SAN trace)."""

    CN = 1
    SUBJECT_EMAIL = 2
    SAN_EMAIL = 3
    SAN_UPN = 4
    SAN_OTHERNAME = 5
    GIVEN_NAME = 6
    FAMILY_NAME = 7
    SEAT_ID = 8


class ProfileOpt(enum.IntEnum):
    """enum pkiws_profile_opt."""

    SUBJECT_FORMAT = 1
    SAN_TYPES = 2
    KEY_TYPE = 3
    PFX_PRESET = 4
    OTHERNAME_COMPAT = 5
    DUPLICATES = 6


class Duplicates(enum.IntEnum):
    """enum pkiws_duplicates: what issue and renew do about the seat's VALID certificates of
    the profile (ProfileOpt.DUPLICATES)."""

    ALLOW = 0
    REPORT = 1
    REFUSE = 2


class TemplateInt(enum.IntEnum):
    """enum pkiws_template_int: integer facts of a profile's template."""

    KEY_SIZE = 1
    KEY_IS_EC = 2
    VALIDITY_DAYS = 3
    NEXT_UPDATE_HOURS = 4
    CA_COUNT = 5
    ATTRIBUTE_COUNT = 6


class RequestOpt(enum.IntEnum):
    """enum pkiws_request_opt: below 10000 integers, from 10000 strings."""

    PFX_PRESET = 1
    RETURN_KEY = 2
    CN = 10000
    EMAIL = 10001
    UPN = 10002
    SEAT_ID = 10003
    GIVEN_NAME = 10004
    FAMILY_NAME = 10005
    PFX_PASSWORD = 10006
    FRIENDLY_NAME = 10007
    PENDING_REF = 10008
    TRANSACTION_ID = 10009


class Status(enum.IntEnum):
    """enum pkiws_status."""

    OK = 0
    PENDING = 1
    FAILED = 2


class ResultStr(enum.IntEnum):
    """enum pkiws_result_str: string items of a result."""

    SUBJECT = 1
    SERIAL = 2
    THUMBPRINT = 3
    ISSUER = 4
    CERT_PEM = 5
    CLIENT_TXID = 6
    SERVER_TXID = 7
    PENDING_REF = 8
    PFX_PASSWORD = 9
    MAC_ALG = 10
    KEY_BAG_ALG = 11
    CERT_BAG_ALG = 12
    FRIENDLY_NAME = 13
    DISPOSITION = 14
    STATUS_MESSAGE = 15


class ResultInt(enum.IntEnum):
    """enum pkiws_result_int: integer items of a result."""

    NOT_BEFORE = 1
    NOT_AFTER = 2
    ATTEMPTS = 3
    CHAIN_LENGTH = 4
    MAC_ITERATIONS = 5
    REVOCATION_COUNT = 6
    SUCCESS_CODE = 7
    SEARCH_TOTAL = 8
    SEARCH_MORE = 9
    APPROVALS_PENDING = 10


class ResultBlob(enum.IntEnum):
    """enum pkiws_result_blob: binary items of a result."""

    CERT_DER = 1
    PFX = 2
    KEY_PKCS8 = 3


class Source(enum.IntEnum):
    """enum pkiws_source: where a subject part or SAN value came from."""

    NONE = 0
    REQUEST_CN = 1
    REQUEST_EMAIL = 2
    REQUEST_UPN = 3
    SUBJECT_E = 4
    SUBJECT_CN = 5
    REQUEST_OTHERNAME = 6
    DERIVED_FROM_UPN = 7
    REQUEST_NAME = 8
    TEMPLATE = 9
    REQUEST_SEAT = 10


class Verdict(enum.IntEnum):
    """enum pkiws_verdict: template checks and health-check steps."""

    OK = 0
    WARN = 1
    MISSING_FROM_TEMPLATE = 2
    UNFILLABLE = 3
    FAIL = 4


class OpWant(enum.IntEnum):
    """enum pkiws_op_want: what a sans-I/O operation wants next (pkiws_op_next)."""

    WANT_HTTP = 1
    WANT_WAIT = 2
    DONE = 3


class PollEvent(enum.IntFlag):
    """enum pkiws_poll_event: what a descriptor of pkiws_op_fds waits for (Op.fds)."""

    IN = 1
    OUT = 2


class ProgressEvent(enum.IntEnum):
    """enum pkiws_progress_event: what a progress callback reports (Session.set_progress)."""

    SEND = 1
    WAITING = 2
    BACKOFF = 3


class StatusOp(enum.IntEnum):
    """enum pkiws_status_op: what pkiws_revoke does."""

    REVOKE = 1
    SUSPEND = 2
    RESUME = 3


class Selector(enum.IntEnum):
    """enum pkiws_selector: what identifies the certificates of pkiws_revoke."""

    SERIAL = 1
    SEAT = 2
    PROFILE = 3


class Reason(enum.IntEnum):
    """enum pkiws_reason: revocation reasons (RFC 5280 numbers)."""

    NONE = -1
    UNSPECIFIED = 0
    KEY_COMPROMISE = 1
    CA_COMPROMISE = 2
    AFFILIATION_CHANGED = 3
    SUPERSEDED = 4
    CESSATION_OF_OPERATION = 5
    CERTIFICATE_HOLD = 6
    REMOVE_FROM_CRL = 8
    PRIVILEGE_WITHDRAWN = 9
    AA_COMPROMISE = 10


def as_enum(cls: type[enum.IntEnum], value: int) -> int:
    """``cls(value)`` when the binding knows the value, else the plain int (newer library)."""
    try:
        return cls(value)
    except ValueError:
        return value


class OutboxState(enum.IntEnum):
    """enum pkiws_outbox_state."""

    QUEUED = 1
    SENT = 2
    ACCEPTED = 3
    DONE = 4
    FAILED = 5


class OutboxStep(enum.IntEnum):
    """enum pkiws_outbox_step."""

    SEND = 1
    SENT = 2
    ACCEPTED = 3
    SEARCHED = 4
    DONE = 5


class OutboxItem(enum.IntEnum):
    """enum pkiws_outbox_item."""

    ID = 1
    OPERATION = 2
    SELECTOR = 3
    REASON = 4
    STATE = 5
    ATTEMPTS = 6
    SUCCESS_CODE = 7
    LAST_CODE = 8
    NEXT_ATTEMPT = 9
    CREATED = 10
    TARGET = 101
    TXID = 102
    LAST_ERROR = 103
