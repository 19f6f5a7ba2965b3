"""Logging in (both flows, wrong password, one-time code, captcha), redirects and session expiry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from shop_steps import choose_reason, login_classic, login_email_first, open_cancel_dialog, pick

from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread

pytestmark = pytest.mark.e2e
ORDERS = re.compile(r"/p/order/index\.html$")


@pytest.mark.parametrize("flow", ["default", "classic_login"])
def test_logged_out_redirect_then_login_returns(
    page: Page, shop: ShopThread, shop_admin: ShopAdmin, flow: str
) -> None:
    shop_admin.set_scenario(flow)
    page.goto("/p/order/index.html")
    expect(page).to_have_url(re.compile(r"/login/\?return_url=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fp%2Forder"))
    (login_classic if flow == "classic_login" else login_email_first)(page)
    expect(page).to_have_url(ORDERS)
    expect(page.locator("div.comet-checkbox-group > div.order-item")).to_have_count(10)
    logins = [e["detail"] for e in shop_admin.log(kind="login")]
    assert logins[-1] == {"step": "done", "email": "buyer@example.com", "ok": True}


@pytest.mark.parametrize("flow", ["default", "classic_login"])
def test_wrong_password(page: Page, shop: ShopThread, shop_admin: ShopAdmin, flow: str) -> None:
    shop_admin.set_scenario(flow)
    page.goto("/login/")
    (login_classic if flow == "classic_login" else login_email_first)(page, password="nope")
    expect(page.locator(".comet-alert-error")).to_have_text("Your account name or password is incorrect.")
    assert not [s for s in shop_admin.state()["sessions"]]
    assert any(e["detail"].get("ok") is False for e in shop_admin.log(kind="login"))


def test_one_time_code(page: Page, shop: ShopThread, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("otp")
    page.goto("/login/")
    login_email_first(page)
    code = page.get_by_label("Verification code")
    expect(code).to_be_visible()
    code.fill("000000" if shop_admin.state()["otp_code"] != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".comet-alert-error")).to_have_text("The verification code is incorrect.")
    page.locator("#fm-login-code").fill(shop_admin.state()["otp_code"])
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(ORDERS)


def test_captcha_blocks_until_a_human_solves_it(page: Page, shop: ShopThread, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("captcha")
    page.goto("/login/?return_url=%2Fp%2Forder%2Findex.html")
    login_email_first(page)
    slider = page.locator("#nocaptcha #nc_1_n1z.btn_slide")
    expect(slider).to_be_visible()
    box = slider.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 5, box["y"] + 5)  # a browser dragging the slider gets nowhere
    page.mouse.down()
    page.mouse.move(box["x"] + 400, box["y"] + 5)
    page.mouse.up()
    expect(slider).to_be_visible()
    assert shop_admin.state()["sessions"] == []
    shop_admin.solve_captcha()  # the human
    expect(page).to_have_url(ORDERS)


def test_open_redirect_is_refused(page: Page, shop: ShopThread) -> None:
    page.goto("/login/?return_url=https%3A%2F%2Fevil.example%2F")
    login_email_first(page)
    expect(page).to_have_url(ORDERS)


def test_session_expires_mid_flow(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("session_expiry", session_ttl_requests=2)
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id)  # requests 1 and 2: page + detail API
    choose_reason(dialog, "radio", "I placed a duplicate order")
    dialog.locator("button.cancel-order-confirm").click()  # the 3rd: the session is gone
    expect(logged_in).to_have_url(re.compile(r"/login/\?return_url=.*detail\.html%3ForderId%3D" + order_id))
    assert shop_admin.log(kind="cancel") == [] and shop_admin.log(kind="session_expired")
    shop_admin.set_scenario(session_ttl_requests=0)
    login_email_first(logged_in)
    expect(logged_in).to_have_url(re.compile(rf"/p/order/detail\.html\?orderId={order_id}$"))
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting payment")
    logged_in.locator(".order-status").get_by_role("button", name="Cancel order").click()
    dialog = logged_in.get_by_role("dialog", name="Cancel order")
    choose_reason(dialog, "radio", "I placed a duplicate order")
    dialog.locator("button.cancel-order-confirm").click()
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Canceled")
    [entry] = shop_admin.log(kind="cancel", order_id=order_id)
    assert entry["detail"]["reasonText"] == "I placed a duplicate order"


def test_admin_expiry_sends_the_page_to_login(logged_in: Page, shop_admin: ShopAdmin) -> None:
    logged_in.goto("/p/order/index.html")
    expect(logged_in.locator(".order-item").first).to_be_visible()
    shop_admin.expire_sessions()
    logged_in.locator(".order-search-btn").click()  # the next API call answers SESSION_EXPIRED
    expect(logged_in).to_have_url(re.compile(r"/login/\?return_url="))
