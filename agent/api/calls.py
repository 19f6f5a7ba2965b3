"""The reads the agent makes through the API, each built from the protocol's rules (aliexpress-api.md):

- `orders`: the first page by GET, then each next page by POST built from the answer right before it;
  stops when `hasMore` is false or a page brings no new order id (whatever `hasMore` says);
- `detail`: by `tradeOrderId` (never `orderId`, which answers an empty skeleton);
- `counts`: per tab — SUCCESS with zeros when logged out, so never a session probe;
- `refunds`: the returns/refunds list per status filter (completed, in progress), counting the lines
  received against `total` (never `pages`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from agent.api import protocol as mtop
from agent.api.client import MtopClient
from agent.api.order_detail import parse_detail
from agent.api.order_list import next_page_payload, parse_list
from agent.api.reverse import parse_reverse
from agent.api.values import integer
from agent.errors import ApiRefused
from agent.models import Money, Order, OrderDetail, RefundLine
from agent.packs import Pack

__all__ = ["ApiReader", "refund_amount", "refund_state"]

logger = logging.getLogger(__name__)
MAX_PAGES = 2_000
REVERSE_PAGE_SIZE = 10
REFUND_FILTERS = ((4, "completed"), (2, "in_progress"))  # the request filter tells the state


@dataclass
class ApiReader:
    client: MtopClient
    pack: Pack
    locale: str

    def orders(self, tab: str = "all", time_option: str = "all", search: str = "") -> list[Order]:
        """Every order the list holds for the filters, in the site's display order."""
        first: dict[str, str] = {"statusTab": tab, "renderType": "init", "clientPlatform": "pc",
                                 "timeZone": self.client.time_zone, "timeOption": time_option}  # fmt: skip
        if search:
            first |= {"searchInput": search, "searchOption": "order"}
        page = parse_list(self.client.call(mtop.LIST, first, "GET"), self.pack, self.locale)
        found = {o.order_id: o for o in page.orders}
        for _ in range(MAX_PAGES):
            if not page.has_more:
                return list(found.values())
            page = parse_list(
                self.client.call(mtop.LIST, next_page_payload(page), "POST"), self.pack, self.locale
            )
            new = [o for o in page.orders if o.order_id not in found]
            if not new:
                logger.info(
                    "list page %d brought no new order id: the end, whatever hasMore says", page.page_index
                )
                return list(found.values())
            found.update((o.order_id, o) for o in new)
        raise ApiRefused(f"the order list still had more after {MAX_PAGES} pages", "bad_answer")

    def detail(self, order_id: str, now: dt.datetime) -> OrderDetail:
        payload = {"tradeOrderId": order_id, "clientPlatform": "pc", "timeZone": self.client.time_zone,
                   "channel": "tracking"}  # fmt: skip
        detail = parse_detail(self.client.call(mtop.DETAIL, payload, "GET"), self.pack, self.locale, now)
        if detail.order_id != order_id:
            raise ApiRefused(
                f"asked for order {order_id}, the detail answer is order {detail.order_id}", "bad_answer"
            )
        return detail

    def counts(self) -> dict[str, int]:
        """Orders per tab (`data.module`); zeros may mean logged out just as well as no orders."""
        module = self.client.call(mtop.COUNT, {"clientPlatform": "pc"}, "GET").get("module")
        if not isinstance(module, Mapping):
            raise ApiRefused("the counts answer has no module", "bad_answer")
        inner = module.get("countMap")
        source: Mapping[str, object] = inner if isinstance(inner, Mapping) else module
        return {str(k): integer(v, 0) for k, v in source.items() if not isinstance(v, Mapping | list)}

    def refunds(self, wanted: set[str] | None = None) -> dict[str, list[RefundLine]]:
        """Refund lines per order (only `wanted` orders when given), their state from the filter asked."""
        found: dict[str, list[RefundLine]] = {}
        for status, state in REFUND_FILTERS:
            for line in self._reverse_lines(status):
                if wanted is None or line.order_id in wanted:
                    found.setdefault(line.order_id, []).append(line.model_copy(update={"state": state}))
        return found

    def _reverse_lines(self, status: int) -> Iterator[RefundLine]:
        region = self.client.region().get("shipToCountry", "")
        received: set[tuple[str, str, str]] = set()
        for page_no in range(1, MAX_PAGES + 1):
            payload = {"pageNo": page_no, "size": REVERSE_PAGE_SIZE, "sortOrder": "DESC", "shipTo": region,
                       "reverseStatus": status, "shopName": "", "tradeOrderId": ""}  # fmt: skip
            page = parse_reverse(self.client.call(mtop.REVERSE, payload, "POST"))
            new = [x for x in page.lines if (x.order_id, x.order_line_id, x.reverse_order_id) not in received]
            received.update((x.order_id, x.order_line_id, x.reverse_order_id) for x in new)
            yield from new
            short = page.total is None and len(page.lines) < REVERSE_PAGE_SIZE
            if not new or short or (page.total is not None and len(received) >= page.total):
                return
        raise ApiRefused(f"the refunds list still had more after {MAX_PAGES} pages", "bad_answer")


def refund_state(lines: list[RefundLine]) -> str:
    """completed when every line of the order is, else in_progress."""
    return "completed" if lines and all(x.state == "completed" for x in lines) else "in_progress"


def refund_amount(lines: list[RefundLine]) -> Money | None:
    amounts = [x.amount for x in lines if x.amount is not None]
    if not amounts or len({a.currency for a in amounts}) != 1:
        return None
    return Money(amount=sum((a.amount for a in amounts), Decimal(0)), currency=amounts[0].currency)
