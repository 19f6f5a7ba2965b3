"""Answers shaped like the real captures, written by hand from shared/reference/aliexpress-site.md
("Internal JSON API") and aliexpress-api.md — not produced by the fixture shop, so the parsers are
pinned on the reference itself. Each builder returns the envelope's `data`."""

from __future__ import annotations

import copy
from typing import Any

BODY = "pc_om_list_body_5470003"
ACTION = "pc_om_list_header_action_5470004"
PAGE = "pc_om_list_page_5470001"


def list_order(
    order_id: str | int, status: str = "Completed", date: str = "Jul 15, 2026", total: str = "R$132,74"
) -> dict[str, Any]:
    return {
        "tag": "pc_om_list_order",
        "type": "native",
        "id": order_id,
        "fields": {
            "orderId": order_id,
            "orderDetailUrl": f"//www.aliexpress.com/p/order/detail.html?orderId={order_id}&spm=a2g0o.x",
            "storeName": "Loja Oficial",
            "storePageUrl": "//www.aliexpress.com/store/1101",
            "orderDateText": date,
            "statusText": status,
            "totalPriceText": total,
            "formatPriceInfo": f"{total}|132|74",
            "buttons": [
                {"type": "REPURCHASE", "text": "Buy this again", "displayType": "primary"},
                {"type": "DELETE", "text": "Delete", "displayType": "normal"},
            ],
            "orderLines": [
                {
                    "orderLineId": 8212313961601322,
                    "productId": "1005001",
                    "skuId": "12000",
                    "itemTitle": "Cabo  USB-C",
                    "itemPriceText": "R$66,37",
                    "quantity": 2,
                    "skuAttrs": ["Cor: Preto", "1 m"],
                    "itemTags": [],
                }
            ],
        },
    }


def list_page(
    orders: list[dict[str, Any]],
    shown: list[str],
    has_more: bool,
    page_index: int = 1,
    linkage: str = "sig-1",
) -> dict[str, Any]:
    """`orders` keyed as the site keys them (`pc_om_list_order_<id>`), in a key order that is not the
    display order; `shown` is the display order (the body's structure)."""
    components: dict[str, Any] = {f"pc_om_list_order_{o['fields']['orderId']}": o for o in orders}
    components[BODY] = {
        "tag": "pc_om_list_body",
        "type": "native",
        "id": "5470003",
        "fields": {"hasMore": has_more, "pageIndex": page_index, "pageSize": 10},
    }
    components[ACTION] = {
        "tag": "pc_om_list_header_action",
        "type": "native",
        "id": "5470004",
        "fields": {"statusTab": "all", "timeOption": "6m", "searchInput": "", "searchOption": "order"},
    }
    return {
        "data": components,
        "hierarchy": {
            "root": PAGE,
            "structure": {PAGE: [ACTION, BODY], BODY: [f"pc_om_list_order_{i}" for i in shown]},
        },
        "linkage": {"common": {"compress": True, "queryParams": "q"}, "signature": linkage},
        "endpoint": {"mode": "pc", "protocolVersion": "3.0"},
    }


DETAIL_ROOT = "detail_root_container_6180001"


def detail(
    order_id: int = 8212313961591322, title: str = "Completed", order_status: int = 9, **status_extra: Any
) -> dict[str, Any]:
    comps = {
        "detail_order_price_block_6180005": {
            "tag": "detail_order_price_block",
            "id": "6180005",
            "fields": {
                "priceDetails": [
                    {"title": "Subtotal", "value": "R$ 120,00"},
                    {"title": "Shipping", "value": "R$ 12,74"},
                    {"title": "Total", "value": "R$ 132,74"},
                ],
                "totalPrice": "R$ 132,74",
            },
        },
        "detail_simple_order_info_component_6180003": {
            "tag": "detail_simple_order_info_component",
            "id": "6180003",
            "fields": {
                "tradeOrderId": order_id,
                "orderCreatTime": "Jul 15, 2026 10:31",
                "payTime": "Jul 15, 2026 10:38",
                "paymentMethod": "Pix",
            },
        },
        "detail_order_status_block_6180002": {
            "tag": "detail_order_status_block",
            "id": "6180002",
            "fields": {
                "title": title,
                "reminder": "",
                "orderId": order_id,
                "buttonVOList": [
                    {"type": "REPURCHASE", "text": "Buy this again"},
                    {"type": "OPEN_DISPUTE", "text": "Returns/refunds"},
                ],
                **status_extra,
            },
        },
        "detail_product_block_6180004": {
            "tag": "detail_product_block",
            "id": "6180004",
            "fields": {
                "productVOList": [
                    {
                        "itemTitle": "Cabo USB-C",
                        "skuAttrs": ["Cor: Preto"],
                        "itemPriceText": "R$ 66,37",
                        "quantity": 2,
                        "buttonVOS": [{"type": "OPEN_DISPUTE", "text": "Returns/refunds"}],
                        "sellerVO": {"storeName": "Loja Oficial", "storeId": 1101},
                    }
                ]
            },
        },
    }
    order = [
        "detail_order_status_block_6180002",
        "detail_simple_order_info_component_6180003",
        "detail_product_block_6180004",
        "detail_order_price_block_6180005",
    ]
    return {
        "data": {DETAIL_ROOT: {"tag": "detail_root_container", "id": "6180001", "fields": {}}, **comps},
        "hierarchy": {"root": DETAIL_ROOT, "structure": {DETAIL_ROOT: order}},
        "global": {"orderStatus": order_status},
    }


def skeleton() -> dict[str, Any]:
    """What `orderId` instead of `tradeOrderId` gets: SUCCESS, the page's frame, no order in it."""
    return {
        "data": {DETAIL_ROOT: {"tag": "detail_root_container", "id": "6180001", "fields": {}}},
        "hierarchy": {"root": DETAIL_ROOT, "structure": {DETAIL_ROOT: []}},
        "global": {},
    }


def reverse_line(
    trade_order_id: str | int, status: int = 4, cent: int = 2399, count: int = 1, line_id: str | int = 1
) -> dict[str, Any]:
    return {
        "tradeOrderId": trade_order_id,
        "tradeOrderLineId": line_id,
        "reverseOrderId": "5012345678901",
        "reverseOrderLineId": 5012345678902,
        "reverseStatus": status,
        "reverseType": "RETURN",
        "solutionType": "REFUND",
        "reverseBizType": "NORMAL",
        "gmtCreate": "1648070398000",
        "gmtCreateFormat": "2022-03-23 21:19:58",
        "gmtModified": "1648160398000",
        "gmtModifiedFormat": "2022-03-24 21:19:58",
        "aeItemDTO": {
            "itemId": 1005001,
            "itemTitle": "Cabo USB-C",
            "itemCount": count,
            "itemUnitPrice": {"cent": cent, "currency": "BRL", "formatMoney": "R$ 23,99"},
        },
        "buttonDTOList": [{"type": "refund_details", "code": "REFUND_DETAIL", "detailUrl": "//x"}],
        "seller": {"storeId": 1101, "storeUrl": "//x", "contactSellerUrl": "//x", "canContact": True},
    }


def reverse_page(items: list[list[dict[str, Any]]], total: int, pages: int = 0) -> dict[str, Any]:
    return {
        "module": {
            "total": total,
            "pageNum": 1,
            "pageSize": 10,
            "pages": pages,
            "items": [{"shopName": "Loja Oficial", "reverseOrderLines": lines} for lines in items],
        }
    }


def copied(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)
