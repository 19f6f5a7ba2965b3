"""Escalation before a dispute — contact the seller, then customer service — as pure rules over the
journal. Escalations are events and flags, never request states (agent.transitions is untouched):

- a message is an irreversible submission journalled like cancel and dispute (agent.journal) under the
  action `message_seller` / `message_support`; it counts as sent when the site shows it in the
  conversation: then an `escalated` event (detail `level`) is written and the attempt closed `sent`;
- a level is *settled* once sent, or once its unanswered attempt was handed to a person (closed
  `needs_human`): either way it is never sent again. The sweep's ladder also moves past a level the site
  does not offer (`message_unavailable`: no "Contact seller" on the order).

The ladder (policy `escalate_seller_after_hours` < `escalate_support_after_hours`, counted from when the
request entered `stalled` or `rejected`); each contact gets the hours between the two to answer:
seller due at since + seller_h · support due at max(since + support_h, seller settled + window) ·
dispute flag due at support settled + window, where window = support_h − seller_h.
No I/O, no clock of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from agent import journal
from agent.config import PolicyConfig
from agent.models import CancelRequest, Event, RequestState

__all__ = [
    "ACTIONS",
    "ESCALATED",
    "LEVELS",
    "SENT",
    "UNAVAILABLE",
    "due_now",
    "Ladder",
    "Level",
    "Next",
    "ladder_of",
    "next_of",
    "settled_levels",
]

S = RequestState
Level = Literal["seller", "support"]
LEVELS: tuple[Level, ...] = ("seller", "support")
ACTIONS: dict[Level, str] = {"seller": "message_seller", "support": "message_support"}
SENT, UNAVAILABLE = "escalated", "message_unavailable"
# The states the sweep escalates (with policy.auto_escalate) before flagging them for a dispute.
ESCALATED = frozenset({S.STALLED, S.REJECTED})


class Ladder(BaseModel):
    """Where one request stands: when it entered its state, and when each level was settled."""

    since: dt.datetime | None = None
    settled: dict[str, dt.datetime] = Field(default_factory=dict)  # level → sent (or handed to a person)
    skipped: dict[str, dt.datetime] = Field(default_factory=dict)  # level → the site offered no way


class Next(BaseModel):
    """What comes next on the ladder, and from when."""

    step: Literal["seller", "support", "dispute"]
    due: dt.datetime


def settled_levels(events: Iterable[Event]) -> dict[str, dt.datetime]:
    """level → when it was settled: an `escalated` event, or an attempt closed `needs_human`."""
    found: dict[str, dt.datetime] = {}
    by_action = {action: level for level, action in ACTIONS.items()}
    for event in events:
        if event.kind == SENT:
            level = str(event.detail.get("level", ""))
        elif event.kind == journal.CLOSED and event.detail.get("outcome") == "needs_human":
            level = by_action.get(str(event.detail.get("action", "")), "")
        else:
            continue
        if level in LEVELS and level not in found:
            found[level] = event.at
    return found


def ladder_of(request: CancelRequest, events: list[Event]) -> Ladder:
    """The request's ladder from its events (oldest first): `since` is its last entry into its state."""
    entered = [e.at for e in events if e.kind == "request_state" and e.state_to == request.state.value]
    since = entered[-1] if entered else request.updated_at
    skipped: dict[str, dt.datetime] = {}
    for event in events:
        level = str(event.detail.get("level", ""))
        if event.kind == UNAVAILABLE and level in LEVELS:
            skipped.setdefault(level, event.at)
    return Ladder(since=since, settled=settled_levels(events), skipped=skipped)


def next_of(ladder: Ladder, pol: PolicyConfig) -> Next | None:
    """The next rung and when it is due (None: no date to count from)."""
    if ladder.since is None:
        return None
    window = dt.timedelta(hours=pol.escalate_support_after_hours - pol.escalate_seller_after_hours)
    seller = ladder.settled.get("seller") or ladder.skipped.get("seller")
    if seller is None:
        return Next(step="seller", due=ladder.since + dt.timedelta(hours=pol.escalate_seller_after_hours))
    support = ladder.settled.get("support") or ladder.skipped.get("support")
    if support is None:
        due = max(ladder.since + dt.timedelta(hours=pol.escalate_support_after_hours), seller + window)
        return Next(step="support", due=due)
    return Next(step="dispute", due=support + window)


def due_now(ladder: Ladder, state: RequestState, now: dt.datetime, pol: PolicyConfig) -> Next | None:
    """The rung due by `now` for a request in `state` (only stalled and rejected ones climb)."""
    step = next_of(ladder, pol) if state in ESCALATED else None
    return step if step is not None and now >= step.due else None
