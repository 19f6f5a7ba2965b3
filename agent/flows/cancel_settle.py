"""After a cancel click, or on finding one that may have happened: what the order shows, and the journal's
rule where it shows nothing yet (agent.journal). Every change is a guarded transition out of `submitting`.

- the order is closed / shows the request → `cancelled` / `requested`, with the deadlines to watch;
- the order moved on (shipped …) → `needs_human`: nobody can tell what the click did;
- the order looks untouched → the journal decides: never reached the site (void → `failed`, a new
  attempt may follow), still unanswered (`pending`), or unanswered for too long (`needs_human`).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, Field

from agent import journal, policy
from agent.deadlines import entry_fields, was_paid
from agent.errors import StateConflict
from agent.flows.read import read_order
from agent.flows.runtime import Runtime
from agent.journal import Unanswered
from agent.models import CancelOutcome, OrderDetail, OrderStatus, RequestState

__all__ = ["CancelResult", "as_found", "reconcile", "settle", "unanswered"]

logger = logging.getLogger(__name__)
S = RequestState
PENDING_MESSAGE = "a click is still unanswered: re-check later (nothing is sent again meanwhile)"


class CancelResult(BaseModel):
    order_id: str
    outcome: CancelOutcome
    state: RequestState | None = None
    status_text: str = ""
    reason_text: str = ""
    message: str = ""
    evidence: list[str] = Field(default_factory=list)


def reconcile(rt: Runtime, order_id: str) -> CancelResult | None:
    """A `submitting` row found at the start of an attempt (a crash, a slow site, another run at work):
    read the order afresh and settle it. None: it never reached the site and was voided — the caller may
    submit again."""
    rt.event("reconcile", order_id=order_id)
    detail = read_order(rt, order_id)
    return settle(rt, detail) or unanswered(rt, detail)


def settle(rt: Runtime, detail: OrderDetail, before: OrderStatus | None = None) -> CancelResult | None:
    """Move `submitting` to what the order shows; None when it shows nothing yet (still cancellable).
    `before`: the status it had when this run clicked (an order awaiting payment has no refund to watch)."""
    order_id = detail.order_id
    outcome = policy.submission_outcome(detail.status, rt.config.policy.allowed_statuses)
    if outcome is policy.Submission.UNANSWERED:
        return None
    if outcome is policy.Submission.UNEXPECTED:
        why = f"after a submission the order shows {detail.status_text!r}: nobody can tell what the click did"
        return _move(rt, detail, S.NEEDS_HUMAN, CancelOutcome.NEEDS_HUMAN, why, flagged_reason=why)
    state = S.CANCELLED if outcome is policy.Submission.CANCELLED else S.REQUESTED
    paid = before is not OrderStatus.AWAITING_PAYMENT and was_paid(rt.store.events_for(order_id))
    fields = entry_fields(rt.store.get_request(order_id), state, rt.now(), rt.config.policy,
                          placed_on=detail.placed_at, page_seller_deadline=detail.seller_deadline,
                          payment_text=detail.payment_method, paid=paid)  # fmt: skip
    return _move(rt, detail, state, CancelOutcome(state.value), "", **fields)


def unanswered(rt: Runtime, detail: OrderDetail) -> CancelResult | None:
    """The order shows nothing yet: the journal's rule (agent.journal). None when voided (retry allowed)."""
    order_id = detail.order_id
    request = rt.store.get_request(order_id)
    if request is None or request.state is not S.SUBMITTING:
        return as_found(rt, order_id, detail.status_text)
    attempt = journal.cancel_attempt(rt.store, request)
    verdict = journal.judge(rt.store, attempt, rt.now(), rt.run_id, rt.config.policy.unanswered_click_hours)
    rt.event("unanswered", order_id=order_id, verdict=verdict.value, live=attempt.live, run=attempt.run_id)
    if verdict is Unanswered.RETRY:
        why = "not submitted: nothing reached the site and the run that began it is over"
        _move(rt, detail, S.FAILED, CancelOutcome.FAILED, why, flagged_reason=why)
        return None
    since = f"{attempt.live_since or attempt.begun_at:%Y-%m-%d %H:%M} UTC"
    if verdict is Unanswered.ASK_HUMAN:
        why = (f"a click of {since} was never answered and the order still shows {detail.status_text!r}: "
               "look at the order on the site and tell the agent what you see")  # fmt: skip
        return _move(rt, detail, S.NEEDS_HUMAN, CancelOutcome.NEEDS_HUMAN, why, flagged_reason=why)
    return CancelResult(order_id=order_id, outcome=CancelOutcome.PENDING, state=S.SUBMITTING,
                        status_text=detail.status_text, reason_text=request.reason_text,
                        message=f"{PENDING_MESSAGE}; sent {since}")  # fmt: skip


def as_found(rt: Runtime, order_id: str, status_text: str = "") -> CancelResult:
    """What to report when another run moved the request first: its state as it is now."""
    request = rt.store.get_request(order_id)
    state = request.state if request else None
    outcome = {
        None: CancelOutcome.FAILED,
        S.SUBMITTING: CancelOutcome.PENDING,
        S.CANCELLED: CancelOutcome.CANCELLED,
        S.REQUESTED: CancelOutcome.REQUESTED,
        S.FAILED: CancelOutcome.FAILED,
        S.NEEDS_HUMAN: CancelOutcome.NEEDS_HUMAN,
    }.get(state, CancelOutcome.ALREADY_REQUESTED)
    shown = state.value if state else "gone"
    message = PENDING_MESSAGE if state is S.SUBMITTING else f"the request is {shown}"
    return CancelResult(order_id=order_id, outcome=outcome, state=state, status_text=status_text,
                        reason_text=request.reason_text if request else "", message=message)  # fmt: skip


def _move(
    rt: Runtime, detail: OrderDetail, to: RequestState, outcome: CancelOutcome, message: str, **fields: Any
) -> CancelResult:
    try:
        request = rt.store.transition(detail.order_id, to, expected=S.SUBMITTING, run_id=rt.run_id,
                                      detail={"status_text": detail.status_text}, **fields)  # fmt: skip
    except StateConflict:
        return as_found(rt, detail.order_id, detail.status_text)
    return CancelResult(order_id=detail.order_id, outcome=outcome, state=to, status_text=detail.status_text,
                        reason_text=request.reason_text, message=message)  # fmt: skip
