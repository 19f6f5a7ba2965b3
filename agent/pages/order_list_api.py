"""My Orders through the JSON the list page itself loads (the order list API), with the browser's session.

One request per ten orders instead of paging the list on screen, where every "View orders" also pays the
site's spinner and a scan of an ever longer DOM. The real site signs its API calls (a token from the
`_m_h5_tk` cookie); when the API refuses a call it answers `FAIL_…` and this raises SiteError, so callers
fall back to reading the screen (OrdersPage).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agent.errors import SiteError
from agent.models import Order, OrderLine
from agent.packs import Pack
from agent.pages.base import PageObject, api_body, parsed_or_none
from agent.parsing import parse_date, parse_money
from agent.policy import canonical_status

__all__ = ["OrderListApi", "parse_order_list"]

ORDER_TAG = "pc_om_list_order"
BODY_PREFIX = "pc_om_list_body_"
MAX_PAGES = 2_000


class OrderListApi(PageObject):
    KEYS = ()  # no controls: paths only (api_order_list)

    def orders(self, time_option: str = "all", status_tab: str = "all") -> list[Order]:
        """Every order the list API holds for the filters, in the site's display order."""
        found: list[Order] = []
        for page in range(1, MAX_PAGES + 1):
            body = self._page(page, time_option, status_tab)
            rows, more = parse_order_list(body, self.pack, self.site.locale)
            found += rows
            if not more:
                return found
        raise SiteError(f"the order list API still had more after {MAX_PAGES} pages")

    def _page(self, page: int, time_option: str, status_tab: str) -> dict[str, Any]:
        query = {"statusTab": status_tab, "timeOption": time_option, "searchInput": "", "pageIndex": page}
        response = self.page.context.request.get(
            self.site.api_url("api_order_list"),
            params={"data": json.dumps(query)},
            timeout=self.site.timeout_ms,
        )
        return api_body(response.text(), response.status, "the order list API")


def parse_order_list(body: Mapping[str, Any], pack: Pack, locale: str) -> tuple[list[Order], bool]:
    """An Ultron list answer → (orders in display order, has more). Display order is the body
    component's list in `data.hierarchy.structure`, not the key order of `data.data`."""
    data = body.get("data", {})
    components: Mapping[str, Any] = data.get("data", {})
    structure: Mapping[str, list[str]] = data.get("hierarchy", {}).get("structure", {})
    body_key = next((k for k in structure if k.startswith(BODY_PREFIX)), None)
    if body_key is None:
        raise SiteError("the order list API answer has no list body")
    keys = structure[body_key]
    orders = [
        _order(components[k]["fields"], pack, locale)
        for k in keys
        if components.get(k, {}).get("tag") == ORDER_TAG
    ]
    more = bool(components.get(body_key, {}).get("fields", {}).get("hasMore"))
    return orders, more


def _order(fields: Mapping[str, Any], pack: Pack, locale: str) -> Order:
    status_text = " ".join(str(fields.get("statusText", "")).split())
    return Order(
        order_id=str(fields["orderId"]),
        status=canonical_status(status_text, pack.statuses, locale),
        status_text=status_text,
        placed_at=parsed_or_none(parse_date, str(fields.get("orderDateText", "")), locale),
        store_name=str(fields.get("storeName", "")),
        total=parsed_or_none(parse_money, str(fields.get("totalPriceText", "")), locale),
        items=[
            OrderLine(title=str(line.get("itemTitle", "")), quantity=int(line.get("quantity") or 1))
            for line in fields.get("orderLines", [])
        ],
    )
