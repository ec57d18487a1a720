# SPDX-License-Identifier: MIT
"""Profile: one certificate profile (OID, Intune-style selections, the CA's template)."""
from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from . import _conv, _enums, _lib
from ._handle import Handle
from ._op import Op, run
from ._result import Result
from ._session import Session

if TYPE_CHECKING:  # pragma: no cover
    from ._request import Request

#: keyword name -> option, e.g. ``san_types`` -> ProfileOpt.SAN_TYPES
_PROFILE_KEYWORDS = {opt.name.lower(): opt for opt in _enums.ProfileOpt}


class TemplateAttribute(NamedTuple):
    """One attribute of a profile's template (pkiws_profile_template_attribute)."""

    name: str  #: attributeName, the nameValuePair key sent to the CA
    type: Optional[str]  #: "CN", "rfc822Name", "otherName:<OID>"..., None when absent
    fixed_value: Optional[str]  #: the value the template fixes, else None
    mandatory: bool
    in_san: bool  #: a SAN extension attribute (else a subject or other attribute)
    field: Union[_enums.Field, int]  #: the Field that fills it (0: none)


class Profile(Handle):
    """A certificate profile (pkiws_profile) for ``oid`` on ``session``.

    Keyword arguments set ProfileOpt options by name in lower case: ``subject_format``
    (SubjectFormat), ``san_types`` (SanType flags), ``key_type`` (KeyType), ``pfx_preset``
    (PfxPreset), ``othername_compat`` (bool). The C profile keeps its session alive, so the
    Session object may be closed first.
    """

    _free_fn = staticmethod(_lib.pkiws_profile_free)
    _kind = "profile"

    def __init__(self, session: Session, oid: str, **options: Any) -> None:
        if not isinstance(session, Session):
            raise TypeError(f"session must be a pkiws.Session, not {type(session).__name__}")
        self._sink = session._sink  # C may log through the session while this profile lives
        raw = _conv.text(oid, "profile OID")
        ptr = _lib.ProfileP()
        with self._sink.guard():
            _lib.pkiws_profile_new(ctypes.byref(ptr), session._handle(), raw)
        self._ptr = ptr
        self.oid = oid
        try:
            self.configure(**options)
        except BaseException:
            self.close()
            raise

    def configure(self, **options: Any) -> "Profile":
        """Set ProfileOpt options by keyword; returns self."""
        for key, value in options.items():
            opt = _PROFILE_KEYWORDS.get(key)
            if opt is None:
                raise TypeError(f"Profile option {key!r} is unknown; known: "
                                f"{', '.join(sorted(_PROFILE_KEYWORDS))}")
            self.set_int(opt, int(value))
        return self

    def set_int(self, option: int, value: int) -> None:
        """pkiws_profile_set_int."""
        with self._sink.guard():
            _lib.pkiws_profile_set_int(self._handle(), int(option), int(value))

    def set_mapping(self, field: int, attribute_name: Optional[str]) -> None:
        """Make ``field`` (a Field) fill the template attribute ``attribute_name``
        (case-insensitive); None restores the built-in convention."""
        raw = _conv.text(attribute_name, "attribute name")
        with self._sink.guard():
            _lib.pkiws_profile_set_mapping(self._handle(), int(field), raw)

    def load_template(self, xml: Union[bytes, str]) -> None:
        """Load the template offline from a getPoliciesResponse document (bare or in SOAP)."""
        raw = _conv.data(xml, "template document") or b""
        with self._sink.guard():
            _lib.pkiws_profile_load_template(self._handle(), raw, len(raw))

    def load_template_file(self, path: _conv.PathLike) -> None:
        """As load_template, from a file."""
        raw = _conv.path(path, "template path")
        with self._sink.guard():
            _lib.pkiws_profile_load_template_file(self._handle(), raw)

    def fetch_policy(self) -> None:
        """Fetch the template from the CA's policy service and cache it (network)."""
        with self._sink.guard():
            _lib.pkiws_profile_fetch_policy(self._handle())

    def fetch_policy_start(self) -> Op:
        """:meth:`fetch_policy` as an :class:`Op`; its Result has ``attempts`` and
        ``client_txid``."""
        return Op._start(self, _lib.pkiws_profile_fetch_policy_start, self._handle())

    async def fetch_policy_async(self) -> Result:
        """:meth:`fetch_policy` in the running asyncio loop, without blocking it. Returns the
        op's Result (``attempts``, ``client_txid``); the template is cached in the profile."""
        return await run(self.fetch_policy_start)

    def verify(self) -> Result:
        """Pre-flight the selections against the template: one verdict per attribute.
        A mismatch raises PolicyMismatchError whose ``result.checks`` explains it."""
        out = _lib.ResultP()
        with self._sink.guard():
            _lib.pkiws_profile_verify(self._handle(), ctypes.byref(out))
            return Result._adopt(out)

    def template_int(self, item: int) -> Optional[int]:
        """An integer fact (TemplateInt) of the template, or None when there is none yet."""
        out = ctypes.c_int64()
        rc = _lib.pkiws_profile_template_int(self._handle(), int(item), ctypes.byref(out))
        return None if rc else out.value

    @property
    def template_attributes(self) -> list[TemplateAttribute]:
        """The template's attributes (subject first, then SAN / other); [] without template."""
        h = self._handle()
        count = self.template_int(_enums.TemplateInt.ATTRIBUTE_COUNT) or 0
        out = []
        for i in range(count):
            name, typ, fixed = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
            mandatory, in_san, field = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
            _lib.pkiws_profile_template_attribute(
                h, i, ctypes.byref(name), ctypes.byref(typ), ctypes.byref(fixed),
                ctypes.byref(mandatory), ctypes.byref(in_san), ctypes.byref(field))
            out.append(TemplateAttribute(
                _conv.borrowed_str(name.value) or "", _conv.borrowed_str(typ.value),
                _conv.borrowed_str(fixed.value), bool(mandatory.value), bool(in_san.value),
                _enums.as_enum(_enums.Field, field.value)))
        return out

    def request(self, **fields: Any) -> "Request":
        """A :class:`Request` on this profile (fields as for Request)."""
        from ._request import Request

        return Request(self, **fields)

    def __repr__(self) -> str:
        return f"<pkiws.Profile {self.oid}{' closed' if self.closed else ''}>"
