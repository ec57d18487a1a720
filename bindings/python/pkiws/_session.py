# SPDX-License-Identifier: MIT
"""Session: where the CA is, the RA credential, trust anchors, timeouts, logging."""
from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

from . import _conv, _enums, _lib
from ._handle import Handle
from ._log import LogCallback, LogSink, ProgressCallback
from ._errors import PkiwsError
from ._op import Op, run
from ._result import Result

if TYPE_CHECKING:  # pragma: no cover
    from ._profile import Profile

#: keyword name -> option, e.g. ``base_url`` -> SessionOpt.BASE_URL
_SESSION_KEYWORDS = {opt.name.lower(): opt for opt in _enums.SessionOpt}


def option_kind(option: int) -> str:
    """The value kind an option id encodes: "int" (<10000), "str" (<20000) or "blob"."""
    if option < 10000:
        return "int"
    return "str" if option < 20000 else "blob"


class Session(Handle):
    """A connection context (pkiws_session).

    Keyword arguments set options by their SessionOpt name in lower case, e.g.
    ``Session(base_url="https://localhost:8443/pki-ws", trust_file="trust.pem",
    timeout_ms=30000)``. ``log_callback`` installs a log callback (see
    :meth:`set_log_callback`).

    A session may be shared by threads that issue concurrently; settings must not change
    while operations run, and ``close()`` must not run while another thread uses it.
    """

    _free_fn = staticmethod(_lib.pkiws_session_free)
    _kind = "session"

    def __init__(self, *, log_callback: Optional[LogCallback] = None, **options: Any) -> None:
        self._sink = LogSink()
        ptr = _lib.SessionP()
        _lib.pkiws_session_new(ctypes.byref(ptr))
        self._ptr = ptr
        try:
            if log_callback is not None:
                self.set_log_callback(log_callback)
            self.configure(**options)
        except BaseException:
            self.close()
            raise

    # ---- options ------------------------------------------------------------------------
    def configure(self, **options: Any) -> "Session":
        """Set options by keyword (SessionOpt names in lower case); returns self."""
        for key, value in options.items():
            opt = _SESSION_KEYWORDS.get(key)
            if opt is None:
                raise TypeError(f"Session option {key!r} is unknown; known: "
                                f"{', '.join(sorted(_SESSION_KEYWORDS))}")
            self.set(opt, value)
        return self

    def set(self, option: int, value: Any) -> None:
        """Set any option; the kind (int / str / blob) follows from the option id."""
        kind = option_kind(int(option))
        if kind == "int":
            self.set_int(option, value)
        elif kind == "str":
            self.set_str(option, value)
        else:
            self.set_blob(option, value)

    def set_int(self, option: int, value: int) -> None:
        """pkiws_session_set_int."""
        with self._sink.guard():
            _lib.pkiws_session_set_int(self._handle(), int(option), int(value))

    def set_str(self, option: int, value: Optional[Union[str, bytes]]) -> None:
        """pkiws_session_set_str (None resets the option)."""
        name = getattr(option, "name", str(option))
        raw = _conv.text(value, f"session option {name}")
        with self._sink.guard():
            _lib.pkiws_session_set_str(self._handle(), int(option), raw)

    def set_blob(self, option: int, value: Optional[_conv.Data]) -> None:
        """pkiws_session_set_blob (None resets the option)."""
        name = getattr(option, "name", str(option))
        raw = _conv.data(value, f"session option {name}")
        with self._sink.guard():
            _lib.pkiws_session_set_blob(self._handle(), int(option), raw,
                                        len(raw) if raw is not None else 0)

    def get_int(self, option: int) -> int:
        """pkiws_session_get_int."""
        out = ctypes.c_int64()
        _lib.pkiws_session_get_int(self._handle(), int(option), ctypes.byref(out))
        return out.value

    def get_str(self, option: int) -> Optional[str]:
        """pkiws_session_get_str: the normalised value, or None when unset."""
        out = ctypes.c_void_p()
        _lib.pkiws_session_get_str(self._handle(), int(option), ctypes.byref(out))
        return _conv.borrowed_str(out.value)

    # ---- logging ------------------------------------------------------------------------
    def set_log_callback(self, callback: Optional[LogCallback],
                         level: Optional[int] = None) -> None:
        """Route log records to ``callback(level, domain, txid, message)``; None silences.

        ``level`` (a LogLevel) sets SessionOpt.LOG_LEVEL too; without it the library raises
        the level from NONE to WARN when a callback is installed. The callback runs on the
        thread that called into pkiws; if it raises, the exception is re-raised once that
        call returns (later records of the same call are still delivered).
        """
        self._install("log", "callback", callback, _lib.pkiws_session_set_log_cb,
                      self._sink.c_callback)
        if level is not None:
            self.set_int(_enums.SessionOpt.LOG_LEVEL, level)

    def set_progress(self, callback: Optional[ProgressCallback]) -> None:
        """Report the progress of the blocking calls (issue, poll, renew, revoke, search,
        recover, fetch_policy) to ``callback(operation, event, attempt, ms)``; None: no reports.

        ``operation`` names the call ("issuance", "search", "policy fetch", ...), ``event`` is
        a ProgressEvent: SEND (an exchange goes out, ``attempt`` 1, 2, ...), WAITING (for its
        answer, ``ms`` so far) or BACKOFF (before a retry, ``ms`` left), at most every
        PKIWS_PROGRESS_TICK_MS (100 ms). A truthy return cancels the call, which then raises
        pkiws.CancelledError at once. The callback runs on the calling thread. An exception it
        raises (KeyboardInterrupt too) cancels the call as well and is re-raised from it once
        it returns, the CancelledError as its ``__context__``. Calls started afterwards see the
        change; ops (``*_start``, ``*_async``) do not report progress.
        """
        self._install("progress", "progress", callback, _lib.pkiws_session_set_progress_cb,
                      self._sink.c_progress)

    def _install(self, what: str, attr: str, callback: Optional[Callable[..., Any]],
                 set_fn: Any, trampoline: Any) -> None:
        """Hand ``callback`` to the sink (its ``attr``) and register the sink's trampoline
        with ``set_fn`` (a NULL function pointer for None)."""
        if callback is not None and not callable(callback):
            raise TypeError(f"the {what} callback must be callable or None")
        setattr(self._sink, attr, callback)
        with self._sink.guard():
            set_fn(self._handle(), trampoline if callback else type(trampoline)(), None)

    # ---- RA credential ------------------------------------------------------------------
    def load_ra_pkcs12(self, data: bytes, password: Optional[Union[str, bytes]]) -> None:
        """RA credential from a PKCS#12 (PFX) in memory."""
        raw = _conv.data(data, "PKCS#12 data") or b""
        pw = _conv.text(password, "PKCS#12 password")
        with self._sink.guard():
            _lib.pkiws_session_set_ra_pkcs12(self._handle(), raw, len(raw), pw)

    def load_ra_pkcs12_file(self, path: _conv.PathLike,
                            password: Optional[Union[str, bytes]]) -> None:
        """RA credential from a PKCS#12 (PFX) file."""
        p = _conv.path(path, "PKCS#12 path")
        pw = _conv.text(password, "PKCS#12 password")
        with self._sink.guard():
            _lib.pkiws_session_set_ra_pkcs12_file(self._handle(), p, pw)

    def load_ra_pem(self, cert_pem: _conv.Data, key_pem: _conv.Data,
                    key_password: Optional[Union[str, bytes]] = None) -> None:
        """RA credential from PEM text: the certificate (and chain) and the private key."""
        cert = _conv.data(cert_pem, "RA certificate PEM") or b""
        key = _conv.data(key_pem, "RA key PEM") or b""
        pw = _conv.text(key_password, "RA key password")
        with self._sink.guard():
            _lib.pkiws_session_set_ra_pem(self._handle(), cert, len(cert), key, len(key), pw)

    def load_ra_pem_files(self, cert_path: _conv.PathLike, key_path: _conv.PathLike,
                          key_password: Optional[Union[str, bytes]] = None) -> None:
        """RA credential from a PEM certificate file and a PEM key file."""
        cert = _conv.path(cert_path, "RA certificate path")
        key = _conv.path(key_path, "RA key path")
        pw = _conv.text(key_password, "RA key password")
        with self._sink.guard():
            _lib.pkiws_session_set_ra_pem_files(self._handle(), cert, key, pw)

    def load_ra_store(self, directory: _conv.PathLike, thumbprint: Optional[str] = None,
                      password: Optional[Union[str, bytes]] = None) -> None:
        """RA credential from a store directory, by SHA-1 thumbprint (default: the one of
        the imported connector config)."""
        d = _conv.path(directory, "store directory")
        tp = _conv.text(thumbprint, "thumbprint")
        pw = _conv.text(password, "store password")
        with self._sink.guard():
            _lib.pkiws_session_set_ra_store(self._handle(), d, tp, pw)

    def set_ra_signer(self, cert_chain: _conv.Data,
                      sign: Callable[[int, bytes], bytes]) -> None:
        """RA credential whose key stays with the caller: cert_chain is the RA certificate
        (then its chain), PEM or DER; sign(alg, digest) returns the signature (alg a
        SignAlg: PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value). Native transport only. An
        exception in sign (or a result that is not bytes) fails the operation with
        RACredentialError naming it; it does not propagate through the library."""
        cert = _conv.data(cert_chain, "RA certificate") or b""

        def fail(why: str) -> int:
            # PKIWS_E_RA_CREDENTIAL with the reason, as pkiws's own signers report theirs
            return int(_lib.backend_fail(int(_enums.ErrorCode.RA_CREDENTIAL),
                                         _lib.CAUSE_RA_KEY, b"python", 0,
                                         ("RA signer callback: " + why)[:400].encode(
                                             "utf-8", "replace")))

        def trampoline(_ctx, alg, hash_p, hash_len, sig_p, cap, sig_len) -> int:
            try:
                sig = sign(_enums.SignAlg(alg), ctypes.string_at(hash_p, hash_len))
                if not isinstance(sig, (bytes, bytearray, memoryview)):
                    return fail(f"returned {type(sig).__name__}, not bytes")
                sig = bytes(sig)
            except Exception as exc:  # noqa: BLE001 - a callback must not raise into C
                return fail(f"raised {type(exc).__name__}: {exc}")
            if not sig or len(sig) > cap:
                return fail(f"returned a signature of {len(sig)} bytes (room for {cap})")
            ctypes.memmove(sig_p, sig, len(sig))
            sig_len[0] = len(sig)
            return 0

        cb = _lib.SIGN_CB(trampoline)
        with self._sink.guard():
            _lib.pkiws_session_set_ra_signer(self._handle(), cert, len(cert), cb, None)
        self._signer = cb  # kept alive as long as the session may sign

    def set_ra_pkcs11(self, module_path: Optional[_conv.PathLike], uri: str,
                      pin: Optional[Union[str, bytes]] = None) -> None:
        """RA credential in a PKCS#11 token (HSM, TPM via tpm2-pkcs11, SoftHSM2): module_path
        (absolute; None: the URI's module-path), an RFC 7512 uri naming the token and key,
        and the PIN. The key never leaves the token. Native transport only."""
        m = _conv.path(module_path, "PKCS#11 module path") if module_path is not None else None
        u = _conv.text(uri, "PKCS#11 URI")
        p = _conv.text(pin, "PKCS#11 PIN")
        with self._sink.guard():
            _lib.pkiws_session_set_ra_pkcs11(self._handle(), m, u, p)

    @property
    def ra_thumbprint(self) -> Optional[str]:
        """SHA-1 thumbprint of the loaded RA certificate, or None when none is loaded."""
        out = ctypes.c_void_p()
        rc = _lib.pkiws_session_ra_thumbprint(self._handle(), ctypes.byref(out))
        return None if rc else _conv.borrowed_str(out.value)

    # ---- connector config ---------------------------------------------------------------
    def load_connector_config(self, path: _conv.PathLike) -> None:
        """Read an Intune Certificate Connector ``.exe.config`` into the session."""
        p = _conv.path(path, "connector config path")
        with self._sink.guard():
            _lib.pkiws_session_load_connector_config(self._handle(), p)

    @property
    def config(self) -> dict[str, str]:
        """The appSettings read by load_connector_config, in file order (secrets are "***")."""
        h = self._handle()
        out: dict[str, str] = {}
        for i in range(_lib.pkiws_session_config_count(h)):
            key, value = ctypes.c_void_p(), ctypes.c_void_p()
            _lib.pkiws_session_config_entry(h, i, ctypes.byref(key), ctypes.byref(value))
            out[_conv.borrowed_str(key.value) or ""] = _conv.borrowed_str(value.value) or ""
        return out

    def config_value(self, key: str) -> Optional[str]:
        """The value of appSetting ``key`` (case-insensitive), or None."""
        raw = _conv.text(key, "appSetting key")
        return _conv.borrowed_str(_lib.pkiws_session_config_value(self._handle(), raw))

    # ---- children and operations --------------------------------------------------------
    def profile(self, oid: str, **options: Any) -> "Profile":
        """A :class:`Profile` for ``oid`` on this session (options as for Profile)."""
        from ._profile import Profile

        return Profile(self, oid, **options)

    def revoke(self, id: str, *, by: int = _enums.Selector.SERIAL,
               operation: int = _enums.StatusOp.REVOKE, reason: int = _enums.Reason.NONE,
               comment: Optional[str] = None) -> Result:
        """Revoke, suspend or resume certificates by serial (default) or seat id.

        Returns the Result (SUCCESS_CODE, DISPOSITION, REVOCATION_COUNT); failures raise a
        PkiwsError whose ``result`` carries the same.
        """
        return self._call(_lib.pkiws_revoke, *_revoke_args(id, by, operation, reason, comment))

    def revoke_start(self, id: str, *, by: int = _enums.Selector.SERIAL,
                     operation: int = _enums.StatusOp.REVOKE, reason: int = _enums.Reason.NONE,
                     comment: Optional[str] = None) -> Op:
        """:meth:`revoke` as an :class:`Op`."""
        return Op._start(self, _lib.pkiws_revoke_start, self._handle(),
                         *_revoke_args(id, by, operation, reason, comment))

    async def revoke_async(self, id: str, *, by: int = _enums.Selector.SERIAL,
                           operation: int = _enums.StatusOp.REVOKE,
                           reason: int = _enums.Reason.NONE,
                           comment: Optional[str] = None) -> Result:
        """:meth:`revoke` in the running asyncio loop, without blocking it."""
        return await run(lambda: self.revoke_start(id, by=by, operation=operation,
                                                   reason=reason, comment=comment))

    def revoke_bulk(self, ids: Sequence[str], *, by: int = _enums.Selector.SERIAL,
                    operation: int = _enums.StatusOp.REVOKE,
                    reason: int = _enums.Reason.NONE, comment: Optional[str] = None,
                    check: bool = True) -> Result:
        """bulkUpdateCertificateStatus for many serials (default), seats or profile OIDs, in
        chunks of SessionOpt.BULK_CHUNK (at most 100). The Result's ``items`` hold one
        :class:`Item` per id (see pkiws_revoke_bulk in pkiws.h for what confirms an id).
        When an id is not confirmed a PkiwsError of the first such id is raised, its
        ``result`` carrying every item; ``check=False`` returns the Result instead."""
        try:
            return self._call(_lib.pkiws_revoke_bulk,
                              *_bulk_args(ids, by, operation, reason, comment))
        except PkiwsError as exc:
            return _bulk_outcome(exc, check)

    def revoke_bulk_start(self, ids: Sequence[str], *, by: int = _enums.Selector.SERIAL,
                          operation: int = _enums.StatusOp.REVOKE,
                          reason: int = _enums.Reason.NONE,
                          comment: Optional[str] = None) -> Op:
        """:meth:`revoke_bulk` as an :class:`Op` (the ids are copied; its result raises as
        ``check=True`` does)."""
        return Op._start(self, _lib.pkiws_revoke_bulk_start, self._handle(),
                         *_bulk_args(ids, by, operation, reason, comment))

    async def revoke_bulk_async(self, ids: Sequence[str], *, by: int = _enums.Selector.SERIAL,
                                operation: int = _enums.StatusOp.REVOKE,
                                reason: int = _enums.Reason.NONE, comment: Optional[str] = None,
                                check: bool = True) -> Result:
        """:meth:`revoke_bulk` in the running asyncio loop, without blocking it."""
        try:
            return await run(lambda: self.revoke_bulk_start(ids, by=by, operation=operation,
                                                            reason=reason, comment=comment))
        except PkiwsError as exc:
            return _bulk_outcome(exc, check)

    def search(self, id: Optional[str] = None, *, by: int = 0,
               profile_oid: Optional[str] = None, start_index: int = 0) -> Result:
        """searchCertificate: certificates of a seat or serial (``by`` Selector.SEAT /
        Selector.SERIAL with ``id``), or all (``by`` 0), optionally within a profile; one page
        from ``start_index``. The Result has ``found``, SEARCH_TOTAL and SEARCH_MORE."""
        return self._call(_lib.pkiws_search, *_search_args(id, by, profile_oid, start_index))

    def search_start(self, id: Optional[str] = None, *, by: int = 0,
                     profile_oid: Optional[str] = None, start_index: int = 0) -> Op:
        """:meth:`search` as an :class:`Op`."""
        return Op._start(self, _lib.pkiws_search_start, self._handle(),
                         *_search_args(id, by, profile_oid, start_index))

    async def search_async(self, id: Optional[str] = None, *, by: int = 0,
                           profile_oid: Optional[str] = None, start_index: int = 0) -> Result:
        """:meth:`search` in the running asyncio loop, without blocking it."""
        return await run(lambda: self.search_start(id, by=by, profile_oid=profile_oid,
                                                   start_index=start_index))

    def recover(self, serial: str, issuer: str, admin_id: str, *,
                pfx_password: Optional[str] = None, preset: int = 0) -> Result:
        """keyRecovery: the escrowed key of certificate ``serial`` issued by ``issuer`` (DN), as
        a PFX with ``preset`` and ``pfx_password`` (None: generated, in PFX_PASSWORD). While
        administrators still have to approve, the Result's status is PENDING and
        APPROVALS_PENDING says how many; ask again later (e.g. as another admin)."""
        return self._call(_lib.pkiws_recover,
                          *_recover_args(serial, issuer, admin_id, pfx_password, preset))

    def recover_start(self, serial: str, issuer: str, admin_id: str, *,
                      pfx_password: Optional[str] = None, preset: int = 0) -> Op:
        """:meth:`recover` as an :class:`Op`."""
        return Op._start(self, _lib.pkiws_recover_start, self._handle(),
                         *_recover_args(serial, issuer, admin_id, pfx_password, preset))

    async def recover_async(self, serial: str, issuer: str, admin_id: str, *,
                            pfx_password: Optional[str] = None, preset: int = 0) -> Result:
        """:meth:`recover` in the running asyncio loop, without blocking it."""
        return await run(lambda: self.recover_start(serial, issuer, admin_id,
                                                    pfx_password=pfx_password, preset=preset))

    def check(self, profile_oid: Optional[str] = None) -> Result:
        """Health report: one check per step (configuration, RA credential, DNS, TCP, TLS,
        getStatus, policy fetch of ``profile_oid``). A failing step raises; the exception's
        ``result.checks`` has the whole report."""
        return self._call(_lib.pkiws_check, _conv.text(profile_oid, "profile OID"))

    def _call(self, fn: Any, *args: Any) -> Result:
        """``fn(session, *args, &result)``, a blocking operation: its Result, or it raises."""
        out = _lib.ResultP()
        with self._sink.guard():
            fn(self._handle(), *args, ctypes.byref(out))
            return Result._adopt(out)

    def __repr__(self) -> str:
        if self.closed:
            return "<pkiws.Session closed>"
        where = self.get_str(_enums.SessionOpt.BASE_URL) or self.get_str(_enums.SessionOpt.CA)
        return f"<pkiws.Session {where or '(no CA)'}>"


# ---- the arguments of an operation, shared by its blocking form and its op ----------------

def _revoke_args(id: str, by: int, operation: int, reason: int,
                 comment: Optional[str]) -> tuple:
    raw_id = _conv.text(id, "serial" if by == _enums.Selector.SERIAL else "seat id")
    return int(operation), int(by), raw_id, int(reason), _conv.text(comment, "comment")


def _bulk_args(ids: Sequence[str], by: int, operation: int, reason: int,
               comment: Optional[str]) -> tuple:
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be a sequence of strings, not one string")
    raw = [_conv.text(i, "id") for i in ids]
    arr = (ctypes.c_char_p * max(len(raw), 1))(*raw)
    # the cast keeps a reference to arr, which keeps the strings
    return (int(operation), int(by), ctypes.cast(arr, ctypes.POINTER(ctypes.c_void_p)),
            len(raw), int(reason), _conv.text(comment, "comment"))


def _bulk_outcome(exc: PkiwsError, check: bool) -> Result:
    """revoke_bulk's ``check``: raise the failure, or hand back its Result (every item)."""
    if check or exc.result is None:
        raise exc
    return exc.result


def _search_args(id: Optional[str], by: int, profile_oid: Optional[str],
                 start_index: int) -> tuple:
    return (int(by), _conv.text(id, "seat id or serial"), _conv.text(profile_oid, "profile OID"),
            int(start_index))


def _recover_args(serial: str, issuer: str, admin_id: str, pfx_password: Optional[str],
                  preset: int) -> tuple:
    return (_conv.text(serial, "serial"), _conv.text(issuer, "issuer DN"),
            _conv.text(admin_id, "admin id"), _conv.text(pfx_password, "PFX password"),
            int(preset))
