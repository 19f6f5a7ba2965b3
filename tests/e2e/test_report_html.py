"""The HTML report opened in Chromium: it renders every request, a hostile order title is text, and it
opens with the money totals per currency and SVG charts that render."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, expect
from shop_steps import pick
from sweep_steps import Agent, ShopClock, agent_config, save_shop_session

from agent.config import PolicyConfig
from agent.models import Money, Order, RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.seed import HOSTILE_TITLE
from agent.shop.server import ShopThread
from agent.store import Store
from jobs.report import build_report, render_html
from tests.store_helpers import move

pytestmark = pytest.mark.e2e
S = RequestState


def test_report_renders_requests_and_escapes_titles(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    shop_admin.set_scenario(load_delay_ms=0)
    config = agent_config(tmp_path, shop.base_url)
    save_shop_session(config, shop_admin, shop.base_url)
    agent = Agent(config, ShopClock(shop_admin), browser, shop_admin)
    hostile = next(o["order_id"] for o in shop_admin.orders() if o["lines"][0]["title"] == HOSTILE_TITLE)
    plain = pick(shop_admin, "awaiting_payment")
    agent.cancel(hostile, plain)

    target = tmp_path / "report.html"
    with agent.store() as store:
        rows = build_report(store, agent.clock(), config.policy, timelines=True)
    target.write_text(render_html(rows, agent.clock() + dt.timedelta(hours=1), target), encoding="utf-8")

    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(target.as_uri())
    expect(page.locator("tr.request")).to_have_count(2)
    row = page.locator(f"tr.request[data-order-id='{hostile}']")
    expect(row.locator("td.state")).to_have_text("requested")
    expect(row.locator("td.title")).to_have_text(HOSTILE_TITLE)  # shown as text, not markup
    expect(page.locator(f"tr.request[data-order-id='{plain}'] td.state")).to_have_text("cancelled")
    expect(page.locator("section.order")).to_have_count(2)
    assert page.locator("script").count() == 0 and page.locator("img[src=x]").count() == 0
    assert dialogs == []
    cents = next(o["total_cents"] for o in shop_admin.orders() if o["order_id"] == hostile)
    waiting = str((Decimal(cents) / 100).quantize(Decimal("0.01")))  # the unpaid one: no money at stake
    expect(page.locator("#totals tr[data-currency='USD'] td.waiting_on_seller")).to_have_text(waiting)
    expect(row.locator("td.amount")).to_have_text(f"{waiting} USD")
    _assert_rendered(page.locator("figure.chart[data-currency='USD'] img.by-state"))
    page.close()


def _assert_rendered(image: Locator) -> None:
    """The image is an SVG that Chromium decoded and laid out (a broken one has no natural size)."""
    expect(image).to_be_visible()
    assert image.evaluate("i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0")
    src = image.get_attribute("src") or ""
    assert src.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).lstrip().startswith(b"<svg")


def test_report_opens_with_totals_per_currency_and_charts(tmp_path: Path, browser: Browser) -> None:
    now = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    with Store.open(tmp_path / "a.db", clock=lambda: now) as store:
        for order_id, amount, currency, states in (
            ("8801", "0.10", "USD", [S.REQUESTED]),
            ("8802", "0.20", "USD", [S.REQUESTED]),
            ("8803", "25.00", "BRL", [S.DISPUTE_FLAGGED]),
            ("8804", "7.25", "USD", [S.CANCELLED, S.REFUND_PENDING, S.REFUNDED]),
        ):  # fmt: skip
            total = Money(amount=Decimal(amount), currency=currency)
            store.upsert_order(Order(order_id=order_id, total=total))
            for state in states:
                move(store, order_id, state, requested_at=now - dt.timedelta(days=3))
        rows = build_report(store, now, PolicyConfig(), timelines=True)
    target = tmp_path / "report.html"
    target.write_text(render_html(rows, now, target), encoding="utf-8")

    page = browser.new_page()
    page.goto(target.as_uri())
    first = page.locator("h2").first
    expect(first).to_have_text("Money at a glance")  # the page opens with the money
    usd, brl = (page.locator(f"#totals tr[data-currency='{c}']") for c in ("USD", "BRL"))
    expect(usd.locator("td")).to_have_text(["USD", "0.30", "0.00", "7.25", "0.00"])  # Decimal: 0.1 + 0.2
    expect(brl.locator("td")).to_have_text(["BRL", "0.00", "0.00", "0.00", "25.00"])
    for currency in ("USD", "BRL"):
        _assert_rendered(page.locator(f"figure.chart[data-currency='{currency}'] img.by-state"))
    _assert_rendered(page.locator("figure.chart[data-currency='USD'] img.refunds"))  # refunds over time
    expect(page.locator("figure.chart[data-currency='BRL'] img.refunds")).to_have_count(0)  # none yet
    page.close()
