"""The HTML report opened in Chromium: it renders every request, and a hostile order title is text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from shop_steps import pick
from sweep_steps import Agent, ShopClock, agent_config, save_shop_session

from agent.shop.admin import ShopAdmin
from agent.shop.seed import HOSTILE_TITLE
from agent.shop.server import ShopThread
from jobs.report import build_report, render_html

pytestmark = pytest.mark.e2e


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
    page.close()
