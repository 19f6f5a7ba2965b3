"""Returns and refunds ("reverse orders"): what the reverse list API
(`mtop.aliexpress.buyer.reverse.queryreverseorderpagelistforbuyer`) answers, built from the shop's
order lifecycle (agent/shop/orders.py).

An order the shop refunds (cancelled after payment, accepted or auto-cancelled request, dispute settled
with a refund) or disputes has one reverse order, with one line per order line. A line's
`reverseStatus` is 2 while the refund (or dispute) is in progress and 4 once it is completed; nothing
here awaits a return (3). Request filter `reverseStatus`: 1 = the whole history, 2/3/4 = lines in that
status; 0, 5 and anything else answer UNKNOWN_FAIL_CODE. `module.pages` is 0, as captured.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from agent.shop import i18n
from agent.shop.api import sometimes_number
from agent.shop.orders import Line, Order

API_REVERSE = "mtop.aliexpress.buyer.reverse.queryreverseorderpagelistforbuyer"
IN_PROGRESS, AWAITING_RETURN, COMPLETED = 2, 3, 4
STATUS_FILTERS = {1, IN_PROGRESS, AWAITING_RETURN, COMPLETED}
MAX_SIZE = 50


class BadReverseQuery(ValueError):
    """The payload asks for something the API does not know (answered UNKNOWN_FAIL_CODE)."""


def _status(order: Order) -> int | None:
    if order.refund == "refunded":
        return COMPLETED
    if order.refund == "in_progress":
        return IN_PROGRESS
    if order.dispute is not None:
        return COMPLETED if order.dispute.resolved else IN_PROGRESS
    return None


def _opened(order: Order) -> dt.datetime:
    if order.dispute is not None:
        return order.dispute.opened_at
    return order.ended_at or order.cancel_requested_at or order.placed_at


def _stamp(when: dt.datetime) -> dict[str, str]:
    return {"ms": str(int(when.timestamp() * 1000)), "text": when.strftime("%Y-%m-%d %H:%M:%S")}


def _line(order: Order, line: Line, index: int, status: int, locale: str, now: dt.datetime) -> dict[str, Any]:
    created = _stamp(_opened(order))
    modified = _stamp(order.refund_due if status == COMPLETED and order.refund_due else _opened(order))
    cents = i18n.amount(line.price_cents, locale)
    dispute = order.dispute is not None
    reverse_id = f"{order.order_id[:6]}9{order.order_id[-9:]}"
    return {
        "tradeOrderId": order.order_id,
        "tradeOrderLineId": sometimes_number(line.line_id, index + 1),
        "reverseOrderId": reverse_id,
        "reverseOrderLineId": sometimes_number(f"{reverse_id}{index}", index),
        "reverseStatus": status,
        "reverseType": "REFUND" if not dispute else "DISPUTE",
        "solutionType": "REFUND",
        "reverseBizType": "ISSUE" if dispute else "CANCEL_ORDER",
        "gmtCreate": created["ms"],
        "gmtCreateFormat": created["text"],
        "gmtModified": modified["ms"],
        "gmtModifiedFormat": modified["text"],
        "aeItemDTO": {
            "itemId": line.product_id,
            "itemTitle": line.title,
            "itemCount": line.quantity,
            "itemUnitPrice": {
                "cent": cents,
                "currency": "BRL" if locale == "pt-BR" else "USD",
                "formatMoney": i18n.fmt_money(line.price_cents, locale),
            },
        },
        "buttonDTOList": [
            {
                "type": "refund_details" if not dispute else "view_details",
                "code": "REFUND_DETAIL" if not dispute else "VIEW_DETAIL",
                "detailUrl": f"/p/reverse-pages/detail.html?orderId={order.order_id}",
            }
        ],
        "seller": {
            "storeId": order.store_id,
            "storeUrl": f"/store/{order.store_id}",
            "contactSellerUrl": f"/store/{order.store_id}#contact",
            "canContact": True,
        },
    }


def reverse_payload(
    orders: list[Order], query: dict[str, Any], locale: str, now: dt.datetime
) -> dict[str, Any]:
    """The answer's `data` for one page of the buyer's reverse orders (newest first)."""
    wanted = query.get("reverseStatus")
    if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted not in STATUS_FILTERS:
        raise BadReverseQuery(f"reverseStatus {wanted!r} is not supported")
    page, size = _int(query.get("pageNo", 1), 1), min(_int(query.get("size", 10), 10), MAX_SIZE)
    trade_id, shop_name = str(query.get("tradeOrderId") or ""), str(query.get("shopName") or "")
    picked = [
        (o, status)
        for o in orders
        if (status := _status(o)) is not None
        and wanted in (1, status)
        and (not trade_id or o.order_id == trade_id)
        and (not shop_name or shop_name.lower() in o.store_name.lower())
    ]
    picked.sort(key=lambda pair: _opened(pair[0]), reverse=True)
    lines = [(o, s, i, x) for o, s in picked for i, x in enumerate(o.lines)]
    chunk = lines[(page - 1) * size : page * size]
    items: list[dict[str, Any]] = []
    for order, status, index, line in chunk:
        if not items or items[-1]["_order"] != order.order_id:
            items.append({"_order": order.order_id, "shopName": order.store_name, "reverseOrderLines": []})
        items[-1]["reverseOrderLines"].append(_line(order, line, index, status, locale, now))
    for item in items:
        del item["_order"]
    module = {"total": len(lines), "pageNum": page, "pageSize": size, "pages": 0, "items": items}
    return {"module": module}


def _int(value: Any, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default
