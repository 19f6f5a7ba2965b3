"""Money at a glance: what each request is worth, where that money stands, totalled per currency.

Amounts stay `Decimal` from end to end — the order total as the store keeps it (its text, never a
float), the refund as the returns/refunds list showed it (minor units × count, agent.api.reverse) —
and are summed per currency only: two currencies are never added together.

Where the money stands, by the request's state (a state in none of these — failed, needs_human, a
settled dispute — is shown per request but counted in no total):
- waiting_on_seller: submitting, requested — the seller has not answered yet;
- refund_pending: cancelled (when a refund is due: a paid order), accepted, refund_pending — the seller
  let go, the refund is not back yet;
- refunded: refunded — the refund as the site showed it, else the order total;
- at_risk: dispute_flagged, stalled, rejected, shipped_anyway, dispute_opened — flagged for a dispute
  (or in one): only a dispute brings this money back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel

from agent.models import CancelRequest, Event, Money, RequestState

__all__ = ["BUCKETS", "BUCKET_OF", "RequestMoney", "Totals", "bucket_of", "request_money", "totals"]

S = RequestState
BUCKETS = ("waiting_on_seller", "refund_pending", "refunded", "at_risk")
BUCKET_OF = {
    S.SUBMITTING: "waiting_on_seller",
    S.REQUESTED: "waiting_on_seller",
    S.CANCELLED: "refund_pending",
    S.ACCEPTED: "refund_pending",
    S.REFUND_PENDING: "refund_pending",
    S.REFUNDED: "refunded",
    S.DISPUTE_FLAGGED: "at_risk",
    S.STALLED: "at_risk",
    S.REJECTED: "at_risk",
    S.SHIPPED_ANYWAY: "at_risk",
    S.DISPUTE_OPENED: "at_risk",
}

Totals = dict[str, dict[str, Decimal]]  # currency → bucket → amount


class RequestMoney(BaseModel):
    """One request's money: the order total, the refund the site showed (if it did) and when the
    request became refunded."""

    total: Money | None = None
    refund: Money | None = None
    refunded_at: dt.datetime | None = None


def bucket_of(request: CancelRequest) -> str | None:
    """Where the request's money stands; None for a state counted in no total, and for an instant
    cancel with no refund due (an unpaid order: no money was ever taken)."""
    if request.state is S.CANCELLED and request.refund_due is None:
        return None
    return BUCKET_OF.get(request.state)


def order_total(order: dict[str, object]) -> Money | None:
    """The order's total from its stored row (`total_amount` text and `currency`), if both are known."""
    amount, currency = order.get("total_amount"), order.get("currency")
    if not amount or not currency:
        return None
    return _parsed(amount, currency)


def request_money(order: dict[str, object], events: Iterable[Event]) -> RequestMoney:
    """The order total, plus the last refund amount the returns/refunds list showed (an `observed`
    event of the sweep) and the time of the move to `refunded`."""
    refund: Money | None = None
    refunded_at: dt.datetime | None = None
    for event in events:
        if event.kind == "observed" and event.detail.get("source") == "refunds":
            refund = _money(event.detail.get("amount"), event.detail.get("currency")) or refund
        elif event.kind == "request_state" and event.state_to == S.REFUNDED.value:
            refunded_at = event.at
    return RequestMoney(total=order_total(order), refund=refund, refunded_at=refunded_at)


def _money(amount: object, currency: object) -> Money | None:
    if amount in (None, "") or not currency:
        return None
    return _parsed(amount, currency)


def _parsed(amount: object, currency: object) -> Money | None:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return None
    return Money(amount=value, currency=str(currency)) if value.is_finite() else None


def totals(counted: Iterable[tuple[str | None, Money | None]]) -> Totals:
    """Per currency (sorted), the sum of each bucket; every bucket present, zero when empty."""
    sums: Totals = {}
    places: dict[str, int] = {}  # the most decimal places an amount of the currency was given with
    for bucket, money in counted:
        if bucket not in BUCKETS or money is None:
            continue
        per = sums.setdefault(money.currency, {b: Decimal(0) for b in BUCKETS})
        per[bucket] += money.amount
        places[money.currency] = max(places.get(money.currency, 0), -int(money.amount.as_tuple().exponent))
    return {cur: {b: v.quantize(Decimal(1).scaleb(-places[cur])) for b, v in per.items()}  # 0 → 0.00
            for cur, per in sorted(sums.items())}  # fmt: skip


def refunds_by_day(refunds: Iterable[tuple[dt.datetime, Money]]) -> dict[str, dict[dt.date, Decimal]]:
    """Per currency, the refunds received each day (for the chart)."""
    days: dict[str, dict[dt.date, Decimal]] = {}
    for at, money in refunds:
        per = days.setdefault(money.currency, {})
        per[at.date()] = per.get(at.date(), Decimal(0)) + money.amount
    return {cur: dict(sorted(per.items())) for cur, per in sorted(days.items())}
