"""OrdersPage's filters when the page lacks them or shows them differently (static HTML via set_content in
real Chromium): each one raises FilterUnavailable quickly and changes nothing; the flows then read every
order and filter locally (tests/e2e/test_sweep_api.py, test_reading_api.py run that against the shop)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from agent.errors import FilterUnavailable
from agent.flows.orders import matches_search
from agent.models import Order, OrderLine
from agent.packs import load_pack
from agent.pages import OrdersPage, Site

pytestmark = pytest.mark.e2e
TABS = """<div class="comet-tabs-nav" role="tablist">
  <div class="comet-tabs-nav-item comet-tabs-nav-item-active" role="tab" aria-selected="true" data-tab="all">View all</div>
</div>"""  # noqa: E501


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context()
    ctx.set_default_timeout(5_000)
    yield ctx.new_page()
    ctx.close()


def orders_page(page: Page, filters: str) -> OrdersPage:
    page.set_content(f"<main>{TABS}<div class='order-filters'>{filters}</div></main>")
    return OrdersPage(Site.create(page, load_pack("aliexpress"), "https://shop.test", "en", timeout_ms=3_000))


def test_a_missing_time_range_search_and_tab(page: Page) -> None:
    orders = orders_page(page, "")
    started = time.monotonic()
    for attempt, control in [
        (lambda: orders.set_time_range("6m"), "time range"),
        (lambda: orders.search("ugreen"), "search"),
        (lambda: orders.choose_tab("shipped"), "status tab"),
    ]:
        with pytest.raises(FilterUnavailable) as caught:
            attempt()
        assert caught.value.control == control
    assert time.monotonic() - started < 15  # a short look each, never the full action timeout


def test_a_select_without_the_option_changes_nothing(page: Page) -> None:
    html = """<label>Orders placed in <select aria-label="Orders placed in">
      <option value="30d">Last 30 days</option><option value="90d">Last 90 days</option></select></label>"""
    orders = orders_page(page, html)
    with pytest.raises(FilterUnavailable, match="no option '6m'"):
        orders.set_time_range("6m")
    assert page.locator("select").input_value() == "30d"


def test_a_dropdown_without_the_option_is_closed_again(page: Page) -> None:
    html = """<div role="combobox" aria-label="Orders placed in" tabindex="0" aria-expanded="false"
      onclick="var l=document.getElementById('opts'); l.hidden=!l.hidden"
      onkeydown="if(event.key==='Escape') document.getElementById('opts').hidden=true">All</div>
      <ul id="opts" role="listbox" hidden><li role="option">Last 30 days</li></ul>"""
    orders = orders_page(page, html)
    with pytest.raises(FilterUnavailable, match="offers no '2y'"):
        orders.set_time_range("2y")
    assert page.locator("#opts").is_hidden()


def test_a_search_box_without_its_button_is_left_empty(page: Page) -> None:
    orders = orders_page(page, '<input type="search" placeholder="Order ID, product or store name">')
    with pytest.raises(FilterUnavailable):
        orders.search("ugreen")
    assert page.get_by_placeholder("Order ID, product or store name").input_value() == ""


def test_the_local_search_matches_id_store_and_titles() -> None:
    order = Order(order_id="8212313961591322", store_name="Ugreen Official Store",
                  items=[OrderLine(title="USB-C Cable 2 m")])  # fmt: skip
    assert all(matches_search(order, s) for s in ("13961591", "ugreen", "usb-c", " CABLE "))
    assert not matches_search(order, "lamp")
