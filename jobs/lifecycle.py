"""The life of one cancellation request: a pure state machine over RequestState. Which moves exist is
agent.transitions (the table the store enforces); this module decides which one the site calls for.

`next_state` takes ONE step from what the site shows; `advance` repeats it until nothing moves, so an
order found already "Closed · Refunded" while we thought it `requested` yields three transitions
(accepted, refund_pending, refunded): every step is its own audit event, none is skipped.
No I/O, no locale data: refund/dispute wordings come in `texts` (from the selector pack).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict

from agent.models import OrderStatus, RequestState
from agent.parsing import fold
from agent.policy import CANCELLABLE, Submission, dispute_warning, submission_outcome
from agent.transitions import ALLOWED, TERMINAL, can_move

__all__ = [
    "ALLOWED",
    "TERMINAL",
    "TEXT_KEYS",
    "Deadlines",
    "Observation",
    "Transition",
    "advance",
    "can_move",
    "next_state",
]

S = RequestState
O = OrderStatus  # noqa: E741 - a one-letter alias keeps the rule tables readable

# Keys of `texts` (pack wordings; a phrase matches as a case-insensitive substring of what the page shows).
TEXT_KEYS = ("refund_in_progress", "refunded", "dispute_opened", "dispute_resolved")


class Observation(BaseModel):
    """What one look at the order showed, already canonicalised where possible."""

    model_config = ConfigDict(frozen=True)

    status: OrderStatus
    status_text: str = ""
    reminder: str = ""
    observed_at: dt.datetime
    refund_status: str | None = None
    dispute_status: str | None = None


class Deadlines(BaseModel):
    """The request's deadlines (see agent.policy) and how much slack to give them."""

    model_config = ConfigDict(frozen=True)

    seller: dt.datetime | None = None
    refund_due: dt.datetime | None = None  # leave None for unpaid orders: no money, nothing overdue
    dispute: dt.datetime | None = None
    dispute_warning_days: float = 5
    stall_grace: dt.timedelta = dt.timedelta(minutes=30)  # the site's own auto-cancel may lag a little


class Transition(BaseModel):
    """One step of the machine; `code` is stable (notifications, tests), `reason` is for people."""

    model_config = ConfigDict(frozen=True)

    state_from: RequestState
    state_to: RequestState
    code: str
    reason: str
    at: dt.datetime


class _Look:
    """An observation with the questions the rules ask of it."""

    def __init__(self, obs: Observation, texts: Mapping[str, list[str]]) -> None:
        self.obs, self.status = obs, obs.status
        parts = (obs.status_text, obs.reminder, obs.refund_status or "", obs.dispute_status or "")
        self._shown = fold(" | ".join(parts))
        self._texts = texts

    def says(self, key: str) -> bool:
        phrases = (fold(p) for p in self._texts.get(key, []))
        return any(p and p in self._shown for p in phrases)  # an empty phrase must not match everything

    @property
    def refund_moving(self) -> bool:
        return self.says("refund_in_progress") or self.says("refunded")


_Step = tuple[RequestState, str, str]  # (to, code, reason)
_Rule = Callable[[_Look, Deadlines, dt.datetime], _Step | None]
_SHIPPED = frozenset({O.AWAITING_DELIVERY, O.COMPLETED})


def next_state(
    current: RequestState,
    obs: Observation,
    deadlines: Deadlines,
    now: dt.datetime,
    texts: Mapping[str, list[str]] | None = None,
) -> Transition | None:
    """The one step the site's state and the clock call for, or None when nothing changes.

    Site facts (status, refund/dispute texts) are checked before the clock (stall, refund overdue,
    dispute window), so a late look never flags what the page shows as already settled.
    """
    rule = _RULES.get(current)
    if rule is None:  # terminal, failed, needs_human: only a person (or a new submission) moves these
        return None
    look = _Look(obs, texts or {})
    step = rule(look, deadlines, now)
    if step is None and obs.status is O.UNKNOWN:
        step = (S.NEEDS_HUMAN, "unknown_status", f"status wording {obs.status_text!r} is not in the pack")
    if step is None:
        return None
    to, code, reason = step
    if not can_move(current, to):  # a rule table bug, not a site condition
        raise AssertionError(f"rule moved {current.value} → {to.value}, which ALLOWED forbids")
    return Transition(state_from=current, state_to=to, code=code, reason=reason, at=now)


def advance(
    current: RequestState,
    obs: Observation,
    deadlines: Deadlines,
    now: dt.datetime,
    texts: Mapping[str, list[str]] | None = None,
) -> list[Transition]:
    """Every step from `current` that one observation justifies, in order (each one an audit event)."""
    steps: list[Transition] = []
    for _ in range(len(S)):  # a path never revisits a state, so this bound is never reached
        step = next_state(current, obs, deadlines, now, texts)
        if step is None:
            break
        steps.append(step)
        current = step.state_to
    return steps


# ---------------------------------------------------------------- rules, one per state


def _submitting(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    """Reconciling an interrupted submission: only what the site shows settles it. An order still
    untouched is the journal's to judge (agent.journal), never "not submitted" from the status alone."""
    outcome = submission_outcome(look.status, CANCELLABLE)
    if outcome is Submission.CANCELLED:
        return S.CANCELLED, "instant_cancel", "the order is closed: cancelled at once"
    if outcome is Submission.REQUESTED:
        return S.REQUESTED, "request_confirmed", "the site shows the cancellation request"
    if outcome is Submission.UNANSWERED or look.status is O.UNKNOWN:
        return None
    return (
        S.NEEDS_HUMAN,
        "moved_after_submission",
        f"after an interrupted submission the order is {look.status.value}: a person must look",
    )


def _cancelled(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.refund_moving:
        return S.REFUND_PENDING, "refund_started", "the page reports the refund"
    return _refund_overdue(d, now)


def _requested(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    return _seller_answer(look) or _stall(look, d, now) or _dispute_window(d, now)


def _stalled(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    return _seller_answer(look) or _dispute_window(d, now)


def _rejected(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.status is O.CLOSED:
        return S.ACCEPTED, "closed_after_rejection", "the order closed after the seller's rejection"
    return _shipped_or_disputed(look) or _dispute_window(d, now)


def _accepted(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.refund_moving:
        return S.REFUND_PENDING, "refund_started", "the page reports the refund"
    return _shipped_or_disputed(look) or _refund_overdue(d, now) or _dispute_window(d, now)


def _shipped_anyway(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.refund_moving:
        return S.REFUND_PENDING, "refund_started", "the page reports a refund for the shipped order"
    if look.status is O.DISPUTE:
        return S.DISPUTE_FLAGGED, "dispute_seen", "the order is in dispute"
    return _dispute_window(d, now)


def _refund_pending(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.says("refunded"):
        return S.REFUNDED, "refunded", "the page reports the refund as done"
    if look.status is O.DISPUTE:
        return S.DISPUTE_FLAGGED, "dispute_seen", "the order is in dispute"
    return _refund_overdue(d, now) or _dispute_window(d, now)


def _dispute_flagged(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.says("refunded"):
        return S.REFUNDED, "refunded", "the refund arrived before a dispute was opened"
    if look.status is O.DISPUTE or look.says("dispute_opened"):
        return S.DISPUTE_OPENED, "dispute_opened", "the site shows the dispute as open"
    return None


def _dispute_opened(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    if look.says("dispute_resolved") or look.says("refunded"):
        return S.DISPUTE_RESOLVED, "dispute_resolved", "the site shows the dispute as settled"
    return None


# ---------------------------------------------------------------- shared pieces


def _seller_answer(look: _Look) -> _Step | None:
    """What the order's status says about the seller's answer to a pending request."""
    if look.status is O.CLOSED:
        return (
            S.ACCEPTED,
            "seller_accepted",
            "the order is closed: the seller accepted or the site auto-cancelled",
        )
    if look.status is O.AWAITING_SHIPMENT:
        return S.REJECTED, "seller_rejected", "the order is back to awaiting shipment: the seller rejected"
    return _shipped_or_disputed(look)


def _shipped_or_disputed(look: _Look) -> _Step | None:
    if look.status in _SHIPPED:
        return S.SHIPPED_ANYWAY, "shipped_anyway", f"the order is {look.status.value} despite the request"
    if look.status is O.DISPUTE:
        return S.DISPUTE_FLAGGED, "dispute_seen", "the order is in dispute"
    return None


def _stall(look: _Look, d: Deadlines, now: dt.datetime) -> _Step | None:
    """Still pending past the seller's deadline (plus grace) and the site did not auto-cancel."""
    if look.status is O.CANCELLATION_REQUESTED and d.seller is not None and now > d.seller + d.stall_grace:
        return S.STALLED, "seller_silent", f"no answer and no auto-cancel since the deadline {d.seller}"
    return None


def _refund_overdue(d: Deadlines, now: dt.datetime) -> _Step | None:
    if d.refund_due is not None and now > d.refund_due:
        return S.DISPUTE_FLAGGED, "refund_overdue", f"no refund by {d.refund_due}"
    return None


def _dispute_window(d: Deadlines, now: dt.datetime) -> _Step | None:
    if d.dispute is not None and dispute_warning(now, d.dispute, d.dispute_warning_days):
        return (
            S.DISPUTE_FLAGGED,
            "dispute_window_closing",
            f"unresolved; the dispute window closes {d.dispute}",
        )
    return None


_RULES: dict[RequestState, _Rule] = {
    S.SUBMITTING: _submitting,
    S.CANCELLED: _cancelled,
    S.REQUESTED: _requested,
    S.STALLED: _stalled,
    S.REJECTED: _rejected,
    S.ACCEPTED: _accepted,
    S.SHIPPED_ANYWAY: _shipped_anyway,
    S.REFUND_PENDING: _refund_pending,
    S.DISPUTE_FLAGGED: _dispute_flagged,
    S.DISPUTE_OPENED: _dispute_opened,
}
