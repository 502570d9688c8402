"""Ctrl-C and SIGTERM that are never lost. Python raises a signal's exception wherever the
process happens to be; raised inside a finalizer (a __del__, a weakref callback, garbage
collection), it is printed as "Exception ignored" and dropped, and the command would go on.
So the handlers also record the signal, and long loops call `check()` at safe points, which
raises it again if it was dropped."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_pending: list[int] = []  # signals received and not yet acted on
_on_terminate: list[Callable[[], None]] = []


@contextmanager
def handled(on_terminate: Callable[[], None]) -> Iterator[None]:
    """Within: Ctrl-C raises KeyboardInterrupt and SIGTERM calls `on_terminate` (which raises),
    both recorded for `check()`."""

    def interrupted(signum, frame) -> None:
        _pending.append(signum)
        raise KeyboardInterrupt

    def terminated(signum, frame) -> None:
        _pending.append(signum)
        on_terminate()

    previous = signal.signal(signal.SIGINT, interrupted), signal.signal(signal.SIGTERM, terminated)
    _on_terminate.append(on_terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        _on_terminate.pop()
        _pending.clear()


def check() -> None:
    """Raise a signal's exception again if one arrived and was dropped on the way."""
    if signal.SIGTERM in _pending and _on_terminate:
        _on_terminate[-1]()
    if _pending:
        raise KeyboardInterrupt
