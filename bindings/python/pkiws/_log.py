# SPDX-License-Identifier: MIT
"""The callback bridges of a session (log and progress): one C trampoline each per session,
kept alive as long as C may call them.

C calls a trampoline on the thread that called into the library. The trampoline calls the
Python callable; an exception raised there cannot cross into C, so it is stored (per thread)
and re-raised by :meth:`LogSink.guard` once the library call has returned. For the progress
callback the exception also cancels the call (the callback returns nonzero to C).
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator, Optional

from . import _enums, _lib

#: ``callback(level, domain, txid, message)``; domain is "core", "xml", "crypto", "http" or
#: "tls", txid the client transaction id ("" outside an operation).
LogCallback = Callable[[_enums.LogLevel, str, str, str], None]
#: ``callback(operation, event, attempt, ms)`` -> truthy to cancel; operation is "issuance",
#: "search", "policy fetch", ..., event a ProgressEvent.
ProgressCallback = Callable[[str, _enums.ProgressEvent, int, int], Any]


def _text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


class LogSink:
    """Holds the Python callables (log, progress) and the CFUNCTYPE trampolines registered
    with C.

    A session owns one; its profiles and requests hold a reference too, because the C objects
    keep the session (and so the registered callback) alive after the Python Session closes.
    """

    def __init__(self) -> None:
        self.callback: Optional[LogCallback] = None
        self.progress: Optional[ProgressCallback] = None
        self._pending = threading.local()
        # the C function pointers: referenced here for as long as the sink lives (a C op or
        # call may still hold one after the callable was replaced: it then finds None)
        self.c_callback = _lib.LOG_CB(self._trampoline)
        self.c_progress = _lib.PROGRESS_CB(self._progress_trampoline)

    def _keep(self, exc: BaseException) -> None:
        """Store what a callback raised, for guard() to re-raise (the first one wins)."""
        if getattr(self._pending, "exc", None) is None:
            self._pending.exc = exc

    def _progress_trampoline(self, user_data: Any, operation: Optional[bytes], event: int,
                             attempt: int, ms: int) -> int:
        callback = self.progress
        if callback is None:
            return 0
        try:
            return 1 if callback(_text(operation), _enums.as_enum(_enums.ProgressEvent, event),
                                 attempt, ms) else 0
        except BaseException as exc:  # noqa: B036 - nothing may unwind into C
            self._keep(exc)
            return 1  # an exception (Ctrl-C too) cancels the call, then it is re-raised

    def _trampoline(self, level: int, domain: Optional[bytes], txid: Optional[bytes],
                    msg: Optional[bytes], user_data: Any) -> None:
        callback = self.callback
        if callback is None:
            return
        try:
            callback(_enums.as_enum(_enums.LogLevel, level), _text(domain), _text(txid),
                     _text(msg))
        except BaseException as exc:  # noqa: B036 - nothing may unwind into C
            self._keep(exc)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run a library call; afterwards re-raise what the callback raised during it.

        Re-entrant: a callback that calls into pkiws again does not lose the outer state.
        """
        state = self._pending
        depth = getattr(state, "depth", 0)
        if depth == 0:
            state.exc = None
        state.depth = depth + 1
        try:
            yield
        finally:
            state.depth = depth
            if depth == 0:
                exc = getattr(state, "exc", None)
                state.exc = None
                if exc is not None:
                    raise exc
