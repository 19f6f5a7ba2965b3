"""The order detail page: status block, reminder and deadline, info rows, items, prices, cancel control."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Locator

from agent.errors import SiteError
from agent.models import Money, OrderDetail, OrderLine, OrderStatus, is_ascii_digits
from agent.pages.base import PageObject, digits_in, parsed_or_none
from agent.pages.cancel_dialog import CancelDialog
from agent.pages.cancel_opening import open_cancel_form
from agent.parsing import order_id_from_url, parse_date, parse_money
from agent.policy import canonical_status
from agent.reminders import deadline_from_reminder

__all__ = ["OrderDetailPage"]


class OrderDetailPage(PageObject):
    KEYS = (
        "order_detail.root",
        "order_detail.status_title",
        "order_detail.reminder",
        "order_detail.status_tag",
        "order_detail.action",
        "order_detail.info_row",
        "order_detail.info_label",
        "order_detail.info_value",
        "order_detail.item",
        "order_detail.item_title",
        "order_detail.item_sku",
        "order_detail.item_price",
        "order_detail.item_quantity",
        "order_detail.store",
        "order_detail.price_row",
        "order_detail.price_label",
        "order_detail.price_value",
        "order_detail.cancel",
    )

    def open(self, order_id: str) -> OrderDetailPage:
        self.goto(self.site.url("order_detail", order_id=order_id))
        return self.wait_loaded()

    def wait_loaded(self) -> OrderDetailPage:
        self.wait_ready("order_detail.status_title")
        return self

    def order_id(self) -> str | None:
        """From the page's data-order-id, else the "Order ID" info row, else the URL."""
        attr = self.attribute("order_detail.root", "order_id")
        if attr and is_ascii_digits(attr.strip()):
            return attr.strip()
        info = self._info()
        return digits_in(info.get("order_id_label", "")) or order_id_from_url(self.page.url)

    def status_text(self) -> str:
        return self.text("order_detail.status_title")

    def detail(self, now: dt.datetime | None = None) -> OrderDetail:
        """Everything the page shows about the order. `now` is when the page was read (deadlines count
        from it); default: the current UTC time."""
        now = now or dt.datetime.now(dt.UTC)
        locale = self.site.locale
        status_text = self.status_text()
        status = canonical_status(status_text, self.pack.statuses, locale)
        reminder = self.text("order_detail.reminder")
        info = self._info()
        deadline = deadline_from_reminder(reminder, now, locale) if reminder else None
        prices = self._prices()
        order_id = self.order_id()
        if order_id is None:
            raise SiteError(f"the order detail page shows no order id ({self.page.url})")
        return OrderDetail(
            order_id=order_id,
            status=status,
            status_text=status_text,
            placed_at=_date(info.get("order_date_label", ""), locale),
            store_name=self.text("order_detail.store"),
            total=_money(prices[-1][1], locale) if prices else None,
            items=self._items(),
            actions=self.actions(),
            reminder=reminder,
            payment_method=info.get("payment_method_label", ""),
            is_deposit=self._is_deposit(prices),
            seller_deadline=deadline if status is OrderStatus.CANCELLATION_REQUESTED else None,
            ship_by=self._ship_by(status, deadline),
        )

    def status_update(self, before: OrderDetail, now: dt.datetime | None = None) -> OrderDetail:
        """`before` with what changes when an order moves (status, reminder, deadlines) read afresh:
        three reads instead of a full parse, e.g. right after a submission reloaded the page."""
        now = now or dt.datetime.now(dt.UTC)
        if self.order_id() != before.order_id:
            raise SiteError(f"the page shows order {self.order_id()}, not {before.order_id}")
        status_text = self.status_text()
        status = canonical_status(status_text, self.pack.statuses, self.site.locale)
        reminder = self.text("order_detail.reminder")
        deadline = deadline_from_reminder(reminder, now, self.site.locale) if reminder else None
        return before.model_copy(update={
            "status": status, "status_text": status_text, "reminder": reminder, "actions": self.actions(),
            "seller_deadline": deadline if status is OrderStatus.CANCELLATION_REQUESTED else None,
            "ship_by": self._ship_by(status, deadline),
        })  # fmt: skip

    def actions(self) -> list[str]:
        return self.texts("order_detail.action", visible_only=True)

    def open_cancel_dialog(self, timeout_ms: int | None = None) -> CancelDialog:
        """Find the cancel control wherever the layout puts it (Finder), click it, and return the cancel
        form wherever it opened (a dialog here, a form page, a new tab). A page that settles without one
        ends the wait early: the order's row in My Orders is the other way to the form."""
        control = self.finder.find("order_detail.cancel", timeout_ms=timeout_ms, until_settled=True)
        return open_cancel_form(self, control)

    # -- parts --------------------------------------------------------------------------------------
    def _info(self) -> dict[str, str]:
        """Info rows keyed by the wording key their label matches (order_id_label, order_date_label …)."""
        rows, count = self.counted("order_detail.info_row")
        pairs = self.columns(rows, count, "order_detail.info_label", "order_detail.info_value")
        out: dict[str, str] = {}
        for i in range(count):
            label = pairs[i][0] if pairs else self.text("order_detail.info_label", rows.nth(i))
            for key in ("order_id_label", "order_date_label", "payment_method_label"):
                if key not in out and self.matches_wording(label, key):
                    out[key] = pairs[i][1] if pairs else self.text("order_detail.info_value", rows.nth(i))
        return out

    def _prices(self) -> list[tuple[str, str]]:
        rows, count = self.counted("order_detail.price_row")
        pairs = self.columns(rows, count, "order_detail.price_label", "order_detail.price_value")
        if pairs is not None:
            return [(label, value) for label, value in pairs]
        return [
            (
                self.text("order_detail.price_label", rows.nth(i)),
                self.text("order_detail.price_value", rows.nth(i)),
            )
            for i in range(count)
        ]

    def _is_deposit(self, prices: list[tuple[str, str]]) -> bool:
        labels = [label for label, _ in prices] + self.texts("order_detail.status_tag")
        return any(self.matches_wording(label, "deposit") for label in labels)

    @staticmethod
    def _ship_by(status: OrderStatus, deadline: dt.datetime | None) -> dt.datetime | None:
        """While awaiting shipment the reminder's deadline is the ship-by moment ("… by Jul 22, 2026":
        the day's last second, agent.reminders)."""
        return deadline if status is OrderStatus.AWAITING_SHIPMENT else None

    def _items(self) -> list[OrderLine]:
        items, count = self.counted("order_detail.item")
        keys = ("order_detail.item_title", "order_detail.item_sku", "order_detail.item_price",
                "order_detail.item_quantity")  # fmt: skip
        rows = self.columns(items, count, *keys) if count > 1 else None
        lines = []
        for i in range(count):
            title, sku, price, quantity = rows[i] if rows else [self.text(k, items.nth(i)) for k in keys]
            qty = digits_in(quantity, minimum=1)
            money = _money(price, self.site.locale)
            lines.append(OrderLine(title=title, sku=sku, price=money, quantity=int(qty) if qty else 1))
        return lines

    def cancel_control(self, timeout_ms: int | None = None) -> Locator:
        """The cancel control without clicking it (dry runs show that it exists)."""
        return self.find("order_detail.cancel", timeout_ms=timeout_ms)


def _date(text: str, locale: str) -> dt.date | None:
    return parsed_or_none(parse_date, text, locale)


def _money(text: str, locale: str) -> Money | None:
    return parsed_or_none(parse_money, text, locale)
