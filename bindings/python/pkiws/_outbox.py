# SPDX-License-Identifier: MIT
"""Outbox: the durable revocation outbox (pkiws_outbox_*, docs/outbox.md)."""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from . import _conv, _enums, _lib
from ._handle import Handle

if TYPE_CHECKING:  # pragma: no cover
    from ._session import Session

#: step(entry_id, step): called after each step of an entry (OutboxStep)
StepCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class OutboxEntry:
    """One entry of the outbox, as pkiws_outbox_list saw it."""

    id: int
    operation: int  #: StatusOp
    selector: int  #: Selector
    target: str  #: the serial (normalised hex) or the seat id
    reason: int  #: Reason
    state: int  #: OutboxState
    attempts: int
    success_code: int
    last_code: int  #: ErrorCode of the last failure, 0 without one
    last_error: Optional[str]
    txid: str  #: the clientTransactionID of every send
    next_attempt_ms: int
    created_ms: int


class Outbox(Handle):
    """A durable queue of revoke / suspend / resume requests in one SQLite file.

    ``Outbox(session, "outbox.db")``; :meth:`add` queues (nothing is sent), :meth:`run` sends
    until the CA confirms and a search shows the new status, :meth:`entries` lists. Raises
    :class:`~pkiws.UnsupportedError` when the library is built without SQLite.
    """

    _free_fn = staticmethod(_lib.pkiws_outbox_free)
    _kind = "outbox"

    def __init__(self, session: "Session", path: _conv.PathLike) -> None:
        self._session = session
        self._step_cb: Optional[object] = None
        ptr = _lib.OutboxP()
        _lib.pkiws_outbox_open(session._handle(), _conv.path(path, "outbox file"),
                               ctypes.byref(ptr))
        self._ptr = ptr

    def add(self, id: str, *, by: int = _enums.Selector.SERIAL,
            operation: int = _enums.StatusOp.REVOKE, reason: int = _enums.Reason.NONE) -> int:
        """Queue an operation for a serial (default) or a seat; returns the entry id (that of
        the pending entry for the same operation and target, when there is one)."""
        raw = _conv.text(id, "serial" if by == _enums.Selector.SERIAL else "seat id")
        out = ctypes.c_int64()
        _lib.pkiws_outbox_add(self._handle(), int(operation), int(by), raw, int(reason),
                              ctypes.byref(out))
        return out.value

    def run(self, max_seconds: int = 0) -> int:
        """Work on the pending entries until none is left or ``max_seconds`` have passed
        (0: no deadline); returns how many are still pending."""
        pending = ctypes.c_int()
        with self._session._sink.guard():
            _lib.pkiws_outbox_run(self._handle(), int(max_seconds), ctypes.byref(pending))
        return pending.value

    @property
    def pending(self) -> int:
        """Number of entries not yet done or failed."""
        n = ctypes.c_int()
        _lib.pkiws_outbox_pending_count(self._handle(), ctypes.byref(n))
        return n.value

    def entries(self, all: bool = False) -> list[OutboxEntry]:
        """The pending entries (``all``: every entry), by id."""
        h = self._handle()
        n = ctypes.c_size_t()
        _lib.pkiws_outbox_list(h, 1 if all else 0, ctypes.byref(n))
        out = []
        for i in range(n.value):
            def num(item: int) -> int:
                v = ctypes.c_int64()
                _lib.pkiws_outbox_entry_int(h, i, int(item), ctypes.byref(v))
                return v.value

            def text(item: int) -> Optional[str]:
                return _conv.borrowed_str(_lib.pkiws_outbox_entry_str(h, i, int(item)))

            I = _enums.OutboxItem
            out.append(OutboxEntry(
                id=num(I.ID), operation=num(I.OPERATION), selector=num(I.SELECTOR),
                target=text(I.TARGET) or "", reason=num(I.REASON), state=num(I.STATE),
                attempts=num(I.ATTEMPTS), success_code=num(I.SUCCESS_CODE),
                last_code=num(I.LAST_CODE), last_error=text(I.LAST_ERROR),
                txid=text(I.TXID) or "", next_attempt_ms=num(I.NEXT_ATTEMPT),
                created_ms=num(I.CREATED)))
        return out

    def set_step_callback(self, callback: Optional[StepCallback]) -> None:
        """Call ``callback(entry_id, step)`` after each step of :meth:`run` (None: remove).
        Exceptions raised by the callback are ignored (it runs inside the C library)."""
        if callback is None:
            _lib.pkiws_outbox_set_step_callback(self._handle(), _lib.OUTBOX_STEP_CB(), None)
            self._step_cb = None
            return

        def trampoline(entry_id: int, step: int, _user: Optional[int]) -> None:
            try:
                callback(entry_id, step)
            except Exception:  # pragma: no cover - must not unwind through C
                pass

        cb = _lib.OUTBOX_STEP_CB(trampoline)
        _lib.pkiws_outbox_set_step_callback(self._handle(), cb, None)
        self._step_cb = cb  # kept alive as long as the C side may call it


def state_name(state: int) -> str:
    """"queued", "sent", "accepted", "done", "failed" (pkiws_outbox_state_name)."""
    return _conv.borrowed_str(_lib.pkiws_outbox_state_name(int(state))) or "unknown"
