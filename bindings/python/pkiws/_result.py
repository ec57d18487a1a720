# SPDX-License-Identifier: MIT
"""Result: the outcome of an operation (status, error, SAN trace, checks, certificate, PFX)."""
from __future__ import annotations

import ctypes
from typing import Any, NamedTuple, Optional, Union

from . import _conv, _enums, _lib
from ._handle import Handle


class TraceEntry(NamedTuple):
    """One SAN-trace entry: which value filled a subject part or SAN, and where it came from."""

    field: Union[_enums.Field, int]
    field_name: str  #: "cn", "subject_email", "email", "upn", "othername", ...
    value: str  #: the value used (otherName: upper-case hex of the DER)
    source: Union[_enums.Source, int]
    source_name: str  #: "request.email", "subject.CN", "derived from UPN", ...


class Found(NamedTuple):
    """A certificate found by Session.search()."""

    der: bytes
    serial: str
    status: str
    seat: str


class Item(NamedTuple):
    """The outcome of one id of Session.revoke_bulk()."""

    id: str  #: as sent (serials normalised)
    code: int  #: 0 (confirmed) or the PKIWS_E_* of this id
    message: str  #: the CA's successMsg, or why the id is not confirmed

    @property
    def ok(self) -> bool:
        return self.code == 0


class Check(NamedTuple):
    """One check: a template verdict or a health-check step."""

    name: str
    verdict: Union[_enums.Verdict, int]
    verdict_name: str  #: "ok", "warn", "missing from template", ...
    detail: str
    remedy: Optional[str]


def _str_item(item: _enums.ResultStr, doc: str) -> Any:
    def get(self: "Result") -> Optional[str]:
        return self.get_str(item)

    get.__doc__ = doc
    return property(get)


def _int_item(item: _enums.ResultInt, doc: str) -> Any:
    def get(self: "Result") -> Optional[int]:
        return self.get_int(item)

    get.__doc__ = doc
    return property(get)


def _blob_item(item: _enums.ResultBlob, doc: str) -> Any:
    def get(self: "Result") -> Optional[bytes]:
        return self.get_blob(item)

    get.__doc__ = doc
    return property(get)


class Result(Handle):
    """The outcome of an operation, owned by the caller.

    Results come from :meth:`Request.issue`, :meth:`Request.poll`, :meth:`Request.preflight`,
    :meth:`Profile.verify`, :meth:`Session.revoke`, :meth:`Session.check` and
    :func:`pfx_inspect`. A failed operation raises; the exception's ``result`` attribute is
    the failed Result. Values are copied out of the C result when read; ``close()`` frees it
    (keys and passwords are zeroised by the library).
    """

    _free_fn = staticmethod(_lib.pkiws_result_free)
    _kind = "result"

    def __init__(self) -> None:
        raise TypeError("Result objects are made by pkiws operations")

    @classmethod
    def _adopt(cls, ptr: Any) -> "Result":
        self = cls.__new__(cls)
        self._ptr = ptr
        return self

    # ---- status -----------------------------------------------------------------------
    @property
    def status(self) -> Union[_enums.Status, int]:
        """Status.OK, PENDING or FAILED."""
        return _enums.as_enum(_enums.Status, _lib.pkiws_result_status(self._handle()))

    @property
    def ok(self) -> bool:
        """True when the status is OK."""
        return self.status == _enums.Status.OK

    @property
    def pending(self) -> bool:
        """True when the CA holds the request for approval (see :meth:`Request.poll`)."""
        return self.status == _enums.Status.PENDING

    @property
    def error(self) -> Union[_enums.ErrorCode, int]:
        """ErrorCode.OK or the code of the failure."""
        return _enums.as_enum(_enums.ErrorCode, _lib.pkiws_result_error(self._handle()))

    @property
    def message(self) -> str:
        """The failure message naming the offending input ("" on success)."""
        return _conv.borrowed_str(_lib.pkiws_result_message(self._handle())) or ""

    @property
    def remedy(self) -> Optional[str]:
        """What to do about the failure, or None."""
        return _conv.borrowed_str(_lib.pkiws_result_remedy(self._handle()))

    @property
    def retryable(self) -> bool:
        """True when repeating the same call may succeed (transport failures)."""
        return bool(_lib.pkiws_result_retryable(self._handle()))

    # ---- generic items ----------------------------------------------------------------
    def get_str(self, item: int) -> Optional[str]:
        """A string item (ResultStr), or None when absent."""
        return _conv.borrowed_str(_lib.pkiws_result_str(self._handle(), int(item)))

    def get_int(self, item: int) -> Optional[int]:
        """An integer item (ResultInt), or None when absent."""
        value = ctypes.c_int64()
        rc = _lib.pkiws_result_int(self._handle(), int(item), ctypes.byref(value))
        return None if rc else value.value

    def get_blob(self, item: int) -> Optional[bytes]:
        """A binary item (ResultBlob) as bytes, or None when absent."""
        data, size = ctypes.c_void_p(), ctypes.c_size_t()
        rc = _lib.pkiws_result_blob(self._handle(), int(item), ctypes.byref(data),
                                    ctypes.byref(size))
        return None if rc else _conv.borrowed_bytes(data.value, size.value)

    # ---- named items ------------------------------------------------------------------
    subject = _str_item(_enums.ResultStr.SUBJECT,
                        "Subject DN, e.g. 'CN=Alice,E=alice@contoso.com'.")
    serial = _str_item(_enums.ResultStr.SERIAL, "Certificate serial, upper-case hex.")
    thumbprint = _str_item(_enums.ResultStr.THUMBPRINT,
                           "SHA-1 of the certificate, 40 upper-case hex digits.")
    issuer = _str_item(_enums.ResultStr.ISSUER, "Issuer DN.")
    cert_pem = _str_item(_enums.ResultStr.CERT_PEM, "End-entity certificate, PEM text.")
    client_txid = _str_item(_enums.ResultStr.CLIENT_TXID, "clientTransactionID sent.")
    server_txid = _str_item(_enums.ResultStr.SERVER_TXID, "serverTransactionID received.")
    pending_ref = _str_item(_enums.ResultStr.PENDING_REF,
                            "pendingTokenReferenceID of a PENDING result.")
    pfx_password = _str_item(_enums.ResultStr.PFX_PASSWORD,
                             "The PFX password (the generated one when none was given).")
    mac_alg = _str_item(_enums.ResultStr.MAC_ALG, "PFX inspection: MAC digest, e.g. 'sha256'.")
    key_bag_alg = _str_item(_enums.ResultStr.KEY_BAG_ALG, "PFX inspection: key bag encryption.")
    cert_bag_alg = _str_item(_enums.ResultStr.CERT_BAG_ALG,
                             "PFX inspection: certificate bag encryption.")
    friendly_name = _str_item(_enums.ResultStr.FRIENDLY_NAME,
                              "PFX inspection: friendlyName of the key.")
    disposition = _str_item(_enums.ResultStr.DISPOSITION,
                            "The CA's dispositionMessage / successMsg.")
    status_message = _str_item(_enums.ResultStr.STATUS_MESSAGE,
                               "Health check: the service's statusMessage.")
    not_before = _int_item(_enums.ResultInt.NOT_BEFORE,
                           "Certificate validity start, epoch seconds.")
    not_after = _int_item(_enums.ResultInt.NOT_AFTER, "Certificate validity end, epoch seconds.")
    attempts = _int_item(_enums.ResultInt.ATTEMPTS, "Requests sent, retries included.")
    chain_length = _int_item(_enums.ResultInt.CHAIN_LENGTH,
                             "Certificates in the chain (end-entity excluded).")
    mac_iterations = _int_item(_enums.ResultInt.MAC_ITERATIONS, "PFX inspection: MAC iterations.")
    revocation_count = _int_item(_enums.ResultInt.REVOCATION_COUNT,
                                 "Certificates whose status changed.")
    success_code = _int_item(_enums.ResultInt.SUCCESS_CODE, "updateCertificateStatus successCode.")
    cert_der = _blob_item(_enums.ResultBlob.CERT_DER, "End-entity certificate, DER bytes.")
    pfx = _blob_item(_enums.ResultBlob.PFX, "The PKCS#12 bundle, bytes.")
    key_pkcs8 = _blob_item(_enums.ResultBlob.KEY_PKCS8,
                           "Private key, PKCS#8 DER (pending results, or when requested).")

    # ---- lists ------------------------------------------------------------------------
    @property
    def chain(self) -> list[bytes]:
        """Chain certificates, DER (issuing CA first, then up to the root)."""
        h = self._handle()
        out = []
        for i in range(_lib.pkiws_result_chain_count(h)):
            data, size = ctypes.c_void_p(), ctypes.c_size_t()
            _lib.pkiws_result_chain_cert(h, i, ctypes.byref(data), ctypes.byref(size))
            out.append(_conv.borrowed_bytes(data.value, size.value))
        return out

    @property
    def found(self) -> list[Found]:
        """Certificates of a Session.search() page."""
        h = self._handle()
        out = []
        for i in range(_lib.pkiws_result_found_count(h)):
            data, size = ctypes.c_void_p(), ctypes.c_size_t()
            serial, status, seat = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
            _lib.pkiws_result_found(h, i, ctypes.byref(data), ctypes.byref(size),
                                    ctypes.byref(serial), ctypes.byref(status),
                                    ctypes.byref(seat))
            out.append(Found(_conv.borrowed_bytes(data.value, size.value),
                             _conv.borrowed_str(serial.value) or "",
                             _conv.borrowed_str(status.value) or "",
                             _conv.borrowed_str(seat.value) or ""))
        return out

    @property
    def items(self) -> list[Item]:
        """Per-id outcomes of Session.revoke_bulk(), in the order given."""
        h = self._handle()
        out = []
        for i in range(_lib.pkiws_result_item_count(h)):
            id_, msg, code = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_int()
            _lib.pkiws_result_item(h, i, ctypes.byref(id_), ctypes.byref(code), ctypes.byref(msg))
            out.append(Item(_conv.borrowed_str(id_.value) or "", code.value,
                            _conv.borrowed_str(msg.value) or ""))
        return out

    @property
    def trace(self) -> list[TraceEntry]:
        """The SAN trace: one entry per subject part and per SAN."""
        h = self._handle()
        out = []
        for i in range(_lib.pkiws_result_trace_count(h)):
            field, source, value = ctypes.c_int(), ctypes.c_int(), ctypes.c_void_p()
            _lib.pkiws_result_trace(h, i, ctypes.byref(field), ctypes.byref(value),
                                    ctypes.byref(source))
            out.append(TraceEntry(
                _enums.as_enum(_enums.Field, field.value),
                _conv.borrowed_str(_lib.pkiws_field_name(field.value)) or "",
                _conv.borrowed_str(value.value) or "",
                _enums.as_enum(_enums.Source, source.value),
                _conv.borrowed_str(_lib.pkiws_source_name(source.value)) or ""))
        return out

    @property
    def checks(self) -> list[Check]:
        """Template verdicts (verify / preflight) or health-check steps (check)."""
        h = self._handle()
        out = []
        for i in range(_lib.pkiws_result_check_count(h)):
            name, detail, remedy = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
            verdict = ctypes.c_int()
            _lib.pkiws_result_check(h, i, ctypes.byref(name), ctypes.byref(verdict),
                                    ctypes.byref(detail), ctypes.byref(remedy))
            out.append(Check(
                _conv.borrowed_str(name.value) or "",
                _enums.as_enum(_enums.Verdict, verdict.value),
                _conv.borrowed_str(_lib.pkiws_verdict_name(verdict.value)) or "",
                _conv.borrowed_str(detail.value) or "",
                _conv.borrowed_str(remedy.value)))
        return out

    def find_trace(self, field: int) -> Optional[TraceEntry]:
        """The trace entry of ``field`` (a Field), or None."""
        for entry in self.trace:
            if entry.field == field:
                return entry
        return None

    def __repr__(self) -> str:
        if self.closed:
            return "<pkiws.Result closed>"
        status = self.status
        label = status.name if isinstance(status, _enums.Status) else str(status)
        if status == _enums.Status.FAILED:
            err = self.error
            return f"<pkiws.Result FAILED {getattr(err, 'name', err)}: {self.message}>"
        return f"<pkiws.Result {label}>"
