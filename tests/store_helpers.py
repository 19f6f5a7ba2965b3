"""Putting requests into a state for a test the way the agent does it: a guarded transition from whatever
state the request is in now (agent.transitions); a request that starts elsewhere than an entry state is
inserted (Store.insert_request never overwrites)."""

from __future__ import annotations

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
