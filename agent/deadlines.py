"""What a request must carry when it enters a state, so nothing falls out of the watch: every way into
`requested` sets the seller's and the dispute deadline, every way into `cancelled`/`accepted` of a paid
order starts the refund clock. The cancel flow and the sweep both call `entry_fields`; pure, no I/O.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from agent import policy
from agent.config import PolicyConfig
from agent.models import CancelRequest, Event, OrderStatus, RequestState

__all__ = ["entry_fields", "was_paid"]

S = RequestState
REFUND_CLOCK_STARTS = frozenset({S.CANCELLED, S.ACCEPTED})


def entry_fields(
    request: CancelRequest | None,
    entering: RequestState,
    now: dt.datetime,
    pol: PolicyConfig,
    *,
    placed_on: dt.date | None = None,
    page_seller_deadline: dt.datetime | None = None,
    payment_text: str = "",
    paid: bool = True,
) -> dict[str, Any]:
    """The fields to store with the move into `entering`; a value the request already has is kept.

    `page_seller_deadline`: the countdown the order page shows (it wins over the configured default);
    `paid`: False for an order cancelled while still awaiting payment (no money, no refund to watch)."""
    have = request.model_dump() if request else {}
    fields: dict[str, Any] = {}
    if entering in (S.REQUESTED, S.CANCELLED):
        fields["submitted_at"] = now
        placed = dt.datetime.combine(placed_on, dt.time(), tzinfo=dt.UTC) if placed_on else now
        fields["dispute_deadline"] = policy.dispute_deadline(placed, None, None, pol.dispute_window_days)
    if entering is S.REQUESTED:
        asked = (request.requested_at if request else None) or now
        fields["seller_deadline"] = policy.seller_deadline(
            asked, page_seller_deadline, pol.seller_response_hours
        )
    if entering in REFUND_CLOCK_STARTS and paid:
        fields["refund_due"] = policy.refund_due(now, payment_text, pol.refund_business_days)
    return {key: value for key, value in fields.items() if not have.get(key)}


def was_paid(events: list[Event]) -> bool:
    """False when the order's recorded history shows it closing straight from "awaiting payment" (cancelled
    before any money moved: no refund to watch); True otherwise."""
    unpaid = OrderStatus.AWAITING_PAYMENT.value
    return not any(
        e.kind == "order_status" and e.state_from == unpaid and e.state_to == OrderStatus.CLOSED.value
        for e in events
    )
