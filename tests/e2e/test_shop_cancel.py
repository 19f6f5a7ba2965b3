"""The cancel dialog in every layout, reasons widget and locale, through popups; what the server saw."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from shop_steps import choose_reason, open_cancel_dialog, order_row, pick

from agent.shop.admin import ShopAdmin
from agent.shop.scenarios import LAYOUT_PRESETS

pytestmark = pytest.mark.e2e
REASON = "I ordered the wrong product(s)"


def _cancels(admin: ShopAdmin, order_id: str) -> list[dict]:
    return [
        e for e in admin.log() if e["kind"] in {"cancel", "cancel_rejected"} and e["order_id"] == order_id
    ]


@pytest.mark.parametrize("layout", LAYOUT_PRESETS)
def test_request_cancellation_in_every_layout(logged_in: Page, shop_admin: ShopAdmin, layout: str) -> None:
    shop_admin.set_scenario(layout, dialog_order_id=True)
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    dialog = open_cancel_dialog(logged_in, layout, order_id)
    expect(dialog.locator(".cancel-order-id")).to_have_text(f"Order ID: {order_id}")
    choose_reason(dialog, "radio", REASON)
    dialog.locator("button.cancel-order-confirm").click()
    expect(dialog).to_be_hidden()
    if layout == "list_row_only":
        expect(order_row(logged_in, order_id).locator(".order-item-header-status-text")).to_have_text(
            "Awaiting Cancellation"
        )
    else:
        expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting Cancellation")
        expect(logged_in.locator(".order-status-reminder")).to_have_text(
            "Your order will be cancelled if the seller agrees. The seller has 2 days to respond."
        )
    [entry] = _cancels(shop_admin, order_id)
    assert entry["kind"] == "cancel"
    assert entry["detail"]["reasonText"] == REASON and entry["detail"]["reasonId"] == "R02"


@pytest.mark.parametrize("widget", ["select", "custom"])
def test_reason_widgets(logged_in: Page, shop_admin: ShopAdmin, widget: str) -> None:
    shop_admin.set_scenario(f"reasons_{widget}")
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id)
    choose_reason(dialog, widget, "Shipping takes too long")
    dialog.locator("button.cancel-order-confirm").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Canceled")
    expect(logged_in.locator(".order-status-reminder")).to_have_text("You've canceled the order")
    [entry] = _cancels(shop_admin, order_id)
    assert (entry["kind"], entry["detail"]["reasonText"], entry["detail"]["reasonId"]) == (
        "cancel",
        "Shipping takes too long",
        "R08",
    )


def test_keep_order_submits_nothing(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id)
    choose_reason(dialog, "radio", REASON)
    dialog.get_by_role("button", name="Keep order").click()
    expect(dialog).to_be_hidden()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting payment")
    assert _cancels(shop_admin, order_id) == []


def test_pt_br_cancel_with_custom_dropdown(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("pt_BR", reasons="custom", layout="more_menu")
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    dialog = open_cancel_dialog(logged_in, "more_menu", order_id, locale="pt-BR")
    expect(logged_in.locator("html")).to_have_attribute("lang", "pt-BR")
    choose_reason(dialog, "custom", "Fiz um pedido duplicado")
    dialog.get_by_role("button", name="Confirmar").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Aguardando cancelamento")
    [entry] = _cancels(shop_admin, order_id)
    assert entry["detail"]["reasonText"] == "Fiz um pedido duplicado"


def test_cancel_through_popups(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("popups")
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    expect(logged_in.locator("#J_xiaomi_dialog")).to_be_visible()  # rendered with the button bar
    coupon = logged_in.locator(".coupon-layer")
    expect(coupon).to_be_visible()
    cancel = logged_in.locator(".order-status").get_by_role("button", name="Cancel order")
    with pytest.raises(PlaywrightTimeoutError, match="intercepts pointer events"):
        cancel.click(timeout=3_000)  # the coupon layer is in the way
    coupon.locator("img.close-btn").click()
    with pytest.raises(PlaywrightTimeoutError, match="intercepts pointer events"):
        cancel.click(timeout=3_000)  # now the chat widget sits on the button bar
    logged_in.locator("#J_xiaomi_dialog .close-layer").click()
    logged_in.locator(".cookie-banner").get_by_role("button", name="Accept").click()
    cancel.click()
    dialog = logged_in.get_by_role("dialog", name="Cancel order")
    choose_reason(dialog, "radio", "I don't want it anymore")
    dialog.locator("button.cancel-order-confirm").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting Cancellation")
    assert [e["kind"] for e in _cancels(shop_admin, order_id)] == ["cancel"]


def test_picked_up_order_cannot_be_cancelled(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "awaiting_shipment", picked_up=True)
    dialog = open_cancel_dialog(logged_in, "default", order_id)
    choose_reason(dialog, "radio", REASON)
    dialog.locator("button.cancel-order-confirm").click()
    expect(dialog.locator(".comet-alert-error")).to_have_text(
        "Your order has been picked up by the courier company and can't be canceled at this time"
    )
    [entry] = _cancels(shop_admin, order_id)
    assert entry["kind"] == "cancel_rejected" and entry["detail"]["error"] == "picked_up"


def _request(page: Page, admin: ShopAdmin, order_id: str) -> None:
    dialog = open_cancel_dialog(page, "default", order_id)
    choose_reason(dialog, "radio", REASON)
    dialog.locator("button.cancel-order-confirm").click()
    expect(page.locator(".order-status .order-block-title")).to_have_text("Awaiting Cancellation")


def _status(admin: ShopAdmin, order_id: str) -> dict:
    return next(o for o in admin.orders() if o["order_id"] == order_id)


def test_seller_accepts_then_refund(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    _request(logged_in, shop_admin, order_id)
    shop_admin.advance(11)
    logged_in.reload()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting Cancellation")
    expect(logged_in.locator(".order-status-reminder")).to_contain_text("The seller has 1 day to respond")
    shop_admin.advance(2)
    logged_in.reload()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Closed")
    expect(logged_in.locator(".order-status-reminder")).to_have_text("Refund in progress")
    shop_admin.advance(24 * 8)
    logged_in.reload()
    expect(logged_in.locator(".order-status-reminder")).to_have_text("Refunded")


def test_seller_rejects_then_ships(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order_id = pick(shop_admin, "awaiting_shipment", seller="reject")
    _request(logged_in, shop_admin, order_id)
    shop_admin.advance(21)
    logged_in.reload()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting shipment")
    shop_admin.advance(24)
    logged_in.reload()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting delivery")


@pytest.mark.parametrize(
    ("scenario", "final"), [("default", "closed"), ("strict_seller", "cancellation_requested")]
)
def test_silent_seller(logged_in: Page, shop_admin: ShopAdmin, scenario: str, final: str) -> None:
    shop_admin.set_scenario(scenario)
    order_id = pick(shop_admin, "awaiting_shipment", seller="silent")
    _request(logged_in, shop_admin, order_id)
    shop_admin.advance(47)
    assert _status(shop_admin, order_id)["status"] == "cancellation_requested"
    shop_admin.advance(2)
    assert _status(shop_admin, order_id)["status"] == final
    logged_in.reload()
    title = {"closed": "Closed", "cancellation_requested": "Awaiting Cancellation"}[final]
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text(title)
    if final == "cancellation_requested":  # past the window: no countdown any more
        expect(logged_in.locator(".order-status-reminder")).to_have_text(
            "Your order will be cancelled if the seller agrees."
        )


def test_hostile_preset_end_to_end(logged_in: Page, shop_admin: ShopAdmin) -> None:
    """pt-BR, icon-only menu, custom dropdown, every popup, per-character prices, old tabs: all at once."""
    shop_admin.set_scenario("hostile")
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    logged_in.goto("/p/order/index.html")
    expect(logged_in.get_by_role("tab", name="A enviar")).to_be_visible()
    logged_in.locator(".coupon-layer img.close-btn").click()
    logged_in.locator(".cookie-banner").get_by_role("button", name="Aceitar").click()
    row = order_row(logged_in, order_id)
    expect(row.get_by_role("button", name="Cancelar pedido")).to_have_count(0)
    row.get_by_role("link", name="Detalhes do pedido").click()
    logged_in.locator("#J_xiaomi_dialog .close-layer").click()  # the coupon stays closed in this tab
    logged_in.locator(".order-status").get_by_role("button", name="Mais ações").click()
    logged_in.get_by_role("menuitem", name="Cancelar pedido").click()
    dialog = logged_in.get_by_role("dialog", name="Cancelar pedido")
    choose_reason(dialog, "custom", "O envio demora muito")
    dialog.get_by_role("button", name="Confirmar").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Aguardando cancelamento")
    [entry] = _cancels(shop_admin, order_id)
    assert (entry["kind"], entry["detail"]["reasonId"], entry["detail"]["reasonText"]) == (
        "cancel",
        "R08",
        "O envio demora muito",
    )
