"""Which state a cancellation request may move to from which: the one table every writer obeys.

The store enforces it on every change (`Store.transition` is a compare-and-set from the state the caller
saw, through this table); `jobs.lifecycle` decides *when* to move, this module only says *where* a move
may go. Pure data, no I/O.

    (no request) ─> submitting | requested (made elsewhere, seen by us) | needs_human
    submitting ─┬─> cancelled ──> refund_pending ──> refunded
                ├─> requested ─┬─> accepted ──> refund_pending
                │              ├─> rejected ──> shipped_anyway
                │              ├─> stalled  ──> accepted | rejected | shipped_anyway
                │              └─> shipped_anyway
                └─> failed ──> submitting (a retry) | requested (the site shows a request after all)
    (active states) ──> dispute_flagged ──> dispute_opened ──> dispute_resolved
    (every state but the terminal ones) ──> needs_human ──> (whatever the person decides)
"""

from __future__ import annotations

from agent.models import RequestState

__all__ = ["ALLOWED", "ENTRY", "LIVE", "TERMINAL", "can_move"]

S = RequestState

TERMINAL = frozenset({S.REFUNDED, S.DISPUTE_RESOLVED})

# Where a request can start when the order has none yet.
ENTRY = frozenset({S.SUBMITTING, S.REQUESTED, S.NEEDS_HUMAN})

ALLOWED: dict[RequestState, frozenset[RequestState]] = {
    S.SUBMITTING: frozenset({S.CANCELLED, S.REQUESTED, S.FAILED, S.NEEDS_HUMAN}),
    # failed = nothing of ours is live on the site: a retry, or a request the site shows after all
    S.FAILED: frozenset({S.SUBMITTING, S.REQUESTED, S.NEEDS_HUMAN}),
    S.CANCELLED: frozenset({S.REFUND_PENDING, S.DISPUTE_FLAGGED, S.NEEDS_HUMAN}),
    S.REQUESTED: frozenset({S.ACCEPTED, S.REJECTED, S.STALLED, S.SHIPPED_ANYWAY, S.DISPUTE_FLAGGED,
                            S.NEEDS_HUMAN}),
    S.STALLED: frozenset({S.ACCEPTED, S.REJECTED, S.SHIPPED_ANYWAY, S.DISPUTE_FLAGGED, S.NEEDS_HUMAN}),
    # rejected → accepted: the order closed after all (seller relented, or the ship-by window lapsed)
    S.REJECTED: frozenset({S.ACCEPTED, S.SHIPPED_ANYWAY, S.DISPUTE_FLAGGED, S.NEEDS_HUMAN}),
    S.ACCEPTED: frozenset({S.REFUND_PENDING, S.SHIPPED_ANYWAY, S.DISPUTE_FLAGGED, S.NEEDS_HUMAN}),
    # shipped_anyway → refund_pending: the site refunds a shipped order (lost parcel, seller refund)
    S.SHIPPED_ANYWAY: frozenset({S.REFUND_PENDING, S.DISPUTE_FLAGGED, S.NEEDS_HUMAN}),
    S.REFUND_PENDING: frozenset({S.REFUNDED, S.DISPUTE_FLAGGED, S.NEEDS_HUMAN}),
    # dispute_flagged → refunded: the money arrived before anyone opened the dispute
    S.DISPUTE_FLAGGED: frozenset({S.DISPUTE_OPENED, S.REFUNDED, S.NEEDS_HUMAN}),
    S.DISPUTE_OPENED: frozenset({S.DISPUTE_RESOLVED, S.NEEDS_HUMAN}),
    S.REFUNDED: frozenset(),
    S.DISPUTE_RESOLVED: frozenset(),
    # only a person's command leaves needs_human; back to any state but the journal-only submitting
    S.NEEDS_HUMAN: frozenset(set(S) - {S.SUBMITTING, S.NEEDS_HUMAN}),
}  # fmt: skip

# States in which a request of ours may be live on the site: never advise cancelling again.
LIVE = frozenset(set(S) - {S.FAILED} - TERMINAL)


def can_move(a: RequestState | None, b: RequestState) -> bool:
    """True when a request in `a` (None: the order has no request yet) may move to `b`."""
    return b in (ENTRY if a is None else ALLOWED[a])
