"""The journal of irreversible submissions (a cancel confirm, a dispute submit, …) and the ONE rule for an
attempt whose answer never came. Cancel, dispute and any later irreversible step all ask this module.

What is journalled, each as an append-only event with `detail.action` naming the kind of submission:
- `submission_begun`: the agent is about to submit (committed before anything irreversible happens);
- `submission_sent`: the network guard let a request of the submission leave the browser (committed
  before it left; agent.flows.guard);
- `submission_answered`: the site's answer was read (`refused: true` when the site definitely did not act:
  a business refusal, a session expiry);
- `submission_closed`: the attempt is settled (the site showed its result, or it was voided).

The rule, for an attempt still open when a run finds it and the site shows no result:
- no request of it is live (none sent, or the last one definitely refused) and the run that began it is
  over → it never reached the site: void it and the caller may submit again (RETRY);
- otherwise → PENDING: "a click is still unanswered: re-check later", never submitted again on a guess;
- pending for longer than `policy.unanswered_click_hours` with nothing on the site → ASK_HUMAN.
The journal outranks what a page seems to show: a still-cancellable status never voids a sent request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from agent import processes
from agent.models import CancelRequest, Event, Run

if TYPE_CHECKING:
    from agent.store import Store

__all__ = [
    "ANSWERED",
    "BEGUN",
    "CLOSED",
    "SENT",
    "Attempt",
    "Unanswered",
    "cancel_attempt",
    "judge",
    "open_attempt",
    "run_alive",
    "unanswered",
]

BEGUN, SENT = "submission_begun", "submission_sent"
ANSWERED, CLOSED = "submission_answered", "submission_closed"
# Journals written before this module existed (dispute v1): read as begun/closed of a dispute.
_LEGACY = {"dispute_submitting": (BEGUN, "dispute"), "dispute_not_submitted": (CLOSED, "dispute")}


class Unanswered(StrEnum):
    RETRY = "retry"  # it never reached the site: void the attempt, a new one may be made
    PENDING = "pending"  # it may have reached the site: re-check later, never submit again
    ASK_HUMAN = "needs_human"  # pending too long with nothing on the site: a person decides


class Attempt(BaseModel):
    """One open submission of `action` for `order_id`, and what the journal says about it."""

    model_config = ConfigDict(frozen=True)

    action: str
    order_id: str
    begun_event: int
    begun_at: dt.datetime
    run_id: int | None = None
    live_since: dt.datetime | None = None  # when a request of it left and was not definitely refused

    @property
    def live(self) -> bool:
        """A request of this attempt left the browser and the site never definitely refused it."""
        return self.live_since is not None


def _kind(event: Event) -> tuple[str, str]:
    if event.kind in _LEGACY:
        return _LEGACY[event.kind]
    return event.kind, str(event.detail.get("action", ""))


def open_attempt(events: Iterable[Event], action: str) -> Attempt | None:
    """The open attempt of `action` in an order's events (oldest first), or None."""
    attempt: Attempt | None = None
    for event in events:
        kind, acted = _kind(event)
        if acted != action:
            continue
        if kind == BEGUN:
            attempt = Attempt(action=action, order_id=event.order_id or "", begun_event=event.id,
                              begun_at=event.at, run_id=event.run_id)  # fmt: skip
        elif attempt is None:
            continue
        elif kind == CLOSED:
            attempt = None
        elif kind == SENT and attempt.live_since is None:
            attempt = attempt.model_copy(update={"live_since": event.at})
        elif kind == ANSWERED and event.detail.get("refused"):
            attempt = attempt.model_copy(update={"live_since": None})  # the site said no: nothing live
    return attempt


def run_alive(run: Run | None, current_run_id: int | None = None) -> bool:
    """Whether the run that began an attempt may still be working on it (another process, mid-click).
    The current run is never "another" one; a run on another host cannot be checked, so it counts as alive."""
    if run is None or run.id == current_run_id or run.ended_at is not None or run.pid is None:
        return False
    if run.host and run.host != processes.host():
        return True
    return processes.is_running(run.pid, run.process)


def unanswered(attempt: Attempt, other_run_alive: bool, now: dt.datetime, limit_hours: float) -> Unanswered:
    """The rule above, for an open attempt whose result the site does not show."""
    if not attempt.live and not other_run_alive:
        return Unanswered.RETRY
    since = attempt.live_since or attempt.begun_at
    if now - since > dt.timedelta(hours=limit_hours):
        return Unanswered.ASK_HUMAN
    return Unanswered.PENDING


def judge(store: Store, attempt: Attempt, now: dt.datetime, current_run_id: int | None, limit_hours: float
          ) -> Unanswered:  # fmt: skip
    """`unanswered()` with the liveness of the run that began the attempt looked up in the store."""
    run = store.get_run(attempt.run_id) if attempt.run_id is not None else None
    return unanswered(attempt, run_alive(run, current_run_id), now, limit_hours)


def cancel_attempt(store: Store, request: CancelRequest) -> Attempt:
    """The open cancel attempt of a `submitting` request. A row journalled before this module existed has
    no `submission_begun`: its begin is the request's time, and a `confirm_clicked` event after it counts
    as a request that left the browser."""
    found = store.open_attempt(request.order_id, "cancel")
    if found is not None:
        return found
    begun = request.requested_at or request.updated_at or dt.datetime.now(dt.UTC)
    clicked = next((e.at for e in store.events_for(request.order_id)
                    if e.kind == "confirm_clicked" and e.at >= begun), None)  # fmt: skip
    return Attempt(action="cancel", order_id=request.order_id, begun_event=0, begun_at=begun,
                   run_id=request.run_id, live_since=clicked)  # fmt: skip
