"""Putting requests into a state for a test the way the agent does it: a guarded transition from whatever
state the request is in now (agent.transitions); a request that starts elsewhere than an entry state is
inserted (Store.insert_request never overwrites). And a test clock the store and the agent take."""

from __future__ import annotations

import datetime as dt
from typing import Any

from agent.models import CancelRequest, RequestState
from agent.store import Store
from agent.transitions import can_move


def move(store: Store, order_id: str, state: RequestState | str, run_id: int | None = None,
         **fields: Any) -> CancelRequest:  # fmt: skip
    state = RequestState(state)
    current = store.get_request(order_id)
    if current is None and not can_move(None, state):
        fields.pop("detail", None)
        fields.pop("evidence", None)
        return store.insert_request(order_id, state, run_id, **fields)
    return store.transition(order_id, state, expected=current.state if current else None, run_id=run_id,
                            **fields)  # fmt: skip


class Clock:
    """Stands still at `now` until a test moves it: `clock.now = …`, `advance(hours)`, `at(hours)`."""

    def __init__(self, start: dt.datetime) -> None:
        self.start = self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += dt.timedelta(hours=hours)

    def at(self, hours: float) -> dt.datetime:
        """`hours` after the start; the clock stays there."""
        self.now = self.start + dt.timedelta(hours=hours)
        return self.now
