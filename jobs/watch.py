"""Pure decisions of the sweep: what to look at, which deadlines apply, which steps to take.

No browser, no store, no clock of its own: the sweep (jobs.sweep) feeds in what the site showed and
the time, and applies what comes back. `jobs.lifecycle` is the state machine; this module adds the
sweep's own policy on top of it:

- **flagging**: a request that ends a step in `stalled`, `rejected` or `shipped_anyway` is flagged for a
  dispute at once, with that reason (refund overdue and a closing dispute window are lifecycle rules);
- **where to look**: the order list settles most states; a detail page is read only when the list
  cannot tell (a closed order's refund text, a settled dispute, an order missing from the list);
- **deadlines**: the stored ones (what a state carries on entry is agent.deadlines.entry_fields).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from agent.config import PolicyConfig
from agent.models import CancelRequest, Order, OrderDetail, OrderStatus, RequestState
from jobs.lifecycle import Deadlines, Observation, Transition, advance, can_move

__all__ = [
    "FLAG_ON",
    "WATCHED",
    "decide",
    "deadlines_of",
    "needs_detail",
    "observation",
]

S = RequestState

# States the sweep re-checks: everything not final, except those only a person (or a new cancel) moves.
WATCHED = frozenset(set(S) - {S.REFUNDED, S.DISPUTE_RESOLVED, S.FAILED, S.NEEDS_HUMAN})
# Ending a step here flags the request for a dispute straight away, with this reason code.
FLAG_ON: dict[RequestState, str] = {
    S.STALLED: "stalled",
    S.REJECTED: "rejected",
    S.SHIPPED_ANYWAY: "shipped_anyway",
}


def observation(order: Order, now: dt.datetime, dispute_status: str | None = None) -> Observation:
    """What one look (a list row, or a detail page with its reminder) showed."""
    reminder = order.reminder if isinstance(order, OrderDetail) else ""
    return Observation(
        status=order.status,
        status_text=order.status_text,
        reminder=reminder,
        observed_at=now,
        dispute_status=dispute_status,
    )


def needs_detail(request: CancelRequest, row: Order | None) -> bool:
    """True when the list row cannot settle the request's state and the detail page must be read."""
    if row is None or row.status is OrderStatus.UNKNOWN:
        return True  # not in the list (deleted, too old) or a wording we do not know
    state = request.state
    if state is S.CANCELLED and request.refund_due is None:
        return False  # never paid: no refund to look for
    if state is S.DISPUTE_OPENED:
        return row.status is not OrderStatus.DISPUTE  # the dispute ended: its outcome is on the page
    if state is S.SUBMITTING:
        return True  # rare: read the page, so a request found there gets the seller's own countdown
    return row.status is OrderStatus.CLOSED  # closed: only the detail's reminder tells the refund apart


def deadlines_of(request: CancelRequest, pol: PolicyConfig, recheck_minutes: int = 30) -> Deadlines:
    """The request's stored deadlines; the stall grace is half the re-check delay (so the re-check
    placed just after the seller's deadline does see the request as stalled)."""
    return Deadlines(
        seller=request.seller_deadline,
        refund_due=request.refund_due,
        dispute=request.dispute_deadline,
        dispute_warning_days=pol.dispute_warning_days,
        stall_grace=dt.timedelta(minutes=recheck_minutes / 2),
    )


def decide(
    request: CancelRequest,
    obs: Observation,
    deadlines: Deadlines,
    now: dt.datetime,
    texts: Mapping[str, list[str]] | None = None,
    hold: frozenset[RequestState] = frozenset(),
) -> list[Transition]:
    """Every step one observation justifies (lifecycle.advance), then the flag when the request ends in
    a state that calls for a dispute — unless that state's flag is held back (`hold`: the sweep escalates
    stalled and rejected requests to the seller and support first, agent.escalation)."""
    steps = advance(request.state, obs, deadlines, now, texts or {})
    last = steps[-1].state_to if steps else request.state
    code = FLAG_ON.get(last)
    if code is not None and last not in hold and can_move(last, S.DISPUTE_FLAGGED):
        reason = f"flagged for a dispute: {code.replace('_', ' ')}"
        flag = Transition(state_from=last, state_to=S.DISPUTE_FLAGGED, code=code, reason=reason, at=now)
        steps.append(flag)
    return steps
