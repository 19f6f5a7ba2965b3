"""Parser of the order detail API (`mtop.aliexpress.trade.buyer.order.detail`, asked by `tradeOrderId`):
one answer → an OrderDetail, like the detail page's.

A real detail always has the components tagged `detail_simple_order_info_component` and
`detail_product_block`; without them the answer is the empty skeleton the API gives to the wrong
parameter (`orderId`): an error, never a deleted order. Facts used (aliexpress-site.md):
`detail_order_status_block.fields` `title`, `reminder`, `orderId` (a number), `buttonVOList[]`,
`statusTag` and `countDownEndTime` when present; the info component's `tradeOrderId`, `orderCreatTime`
(sic), `paymentMethod`; products' `itemTitle`, `skuAttrs`, `itemPriceText`, `quantity`, `sellerVO`;
prices' `priceDetails[]`, `totalPrice`. `data.global.orderStatus` is used only for a code seen in real
captures (9 = completed) and only when the status text is not in the pack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from agent.api.protocol import digits
from agent.api.ultron import Graph
from agent.api.values import epoch_ms, integer, parsed, text
from agent.errors import ApiRefused
from agent.models import OrderDetail, OrderLine, OrderStatus
from agent.packs import Pack
from agent.parsing import fold, parse_date, parse_money
from agent.policy import canonical_status
from agent.reminders import deadline_from_reminder

__all__ = ["REQUIRED_TAGS", "parse_detail"]

STATUS_TAG = "detail_order_status_block"
INFO_TAG = "detail_simple_order_info_component"
PRODUCT_TAG = "detail_product_block"
PRICE_TAG = "detail_order_price_block"
REQUIRED_TAGS = (INFO_TAG, PRODUCT_TAG)
SEEN_ORDER_STATUS = {9: OrderStatus.COMPLETED}  # 8 is read both ways by public sources: not mapped


def parse_detail(data: Mapping[str, Any], pack: Pack, locale: str, now: dt.datetime) -> OrderDetail:
    graph = Graph(data)
    missing = [tag for tag in REQUIRED_TAGS if graph.first(tag) is None]
    if missing:
        raise ApiRefused(f"the detail answer is an empty skeleton (no {', '.join(missing)})", "bad_answer")
    head, info = graph.fields(STATUS_TAG), graph.fields(INFO_TAG)
    products = [p for p in graph.fields(PRODUCT_TAG).get("productVOList") or [] if isinstance(p, Mapping)]
    prices = graph.fields(PRICE_TAG)
    status_text = text(head.get("title"))
    status = canonical_status(status_text, pack.statuses, locale)
    if status is OrderStatus.UNKNOWN:
        status = SEEN_ORDER_STATUS.get(integer(_global(data).get("orderStatus"), -1), status)
    reminder = text(head.get("reminder"))
    deadline = epoch_ms(head.get("countDownEndTime")) or (
        deadline_from_reminder(reminder, now, locale) if reminder else None
    )
    seller = products[0].get("sellerVO") if products else None
    return OrderDetail(
        order_id=_order_id(info, head),
        status=status,
        status_text=status_text,
        placed_at=parsed(parse_date, info.get("orderCreatTime"), locale),
        store_name=text(seller.get("storeName")) if isinstance(seller, Mapping) else "",
        total=parsed(parse_money, prices.get("totalPrice") or _last_price(prices), locale),
        items=[_line(p, locale) for p in products],
        actions=[text(b.get("text")) for b in head.get("buttonVOList") or [] if isinstance(b, Mapping)],
        reminder=reminder,
        payment_method=text(info.get("paymentMethod")),
        is_deposit=_is_deposit(head, prices, pack, locale),
        seller_deadline=deadline if status is OrderStatus.CANCELLATION_REQUESTED else None,
        ship_by=_ship_by(status, reminder, deadline, locale),
    )


def _global(data: Mapping[str, Any]) -> Mapping[str, Any]:
    found = data.get("global")
    return found if isinstance(found, Mapping) else {}


def _order_id(info: Mapping[str, Any], head: Mapping[str, Any]) -> str:
    for candidate in (info.get("tradeOrderId"), head.get("orderId")):
        found = digits(candidate)
        if found:
            return found
    raise ApiRefused("the detail answer carries no order id", "bad_answer")


def _line(product: Mapping[str, Any], locale: str) -> OrderLine:
    return OrderLine(
        title=text(product.get("itemTitle")),
        sku=", ".join(text(a) for a in product.get("skuAttrs") or []),
        price=parsed(parse_money, product.get("itemPriceText"), locale),
        quantity=integer(product.get("quantity"), 1),
    )


def _last_price(prices: Mapping[str, Any]) -> object:
    rows = [r for r in prices.get("priceDetails") or [] if isinstance(r, Mapping)]
    return rows[-1].get("value") if rows else None


def _is_deposit(head: Mapping[str, Any], prices: Mapping[str, Any], pack: Pack, locale: str) -> bool:
    labels = [text(head.get("statusTag"))]
    labels += [text(r.get("title")) for r in prices.get("priceDetails") or [] if isinstance(r, Mapping)]
    words = [fold(w) for w in pack.words("deposit", locale)]
    return any(w and w in fold(label) for label in labels if label for w in words)


def _ship_by(
    status: OrderStatus, reminder: str, deadline: dt.datetime | None, locale: str
) -> dt.datetime | None:
    """As the detail page reads it: the reminder's countdown, else the date it names (end of day)."""
    if status is not OrderStatus.AWAITING_SHIPMENT or not reminder:
        return None
    if deadline is not None:
        return deadline
    day = parsed(parse_date, reminder, locale)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC) if day else None
