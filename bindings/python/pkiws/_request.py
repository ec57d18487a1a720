# SPDX-License-Identifier: MIT
"""Request: one identity to issue for; preflight, issue and poll."""
from __future__ import annotations

import ctypes
from typing import Any, Optional, Tuple, Union

from . import _conv, _enums, _lib
from ._handle import Handle
from ._op import Op, run
from ._profile import Profile
from ._result import Result

#: keyword name -> option, e.g. ``upn`` -> RequestOpt.UPN
_REQUEST_KEYWORDS = {opt.name.lower(): opt for opt in _enums.RequestOpt}


class Request(Handle):
    """One identity to issue for (pkiws_request), on a snapshot of ``profile``.

    Keyword arguments set RequestOpt options by name in lower case: ``cn``, ``email``,
    ``upn``, ``seat_id``, ``given_name``, ``family_name``, ``pfx_password``,
    ``friendly_name``, ``pending_ref`` (strings) and ``pfx_preset``, ``return_key``
    (integers); plus ``othername=(oid, hex)``, and ``key=`` with ``key_password=`` (the key
    of a pending request, for :meth:`poll`). A request is used by one thread at a time.
    """

    _free_fn = staticmethod(_lib.pkiws_request_free)
    _kind = "request"

    def __init__(self, profile: Profile, *, othername: Optional[Tuple[str, str]] = None,
                 key: Optional[_conv.Data] = None,
                 key_password: Optional[Union[str, bytes]] = None, **fields: Any) -> None:
        if not isinstance(profile, Profile):
            raise TypeError(f"profile must be a pkiws.Profile, not {type(profile).__name__}")
        self._sink = profile._sink
        ptr = _lib.RequestP()
        with self._sink.guard():
            _lib.pkiws_request_new(ctypes.byref(ptr), profile._handle())
        self._ptr = ptr
        try:
            self.configure(**fields)
            if othername is not None:
                self.set_othername(*othername)
            if key is not None:
                self.set_key(key, key_password)
        except BaseException:
            self.close()
            raise

    def configure(self, **fields: Any) -> "Request":
        """Set RequestOpt options by keyword; returns self."""
        for name, value in fields.items():
            opt = _REQUEST_KEYWORDS.get(name)
            if opt is None:
                raise TypeError(f"Request field {name!r} is unknown; known: "
                                f"{', '.join(sorted(_REQUEST_KEYWORDS))}, othername, key, "
                                f"key_password")
            if opt < 10000:
                self.set_int(opt, int(value))
            else:
                self.set_str(opt, value)
        return self

    def set_str(self, option: int, value: Optional[Union[str, bytes]]) -> None:
        """pkiws_request_set_str (None clears)."""
        name = getattr(option, "name", str(option)).lower()
        raw = _conv.text(value, f"request field {name}")
        with self._sink.guard():
            _lib.pkiws_request_set_str(self._handle(), int(option), raw)

    def set_int(self, option: int, value: int) -> None:
        """pkiws_request_set_int."""
        with self._sink.guard():
            _lib.pkiws_request_set_int(self._handle(), int(option), int(value))

    def set_othername(self, oid: Optional[str], hex_value: Optional[str]) -> None:
        """The otherName SAN: dotted ``oid`` and the DER value as hex (spaces, colons ok)."""
        raw_oid = _conv.text(oid, "otherName OID")
        raw_hex = _conv.text(hex_value, "otherName value")
        with self._sink.guard():
            _lib.pkiws_request_set_othername(self._handle(), raw_oid, raw_hex)

    def set_key(self, key: Optional[_conv.Data],
                password: Optional[Union[str, bytes]] = None) -> None:
        """The key kept from a PENDING result, for :meth:`poll`: PKCS#8 DER or PEM, PKCS#1,
        SEC1, or encrypted PKCS#8 (see :func:`key_encrypt`) with ``password``."""
        raw = _conv.data(key, "key")
        pw = _conv.text(password, "key password")
        with self._sink.guard():
            _lib.pkiws_request_set_key(self._handle(), raw, len(raw) if raw else 0, pw)

    def _run(self, fn: Any) -> Result:
        out = _lib.ResultP()
        with self._sink.guard():
            fn(self._handle(), ctypes.byref(out))
            return Result._adopt(out)

    def preflight(self) -> Result:
        """Resolve subject and SANs by the Intune rules and check them against the template,
        offline. The Result has the subject, the SAN trace and the checks; a failure raises
        a PkiwsError whose ``result`` has them too."""
        return self._run(_lib.pkiws_preflight)

    def issue(self) -> Result:
        """Issue the certificate (network). Returns a Result with status OK (certificate,
        chain, PFX) or PENDING (``pending_ref`` and ``key_pkcs8`` for :meth:`poll`)."""
        return self._run(_lib.pkiws_issue)

    def poll(self) -> Result:
        """Ask again for a pending request; needs ``pending_ref`` and ``key`` set."""
        return self._run(_lib.pkiws_poll)

    def renew(self, old_cert: _conv.Data) -> Result:
        """Renew ``old_cert`` (PEM or DER) for this request's identity, same seat (network):
        a new key and certificate; the Result is as for :meth:`issue`."""
        raw = _old_cert(old_cert)
        out = _lib.ResultP()
        with self._sink.guard():
            _lib.pkiws_renew(self._handle(), raw, len(raw), ctypes.byref(out))
            return Result._adopt(out)

    # ---- the same as ops (the request must stay open until the op is closed) ---------------
    def issue_start(self) -> Op:
        """:meth:`issue` as an :class:`Op`."""
        return Op._start(self, _lib.pkiws_issue_start, self._handle())

    def poll_start(self) -> Op:
        """:meth:`poll` as an :class:`Op`."""
        return Op._start(self, _lib.pkiws_poll_start, self._handle())

    def renew_start(self, old_cert: _conv.Data) -> Op:
        """:meth:`renew` as an :class:`Op` (``old_cert`` is copied)."""
        raw = _old_cert(old_cert)
        return Op._start(self, _lib.pkiws_renew_start, self._handle(), raw, len(raw))

    # ---- and in the running asyncio loop, without blocking it (pkiws._op.drive) -------------
    async def issue_async(self) -> Result:
        """:meth:`issue`, awaitable; cancelling the task cancels the issuance."""
        return await run(self.issue_start)

    async def poll_async(self) -> Result:
        """:meth:`poll`, awaitable; cancelling the task cancels it."""
        return await run(self.poll_start)

    async def renew_async(self, old_cert: _conv.Data) -> Result:
        """:meth:`renew`, awaitable; cancelling the task cancels the renewal."""
        return await run(lambda: self.renew_start(old_cert))

    def __repr__(self) -> str:
        return f"<pkiws.Request{' closed' if self.closed else ''}>"


def _old_cert(old_cert: _conv.Data) -> bytes:
    return _conv.data(old_cert, "certificate to renew") or b""
