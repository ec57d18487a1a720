# SPDX-License-Identifier: MIT
"""The base of the four handle classes: one owner, close() / with-statement, __del__ last."""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Optional

from . import _errors


class Handle:
    """Owns one C handle; ``close()`` frees it (idempotent), so does leaving a ``with`` block.

    The C library keeps what a handle needs from its parents (a profile keeps its session, a
    request its profile, a result is self-contained), so handles may be closed in any order.
    Using a closed object raises :class:`~pkiws.InvalidHandleError`.
    """

    #: the pkiws_*_free function of the handle type (set by each subclass)
    _free_fn: ClassVar[Callable[[Any], None]]
    _kind: ClassVar[str] = "handle"

    _ptr: Any = None

    def _handle(self) -> Any:
        """The live C pointer, or InvalidHandleError when closed."""
        ptr = self._ptr
        if not ptr:
            raise _errors.make(_errors.E_INVALID_HANDLE, "PKIWS_E_INVALID_HANDLE",
                               f"this {self._kind} is closed")
        return ptr

    @property
    def closed(self) -> bool:
        """True once close() has run."""
        return not self._ptr

    def close(self) -> None:
        """Free the C handle now (safe to call more than once)."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            type(self)._free_fn(ptr)

    def __enter__(self) -> Any:
        self._handle()
        return self

    def __exit__(self, *exc: Optional[object]) -> None:
        self.close()

    def __del__(self) -> None:
        # last resort only: at interpreter exit, module globals may already be gone, but the
        # free function is held by the class
        try:
            self.close()
        except Exception:  # pragma: no cover
            pass
