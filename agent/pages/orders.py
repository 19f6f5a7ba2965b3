"""My Orders: status tabs (both generations), time range, search, "View orders" paging, row parsing.

The filters only narrow what is read: when a filter control is missing, renamed, custom-rendered beyond
what the pack knows, or cannot be set, its method raises FilterUnavailable before changing anything
(the flows then read every order and filter locally)."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import ElementHandle, Locator, expect
from playwright.sync_api import Error as PlaywrightError

from agent.api.order_list import order_ids
from agent.api.ultron import Graph
from agent.errors import ControlNotFound, FilterUnavailable, SiteError
from agent.models import Order, OrderLine
from agent.overlays import CLICK_TIMEOUT_MS
from agent.pages.base import SLICE_MS, PageObject, digits_in, parsed_or_none
from agent.pages.cancel_dialog import CancelDialog
from agent.pages.order_detail import OrderDetailPage
from agent.parsing import order_id_from_url, parse_date, parse_money
from agent.policy import canonical_status

__all__ = ["TAB_KEYS", "OrdersPage"]

TAB_KEYS = ("all", "unpaid", "processing", "shipped", "completed", "deleted")
TIME_OPTIONS = ("all", "6m", "1y", "2y")
FILTER_WAIT_MS = 1_000  # filters render with the list: a short look, then they are unavailable


class OrdersPage(PageObject):
    KEYS = (
        "site.loading",
        "orders.tabs",
        "orders.tab",
        "orders.active_tab",
        "orders.search_input",
        "orders.search_button",
        "orders.time_range",
        "orders.time_option",
        "orders.time_choice",
        "orders.row",
        "orders.row_for",
        "orders.row_status",
        "orders.row_info",
        "orders.row_detail_link",
        "orders.row_store",
        "orders.row_item",
        "orders.item_title",
        "orders.item_sku",
        "orders.item_price",
        "orders.item_quantity",
        "orders.row_total",
        "orders.row_action",
        "orders.row_cancel",
        "orders.load_more",
        "orders.empty",
    )

    def open(self) -> OrdersPage:
        self.goto(self.site.url("orders"))
        self.wait_loaded()
        return self

    def wait_loaded(self) -> None:
        """Tabs on screen, the list (or its empty state) rendered, no loading spinner."""
        self.wait_ready("orders.tabs")
        deadline = time.monotonic() + self.site.timeout_ms / 1000
        while not (
            self.finder.wait_for("orders.row", timeout_ms=SLICE_MS) or self.finder.is_visible("orders.empty")
        ):
            self.check_session()
            if self.finder.is_visible("site.error"):
                raise SiteError(
                    "My Orders shows an error: " + " ".join(self.texts("site.error", visible_only=True))
                )
            if time.monotonic() > deadline:
                raise SiteError("My Orders rendered no rows and no empty state")
        self._wait_not_loading()

    # -- filters ------------------------------------------------------------------------------------
    def choose_tab(self, tab: str) -> OrdersPage:
        """Select a status tab by canonical key (all|unpaid|processing|shipped|completed|deleted)."""
        if tab not in TAB_KEYS:
            raise ValueError(f"unknown tab {tab!r}; expected one of {', '.join(TAB_KEYS)}")
        target = self._filter_control("status tab", "orders.tab", tab=tab)
        if self._is_active(target):
            return self
        self._reload_list(lambda: self.click(target))
        return self

    def set_time_range(self, option: str) -> OrdersPage:
        """Pick "Orders placed in" (all|6m|1y|2y): a native select by value or label, or a custom dropdown
        (role=combobox) whose options appear once it is opened."""
        if option not in TIME_OPTIONS:
            raise ValueError(f"unknown time range {option!r}; expected one of {', '.join(TIME_OPTIONS)}")
        control = self._filter_control("time range", "orders.time_range")
        if control.evaluate("e => e.tagName") == "SELECT":
            self._select_time(control, option)
        else:
            self._pick_time(control, option)
        return self

    def _select_time(self, select: Locator, option: str) -> None:
        values = self.finder.attributes("orders.time_option", "value", select)
        if option in values:
            self._reload_list(lambda: select.select_option(value=option))
            return
        labels = [" ".join(t.split()) for t in self.finder.texts("orders.time_option", select)]
        wanted = [w for w in self.words(f"time_{option}") if w in labels]
        if not wanted:
            raise FilterUnavailable("time range", f"no option {option!r} among {labels}")
        self._reload_list(lambda: select.select_option(label=wanted[0]))

    def _pick_time(self, box: Locator, option: str) -> None:
        self.click(box)
        try:
            choice = self.find("orders.time_choice", timeout_ms=FILTER_WAIT_MS, option=option)
        except ControlNotFound as exc:
            self.page.keyboard.press("Escape")
            raise FilterUnavailable("time range", f"the dropdown offers no {option!r}: {exc}") from exc
        self._reload_list(lambda: self.click(choice))

    def search(self, text: str) -> OrdersPage:
        field = self._filter_control("search", "orders.search_input")
        button = self._filter_control("search", "orders.search_button")
        field.fill(text)
        self._reload_list(lambda: self.click(button))
        return self

    def _filter_control(self, what: str, key: str, **params: str) -> Locator:
        try:
            return self.finder.find(key, None, FILTER_WAIT_MS, params or None)
        except ControlNotFound as exc:
            raise FilterUnavailable(what, str(exc)) from exc

    def load_all(self, max_rounds: int = 500) -> int:
        """Click "View orders" until the list has no more; returns the number of rows. The button is
        found once; each answer's `hasMore` says whether to go on (where the answer lacks it, whether
        the button is still shown) — with 1,000 rows on screen every look for a control is a scan of
        thousands of buttons."""
        rows = self.loc("orders.row")
        count = rows.count()
        if not self.finder.is_visible("orders.load_more"):
            return count
        button = self.find("orders.load_more", timeout_ms=0)
        held: list[ElementHandle | None] = [button.element_handle()]  # found once: no scan per round
        try:
            for _ in range(max_rounds):
                ids, more = self._page_call(lambda: self._press(button, held))
                count += len(ids)
                # One check per page (the count, then the last new row), not one per order.
                expect(rows).to_have_count(count, timeout=self.site.timeout_ms)
                self._expect_rows(ids[-1:])
                self._wait_not_loading()
                if not self._goes_on(ids, more):
                    break
        finally:
            if held[0] is not None:
                held[0].dispose()
        return count

    def _goes_on(self, ids: list[str], more: bool | None) -> bool:
        """Another page to load: the answer's `hasMore`, else whether "View orders" is still shown; a
        page that brought nothing ends it."""
        if more is False or not ids:
            return False
        return more is True or self.finder.is_visible("orders.load_more")

    def _press(self, button: Locator, held: list[ElementHandle | None]) -> None:
        """Click the element found before; when it is gone or something is in its way, the overlay-aware
        click on the control's locator (and hold the element it finds now)."""
        handle = held[0]
        if handle is not None:
            try:
                handle.click(timeout=CLICK_TIMEOUT_MS)
                return
            except PlaywrightError:  # detached (re-rendered) or intercepted: nothing was clicked
                pass
        self.click(button)
        held[0] = button.element_handle()

    # -- reading ------------------------------------------------------------------------------------
    def statuses(self) -> list[Order]:
        """Every loaded row as an Order with only id, status and status text: two round trips for the
        whole list (orders() parses items, prices and stores too). Falls back to orders() when the
        links and statuses do not pair up one per row."""
        rows = self.loc("orders.row")
        count = rows.count()
        hrefs = self.finder.attributes("orders.row_detail_link", self.pack.attribute("href"), rows)
        texts = [" ".join(t.split()) for t in self.finder.texts("orders.row_status", rows)]
        ids = [order_id_from_url(h or "") for h in hrefs]
        if not (len(ids) == len(texts) == count) or None in ids:
            return self.orders()
        locale = self.site.locale
        return [
            Order(order_id=oid, status=canonical_status(text, self.pack.statuses, locale), status_text=text)
            for oid, text in zip(ids, texts, strict=True)
            if oid is not None
        ]

    def orders(self) -> list[Order]:
        rows = self.loc("orders.row")
        return [self._parse_row(rows.nth(i)) for i in range(rows.count())]

    def row(self, order_id: str) -> Locator:
        link = self.loc("orders.row_for", order_id=order_id)
        return self.loc("orders.row").filter(has=link)

    def order(self, order_id: str) -> Order | None:
        row = self.row(order_id)
        return self._parse_row(row.first) if row.count() else None

    def open_order(self, order_id: str) -> OrderDetailPage:
        return OrderDetailPage(self.site).open(order_id)

    def open_cancel_dialog(self, order_id: str) -> CancelDialog:
        """Click the row's own cancel control (the only one in the `list_row_only` layout)."""
        row = self.row(order_id)
        if row.count() != 1:
            raise SiteError(f"order {order_id} is not on this page of My Orders ({row.count()} rows)")
        self.click(self.find("orders.row_cancel", scope=row))
        return CancelDialog(self.site).wait_open()

    def _parse_row(self, row: Locator) -> Order:
        href = self.attribute("orders.row_detail_link", "href", row) or ""
        info = self.text("orders.row_info", row)
        order_id = order_id_from_url(href) or digits_in(info)
        if order_id is None:
            raise SiteError(f"an order row has no order id (link {href!r}, info {info!r})")
        status_text = self.text("orders.row_status", row)
        return Order(
            order_id=order_id,
            status=canonical_status(status_text, self.pack.statuses, self.site.locale),
            status_text=status_text,
            placed_at=parsed_or_none(parse_date, info, self.site.locale),
            store_name=self.text("orders.row_store", row),
            total=parsed_or_none(parse_money, self.text("orders.row_total", row), self.site.locale),
            items=self._items(row),
            actions=self.texts("orders.row_action", row, visible_only=True),
        )

    def _items(self, row: Locator) -> list[OrderLine]:
        items = self.loc("orders.row_item", row)
        lines = []
        for i in range(items.count()):
            item = items.nth(i)
            title = self.attribute("orders.item_title", "title", item) or self.text("orders.item_title", item)
            qty = digits_in(self.text("orders.item_quantity", item), minimum=1)
            lines.append(
                OrderLine(
                    title=title,
                    sku=self.text("orders.item_sku", item),
                    price=parsed_or_none(parse_money, self.text("orders.item_price", item), self.site.locale),
                    quantity=int(qty) if qty else 1,
                )
            )
        return lines

    # -- list reloads -------------------------------------------------------------------------------
    def _is_active(self, tab: Locator) -> bool:
        active = self.loc("orders.active_tab")
        return (
            active.count() == 1
            and (active.text_content() or "").strip() == (tab.text_content() or "").strip()
        )

    def _reload_list(self, action: Callable[[], object]) -> None:
        """Run `action`, wait for the list API answer, then for the rendered rows to match it."""
        ids = self._list_call(action)
        expect(self.loc("orders.row")).to_have_count(len(ids), timeout=self.site.timeout_ms)
        self._expect_rows(ids)
        self._wait_not_loading()

    def _expect_rows(self, ids: list[str]) -> None:
        for order_id in ids:
            expect(self.row(order_id)).to_have_count(1, timeout=self.site.timeout_ms)

    def _list_call(self, action: Callable[[], object]) -> list[str]:
        """Run `action` expecting a list API call; returns the order ids the answer holds (by tag, in
        display order)."""
        return self._page_call(action)[0]

    def _page_call(self, action: Callable[[], object]) -> tuple[list[str], bool | None]:
        """Run `action` expecting a list API call: (the answer's order ids, its `hasMore` or None when it
        does not say). An answer without components (a stale linkage) is an error, not the end."""
        final = self.final_answer("api_order_list")
        with self.page.expect_response(final, timeout=self.site.timeout_ms) as info:
            action()
        data = self.check_api(info.value).get("data")
        if not isinstance(data, dict) or not data.get("data"):
            raise SiteError("the order list answered no components")
        more = Graph(data).fields("pc_om_list_body").get("hasMore")
        return order_ids(data), more if isinstance(more, bool) else None

    def _wait_not_loading(self) -> None:
        expect(self.loc("site.loading").filter(visible=True)).to_have_count(0, timeout=self.site.timeout_ms)
