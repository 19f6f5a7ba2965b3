"""My Orders (tabs of both generations, search, time range, load-more) and the order detail page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect
from shop_steps import order_row, pick

from agent.shop.admin import ShopAdmin
from agent.shop.seed import HOSTILE_TITLE

pytestmark = pytest.mark.e2e
ROWS = "div.comet-checkbox-group > div.order-item"


def _visible_orders(admin: ShopAdmin, statuses: set[str] | None = None) -> int:
    return len(
        [o for o in admin.orders() if not o["deleted"] and (statuses is None or o["status"] in statuses)]
    )


@pytest.mark.parametrize(
    ("scenario", "names"),
    [
        ("default", ["View all", "To pay", "Processing", "Processed", "Completed", "Deleted orders"]),
        ("old_tabs", ["View All", "To Pay", "To ship", "Shipped", "Processed"]),
        ("pt_BR", ["Ver tudo", "A pagar", "Processando", "Processado", "Concluído", "Pedidos excluídos"]),
    ],
)
def test_tabs(logged_in: Page, shop_admin: ShopAdmin, scenario: str, names: list[str]) -> None:
    shop_admin.set_scenario(scenario)
    logged_in.goto("/p/order/index.html")
    tabs = logged_in.locator(".comet-tabs-nav[role=tablist] > div.comet-tabs-nav-item[role=tab]")
    expect(tabs).to_have_text(names)
    expect(logged_in.locator(".comet-tabs-nav-item-active")).to_have_attribute("data-tab", "all")
    tabs.nth(1).click()  # to pay: awaiting payment + payment being verified
    expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
    expect(logged_in.locator(ROWS)).to_have_count(
        _visible_orders(shop_admin, {"awaiting_payment", "payment_verifying"})
    )
    tabs.nth(4).click()
    expect(logged_in.locator(ROWS).first).to_be_visible()
    statuses = logged_in.locator(f"{ROWS} .order-item-header-status-text").all_inner_texts()
    assert set(statuses) == {"Completed" if scenario != "pt_BR" else "Concluído"}
    assert [e["detail"]["statusTab"] for e in shop_admin.log(kind="api_list")] == [
        "all",
        "unpaid",
        "completed",
    ]


def test_search_and_time_range(logged_in: Page, shop_admin: ShopAdmin) -> None:
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(ROWS)).to_have_count(10)
    logged_in.locator("input.order-search-input").fill("ugreen")
    logged_in.locator("button.order-search-btn").click()
    ugreen = [
        o for o in shop_admin.orders() if o["store_name"] == "Ugreen Official Store" and not o["deleted"]
    ]
    expect(logged_in.locator(f"{ROWS} .order-item-store-name")).to_have_text(
        ["Ugreen Official Store"] * min(10, len(ugreen))
    )
    order_id = pick(shop_admin, "completed")
    logged_in.locator("input.order-search-input").fill(order_id)
    logged_in.locator("input.order-search-input").press("Enter")
    expect(logged_in.locator(ROWS)).to_have_count(1)
    logged_in.locator("input.order-search-input").fill("")
    logged_in.get_by_label("Orders placed in").select_option("2y")
    state = shop_admin.state()
    now = dt.datetime.fromisoformat(state["clock"]["now"])
    within = [
        o
        for o in state["orders"]
        if not o["deleted"] and now - dt.datetime.fromisoformat(o["placed_at"]) <= dt.timedelta(days=730)
    ]
    assert 30 < len(within) < _visible_orders(shop_admin)
    for shown in range(10, len(within), 10):
        expect(logged_in.locator(ROWS)).to_have_count(shown)
        logged_in.locator(".order-more button").click()
    expect(logged_in.locator(ROWS)).to_have_count(len(within))
    expect(logged_in.locator(".order-more")).to_be_hidden()
    assert shop_admin.log(kind="api_list")[-1]["detail"]["timeOption"] == "2y"


def test_load_more_to_the_end(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario(load_delay_ms=400)
    logged_in.goto("/p/order/index.html")
    total = _visible_orders(shop_admin)
    more = logged_in.locator(".order-more[data-pl=order_more] button")
    for shown in range(10, total, 10):
        expect(logged_in.locator(ROWS)).to_have_count(shown)
        more.click()
        expect(logged_in.locator(".order-more .comet-loading")).to_be_visible()
    expect(logged_in.locator(ROWS)).to_have_count(total)
    expect(logged_in.locator(".order-more")).to_be_hidden()
    ids = [
        re.search(r"orderId=(\d+)", h or "").group(1)  # type: ignore[union-attr]
        for h in logged_in.locator(f"{ROWS} a[data-pl=order_item_header_detail]").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
    ]
    expected = [o["order_id"] for o in shop_admin.orders() if not o["deleted"]]
    assert ids == expected  # hierarchy order, newest first, not the shuffled key order


def test_row_landmarks_and_hostile_title(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("price_chars")
    hostile = next(o for o in shop_admin.orders() if o["lines"][0]["title"] == HOSTILE_TITLE)
    logged_in.on("dialog", lambda d: pytest.fail(f"a script ran: {d.message}"))
    logged_in.goto("/p/order/index.html")
    logged_in.locator("input.order-search-input").fill("<script>")
    logged_in.locator("button.order-search-btn").click()
    row = order_row(logged_in, hostile["order_id"])
    expect(row.locator(".order-item-content-info-name span[title]")).to_have_text(HOSTILE_TITLE)
    expect(row.locator(".order-item-header-right-info[data-pl=order_item_header_info]")).to_contain_text(
        f"Order ID: {hostile['order_id']}"
    )
    total = row.locator("span.order-item-content-opt-price-total[data-pl=order_item_content_price_total]")
    expect(total).to_have_text(re.compile(r"^Total: US \$\d+\.\d\d$"))
    assert total.locator("[class*=es--char]").count() > 5
    assert logged_in.locator("script:not([src]):not([type])").count() == 0
    logged_in.goto(f"/p/order/detail.html?orderId={hostile['order_id']}")
    expect(logged_in.locator(".order-detail-item-title").first).to_have_text(HOSTILE_TITLE)


def test_detail_page(logged_in: Page, shop_admin: ShopAdmin) -> None:
    deposit = next(o for o in shop_admin.orders() if o["deposit_cents"])
    logged_in.goto(f"/p/order/detail.html?orderId={deposit['order_id']}&spm=a2g0o.order_list.0")
    wrap = logged_in.locator(f".order-detail-wrap[data-order-id='{deposit['order_id']}']")
    expect(wrap.locator(".order-status .order-block-title")).to_have_text("Awaiting shipment")
    expect(wrap.locator(".order-status-tag")).to_have_text("Installment")
    expect(wrap.locator(".info-row .info-row-label")).to_contain_text(
        ["Order ID", "Order placed on", "Payment method"]
    )
    expect(
        wrap.locator(".info-row").filter(has_text="Payment method").locator(".info-row-value")
    ).to_have_text("Visa ending in 4242")
    expect(wrap.locator(".order-price-item .left-col")).to_contain_text(["Deposit", "Final payment", "Total"])
    expect(wrap.locator(".order-detail-item")).to_have_count(len(deposit["lines"]))


def test_detail_in_pt_br(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("pt_BR")
    order_id = pick(shop_admin, "payment_verifying", payment="pix")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Verificando pagamento")
    expect(logged_in.locator(".order-price-item").last.locator(".right-col")).to_have_text(
        re.compile(r"^R\$ \d+,\d\d$")
    )
    expect(logged_in.locator(".info-row").first).to_contain_text("ID do pedido")
    expect(logged_in.get_by_role("button", name="Cancelar pedido")).to_be_visible()
    placed = logged_in.locator(".info-row").nth(1).locator(".info-row-value")
    expect(placed).to_have_text(re.compile(r"^\d{1,2} de [a-z]{3}\. de \d{4} \d\d:\d\d$"))
