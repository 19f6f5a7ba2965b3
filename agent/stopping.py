"""Stopping cleanly on SIGTERM and SIGINT: never in the middle of an irreversible step.

The handler only records the signal. Flows call `check()` at safe points (between orders, before the
journal's `submitting` row, between the pages of a read); it raises `Stopped` there, which the CLI maps to
exit 143 (SIGTERM) or 130 (SIGINT) and `open_runtime` records as the run's outcome `interrupted`. From the
journal row to the site's answer to the click — awaited up to its timeout, then judged and recorded — the
flow runs `critical()`: a `check()` in there is a no-op, and the stop happens at the next safe point after.

`buyer-agent schedule` installs its own `on_stop` instead: the running job ends, then the scheduler stops
and the process exits 0 (what `systemctl stop` expects). A second signal changes nothing: the stop is
already on its way, and a click in flight is still awaited.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import FrameType

from agent.errors import Stopped

__all__ = ["EXIT_CODES", "Stopped", "check", "critical", "handling", "interruptible", "requested"]

logger = logging.getLogger(__name__)

EXIT_CODES = {signal.SIGTERM: 143, signal.SIGINT: 130}  # 128 + the signal's number, as shells report it
OnStop = Callable[[signal.Signals], None]

_state: dict[str, signal.Signals | None] = {"received": None, "seen": None}  # armed for check() / any


class _Depth(threading.local):
    depth = 0  # how deep this thread is inside the section (sections nest)


_critical = _Depth()
_prompting = _Depth()  # inside interruptible(): a signal stops at once


def requested() -> signal.Signals | None:
    """The signal that asked this command to stop at its next safe point, if one did."""
    return _state["received"]


def check() -> None:
    """A safe point: raise `Stopped` when a stop was asked for (never inside `critical()`)."""
    received = _state["received"]
    if received is not None and not _critical.depth:
        raise Stopped(received.name, EXIT_CODES[received])


def critical() -> AbstractContextManager[None]:
    """From the journal's `submitting` row to the site's answer read and recorded: no stop in between.
    Entering it is the last safe point."""
    return _section(_critical)


def interruptible() -> AbstractContextManager[None]:
    """A wait where stopping at once is safe (a prompt for a person's yes or a one-time code): a signal
    raises `Stopped` right there instead of waiting for the next safe point."""
    return _section(_prompting)


@contextmanager
def _section(section: _Depth) -> Iterator[None]:
    """A safe point, then this thread counted into `section` for the block."""
    check()
    section.depth += 1
    try:
        yield
    finally:
        section.depth -= 1


@contextmanager
def handling(on_stop: OnStop | None = None) -> Iterator[None]:
    """SIGTERM and SIGINT handled as above while the block runs (the previous handlers come back after).
    `on_stop(signal)`: called on the first signal instead of arming `check()`. Outside the main thread
    (nothing can be installed there) the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state["received"] = _state["seen"] = None
    previous = {sig: signal.signal(sig, _handler(on_stop)) for sig in EXIT_CODES}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _handler(on_stop: OnStop | None) -> Callable[[int, FrameType | None], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        sig = signal.Signals(signum)
        if _state["seen"] is not None:
            logger.warning("%s: already stopping at the next safe point", sig.name)
            return
        _state["seen"] = sig
        logger.warning("%s received: stopping at the next safe point", sig.name)
        if on_stop is not None:
            on_stop(sig)
            return
        _state["received"] = sig
        if _prompting.depth and not _critical.depth:
            check()  # a person's prompt: nothing to finish, stop now

    return handle
