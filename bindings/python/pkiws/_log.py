# SPDX-License-Identifier: MIT
"""The log callback bridge: one C trampoline per session, kept alive as long as C may call it.

C calls the trampoline on the thread that called into the library. The trampoline calls the
Python callable; an exception raised there cannot cross into C, so it is stored (per thread)
and re-raised by :meth:`LogSink.guard` once the library call has returned.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator, Optional

from . import _enums, _lib

#: ``callback(level, domain, txid, message)``; domain is "core", "xml", "crypto", "http" or
#: "tls", txid the client transaction id ("" outside an operation).
LogCallback = Callable[[_enums.LogLevel, str, str, str], None]


def _text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


class LogSink:
    """Holds the Python callable and the CFUNCTYPE trampoline registered with C.

    A session owns one; its profiles and requests hold a reference too, because the C objects
    keep the session (and so the registered callback) alive after the Python Session closes.
    """

    def __init__(self) -> None:
        self.callback: Optional[LogCallback] = None
        self._pending = threading.local()
        # the C function pointer: referenced here for as long as the sink lives
        self.c_callback = _lib.LOG_CB(self._trampoline)

    def _trampoline(self, level: int, domain: Optional[bytes], txid: Optional[bytes],
                    msg: Optional[bytes], user_data: Any) -> None:
        callback = self.callback
        if callback is None:
            return
        try:
            callback(_enums.as_enum(_enums.LogLevel, level), _text(domain), _text(txid),
                     _text(msg))
        except BaseException as exc:  # noqa: B036 - nothing may unwind into C
            if getattr(self._pending, "exc", None) is None:
                self._pending.exc = exc

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
