# SPDX-License-Identifier: MIT
"""Op: an operation in progress (pkiws_op), driven by the host, and its asyncio driver.

An op is started by ``Request.issue_start()``, ``renew_start()``, ``poll_start()``,
``Profile.fetch_policy_start()``, ``Session.revoke_start()``, ``revoke_bulk_start()``,
``search_start()`` or ``recover_start()``. The host then either does the HTTP exchanges itself
(sans-I/O: :meth:`Op.next`, :meth:`Op.http_request`, :meth:`Op.feed`...), or lets pkiws
perform them on a pkiws thread without blocking (driver mode: :meth:`Op.perform` whenever a
descriptor of :meth:`Op.fds` is ready or its timeout has passed). :func:`drive` is driver mode
in the running asyncio loop; the ``*_async`` methods of Request, Profile and Session are built
on it.
"""
from __future__ import annotations

import asyncio
import ctypes
from typing import TYPE_CHECKING, Any, Callable, Mapping, NamedTuple, Optional, Union

from . import _conv, _enums, _errors, _lib
from ._handle import Handle
from ._result import Result

if TYPE_CHECKING:  # pragma: no cover
    from ._log import LogSink

#: Room for descriptors passed to pkiws_op_fds first (an op waits on one today).
_FDS_ROOM = 4


class HttpRequest(NamedTuple):
    """The HTTP exchange an op wants (Op.http_request): POST ``body`` to ``url`` with
    ``headers`` (Content-Type and SOAPAction), over mutual TLS with the RA credential."""

    url: str
    headers: dict[str, str]
    body: bytes


def _header_lines(headers: Union[None, str, Mapping[str, str]]) -> Optional[bytes]:
    """Response headers for pkiws_op_feed: "Name: value\\r\\n" lines (None: none)."""
    if headers is None or isinstance(headers, str):
        return _conv.text(headers, "response headers")
    return _conv.text("".join(f"{k}: {v}\r\n" for k, v in headers.items()),
                      "response headers")


class Op(Handle):
    """One operation in progress (pkiws_op); made by the ``*_start`` methods.

    Used by one thread at a time. ``close()`` (or leaving a ``with`` block) frees it, cancelling
    it when it still runs. The object keeps the Python object it was started from alive, since
    the C op borrows a request until it is freed.
    """

    _free_fn = staticmethod(_lib.pkiws_op_free)
    _kind = "op"

    def __init__(self) -> None:
        raise TypeError("Op objects are made by the *_start methods (Request.issue_start, ...)")

    @classmethod
    def _start(cls, owner: Any, start: Callable[..., int], *args: Any) -> "Op":
        """Run ``start(*args, &op)`` (a pkiws_*_start) and wrap the op; ``owner`` (a Request,
        Profile or Session with a ``_sink``) is kept alive as long as the op."""
        sink: LogSink = owner._sink
        ptr = _lib.OpP()
        try:
            with sink.guard():
                start(*args, ctypes.byref(ptr))
        except BaseException:
            _lib.pkiws_op_free(ptr)  # NULL when the start itself failed
            raise
        self = cls.__new__(cls)
        self._ptr = ptr
        self._sink = sink
        self._owner = owner
        return self

    # ---- sans-I/O: the host does the exchanges ----------------------------------------------
    def next(self) -> Union[_enums.OpWant, int]:
        """Advance as far as possible without I/O: OpWant.WANT_HTTP, WANT_WAIT or DONE."""
        want = ctypes.c_int()
        with self._sink.guard():
            _lib.pkiws_op_next(self._handle(), ctypes.byref(want))
        return _enums.as_enum(_enums.OpWant, want.value)

    def http_request(self) -> HttpRequest:
        """The exchange wanted (after next() gave WANT_HTTP); StateError when none is."""
        url, headers, body = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
        size = ctypes.c_size_t()
        with self._sink.guard():
            _lib.pkiws_op_http_request(self._handle(), ctypes.byref(url), ctypes.byref(headers),
                                       ctypes.byref(body), ctypes.byref(size))
        parsed: dict[str, str] = {}
        for line in (_conv.borrowed_str(headers.value) or "").split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                parsed[name.strip()] = value.strip()
        return HttpRequest(_conv.borrowed_str(url.value) or "", parsed,
                           _conv.borrowed_bytes(body.value, size.value))

    def feed(self, status: int, body: _conv.Data,
             headers: Union[None, str, Mapping[str, str]] = None) -> None:
        """The answer to the exchange: HTTP ``status``, ``body`` and optionally the response
        ``headers`` (a mapping or "Name: value\\r\\n" lines). StateError when no exchange is
        wanted (also while pkiws performs it, in driver mode)."""
        raw = _conv.data(body, "response body") or b""
        lines = _header_lines(headers)
        with self._sink.guard():
            _lib.pkiws_op_feed(self._handle(), int(status), lines, raw, len(raw))

    def feed_error(self, code: int, message: Optional[str] = None) -> None:
        """The exchange failed without an HTTP answer: ``code`` an ErrorCode (CONNECT, TIMEOUT,
        PROTOCOL are retried when the session's retries allow; others end the op)."""
        raw = _conv.text(message, "transport failure message")
        with self._sink.guard():
            _lib.pkiws_op_feed_error(self._handle(), int(code), raw)

    def wait_ms(self) -> int:
        """Milliseconds left of the back-off (WANT_WAIT; 0 when over or not waiting)."""
        ms = ctypes.c_int64()
        _lib.pkiws_op_wait_ms(self._handle(), ctypes.byref(ms))
        return ms.value

    # ---- driver mode: pkiws does the exchanges ----------------------------------------------
    def perform(self) -> bool:
        """Advance the op as far as it goes now, starting the exchange it wants on a pkiws
        thread (never blocks on the network); True once it is done (see :meth:`result`)."""
        done = ctypes.c_int()
        with self._sink.guard():
            _lib.pkiws_op_perform(self._handle(), ctypes.byref(done))
        return bool(done.value)

    def fds(self) -> tuple[list[tuple[int, _enums.PollEvent]], Optional[int]]:
        """What to wait on before the next :meth:`perform`: the descriptors with their
        PollEvent bits, and the longest wait in milliseconds (None: only the descriptors;
        0: perform now)."""
        cap = _FDS_ROOM
        while True:
            fds, events = (ctypes.c_int * cap)(), (ctypes.c_int * cap)()
            n, timeout = ctypes.c_size_t(), ctypes.c_int64()
            try:
                _lib.pkiws_op_fds(self._handle(), fds, events, cap, ctypes.byref(n),
                                  ctypes.byref(timeout))
                break
            except _errors.LimitError:
                if n.value <= cap:
                    raise
                cap = n.value  # *n is the number needed
        ready = [(fds[i], _enums.PollEvent(events[i])) for i in range(n.value)]
        return ready, None if timeout.value < 0 else timeout.value

    # ---- outcome ----------------------------------------------------------------------------
    def result(self) -> Result:
        """The result of the finished op, as the blocking call gives it: a Result for success
        (and PENDING); a failure raises the PkiwsError subclass of its code with the failed
        Result in ``result`` (a cancelled op: pkiws.CancelledError). StateError while it runs
        or when the result was taken already."""
        out = _lib.ResultP()
        with self._sink.guard():
            _lib.pkiws_op_result(self._handle(), ctypes.byref(out))
            return Result._adopt(out)

    def cancel(self) -> None:
        """End the op now (done, result PKIWS_E_CANCELLED); nothing on a finished op. An
        enrolment that went out may still be issued by the CA (docs/async.md)."""
        with self._sink.guard():
            _lib.pkiws_op_cancel(self._handle())

    async def run_async(self) -> Result:
        """:func:`drive` this op in the running asyncio loop."""
        return await drive(self)

    def __repr__(self) -> str:
        return f"<pkiws.Op{' closed' if self.closed else ''}>"


async def drive(op: Op) -> Result:
    """Drive ``op`` to its end in the running asyncio loop, in driver mode, and return
    ``op.result()`` (which raises for a failed op).

    No thread of Python's: pkiws performs each exchange on a pkiws thread, the loop waits on
    the op's descriptors (``loop.add_reader`` / ``add_writer``) and its back-off
    (``loop.call_later``) and calls :meth:`Op.perform` when one fires. Cancelling the awaiting
    task cancels the op (pkiws_op_cancel) and raises ``asyncio.CancelledError`` at once; an
    exchange already sent ends on its pkiws thread. The op stays the caller's to close.
    """
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[None] = loop.create_future()
    readers: list[int] = []
    writers: list[int] = []
    timer: list[asyncio.TimerHandle] = []

    def unwatch() -> None:
        for fd in readers:
            loop.remove_reader(fd)
        for fd in writers:
            loop.remove_writer(fd)
        for handle in timer:
            handle.cancel()
        readers.clear()
        writers.clear()
        timer.clear()

    def step() -> None:
        unwatch()
        if finished.done():
            return
        try:
            if op.perform():
                finished.set_result(None)
                return
            fds, timeout = op.fds()
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting task
            finished.set_exception(exc)
            return
        for fd, events in fds:
            if events & _enums.PollEvent.IN:
                loop.add_reader(fd, step)
                readers.append(fd)
            if events & _enums.PollEvent.OUT:
                loop.add_writer(fd, step)
                writers.append(fd)
        if timeout is not None or not fds:
            timer.append(loop.call_later((timeout or 0) / 1000.0, step))

    try:
        step()
        await finished
    except BaseException:
        # the task was cancelled (or perform failed): the op ends now, not when the exchange
        # that is out comes back
        unwatch()
        if not op.closed:
            op.cancel()
        raise
    finally:
        unwatch()  # before the op (and with it the descriptor) may be freed
    return op.result()


async def run(start: Callable[[], Op]) -> Result:
    """Start an op with ``start()``, :func:`drive` it, close it: the ``*_async`` methods."""
    with start() as op:
        return await drive(op)
