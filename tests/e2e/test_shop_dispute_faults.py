"""Returns/refunds disputes with an evidence upload, and the shop's faults: HTTP 500, slow, dropped."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from shop_steps import pick

from agent.shop.admin import ShopAdmin

pytestmark = pytest.mark.e2e
ROWS = "div.comet-checkbox-group > div.order-item"


def test_open_dispute_with_evidence(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "awaiting_delivery")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    logged_in.locator(".order-detail-item").first.get_by_role("link", name="Returns/refunds").click()
    expect(logged_in).to_have_url(f"{shop_admin.base_url}/p/reverse-pages/start.html?orderId={order_id}")
    logged_in.get_by_label("Reason").select_option("Item not received")
    logged_in.get_by_label("Describe the problem").fill("Tracking stopped <b>3 weeks</b> ago.")
    logged_in.get_by_label("Upload evidence (optional)").set_input_files(
        [
            {"name": "tracking.png", "mimeType": "image/png", "buffer": b"\x89PNG fake"},
            {"name": "chat.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
        ]
    )
    logged_in.get_by_role("button", name="Submit").click()
    expect(logged_in.locator(".dispute-title")).to_have_text("Dispute opened")
    expect(logged_in.locator(".dispute-file")).to_have_text(["tracking.png", "chat.pdf"])
    expect(logged_in.locator(".dispute-message-text")).to_have_text("Tracking stopped <b>3 weeks</b> ago.")
    [entry] = shop_admin.log(kind="dispute", order_id=order_id)
    assert entry["detail"] == {
        "reason": "Item not received",
        "message": "Tracking stopped <b>3 weeks</b> ago.",
        "files": ["tracking.png", "chat.pdf"],
    }
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("In dispute")
    assert shop_admin.resolve_dispute(order_id, "refund") == "closed"
    logged_in.goto(f"/p/reverse-pages/detail.html?orderId={order_id}")
    expect(logged_in.locator(".dispute-state")).to_have_text("Closed: refund granted")


def test_dispute_needs_a_message_and_an_eligible_order(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "completed")
    logged_in.goto(f"/p/reverse-pages/start.html?orderId={order_id}")
    logged_in.get_by_label("Reason").select_option("Item damaged")
    logged_in.get_by_role("button", name="Submit").click()
    expect(logged_in.locator(".comet-alert-error")).to_have_text("Please describe the problem.")
    unpaid = pick(shop_admin, "awaiting_payment")
    logged_in.goto(f"/p/reverse-pages/start.html?orderId={unpaid}")
    expect(logged_in.locator(".comet-alert-error")).to_have_text("This order can't be disputed right now.")
    assert shop_admin.log(kind="dispute") == []


def test_list_api_500_then_retry(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.faults(path="order.list", kind="error", count=2)
    logged_in.goto("/p/order/index.html")
    error = logged_in.locator(".order-list-error")
    expect(error).to_contain_text("Something went wrong. Please try again.")
    error.get_by_role("button", name="Try again").click()
    expect(error).to_be_visible()
    logged_in.locator(".order-list-error").get_by_role("button", name="Try again").click()
    expect(logged_in.locator(ROWS)).to_have_count(10)
    faults = shop_admin.log(kind="fault")
    assert [f["detail"]["status"] for f in faults] == [500, 500]
    assert shop_admin.state()["faults"] == []


def test_page_500(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.faults(path="/p/order/index.html", kind="error", count=1)
    response = logged_in.goto("/p/order/index.html")
    assert response is not None and response.status == 500
    response = logged_in.reload()
    assert response is not None and response.status == 200
    expect(logged_in.locator(ROWS)).to_have_count(10)


def test_slow_detail_shows_loading(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "completed")
    shop_admin.faults(path="order.detail", kind="slow", delay_ms=1200)
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    expect(logged_in.locator(".comet-loading")).to_be_visible()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Completed")


def test_dropped_connection_then_retry(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "completed")
    shop_admin.faults(path="order.detail", kind="drop")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    error = logged_in.locator(".order-detail-error")
    expect(error).to_contain_text("Something went wrong")
    error.get_by_role("button", name="Try again").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Completed")
    assert [e["detail"]["kind"] for e in shop_admin.log(kind="fault")] == ["drop"]


def test_flaky_and_slow_presets(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("flaky")
    logged_in.goto("/p/order/index.html")
    logged_in.locator(".order-list-error").get_by_role("button", name="Try again").click()
    expect(logged_in.locator(ROWS)).to_have_count(10)
    shop_admin.set_scenario("slow", latency_ms=300, load_delay_ms=800)
    logged_in.reload()
    expect(logged_in.locator(ROWS)).to_have_count(10)
    logged_in.locator(".order-more button").click()
    expect(logged_in.locator(".order-more .comet-loading")).to_be_visible()
    expect(logged_in.locator(ROWS)).to_have_count(20)


def test_dropped_cancel_submission_is_not_applied(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "awaiting_payment")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    logged_in.locator(".order-status").get_by_role("button", name="Cancel order").click()
    dialog = logged_in.get_by_role("dialog", name="Cancel order")
    dialog.get_by_role("radio", name="Other reasons").check()
    shop_admin.faults(path="order.operation", kind="drop")
    dialog.locator("button.cancel-order-confirm").click()
    expect(dialog.locator(".comet-alert-error")).to_have_text("Something went wrong. Please try again.")
    assert shop_admin.log(kind="cancel") == []
    dialog.locator("button.cancel-order-confirm").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Canceled")
    assert len(shop_admin.log(kind="cancel", order_id=order_id)) == 1
