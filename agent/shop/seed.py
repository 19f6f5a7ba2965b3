"""The shop's deterministic seed: one buyer account and its orders, dated relative to the shop clock.

Same input, same orders: ids, titles and amounts come from a fixed random seed; only the dates move
with the clock's start, so "placed 3 days ago" stays 3 days ago whenever the suite runs.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from agent.shop.orders import SELLERS, STATUSES, Dispute, Line, Order

SHOP_EMAIL = "buyer@example.com"
SHOP_PASSWORD = "correct-horse-battery"
# A second buyer account in the same shop (several accounts): no seeded orders; add them through the
# admin API with `{"email": SECOND_EMAIL, ...}` (POST /__shop/orders).
SECOND_EMAIL = "reseller@example.com"
SECOND_PASSWORD = "staple-battery-horse"
ACCOUNTS = {SHOP_EMAIL: SHOP_PASSWORD, SECOND_EMAIL: SECOND_PASSWORD}

# Hostile input on purpose: a title the pages must render as text, never as markup.
HOSTILE_TITLE = '<script>alert("pwned")</script> Phone case <img src=x onerror=alert(1)>'

STORES = [
    ("1101", "Shenzhen Gadget Store"),
    ("1102", "Guangzhou Fashion Official"),
    ("1103", "Yiwu Home Decor Co."),
    ("1104", "Ugreen Official Store"),
    ("1105", "Baseus Global"),
    ("1106", "Outdoor Camping World"),
    ("1107", "Xiaomi Ecosystem Store"),
]
PRODUCTS = [
    ("USB-C cable 2 m braided fast charge", ["Color: Black", "Length: 2m"], 317),
    ("Wireless earbuds Bluetooth 5.3", ["Color: White"], 1899),
    ("Stainless steel water bottle 750 ml", ["Color: Blue"], 845),
    ("LED strip lights 5 m RGB", ["Length: 5m", "Plug: EU"], 1264),
    ("Men's cotton T-shirt oversize", ["Color: Red", "Size: L"], 617),
    ("Phone holder for car dashboard", ["Color: Silver"], 499),
    ("Mechanical keyboard 68 keys hot-swap", ["Switch: Brown"], 4590),
    ("Camping lantern rechargeable", ["Color: Green"], 1530),
    ("Silicone baking mat set", ["Size: 3 pcs"], 730),
    ("Smart watch fitness tracker", ["Color: Pink", "Strap: Silicone"], 2999),
    ("Kitchen knife sharpener 3 stage", [], 388),
    ("Yoga mat non-slip 6 mm", ["Color: Purple"], 1675),
]
_REFUND_DAYS = {"card": 7, "paypal": 3, "wallet": 1, "boleto": 7, "pix": 2}

# (status, hours before the clock it was placed, extra attributes); order of the seed = newest first.
_PLAN: list[tuple[str, float, dict[str, Any]]] = [
    ("awaiting_payment", 3, {"payment": "card"}),
    ("awaiting_payment", 20, {"payment": "boleto", "lines": 2}),
    ("payment_verifying", 6, {"payment": "pix"}),
    ("payment_verifying", 30, {"payment": "boleto"}),
    ("awaiting_shipment", 10, {"seller": "accept", "seller_delay_h": 12, "payment": "card"}),
    ("awaiting_shipment", 26, {"seller": "reject", "seller_delay_h": 20, "payment": "paypal"}),
    ("awaiting_shipment", 40, {"seller": "silent", "payment": "wallet"}),
    ("awaiting_shipment", 50, {"seller": "accept", "seller_delay_h": 2, "payment": "pix", "lines": 3}),
    ("awaiting_shipment", 60, {"picked_up": True, "payment": "card"}),
    ("awaiting_shipment", 70, {"deposit": True, "payment": "card", "seller": "silent"}),
    ("awaiting_shipment", 80, {"seller": "reject", "seller_delay_h": 6, "payment": "card"}),
    ("awaiting_shipment", 90, {"seller": "silent", "payment": "paypal", "hostile": True}),
    ("awaiting_shipment", 100, {"seller": "accept", "seller_delay_h": 30, "payment": "boleto"}),
    ("cancellation_requested", 120, {"seller": "silent", "requested_h": 10, "payment": "card"}),
    ("cancellation_requested", 150, {"seller": "accept", "seller_delay_h": 40, "requested_h": 20}),
    ("awaiting_delivery", 24 * 9, {"payment": "paypal"}),
    ("awaiting_delivery", 24 * 14, {"payment": "card", "lines": 2}),
    ("awaiting_delivery", 24 * 20, {"payment": "wallet"}),
    ("awaiting_delivery", 24 * 25, {"payment": "pix"}),
    ("awaiting_delivery", 24 * 33, {"payment": "card"}),
    ("dispute", 24 * 40, {"payment": "card"}),
    ("closed", 24 * 12, {"payment": "card", "refund": "in_progress"}),
    ("closed", 24 * 45, {"payment": "paypal", "refund": "refunded"}),
    ("closed", 24 * 200, {"payment": "wallet", "refund": "refunded"}),
    ("canceled", 24 * 4, {"payment": "boleto"}),
    ("canceled", 24 * 70, {"payment": "card"}),
    ("canceled", 24 * 400, {"payment": "card"}),
]
# Completed orders spread over ~2 years (a few older than 2 years, so the time filter matters).
_COMPLETED_DAYS = [
    50,
    61,
    75,
    98,
    130,
    170,
    175,
    190,
    240,
    300,
    365 + 20,
    365 + 90,
    365 + 160,
    365 + 250,
    730 - 30,
    730 + 25,
    730 + 60,
]


def _order_id(rng: random.Random) -> str:
    digits = rng.choice([16, 16, 16, 17, 18, 19])
    return "8" + "".join(str(rng.randrange(10)) for _ in range(digits - 1))


def _lines(rng: random.Random, count: int, hostile: str | bool | None) -> list[Line]:
    lines = []
    for i in range(count):
        title, attrs, cents = rng.choice(PRODUCTS)
        if hostile and i == 0:
            title = hostile if isinstance(hostile, str) else HOSTILE_TITLE
        product = str(1005000000000000 + rng.randrange(10**12))
        lines.append(
            Line(
                line_id=str(rng.randrange(10**15, 10**16)),
                product_id=product,
                sku_id=str(rng.randrange(10**13, 10**14)),
                title=title,
                price_cents=cents,
                quantity=rng.choice([1, 1, 1, 2, 3]),
                sku_attrs=list(attrs),
                tags=rng.choice([[], [], ["Choice"], ["Free shipping"]]),
            )
        )
    return lines


def make_order(
    rng: random.Random, now: dt.datetime, status: str, hours_ago: float, extra: dict[str, Any]
) -> Order:
    """One order placed `hours_ago` before `now`, with timestamps consistent with its status."""
    placed = now - dt.timedelta(hours=hours_ago)
    store_id, store_name = rng.choice(STORES)
    payment = extra.get("payment", rng.choice(list(_REFUND_DAYS)))
    order = Order(
        order_id=_order_id(rng),
        placed_at=placed,
        status=status,
        store_id=store_id,
        store_name=store_name,
        lines=_lines(rng, extra.get("lines", 1), extra.get("title") or extra.get("hostile")),
        payment=payment,
        shipping_cents=rng.choice([0, 0, 199, 350]),
        seller=extra.get("seller", rng.choice(SELLERS)),
        seller_delay_h=extra.get("seller_delay_h", 12),
        refund_days=_REFUND_DAYS[payment],
        picked_up=extra.get("picked_up", False),
        deleted=extra.get("deleted", False),
    )
    if extra.get("deposit"):
        order.deposit_cents = order.total_cents // 5
    _stamp(order, now, extra)
    return order


def _stamp(order: Order, now: dt.datetime, extra: dict[str, Any]) -> None:
    placed, status = order.placed_at, order.status
    if status not in {"awaiting_payment", "payment_verifying"}:
        order.paid_at = placed + dt.timedelta(minutes=7)
    if status in {"awaiting_delivery", "completed", "dispute"}:
        order.shipped_at = placed + dt.timedelta(days=2)
    if status in {"completed", "closed", "canceled"}:
        order.ended_at = min(now, placed + dt.timedelta(days=18 if status == "completed" else 1))
    if status == "canceled" and order.payment in {"card", "paypal"}:
        order.paid_at = None  # canceled before paying
    if status == "cancellation_requested":
        order.cancel_requested_at = now - dt.timedelta(hours=extra.get("requested_h", 10))
        order.cancel_reason = "R01"
    if status == "closed":
        order.refund = extra.get("refund", "refunded")
        order.refund_due = (order.ended_at or now) + dt.timedelta(days=order.refund_days)
    if status == "dispute":
        order.dispute = Dispute(
            reason="Item not received",
            message="Tracking has not moved for 3 weeks.",
            files=[],
            opened_at=now - dt.timedelta(days=2),
        )


def build_seed(now: dt.datetime) -> list[Order]:
    """The seed account's orders, newest first (>= 40, every status, several payment methods)."""
    rng = random.Random(20260715)
    orders = [make_order(rng, now, status, hours, extra) for status, hours, extra in _PLAN]
    for days in _COMPLETED_DAYS:
        orders.append(
            make_order(rng, now, "completed", days * 24 + rng.randrange(24), {"lines": rng.choice([1, 1, 2])})
        )
    orders.append(make_order(rng, now, "completed", 24 * 150, {"deleted": True}))
    orders.append(make_order(rng, now, "completed", 24 * 320, {"deleted": True}))
    assert {o.status for o in orders} == set(STATUSES)
    orders.sort(key=lambda o: o.placed_at, reverse=True)
    return orders


def bulk_orders(now: dt.datetime, spec: dict[str, Any], salt: int) -> list[Order]:
    """Orders for `POST /__shop/orders`: count, status, seller, payment, picked_up, hours_ago, spread_h,
    email (the account that owns them; default the seed account)."""
    rng = random.Random(1000 + salt)
    count = int(spec.get("count", 1))
    status = spec.get("status", "awaiting_shipment")
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    start, spread = float(spec.get("hours_ago", 1)), float(spec.get("spread_h", 1))
    extra: dict[str, Any] = {
        k: spec[k]
        for k in ("seller", "seller_delay_h", "payment", "picked_up", "lines", "deposit", "hostile", "title")
        if k in spec
    }
    made = [make_order(rng, now, status, start + i * spread, extra) for i in range(count)]
    owner = str(spec.get("email") or "").lower()
    if owner and owner not in ACCOUNTS:
        raise ValueError(f"unknown account {owner!r} (the shop has {', '.join(ACCOUNTS)})")
    for order in made:
        order.owner = "" if owner == SHOP_EMAIL else owner
    return made
