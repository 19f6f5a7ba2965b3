"""Reading orders: My Orders with filters (all pages), and one order's detail — recorded in the store."""

from __future__ import annotations

import datetime as dt

from agent.flows.runtime import Runtime
from agent.flows.session import ensure_logged_in, retrying
from agent.models import Order, OrderDetail, OrderStatus
from agent.pages import OrdersPage

# The site's tab that holds each canonical status (both tab generations use these keys).
TAB_FOR_STATUS = {
    OrderStatus.AWAITING_PAYMENT: "unpaid",
    OrderStatus.PAYMENT_VERIFYING: "processing",
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


def list_orders(
    rt: Runtime,
    status: OrderStatus | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    search: str | None = None,
) -> list[Order]:
    """Every order matching the filters, all pages loaded; each one is recorded in the store."""
    ensure_logged_in(rt)

    def read() -> list[Order]:
        page = OrdersPage(rt.site).open()
        if status in TAB_FOR_STATUS:
            page.choose_tab(TAB_FOR_STATUS[status])
        option = time_option(since, dt.date.today())
        if option != "all":
            page.set_time_range(option)
        if search:
            page.search(search)
        page.load_all()
        return page.orders()

    found = retrying(rt, read, "reading My Orders")
    for order in found:
        rt.store.upsert_order(order)
    return [o for o in found if _wanted(o, status, since, until)]


def _wanted(order: Order, status: OrderStatus | None, since: dt.date | None, until: dt.date | None) -> bool:
    if status is not None and order.status != status:
        return False
    if order.placed_at is None:
        return since is None and until is None
    return (since is None or order.placed_at >= since) and (until is None or order.placed_at <= until)


def show_order(rt: Runtime, order_id: str) -> OrderDetail:
    from agent.flows.read import read_detail

    ensure_logged_in(rt)
    return read_detail(rt, order_id)
