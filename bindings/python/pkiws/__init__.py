# SPDX-License-Identifier: MIT
"""pkiws: issue PKCS certificates (PFX bundles) from the DigiCert / Symantec PKI Manager web
service, with the Intune Certificate Connector's subject and SAN rules.

Pure Python over ctypes: loads ``libpkiws.so.1`` (or the full path in the environment
variable ``PKIWS_LIBRARY``) and checks its version at import. Typical use::

    import pkiws

    with pkiws.Session(base_url="https://localhost:8443/pki-ws",
                       trust_file="trust.pem") as session:
        session.load_ra_pkcs12_file("ra.p12", "secret")
        with session.profile("2.16.840.1.113733.1.16.1.2.3.1.1.1",
                             san_types=pkiws.SanType.EMAIL) as profile, \\
             profile.request(cn="Alice", email="alice@contoso.com",
                             pfx_password="pfx pass") as request, \\
             request.issue() as result:
            open("alice.pfx", "wb").write(result.pfx)

Failures raise :class:`PkiwsError` subclasses (``code``, ``name``, ``message``, ``remedy``,
and ``result`` for operations that produce one). See docs/python.md.
"""
from __future__ import annotations

from ._enums import (Duplicates, ErrorCode, Feature, Field, KeyType, LogLevel, OutboxItem, OutboxState,
                     OutboxStep, PfxPreset, ProfileOpt,
                     Reason, RequestOpt, ResultBlob, ResultInt, ResultStr, SanType, Selector,
                     OpWant, PollEvent, ProgressEvent, SessionOpt, SignAlg, Source, Status,
                     StatusOp, SubjectFormat, TemplateInt,
                     Transport, Verdict)
from ._errors import (ApiError, BackendError, ConfigError, ConnectError, CryptoError,
                      DuplicateError,
                      HTTPError, IdentityError, InternalError, InvalidArgumentError,
                      InvalidHandleError, LimitError, LocalIOError, NoMemoryError, RecursiveApiCallError,
                      CancelledError,
                      OptionTypeError, OtherNameEncodingError, PkiwsError, PolicyMismatchError,
                      ProfileError, ProfileNotFoundError, ProtocolError, RACredentialError,
                      RejectedError, SanUnresolvedError, ServiceError, SetupError,
                      SoapFaultError, StateError, TLSError, TransportError,
                      TransportTimeoutError, UnknownOptionError, UnsupportedCharsError,
                      UnsupportedError, error_class)
from ._lib import MIN_VERSION, SONAME
from ._offline import (RaCsr, cert_renewal_due, error_name, features, key_encrypt, pfx_inspect, pfx_package,
                       ra_csr, strerror, thumbprint, thumbprint_normalize, version,
                       version_string)
from ._op import HttpRequest, Op, drive
from ._outbox import Outbox, OutboxEntry
from ._profile import Profile, TemplateAttribute
from ._request import Request
from ._result import Check, Found, Item, Result, TraceEntry
from ._session import Session

#: Version of this binding (the library's is version_string()).
__version__ = "0.1.0"

#: The well-known OID of the UPN otherName (PKIWS_SAN_UPN).
UPN_OID = "1.3.6.1.4.1.311.20.2.3"

__all__ = [
    "ApiError", "BackendError", "Check", "ConfigError", "ConnectError", "CryptoError",
    "DuplicateError", "Duplicates", "Item",
    "ErrorCode", "Feature", "Field", "Found", "HTTPError", "HttpRequest", "IdentityError",
    "InternalError",
    "InvalidArgumentError", "InvalidHandleError", "KeyType", "LimitError", "LocalIOError",
    "RecursiveApiCallError",
    "CancelledError",
    "LogLevel", "MIN_VERSION", "Outbox", "OutboxEntry", "OutboxItem", "OutboxState",
    "OutboxStep", "NoMemoryError", "Op", "OptionTypeError", "OtherNameEncodingError",
    "PfxPreset", "PollEvent", "ProgressEvent", "PkiwsError", "PolicyMismatchError", "Profile",
    "ProfileError",
    "ProfileNotFoundError", "ProfileOpt", "ProtocolError", "RACredentialError", "RaCsr",
    "Reason", "RejectedError", "Request", "RequestOpt", "Result", "ResultBlob", "ResultInt",
    "ResultStr", "SONAME", "SanType", "SanUnresolvedError", "Selector", "ServiceError",
    "Session", "SessionOpt", "SetupError", "SignAlg", "SoapFaultError", "Source", "StateError",
    "Status",
    "OpWant", "StatusOp", "SubjectFormat", "TLSError", "TemplateAttribute", "TemplateInt", "TraceEntry",
    "Transport", "TransportError",
    "TransportTimeoutError", "UPN_OID", "UnknownOptionError", "UnsupportedCharsError",
    "UnsupportedError", "Verdict", "cert_renewal_due", "drive", "error_class", "error_name",
    "features", "key_encrypt",
    "pfx_inspect",
    "pfx_package", "ra_csr", "strerror", "thumbprint", "thumbprint_normalize", "version",
    "version_string",
]
