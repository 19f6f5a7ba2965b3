"""Parser of the order list API (`mtop.aliexpress.trade.buyer.order.list`): one answer → its orders in
display order, its paging, and the POST payload of the page after it.

Facts used (shared/reference/aliexpress-api.md, aliexpress-site.md): orders are components tagged
`pc_om_list_order` (fields `orderId` — a string or a number —, `orderDetailUrl`, `statusText`,
`orderDateText`, `storeName`, `totalPriceText`, `orderLines[]`); paging on the component tagged
`pc_om_list_body` (`hasMore`, `pageIndex`); the filters on the one tagged `pc_om_list_header_action`
(sent back when present); `data.linkage`, `data.hierarchy`, `data.endpoint` build the next page.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.api.protocol import digits, serialise
from agent.api.ultron import Graph
from agent.api.values import integer, parsed, text
from agent.errors import ApiRefused
from agent.models import Order, OrderLine
from agent.packs import Pack
from agent.parsing import parse_date, parse_money
from agent.policy import canonical_status

__all__ = ["ListPage", "next_page_payload", "order_ids", "parse_list"]

ORDER_TAG = "pc_om_list_order"
BODY_TAG = "pc_om_list_body"
ACTION_TAG = "pc_om_list_header_action"


@dataclass(frozen=True)
class ListPage:
    orders: list[Order]
    has_more: bool
    page_index: int
    data: Mapping[str, Any] = field(repr=False)  # the answer's data: the next page is built from it


def parse_list(data: Mapping[str, Any], pack: Pack, locale: str) -> ListPage:
    """An answer's `data` → its page. An answer with no components (what a missing or stale linkage
    gets) or without the list body is an error, never "no more orders"."""
    graph = Graph(data)
    if not graph.components:
        raise ApiRefused(
            "the order list answer has no components (a missing or stale linkage?)", "bad_answer"
        )
    body = graph.first(BODY_TAG)
    if body is None:
        raise ApiRefused(f"the order list answer has no {BODY_TAG} component", "bad_answer")
    paging = body[1].get("fields") or {}
    orders = [_order(key, comp, pack, locale) for key, comp in graph.tagged(ORDER_TAG)]
    return ListPage(orders, bool(paging.get("hasMore")), integer(paging.get("pageIndex"), 1), data)


def order_ids(data: Mapping[str, Any]) -> list[str]:
    """Just the order ids of an answer, in display order (what a page shows once it has rendered it)."""
    graph = Graph(data)
    return [_order_id(fields_of(comp), comp, key) for key, comp in graph.tagged(ORDER_TAG)]


def fields_of(comp: Mapping[str, Any]) -> Mapping[str, Any]:
    found = comp.get("fields")
    return found if isinstance(found, Mapping) else {}


def next_page_payload(page: ListPage) -> dict[str, str]:
    """The POST payload of the page after `page`: `{"params": json}` where json holds the body component
    (pageIndex bumped) and the header action (the filters) as `data`, and this answer's linkage,
    hierarchy and endpoint — each as a JSON string."""
    graph = Graph(page.data)
    body = graph.first(BODY_TAG)
    linkage = page.data.get("linkage")
    if body is None or not isinstance(linkage, Mapping) or not linkage:
        raise ApiRefused("the order list answer has no linkage to build the next page from", "bad_answer")
    body_key, body_comp = body
    bumped = copy.deepcopy(dict(body_comp))
    bumped["fields"] = {**dict(bumped.get("fields") or {}), "pageIndex": page.page_index + 1}
    components: dict[str, Any] = {body_key: bumped}
    action = graph.first(ACTION_TAG)
    if action is not None:
        components[action[0]] = action[1]
    params = {
        "data": serialise(components),
        "linkage": serialise(dict(linkage)),
        "hierarchy": serialise(dict(page.data.get("hierarchy") or {})),
        "endpoint": serialise(dict(page.data.get("endpoint") or {})),
        "operator": body_key,
    }
    return {"params": serialise(params)}


def _order(key: str, comp: Mapping[str, Any], pack: Pack, locale: str) -> Order:
    fields = fields_of(comp)
    order_id = _order_id(fields, comp, key)
    status_text = text(fields.get("statusText"))
    return Order(
        order_id=order_id,
        status=canonical_status(status_text, pack.statuses, locale),
        status_text=status_text,
        placed_at=parsed(parse_date, fields.get("orderDateText"), locale),
        store_name=text(fields.get("storeName")),
        total=parsed(parse_money, fields.get("totalPriceText"), locale),
        items=[_line(line, locale) for line in fields.get("orderLines") or [] if isinstance(line, Mapping)],
        actions=[text(b.get("text")) for b in fields.get("buttons") or [] if isinstance(b, Mapping)],
    )


def _order_id(fields: Mapping[str, Any], comp: Mapping[str, Any], key: str) -> str:
    """`orderId` (string or number), else the detail link's `orderId=`, else the component's id."""
    link = re.search(r"[?&]orderId=(\d+)", str(fields.get("orderDetailUrl") or ""))
    for candidate in (fields.get("orderId"), link.group(1) if link else None, comp.get("id")):
        found = digits(candidate)
        if found:
            return found
    raise ApiRefused(f"the order list component {key} carries no order id", "bad_answer")


def _line(line: Mapping[str, Any], locale: str) -> OrderLine:
    quantity = integer(line.get("quantity"), 1)
    return OrderLine(
        title=text(line.get("itemTitle")),
        sku=", ".join(text(a) for a in line.get("skuAttrs") or []),
        price=parsed(parse_money, line.get("itemPriceText"), locale),
        quantity=quantity,
    )
