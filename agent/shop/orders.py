"""One order of the fixture shop and its life: seller behaviour, refunds and disputes, all from the clock.

Nothing here waits: `settle(order, now, ...)` replays every transition due by `now`, so the admin moving
the clock forward is all it takes for a seller to answer, a window to lapse or a refund to land.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# Numeric codes for data.global.orderStatus (9 = completed is seen in real captures; the rest are ours).
STATUS_CODE = {
    "awaiting_payment": 1,
    "payment_verifying": 2,
    "awaiting_shipment": 3,
    "cancellation_requested": 4,
    "awaiting_delivery": 5,
    "dispute": 6,
    "canceled": 7,
    "closed": 8,
    "completed": 9,
}
STATUSES = tuple(STATUS_CODE)
# Which statuses each My Orders tab lists.
TAB_STATUSES = {
    "unpaid": {"awaiting_payment", "payment_verifying"},
    "processing": {"awaiting_shipment", "cancellation_requested"},
    "shipped": {"awaiting_delivery"},
    "completed": {"completed"},
}
INSTANT_CANCEL = {"awaiting_payment", "payment_verifying"}
SELLERS = ("accept", "reject", "silent")


@dataclass
class Line:
    line_id: str
    product_id: str
    sku_id: str
    title: str
    price_cents: int
    quantity: int = 1
    sku_attrs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class Dispute:
    reason: str
    message: str
    files: list[str]
    opened_at: dt.datetime
    resolved: str = ""  # "", "refund" or "rejected"


@dataclass
class Order:
    order_id: str
    placed_at: dt.datetime
    status: str
    store_id: str
    store_name: str
    lines: list[Line]
    payment: str = "card"  # card | paypal | wallet | boleto | pix
    shipping_cents: int = 0
    seller: str = "accept"  # accept | reject | silent: how the seller answers a cancellation request
    seller_delay_h: float = 12
    refund_days: int = 5
    picked_up: bool = False  # courier has it: a cancel request fails
    deposit_cents: int = 0  # > 0 marks a deposit/instalment order
    deleted: bool = False
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    cancel_requested_at: dt.datetime | None = None
    cancel_reason: str = ""
    refund: str = ""  # "", "in_progress" or "refunded"
    refund_due: dt.datetime | None = None
    ship_due: dt.datetime | None = None  # a seller that rejected ships at this time
    dispute: Dispute | None = None
    owner: str = ""  # the buyer account's email; "" = the seed account (agent.shop.seed.SHOP_EMAIL)

    @property
    def total_cents(self) -> int:
        return sum(x.price_cents * x.quantity for x in self.lines) + self.shipping_cents

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, dt.datetime):
                data[key] = value.isoformat()
        if self.dispute:
            data["dispute"]["opened_at"] = self.dispute.opened_at.isoformat()
        data["total_cents"] = self.total_cents
        return data


@dataclass
class Rules:
    """The scenario switches the lifecycle depends on."""

    seller_window_h: float = 48
    strict_seller: bool = False
    refund_days: int | None = None  # overrides every order's own refund_days when set


def _close_with_refund(order: Order, when: dt.datetime, rules: Rules) -> None:
    order.status, order.ended_at, order.refund = "closed", when, "in_progress"
    days = rules.refund_days if rules.refund_days is not None else order.refund_days
    order.refund_due = when + dt.timedelta(days=days)


def settle(order: Order, now: dt.datetime, rules: Rules) -> None:
    """Apply every transition due by `now` (idempotent; the clock only moves forward)."""
    if order.status == "cancellation_requested" and order.cancel_requested_at:
        _settle_request(order, now, rules)
    if order.ship_due and order.status == "awaiting_shipment" and now >= order.ship_due:
        order.status, order.shipped_at, order.ship_due = "awaiting_delivery", order.ship_due, None
    if order.refund == "in_progress" and order.refund_due and now >= order.refund_due:
        order.refund = "refunded"


def _settle_request(order: Order, now: dt.datetime, rules: Rules) -> None:
    asked = order.cancel_requested_at
    assert asked is not None
    window = dt.timedelta(hours=rules.seller_window_h)
    answer_at = asked + dt.timedelta(hours=order.seller_delay_h)
    if order.seller != "silent" and answer_at <= asked + window:
        if now < answer_at:
            return
        if order.seller == "accept":
            _close_with_refund(order, answer_at, rules)
        else:  # rejected: the order goes back to the seller's queue, then ships a day later
            order.status, order.ship_due = "awaiting_shipment", answer_at + dt.timedelta(hours=24)
        return
    # Nobody answered: the site auto-cancels when the window lapses, unless the seller is "strict".
    if not rules.strict_seller and now >= asked + window:
        _close_with_refund(order, asked + window, rules)


def seller_deadline(order: Order, rules: Rules) -> dt.datetime | None:
    if order.status != "cancellation_requested" or not order.cancel_requested_at:
        return None
    return order.cancel_requested_at + dt.timedelta(hours=rules.seller_window_h)


def cancel_error(order: Order) -> str | None:
    """Why a cancel submission is refused now (an i18n reminder key), or None when it is allowed."""
    if order.status in INSTANT_CANCEL:
        return None
    if order.status == "awaiting_shipment":
        return "picked_up" if order.picked_up else None
    return "status_changed"


def apply_cancel(order: Order, now: dt.datetime, reason_id: str) -> None:
    """The buyer's cancel submission, already validated by cancel_error."""
    order.cancel_reason = reason_id
    if order.status in INSTANT_CANCEL:
        paid = order.paid_at is not None or order.status == "payment_verifying"  # the money was taken
        order.status, order.ended_at = "canceled", now
        if paid:
            order.refund, order.refund_due = "in_progress", now + dt.timedelta(days=order.refund_days)
        return
    order.status, order.cancel_requested_at = "cancellation_requested", now


def can_dispute(order: Order) -> bool:
    return order.status in {"awaiting_delivery", "completed"} and order.dispute is None


def open_dispute(order: Order, now: dt.datetime, reason: str, message: str, files: list[str]) -> None:
    order.dispute = Dispute(reason=reason, message=message, files=files, opened_at=now)
    order.status = "dispute"


def resolve_dispute(order: Order, now: dt.datetime, outcome: str) -> None:
    """Admin only: 'refund' closes the order with a refund, anything else returns it to completed."""
    if order.dispute is None:
        raise ValueError(f"order {order.order_id} has no dispute")
    order.dispute.resolved = "refund" if outcome == "refund" else "rejected"
    if outcome == "refund":
        order.status, order.ended_at = "closed", now
        order.refund, order.refund_due = "in_progress", now + dt.timedelta(days=order.refund_days)
    else:
        order.status = "completed"
