"""A light reading of My Orders for the sweep: each row's order id and status, in two round trips for the
whole list instead of about ten per row (OrdersPage.orders() parses items, prices and stores too).

A page object in the strict sense (pack keys only, no policy, no store); it lives here until it moves into
agent/pages/orders.py as `OrdersPage.statuses()` — proposed in the issue-4 note.
"""

from __future__ import annotations

import logging

from playwright.sync_api import expect

from agent.models import Order
from agent.pages import OrdersPage
from agent.parsing import order_id_from_url
from agent.policy import canonical_status

__all__ = ["StatusRows"]

logger = logging.getLogger(__name__)


class StatusRows(OrdersPage):
    KEYS = OrdersPage.KEYS

    def load_all(self, max_rounds: int = 500) -> int:
        """Click "View orders" until it disappears; waits for each answer's rows by count (one check per
        page, not one per order as OrdersPage.load_all does), then for the spinner to go."""
        rows = self.loc("orders.row")
        count = rows.count()
        for _ in range(max_rounds):
            if not self.finder.is_visible("orders.load_more"):
                break
            button = self.find("orders.load_more", timeout_ms=0)
            ids = self._list_call(lambda b=button: self.click(b))  # type: ignore[misc]
            count += len(ids)
            expect(rows).to_have_count(count, timeout=self.site.timeout_ms)
            self._wait_not_loading()
        return count

    def statuses(self) -> list[Order]:
        """Every loaded row as an Order with only id, status and status text set. Falls back to the full
        parse when the links and statuses do not pair up one per row."""
        rows = self.loc("orders.row")
        count = rows.count()
        hrefs = self.finder.attributes("orders.row_detail_link", self.pack.attribute("href"), rows)
        texts = [" ".join(t.split()) for t in self.finder.texts("orders.row_status", rows)]
        ids = [order_id_from_url(h or "") for h in hrefs]
        if not (len(ids) == len(texts) == count) or None in ids:
            logger.info("rows do not pair up (%d/%d/%d): full parse", len(ids), len(texts), count)
            return self.orders()
        locale = self.site.locale
        return [
            Order(order_id=oid, status=canonical_status(text, self.pack.statuses, locale), status_text=text)
            for oid, text in zip(ids, texts, strict=True)
            if oid is not None
        ]
