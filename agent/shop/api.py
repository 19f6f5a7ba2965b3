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
_LIST_IDS = {"page": "5470001", "header": "5470002", "body": "5470003", "action": "5470004"}
JS_SAFE = 2**53 - 1  # ids above this lose digits in a page's JSON.parse: the site sends those as strings
ENDPOINT = {"mode": "pc", "osVersion": "pc", "protocolVersion": "3.0", "ultronage": True}
_DETAIL_IDS = {
    "root": "6180001",
    "status": "6180002",
    "info": "6180003",
    "product": "6180004",
    "price": "6180005",
}


def envelope(api: str, data: dict[str, Any], ret: str = SUCCESS) -> dict[str, Any]:
    return {"api": api, "v": "1.0", "ret": [ret], "data": data}


def component(tag: str, cid: str | int, fields: dict[str, Any], ctype: str = "native") -> dict[str, Any]:
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
        if kind == "CONTACT_SELLER":
            button["href"] = f"/p/message/index.html?orderId={order.order_id}"
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


def sometimes_number(value: str, index: int) -> str | int:
    """Ids are strings in one place and numbers in another (as captured): every other one a number,
    where a page's JSON.parse keeps all its digits."""
    return int(value) if index % 2 and int(value) <= JS_SAFE else value


def _list_order(order: Order, sw: Switches, now: dt.datetime, index: int = 0) -> dict[str, Any]:
    loc = sw.locale
    return {
        "orderId": sometimes_number(order.order_id, index),
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
                "orderLineId": sometimes_number(x.line_id, index + 1),
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


def list_query(data: dict[str, Any]) -> dict[str, Any]:
    """The filters and page of a first-page (GET) payload."""
    return {
        "statusTab": str(data.get("statusTab") or "all"),
        "timeOption": str(data.get("timeOption") or "all"),
        "searchInput": str(data.get("searchInput") or ""),
        "searchOption": str(data.get("searchOption") or "order"),
        "pageIndex": 1,
    }


def list_keys() -> dict[str, str]:
    ids = _LIST_IDS
    return {
        "page": f"pc_om_list_page_{ids['page']}",
        "header": f"pc_om_list_header_{ids['header']}",
        "action": f"pc_om_list_header_action_{ids['action']}",
        "body": f"pc_om_list_body_{ids['body']}",
    }


def list_payload(
    orders: list[Order], sw: Switches, now: dt.datetime, query: dict[str, Any], first: bool = True
) -> dict[str, Any]:
    """The list API's `data` for one page of already-filtered orders (without `linkage`): the whole
    page on the first (GET) call; on the next pages (POST) only what changes — the new orders, the
    body with its paging and the header action with the filters."""
    page = max(1, int(query.get("pageIndex", 1)))
    chunk = orders[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids, keys = _LIST_IDS, list_keys()
    order_keys = [f"pc_om_list_order_{o.order_id}" for o in chunk]
    items = [
        (key, component("pc_om_list_order", sometimes_number(o.order_id, i), _list_order(o, sw, now, i)))
        for i, (key, o) in enumerate(zip(order_keys, chunk, strict=True))
    ]
    action = {k: query[k] for k in ("statusTab", "timeOption", "searchInput", "searchOption")}
    paging = {"hasMore": page * PAGE_SIZE < len(orders), "pageIndex": page, "pageSize": PAGE_SIZE}
    items += [
        (keys["action"], component("pc_om_list_header_action", ids["action"], action)),
        (keys["body"], component("pc_om_list_body", ids["body"], paging)),
    ]
    structure = {keys["body"]: order_keys}
    if first:
        header = _tabs(sw) | {"selectedStatusTab": query["statusTab"], "timeOption": query["timeOption"]}
        items += [
            (keys["page"], component("pc_om_list_page", ids["page"], {"i18n": page_i18n(sw.locale)})),
            (keys["header"], component("pc_om_list_header", ids["header"], header)),
        ]
        structure[keys["page"]] = [keys["header"], keys["action"], keys["body"]]
    return {
        "data": _shuffled(items, salt=page + len(orders)),
        "hierarchy": {"root": keys["page"], "structure": structure},
        "endpoint": dict(ENDPOINT),
        "global": {"locale": sw.locale, "currency": "BRL" if sw.locale == "pt-BR" else "USD"},
    }


def count_payload(orders: list[Order], now: dt.datetime) -> dict[str, Any]:
    """Counts per tab under `data.module`; zeros for a logged-out caller (pass no orders)."""
    counts = {
        tab: len(filter_orders(orders, now, tab, "all", "")) for tab in ["all", *TAB_STATUSES, "recycle"]
    }
    return {"module": counts}


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


def detail_skeleton() -> dict[str, Any]:
    """What the detail API answers to `orderId` (the wrong parameter): SUCCESS, an empty page skeleton."""
    root = f"detail_root_container_{_DETAIL_IDS['root']}"
    return {
        "data": {root: component("detail_root_container", _DETAIL_IDS["root"], {}, "container")},
        "hierarchy": {"root": root, "structure": {root: []}},
        "global": {},
    }


def operation_payload(order: Order, sw: Switches) -> dict[str, Any]:
    return {
        "tradeOrderId": order.order_id,
        "orderStatus": STATUS_CODE[order.status],
        "statusText": i18n.STATUS[sw.locale][order.status],
    }
