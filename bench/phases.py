"""Where a cancel's time goes: wraps the agent's steps with timers for the benchmark (never in the agent).

Each step's time is exclusive: a step called inside another (a store write inside a read) counts for the
inner one only, so the phases add up to the whole. Time inside the measured call that no step claims is
"flow logic" (policy, matching, Python).

    phases = Phases()
    with phases.installed(), phases.phase("flow logic"):
        cancel_orders(...)
    phases.totals  # {"open order": 1.2, "store": 0.3, ...} in seconds
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import agent.flows.cancel as cancel_flow
import agent.flows.cancel_submit as cancel_submit
import agent.pages.cancel_opening as cancel_opening
import agent.pages.order_detail as order_detail
from agent.browser import BrowserSession
from agent.pages.cancel_dialog import CancelDialog
from agent.store import Store

ORDER = ("open order", "find control", "dialog", "reason", "confirm + answer", "read back", "evidence",
         "store", "flow logic")  # fmt: skip


class Phases:
    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._mark = 0.0

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        now = time.perf_counter()
        if self._stack:
            self.totals[self._stack[-1]] += now - self._mark
        self._stack.append(name)
        self._mark = now
        try:
            yield
        finally:
            now = time.perf_counter()
            self.totals[self._stack.pop()] += now - self._mark
            self._mark = now

    def _wrap(self, fn: Callable[..., Any], name: str | Callable[..., str]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name if isinstance(name, str) else name(*args, **kwargs)):
                return fn(*args, **kwargs)

        return timed

    @contextlib.contextmanager
    def installed(self) -> Iterator[Phases]:
        """The timers in place for the block; the agent's own functions back afterwards."""

        def first_or_again(*args: Any, **kwargs: Any) -> str:
            return "read back" if kwargs.get("before") is not None else "open order"

        targets: list[tuple[Any, str, str | Callable[..., str]]] = [
            (cancel_flow, "read_detail", first_or_again),
            (cancel_flow, "read_order", "read back"),
            (cancel_submit, "read_detail", first_or_again),
            (cancel_submit, "read_order", "read back"),
            (cancel_submit, "settle", "read back"),
            (cancel_flow, "open_dialog", "find control"),
            (order_detail, "open_cancel_form", "dialog"),
            (CancelDialog, "wait_open", "dialog"),  # the form from an order row (list-row layouts)
            (cancel_opening, "open_cancel_form", "dialog"),
            (cancel_flow, "_choose_reason", "reason"),
            (cancel_flow, "_double_check", "reason"),
            (CancelDialog, "confirm", "confirm + answer"),
            (BrowserSession, "screenshot", "evidence"),
        ]
        methods = [n for n, v in vars(Store).items() if inspect.isfunction(v) and not n.startswith("_")]
        targets += [(Store, n, "store") for n in methods]
        saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in targets]  # a renamed one fails
        for owner, attr, name in targets:
            setattr(owner, attr, self._wrap(getattr(owner, attr), name))
        try:
            yield self
        finally:
            for owner, attr, original in saved:
                setattr(owner, attr, original)

    def lines(self, per: int) -> list[str]:
        """Milliseconds per cancel for each phase (`per` cancels measured), in the flow's order."""
        total = sum(self.totals.values())
        out = []
        for name in ORDER:
            value = self.totals.get(name, 0.0)
            share = 100 * value / total if total else 0.0
            out.append(f"  {name:20}{1000 * value / per:>8.0f} ms{share:>6.0f} %")
        return out
