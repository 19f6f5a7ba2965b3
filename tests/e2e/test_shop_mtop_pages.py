"""The shop's own pages speak MTOP like the real ones: md5 in the page equals hashlib, every call is signed,
token rotation is absorbed, "View orders" pages by POST with the previous answer's linkage, and the
"Orders placed in" control comes as a select, a custom dropdown or not at all."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect

from agent.shop.admin import ShopAdmin

pytestmark = pytest.mark.e2e
ROWS = "div.comet-checkbox-group > div.order-item"
SAMPLES = ["", "a", "abc", "x" * 55, "x" * 56, "x" * 64, "y" * 1000, "ação 漢字 😀", '{"statusTab":"all"}']


def test_the_page_md5_is_hashlib_md5(logged_in: Page) -> None:
    logged_in.goto("/p/order/index.html")
    got = logged_in.evaluate("samples => samples.map(s => window.ShopMd5(s))", SAMPLES)
    assert got == [hashlib.md5(s.encode("utf-8")).hexdigest() for s in SAMPLES]


def test_view_orders_pages_by_post_with_the_linkage(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario(load_delay_ms=0)
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(ROWS)).to_have_count(10)
    logged_in.locator(".order-more button").click()
    expect(logged_in.locator(ROWS)).to_have_count(20)
    logged_in.locator(".order-more button").click()
    expect(logged_in.locator(ROWS)).to_have_count(30)
    calls = [e["detail"] for e in shop_admin.log(kind="api_list")]
    assert [(c["method"], c["pageIndex"]) for c in calls] == [("GET", 1), ("POST", 2), ("POST", 3)]
    assert shop_admin.log(kind="api_list_stale") == []
    tokens = [e for e in shop_admin.log(kind="mtop_fail") if e["detail"]["source"] == "page"]
    assert [e["detail"]["code"] for e in tokens] == ["FAIL_SYS_TOKEN_EMPTY"]  # the first call had no token


def test_the_pages_absorb_token_rotation(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.mtop_faults(code="FAIL_SYS_TOKEN_EXOIRED", api="order.detail", count=1, source="page")
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(ROWS)).to_have_count(10)
    order_id = shop_admin.orders()[0]["order_id"]
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    expect(logged_in.locator(".order-status .order-block-title")).to_be_visible()
    codes = [e["detail"]["code"] for e in shop_admin.log(kind="mtop_fail")]
    assert codes == ["FAIL_SYS_TOKEN_EMPTY", "FAIL_SYS_TOKEN_EXOIRED"]
    assert [e["order_id"] for e in shop_admin.log(kind="api_detail")] == [order_id]


def test_a_refusing_api_shows_the_error_block(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.mtop_faults(code="FAIL_SYS_ACCESS_DENIED", api="order.list", count=1)
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(".order-list-error[role=alert]")).to_be_visible()
    logged_in.locator("button.order-retry").click()
    expect(logged_in.locator(ROWS)).to_have_count(10)


def test_time_filter_custom_dropdown(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario(time_filter="custom")
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(ROWS)).to_have_count(10)
    assert logged_in.locator("select").count() == 0
    box = logged_in.get_by_role("combobox", name="Orders placed in")
    expect(logged_in.get_by_role("option")).to_have_count(0)  # rendered only once opened
    box.click()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = logged_in.locator("body > ul[role=listbox] > li[role=option]")  # attached at the end of <body>
    expect(options).to_have_text(["All", "Last 6 months", "Last year", "Last 2 years"])
    logged_in.get_by_role("option", name="Last 2 years").click()
    expect(logged_in.get_by_role("option")).to_have_count(0)
    expect(box).to_have_text("Last 2 years")
    expect(logged_in.locator(ROWS)).to_have_count(10)
    assert shop_admin.log(kind="api_list")[-1]["detail"]["timeOption"] == "2y"


def test_time_filter_none(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario(time_filter="none")
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(ROWS)).to_have_count(10)
    expect(logged_in.get_by_label("Orders placed in")).to_have_count(0)
    expect(logged_in.get_by_text("Orders placed in")).to_have_count(0)
    expect(logged_in.locator("input.order-search-input")).to_be_visible()
