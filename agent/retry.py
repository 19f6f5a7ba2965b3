"""Retries with exponential backoff, by stamina: the one retry library of the agent (session reads in
agent.flows.session, notifications in jobs.notify). stamina's own log line per retry
("stamina.retry_scheduled", no detail) is switched off: each caller logs what failed in its own words.
Tests remove the waits with `stamina.set_testing(True, attempts=N, cap=True)`."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stamina._core import _RetryContextIterator

__all__ = ["retry_context"]


@functools.cache
def _quiet() -> None:
    import stamina.instrumentation

    stamina.instrumentation.set_on_retry_hooks([])


def retry_context(
    on: type[Exception] | tuple[type[Exception], ...], attempts: int, wait_initial: float, wait_max: float,
    wait_jitter: float = 1.0,
) -> _RetryContextIterator:  # fmt: skip
    """`for attempt in retry_context(...): with attempt: …` — `attempts` tries, no overall timeout."""
    import stamina

    _quiet()
    return stamina.retry_context(on=on, attempts=attempts, timeout=None, wait_initial=wait_initial,
                                 wait_max=wait_max, wait_jitter=wait_jitter)  # fmt: skip
