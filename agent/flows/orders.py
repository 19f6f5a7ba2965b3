"""Reading orders: My Orders with filters (all pages), and one order's detail — recorded in the store.

Every read goes through the site's signed JSON API first (agent.api) and falls back to the screen when
the API refuses (an `api_refused` event says why); a session that expired is renewed (flows.session);
a captcha verdict stops the run (NeedsHuman, exit 3). Filters only narrow what is read: a filter the
screen cannot set is recorded (`filter_unavailable`) and applied here instead, on every order read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from agent import stopping
from agent.api import check_cooldown
from agent.errors import ApiRefused, FilterUnavailable
from agent.flows.read import read_order, refused
from agent.flows.runtime import Runtime
from agent.flows.session import ensure_logged_in, retrying
from agent.models import Order, OrderDetail, OrderStatus
from agent.pages import OrdersPage

__all__ = ["TAB_FOR_STATUS", "list_orders", "narrow", "refused", "show_order", "time_option"]

logger = logging.getLogger(__name__)

# The site's tab that holds each canonical status (both tab generations use these keys); a status not
# listed here (closed, dispute) is read from every tab.
TAB_FOR_STATUS = {
    OrderStatus.AWAITING_PAYMENT: "unpaid",
    OrderStatus.PAYMENT_VERIFYING: "unpaid",
    OrderStatus.AWAITING_SHIPMENT: "processing",
    OrderStatus.CANCELLATION_REQUESTED: "processing",
    OrderStatus.AWAITING_DELIVERY: "shipped",
    OrderStatus.COMPLETED: "completed",
}


def time_option(since: dt.date | None, today: dt.date) -> str:
    """The narrowest "Orders placed in" option that still covers `since` (rows are filtered after)."""
    if since is None:
        return "all"
    age = (today - since).days
    for option, days in (("6m", 183), ("1y", 366), ("2y", 731)):
        if age <= days:
            return option
    return "all"


def narrow(rt: Runtime, control: str, step: Callable[[], object]) -> bool:
    """Apply one filter on screen; False (and a `filter_unavailable` event) when it cannot be set."""
    try:
        step()
    except FilterUnavailable as exc:
        logger.warning("%s: reading every order and filtering here", exc)
        rt.event("filter_unavailable", control=control, error=exc.detail, url=rt.page.url.split("?")[0])
        return False
    return True


def list_orders(
    rt: Runtime,
    status: OrderStatus | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    search: str | None = None,
) -> list[Order]:
    """Every order matching the filters, all pages loaded; each one is recorded in the store."""
    check_cooldown(rt.config)  # during an anti-bot cooldown not even the pages' own calls are made
    ensure_logged_in(rt)
    stopping.check()  # logged in, nothing read yet: a safe point
    tab = TAB_FOR_STATUS.get(status, "all") if status else "all"
    option = time_option(since, dt.date.today())
    searched_on_site = [False]

    def read() -> list[Order]:
        reader = rt.api()
        if reader is not None:
            try:
                found = reader.orders(tab, option, search or "")
                searched_on_site[0] = bool(search)
                return found
            except ApiRefused as exc:
                refused(rt, "reading My Orders", exc)
        found, searched_on_site[0] = _on_screen(rt, tab, option, search)
        return found

    found = retrying(rt, read, "reading My Orders")
    for order in found:
        rt.store.upsert_order(order)
    needle = None if searched_on_site[0] else search
    return [o for o in found if _wanted(o, status, since, until, needle)]


def _on_screen(rt: Runtime, tab: str, option: str, search: str | None) -> tuple[list[Order], bool]:
    """My Orders page by page on screen, narrowed where the filters can be set; (orders, searched)."""
    page = OrdersPage(rt.site).open()
    if tab != "all":
        narrow(rt, "status_tab", lambda: page.choose_tab(tab))
    if option != "all":
        narrow(rt, "time_range", lambda: page.set_time_range(option))
    searched = bool(search) and narrow(rt, "search", lambda: page.search(search or ""))
    page.load_all()
    return page.orders(), searched


def _wanted(
    order: Order, status: OrderStatus | None, since: dt.date | None, until: dt.date | None, needle: str | None
) -> bool:
    if status is not None and order.status != status:
        return False
    if needle and not matches_search(order, needle):
        return False
    if order.placed_at is None:
        return since is None and until is None
    return (since is None or order.placed_at >= since) and (until is None or order.placed_at <= until)


def matches_search(order: Order, needle: str) -> bool:
    """The site's search, done here: "Order ID, product or store name" (case-insensitive substring)."""
    text = needle.strip().casefold()
    hay = [order.order_id, order.store_name.casefold(), *(line.title.casefold() for line in order.items)]
    return any(text in h for h in hay)


def show_order(rt: Runtime, order_id: str) -> OrderDetail:
    """The order's detail: the detail API when it answers, else the detail page."""
    rt.store.check_owner(order_id)
    check_cooldown(rt.config)
    ensure_logged_in(rt)
    return read_order(rt, order_id)
