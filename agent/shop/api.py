"""Ultron-shaped JSON of the shop's mtop APIs (list, detail, count, operation), as in the real captures.

Display order lives in `data.hierarchy.structure`, never in key order: the builders shuffle the keys
of `data.data` on purpose so a client that trusts key order breaks here first, not on the live site.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from agent.shop import i18n
from agent.shop.orders import STATUS_CODE, TAB_STATUSES, Order, Rules, seller_deadline
from agent.shop.scenarios import Switches

SUCCESS = "SUCCESS::调用成功"
SESSION_EXPIRED = "FAIL_SYS_SESSION_EXPIRED::Session expired"
API_LIST = "mtop.aliexpress.trade.buyer.order.list"
API_DETAIL = "mtop.aliexpress.trade.buyer.order.detail"
API_COUNT = "mtop.aliexpress.trade.buyer.order.count"
API_OPERATION = "mtop.aliexpress.trade.buyer.order.operation"
PAGE_SIZE = 10
TIME_OPTIONS = {"all": None, "6m": 183, "1y": 365, "2y": 730}
DISPUTE_DAYS = 90
_LIST_IDS = {"page": "5470001", "header": "5470002", "body": "5470003"}
_DETAIL_IDS = {
    "root": "6180001",
    "status": "6180002",
    "info": "6180003",
    "product": "6180004",
    "price": "6180005",
}


def envelope(api: str, data: dict[str, Any], ret: str = SUCCESS) -> dict[str, Any]:
    return {"api": api, "v": "1.0", "ret": [ret], "data": data}


def component(tag: str, cid: str, fields: dict[str, Any], ctype: str = "native") -> dict[str, Any]:
    return {"tag": tag, "id": cid, "type": ctype, "fields": fields}


def _shuffled(items: list[tuple[str, dict[str, Any]]], salt: int) -> dict[str, Any]:
    random.Random(salt).shuffle(items)
    return dict(items)


# -- buttons ---------------------------------------------------------------------------------------
_BUTTONS = {
    "awaiting_payment": ["PAY", "CANCEL_ORDER"],
    "payment_verifying": ["CANCEL_ORDER"],
    "awaiting_shipment": ["CANCEL_ORDER", "CONTACT_SELLER"],
    "cancellation_requested": ["CONTACT_SELLER"],
    "awaiting_delivery": ["CONFIRM_GOODS", "TRACKING", "OPEN_DISPUTE"],
    "completed": ["REPURCHASE", "OPEN_DISPUTE", "DOWNLOAD_RECEIPT", "DELETE"],
    "closed": ["REPURCHASE", "DELETE"],
    "canceled": ["REPURCHASE", "DELETE"],
    "dispute": ["VIEW_DISPUTE", "CONTACT_SELLER"],
}


def buttons(order: Order, sw: Switches, now: dt.datetime, where: str) -> list[dict[str, Any]]:
    """Action buttons of an order; `where` is "list" or "detail" (the layout decides Cancel's place)."""
    types = list(_BUTTONS[order.status])
    if "CANCEL_ORDER" in types and not _cancel_shown(sw.layout, where):
        types.remove("CANCEL_ORDER")
    if "OPEN_DISPUTE" in types and now - order.placed_at > dt.timedelta(days=DISPUTE_DAYS):
        types.remove("OPEN_DISPUTE")
    out = []
    for i, kind in enumerate(types):
        button: dict[str, Any] = {
            "type": kind,
            "text": i18n.BUTTONS[sw.locale][kind],
            "displayType": "primary" if i == 0 else "normal",
        }
        if kind == "OPEN_DISPUTE":
            button["href"] = f"/p/reverse-pages/start.html?orderId={order.order_id}"
        if kind == "VIEW_DISPUTE":
            button["href"] = f"/p/reverse-pages/detail.html?orderId={order.order_id}"
        out.append(button)
    return out


def _cancel_shown(layout: str, where: str) -> bool:
    if where == "list":  # the row carries Cancel only where the detail page is not the point
        return layout in {"detail_button", "list_row_only"}
    return layout != "list_row_only"


# -- list ------------------------------------------------------------------------------------------
def filter_orders(
    orders: list[Order], now: dt.datetime, tab: str, time_option: str, search: str
) -> list[Order]:
    if tab not in TAB_STATUSES and tab not in {"all", "recycle"}:
        raise ValueError(f"unknown statusTab {tab!r}")
    days = TIME_OPTIONS.get(time_option)
    needle = search.strip().lower()
    out = []
    for order in orders:
        if order.deleted != (tab == "recycle"):
            continue
        if tab in TAB_STATUSES and order.status not in TAB_STATUSES[tab]:
            continue
        if days is not None and now - order.placed_at > dt.timedelta(days=days):
            continue
        if needle and not _matches(order, needle):
            continue
        out.append(order)
    return out


def _matches(order: Order, needle: str) -> bool:
    hay = [order.order_id, order.store_name.lower()] + [x.title.lower() for x in order.lines]
    return any(needle in text for text in hay)


def _list_order(order: Order, sw: Switches, now: dt.datetime) -> dict[str, Any]:
    loc = sw.locale
    return {
        "orderId": order.order_id,
        "orderDetailUrl": f"/p/order/detail.html?orderId={order.order_id}&spm=a2g0o.order_list.0",
        "storeName": order.store_name,
        "storePageUrl": f"/store/{order.store_id}",
        "orderDateText": i18n.fmt_date(order.placed_at, loc),
        "statusText": i18n.STATUS[loc][order.status],
        "totalPriceText": i18n.fmt_money(order.total_cents, loc, compact=True),
        "formatPriceInfo": i18n.price_info(order.total_cents, loc),
        "buttons": buttons(order, sw, now, "list"),
        "orderLines": [
            {
                "orderLineId": x.line_id,
                "productId": x.product_id,
                "skuId": x.sku_id,
                "itemTitle": x.title,
                "itemPriceText": i18n.fmt_money(x.price_cents, loc, compact=True),
                "quantity": x.quantity,
                "skuAttrs": list(x.sku_attrs),
                "itemTags": list(x.tags),
            }
            for x in order.lines
        ],
    }


def _tabs(sw: Switches) -> dict[str, Any]:
    texts = i18n.TABS[(sw.locale, sw.tabs)]
    fields: dict[str, Any] = {
        "statusTabList": [{"statusTab": k, "text": t} for k, t in zip(i18n.TAB_KEYS, texts, strict=True)]
    }
    fields["tailStatusTab"] = (
        None if sw.tabs == "old" else {"statusTab": "recycle", "text": i18n.UI[sw.locale]["deleted_orders"]}
    )
    return fields


def page_i18n(locale: str) -> dict[str, Any]:
    texts: dict[str, Any] = dict(i18n.UI[locale])
    texts["reasons"] = [
        {"id": rid, "text": t} for rid, t in zip(i18n.REASON_IDS, i18n.REASONS[locale], strict=True)
    ]
    return texts


def list_payload(
    orders: list[Order], sw: Switches, now: dt.datetime, query: dict[str, Any]
) -> dict[str, Any]:
    """The list API's `data` for one page of already-filtered orders."""
    page = max(1, int(query.get("pageIndex", 1)))
    chunk = orders[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = _LIST_IDS
    order_keys = [f"pc_om_list_order_{o.order_id}" for o in chunk]
    items = [
        (f"pc_om_list_order_{o.order_id}", component("pc_om_list_order", o.order_id, _list_order(o, sw, now)))
        for o in chunk
    ]
    header = _tabs(sw) | {
        "selectedStatusTab": query.get("statusTab", "all"),
        "timeOption": query.get("timeOption", "all"),
    }
    items += [
        (
            f"pc_om_list_page_{ids['page']}",
            component("pc_om_list_page", ids["page"], {"i18n": page_i18n(sw.locale)}),
        ),
        (f"pc_om_list_header_{ids['header']}", component("pc_om_list_header", ids["header"], header)),
        (
            f"pc_om_list_body_{ids['body']}",
            component(
                "pc_om_list_body",
                ids["body"],
                {"hasMore": page * PAGE_SIZE < len(orders), "pageIndex": page, "pageSize": PAGE_SIZE},
            ),
        ),
    ]
    root = f"pc_om_list_page_{ids['page']}"
    return {
        "data": _shuffled(items, salt=page + len(orders)),
        "hierarchy": {
            "root": root,
            "structure": {
                root: [f"pc_om_list_header_{ids['header']}", f"pc_om_list_body_{ids['body']}"],
                f"pc_om_list_body_{ids['body']}": order_keys,
            },
        },
        "global": {"locale": sw.locale, "currency": "BRL" if sw.locale == "pt-BR" else "USD"},
    }


def count_payload(orders: list[Order], now: dt.datetime) -> dict[str, Any]:
    counts = {
        tab: len(filter_orders(orders, now, tab, "all", "")) for tab in ["all", *TAB_STATUSES, "recycle"]
    }
    return {
        "data": {"pc_om_count_5470009": component("pc_om_count", "5470009", {"countMap": counts})},
        "hierarchy": {"root": "pc_om_count_5470009", "structure": {}},
        "global": {},
    }


# -- detail ----------------------------------------------------------------------------------------
def reminder(order: Order, sw: Switches, now: dt.datetime, rules: Rules) -> str:
    texts = i18n.REMINDERS[sw.locale]
    status = order.status
    if status == "awaiting_shipment":
        return texts[status].format(date=i18n.fmt_date(order.placed_at + dt.timedelta(days=7), sw.locale))
    if status == "cancellation_requested":
        deadline = seller_deadline(order, rules)
        left = (deadline - now).total_seconds() / 3600 if deadline else 0
        if left <= 0:
            return texts["cancellation_pending_overdue"]
        return texts[status].format(left=i18n.time_left(left, sw.locale))
    if status in ("closed", "canceled") and order.refund:  # an instant cancel of a paid order refunds too
        return texts["refund_in_progress" if order.refund == "in_progress" else "refunded"]
    if status == "completed" and order.dispute and order.dispute.resolved:
        return texts["dispute_resolved"]
    return texts.get(status, "")


def _info(order: Order, locale: str) -> dict[str, Any]:
    return {
        "tradeOrderId": int(order.order_id),
        "orderCreatTime": i18n.fmt_datetime(order.placed_at, locale),
        "payTime": i18n.fmt_datetime(order.paid_at, locale),
        "orderShipTime": i18n.fmt_datetime(order.shipped_at, locale),
        "orderEndTime": i18n.fmt_datetime(order.ended_at, locale),
        "paymentMethod": i18n.PAYMENT[locale][order.payment],
    }


def _products(order: Order, sw: Switches, now: dt.datetime) -> list[dict[str, Any]]:
    disputable = any(b["type"] == "OPEN_DISPUTE" for b in buttons(order, sw, now, "detail"))
    dispute_btn = {
        "type": "OPEN_DISPUTE",
        "text": i18n.BUTTONS[sw.locale]["OPEN_DISPUTE"],
        "href": f"/p/reverse-pages/start.html?orderId={order.order_id}",
    }
    return [
        {
            "orderLineId": x.line_id,
            "productId": x.product_id,
            "skuId": x.sku_id,
            "itemTitle": x.title,
            "skuAttrs": list(x.sku_attrs),
            "itemPriceText": i18n.fmt_money(x.price_cents, sw.locale),
            "quantity": x.quantity,
            "itemTags": list(x.tags),
            "buttonVOS": [dict(dispute_btn)] if disputable else [],
            "sellerVO": {
                "storeName": order.store_name,
                "storeId": order.store_id,
                "storePageUrl": f"/store/{order.store_id}",
            },
        }
        for x in order.lines
    ]


def _prices(order: Order, locale: str) -> dict[str, Any]:
    ui, money = i18n.UI[locale], i18n.fmt_money
    subtotal = order.total_cents - order.shipping_cents
    rows = [
        {"title": ui["subtotal"], "value": money(subtotal, locale)},
        {"title": ui["shipping"], "value": money(order.shipping_cents, locale)},
    ]
    if order.deposit_cents:
        rows += [
            {"title": ui["deposit"], "value": money(order.deposit_cents, locale)},
            {"title": ui["final_payment"], "value": money(order.total_cents - order.deposit_cents, locale)},
        ]
    total = money(order.total_cents, locale)
    return {"priceDetails": rows + [{"title": ui["total"], "value": total}], "totalPrice": total}


def detail_payload(order: Order, sw: Switches, now: dt.datetime, rules: Rules) -> dict[str, Any]:
    ids, loc = _DETAIL_IDS, sw.locale
    status_fields: dict[str, Any] = {
        "title": i18n.STATUS[loc][order.status],
        "reminder": reminder(order, sw, now, rules),
        "orderId": int(order.order_id),
        "buttonVOList": buttons(order, sw, now, "detail"),
        "statusTag": i18n.UI[loc]["installment"] if order.deposit_cents else "",
    }
    deadline = seller_deadline(order, rules)
    if deadline:
        status_fields["countDownEndTime"] = int(deadline.timestamp() * 1000)
    keys = {
        name: f"{tag}_{ids[name]}"
        for name, tag in [
            ("root", "detail_root_container"),
            ("status", "detail_order_status_block"),
            ("info", "detail_simple_order_info_component"),
            ("product", "detail_product_block"),
            ("price", "detail_order_price_block"),
        ]
    }
    items = [
        (keys["root"], component("detail_root_container", ids["root"], {}, "container")),
        (keys["status"], component("detail_order_status_block", ids["status"], status_fields)),
        (keys["info"], component("detail_simple_order_info_component", ids["info"], _info(order, loc))),
        (
            keys["product"],
            component("detail_product_block", ids["product"], {"productVOList": _products(order, sw, now)}),
        ),
        (keys["price"], component("detail_order_price_block", ids["price"], _prices(order, loc))),
    ]
    return {
        "data": _shuffled(items, salt=int(order.order_id[-6:])),
        "hierarchy": {
            "root": keys["root"],
            "structure": {keys["root"]: [keys["status"], keys["info"], keys["product"], keys["price"]]},
        },
        "global": {
            "orderStatus": STATUS_CODE[order.status],
            "locale": loc,
            "currency": "BRL" if loc == "pt-BR" else "USD",
        },
    }


def operation_payload(order: Order, sw: Switches) -> dict[str, Any]:
    return {
        "tradeOrderId": order.order_id,
        "orderStatus": STATUS_CODE[order.status],
        "statusText": i18n.STATUS[sw.locale][order.status],
    }
