"""Reading one order, recorded in the store: its detail page (the screen, reused when it is on screen), or
the order as the site shows it now (the detail API, else a fresh page). Used by cancel, dispute, the sweep
and `show`."""

from __future__ import annotations

import dataclasses
import logging
from urllib.parse import urlsplit

from agent import stopping
from agent.errors import ApiRefused, DoubleCheckFailed
from agent.flows.runtime import Runtime
from agent.flows.session import retrying, with_session
from agent.locate import Finder
from agent.models import OrderDetail
from agent.pages import OrderDetailPage
from agent.parsing import order_id_from_url

__all__ = ["detail_page", "read_detail", "read_order", "refused"]

logger = logging.getLogger(__name__)


def detail_page(rt: Runtime, order_id: str, reuse: list[bool], just_read: bool = False) -> OrderDetailPage:
    """The order's detail page: the one on screen when it already shows this order and `reuse[0]`
    (first attempt only — a retry always loads afresh), else a fresh load. Saves a page load per step.
    `just_read`: the page on screen was read (loaded, no error, logged in) a moment ago by this flow, with
    nothing done to it since: it is not waited for again."""
    page = OrderDetailPage(rt.site)
    here = (
        order_id_from_url(rt.page.url) == order_id
        and urlsplit(rt.page.url).path == urlsplit(rt.site.url("order_detail", order_id=order_id)).path
    )
    if reuse[0] and here:
        reuse[0] = False
        return page if just_read else page.wait_loaded()
    return page.open(order_id)


def read_detail(
    rt: Runtime, order_id: str, reuse: bool = False, before: OrderDetail | None = None
) -> OrderDetail:
    """Read the order's detail page (retrying reads, renewing the session) and record what it shows.
    `before`: what an earlier read of this run saw; only what an order's move changes is read again."""
    stopping.check()  # a read is a safe point (a no-op between the journal row and the click's answer)
    first = [reuse]

    def read() -> OrderDetail:
        page = detail_page(rt, order_id, first)
        return page.status_update(before, rt.now()) if before else page.detail(now=rt.now())

    detail = retrying(rt, read, f"reading order {order_id}")
    if detail.order_id != order_id:
        raise DoubleCheckFailed(f"asked for order {order_id}, the page shows order {detail.order_id}")
    rt.store.upsert_order(detail)
    rt.event(
        "observed",
        order_id=order_id,
        status=detail.status.value,
        status_text=detail.status_text,
        reminder=detail.reminder,
    )
    return detail


def read_order(rt: Runtime, order_id: str, *, renew_session: bool = True) -> OrderDetail:
    """The order as the site shows it now: its detail API when it answers (one signed call, the page on
    screen untouched), else its detail page loaded afresh. `renew_session=False`: a logged-out answer
    propagates instead of a login on the page on screen (which may hold an open cancel form)."""
    stopping.check()  # as in read_detail
    reader = rt.api()
    if reader is not None:
        def call() -> OrderDetail:
            return reader.detail(order_id, rt.now())

        try:
            detail = with_session(rt, call) if renew_session else call()
        except ApiRefused as exc:
            refused(rt, f"reading order {order_id}", exc)
        else:
            rt.store.upsert_order(detail)
            rt.event("observed", order_id=order_id, source="api", status=detail.status.value,
                     status_text=detail.status_text, reminder=detail.reminder)  # fmt: skip
            return detail
    return read_detail(rt, order_id) if renew_session else _read_in_own_tab(rt, order_id)


def refused(rt: Runtime, what: str, exc: ApiRefused) -> None:
    """The API said no: record it (the screen takes over)."""
    logger.info("%s on screen: %s", what, exc)
    rt.event("api_refused", what=what, refusal=exc.kind, code=exc.code, error=str(exc))


def _read_in_own_tab(rt: Runtime, order_id: str) -> OrderDetail:
    """The order's page read in a tab of its own, so that an open cancel form stays as it is."""
    page = rt.browser.new_page(rt.context)
    try:
        finder = Finder(page, rt.pack, rt.site.locale, on_hit=rt.site.finder.on_hit)
        site = dataclasses.replace(rt.site, page=page, finder=finder)
        # Logged out here means logged out in the form's tab too: let the caller renew the session.
        detail = retrying(rt, lambda: OrderDetailPage(site).open(order_id).detail(now=rt.now()),
                          f"re-reading order {order_id}", renew_session=False)  # fmt: skip
    finally:
        page.close()
    rt.store.upsert_order(detail)
    rt.event("observed", order_id=order_id, status=detail.status.value, status_text=detail.status_text,
             reminder=detail.reminder, why="re-read in its own tab")  # fmt: skip
    return detail
