# SPDX-License-Identifier: MIT
"""The exceptions: PkiwsError and one subclass per code, grouped by the header's code families.

::

    PkiwsError
    ├── ApiError            -1..-99   InvalidArgumentError, NoMemoryError, InvalidHandleError,
    │                                 StateError, UnsupportedError, UnknownOptionError,
    │                                 OptionTypeError, LimitError, InternalError, LocalIOError,
    │                                 RecursiveApiCallError
    ├── SetupError        -100..-199  ConfigError, RACredentialError, CryptoError
    ├── TransportError    -200..-299  ConnectError, TransportTimeoutError, TLSError, HTTPError,
    │                                 BackendError
    ├── ServiceError      -300..-399  ProtocolError, SoapFaultError
    ├── ProfileError      -400..-499  ProfileNotFoundError, PolicyMismatchError, RejectedError
    └── IdentityError     -500..-599  SanUnresolvedError, UnsupportedCharsError,
                                      OtherNameEncodingError
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from ._result import Result

E_INVALID_ARG = -1
E_INVALID_HANDLE = -3
E_STATE = -4


class PkiwsError(Exception):
    """A pkiws failure.

    Attributes:
        code: the PKIWS_E_* code (negative int).
        name: its symbolic name, e.g. ``"PKIWS_E_CONFIG"``.
        message: what went wrong, naming the offending input.
        remedy: what an administrator should do about it, or None.
        result: for operations that produce a result even on failure (issue, poll, preflight,
            verify, revoke, check, pfx_inspect), that :class:`~pkiws.Result` (SAN trace,
            checks, transaction ids...); else None.
    """

    def __init__(self, code: int, name: str, message: str, remedy: Optional[str] = None,
                 result: Optional["Result"] = None) -> None:
        super().__init__(code, name, message, remedy)
        self.code = code
        self.name = name
        self.message = message
        self.remedy = remedy
        self.result = result

    @property
    def retryable(self) -> bool:
        """True when repeating the same call may succeed (from the result when there is one)."""
        if self.result is not None and not self.result.closed:
            return self.result.retryable
        return isinstance(self, TransportError) and not isinstance(self, TLSError)

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class ApiError(PkiwsError):
    """API and general failures (-1..-99)."""


class InvalidArgumentError(ApiError):
    """PKIWS_E_INVALID_ARG: a NULL or out-of-range argument."""


class NoMemoryError(ApiError):
    """PKIWS_E_NOMEM: out of memory."""


class InvalidHandleError(ApiError):
    """PKIWS_E_INVALID_HANDLE: a freed or foreign handle (or a closed Python object)."""


class StateError(ApiError):
    """PKIWS_E_STATE: the handle is not in a state that allows this call."""


class UnsupportedError(ApiError):
    """PKIWS_E_UNSUPPORTED: not built into this library."""


class UnknownOptionError(ApiError):
    """PKIWS_E_UNKNOWN_OPTION: an option id this version does not know."""


class OptionTypeError(ApiError):
    """PKIWS_E_OPTION_TYPE: the option takes another kind of value."""


class LimitError(ApiError):
    """PKIWS_E_LIMIT: input exceeds a size or depth limit."""


class InternalError(ApiError):
    """PKIWS_E_INTERNAL: a bug in pkiws."""


class LocalIOError(ApiError):
    """PKIWS_E_IO: a local file could not be read or written."""


class RecursiveApiCallError(ApiError):
    """PKIWS_E_RECURSIVE_API_CALL: called from inside a pkiws callback (log, transport)."""


class CancelledError(ApiError):
    """PKIWS_E_CANCELLED: the operation was cancelled (pkiws_op_cancel)."""


class SetupError(PkiwsError):
    """Configuration, credentials and local crypto (-100..-199)."""


class ConfigError(SetupError):
    """PKIWS_E_CONFIG: a session or profile setting is invalid."""


class RACredentialError(SetupError):
    """PKIWS_E_RA_CREDENTIAL: the RA certificate or key is missing or unusable."""


class CryptoError(SetupError):
    """PKIWS_E_CRYPTO: key, CSR, PKCS#7 or PKCS#12 processing failed."""


class TransportError(PkiwsError):
    """Transport failures (-200..-299)."""


class ConnectError(TransportError):
    """PKIWS_E_CONNECT: name resolution or TCP connect failed."""


class TransportTimeoutError(TransportError):
    """PKIWS_E_TIMEOUT: the operation timed out."""


class TLSError(TransportError):
    """PKIWS_E_TLS: TLS handshake or verification failed."""


class HTTPError(TransportError):
    """PKIWS_E_HTTP: unexpected HTTP status without a SOAP fault."""


class BackendError(TransportError):
    """PKIWS_E_BACKEND: a host-supplied transport backend failed."""


class ServiceError(PkiwsError):
    """Protocol failures (-300..-399)."""


class ProtocolError(ServiceError):
    """PKIWS_E_PROTOCOL: the answer is not what the schema promises."""


class SoapFaultError(ServiceError):
    """PKIWS_E_SOAP_FAULT: the service answered with a SOAP fault."""


class ProfileError(PkiwsError):
    """Profile and template failures (-400..-499)."""


class ProfileNotFoundError(ProfileError):
    """PKIWS_E_PROFILE_NOT_FOUND: no template for the profile OID."""


class PolicyMismatchError(ProfileError):
    """PKIWS_E_POLICY_MISMATCH: selections and template disagree."""


class RejectedError(ProfileError):
    """PKIWS_E_REJECTED: the CA refused the request."""


class DuplicateError(ProfileError):
    """PKIWS_E_DUPLICATE: the seat already has a VALID certificate of the profile
    (Duplicates.REFUSE); ``result.found`` lists them."""


class IdentityError(PkiwsError):
    """Identity, subject and SAN failures (-500..-599)."""


class SanUnresolvedError(IdentityError):
    """PKIWS_E_SAN_UNRESOLVED: no value for a selected subject part or SAN."""


class UnsupportedCharsError(IdentityError):
    """PKIWS_E_UNSUPPORTED_CHARS: characters the CA does not accept."""


class OtherNameEncodingError(IdentityError):
    """PKIWS_E_OTHERNAME_ENCODING: otherName value is not usable hex."""


#: code -> class; tests/test_enums.py checks that every PKIWS_E_* of the header is here.
BY_CODE: dict[int, type[PkiwsError]] = {
    -1: InvalidArgumentError,
    -2: NoMemoryError,
    -3: InvalidHandleError,
    -4: StateError,
    -5: UnsupportedError,
    -6: UnknownOptionError,
    -7: OptionTypeError,
    -8: LimitError,
    -9: InternalError,
    -10: LocalIOError,
    -11: RecursiveApiCallError,
    -12: CancelledError,
    -100: ConfigError,
    -101: RACredentialError,
    -102: CryptoError,
    -200: ConnectError,
    -201: TransportTimeoutError,
    -202: TLSError,
    -203: HTTPError,
    -204: BackendError,
    -300: ProtocolError,
    -301: SoapFaultError,
    -400: ProfileNotFoundError,
    -401: PolicyMismatchError,
    -402: RejectedError,
    -403: DuplicateError,
    -500: SanUnresolvedError,
    -501: UnsupportedCharsError,
    -502: OtherNameEncodingError,
}

_FAMILIES: tuple[tuple[int, int, type[PkiwsError]], ...] = (
    (-99, -1, ApiError),
    (-199, -100, SetupError),
    (-299, -200, TransportError),
    (-399, -300, ServiceError),
    (-499, -400, ProfileError),
    (-599, -500, IdentityError),
)


def error_class(code: int) -> type[PkiwsError]:
    """The exception class for a code; codes newer than the binding get their family's."""
    cls = BY_CODE.get(code)
    if cls is not None:
        return cls
    for low, high, family in _FAMILIES:
        if low <= code <= high:
            return family
    return PkiwsError


def make(code: int, name: str, message: str, remedy: Optional[str] = None,
         result: Optional["Result"] = None) -> PkiwsError:
    """Build the exception for ``code``."""
    return error_class(code)(code, name, message, remedy, result)
