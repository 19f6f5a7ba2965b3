"""Hand-written Playwright steps shared by the shop e2e tests (no sleeps: locators auto-wait)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_EMAIL, SHOP_PASSWORD

CANCEL = {"en": "Cancel order", "pt-BR": "Cancelar pedido"}
MORE = {"en": "More", "pt-BR": "Mais"}
MORE_ACTIONS = {"en": "More actions", "pt-BR": "Mais ações"}
REQUEST_LINK = {"en": "request order cancellation", "pt-BR": "solicitar cancelamento do pedido"}


def login_email_first(page: Page, password: str = SHOP_PASSWORD) -> None:
    page.locator("#batman-dialog-wrap input.cosmos-input").fill(SHOP_EMAIL)
    page.locator("#batman-dialog-wrap button.cosmos-btn.cosmos-btn-primary").click()
    page.locator("#fm-login-password").fill(password)
    page.locator("button.login-submit").click()


def login_classic(page: Page, password: str = SHOP_PASSWORD) -> None:
    page.locator("#fm-login-id").fill(SHOP_EMAIL)
    page.locator("#fm-login-password").fill(password)
    page.locator("button[type=submit]").click()


def order_row(page: Page, order_id: str) -> Locator:
    return page.locator("div.comet-checkbox-group > div.order-item").filter(
        has=page.locator(f"a[data-pl=order_item_header_detail][href*='orderId={order_id}']")
    )


def open_cancel_dialog(page: Page, layout: str, order_id: str, locale: str = "en") -> Locator:
    """Reach the cancel dialog the way a person would in each layout; returns the dialog."""
    if layout == "list_row_only":
        page.goto("/p/order/index.html")
        order_row(page, order_id).get_by_role("button", name=CANCEL[locale]).click()
    else:
        page.goto(f"/p/order/detail.html?orderId={order_id}")
        expect(page.locator(".order-detail-wrap")).to_be_visible()
        _click_detail_cancel(page, layout, locale)
    dialog = page.get_by_role("dialog", name=CANCEL[locale])
    expect(dialog).to_be_visible()
    return dialog


def _click_detail_cancel(page: Page, layout: str, locale: str) -> None:
    status = page.locator(".order-status")
    if layout in {"default", "detail_button"}:
        status.get_by_role("button", name=CANCEL[locale]).click()
    elif layout == "more_menu":
        status.get_by_role("button", name=MORE[locale], exact=True).click()
        page.get_by_role("menuitem", name=CANCEL[locale]).click()
    elif layout == "icon_menu":
        status.get_by_role("button", name=MORE_ACTIONS[locale]).click()
        page.get_by_role("menuitem", name=CANCEL[locale]).click()
    elif layout == "reminder_link":
        status.get_by_role("link", name=REQUEST_LINK[locale]).click()
    elif layout == "late_render":
        expect(status.get_by_role("button", name=CANCEL[locale])).to_have_count(0)
        page.locator(".recommended").scroll_into_view_if_needed()
        page.mouse.wheel(0, 5000)
        status.get_by_role("button", name=CANCEL[locale]).click()
    elif layout == "iframe":
        page.frame_locator("iframe.order-actions-frame").get_by_role("button", name=CANCEL[locale]).click()
    else:
        raise ValueError(layout)


def choose_reason(dialog: Locator, widget: str, text: str) -> None:
    confirm = dialog.locator("button.cancel-order-confirm")
    expect(confirm).to_be_disabled()
    if widget == "radio":
        dialog.get_by_role("radio", name=text, exact=True).check()
    elif widget == "select":
        dialog.locator("select.cancel-reason-select").select_option(label=text)
    else:
        pick_option(dialog, widget, text)
    expect(confirm).to_be_enabled()


def pick_option(scope: Locator, widget: str, text: str) -> None:
    """A custom reason dropdown as a person uses it: open it (typing a few letters into a searchable one,
    wheeling a virtual list until the option is rendered), then click the option."""
    page = scope.page
    box = scope.get_by_role("combobox")
    option = page.get_by_role("option", name=text, exact=True)
    if widget == "searchable":
        box.click()
        box.press_sequentially(text[:12])
    else:
        box.click()
    if widget == "virtual":
        wheel_until(page.get_by_role("listbox"), option)
    option.click()


SCROLLED = "([el, top]) => el.scrollTop !== top || el.scrollTop + el.clientHeight >= el.scrollHeight - 1"


def wheel_until(listbox: Locator, option: Locator, rounds: int = 10) -> None:
    """Wheel over a virtualised list until `option` is rendered (each step waits for the list to move)."""
    page = listbox.page
    for _ in range(rounds):
        if option.count():
            return
        top = listbox.evaluate("el => el.scrollTop")
        listbox.hover()
        page.mouse.wheel(0, 96)
        page.wait_for_function(SCROLLED, arg=[listbox.element_handle(), top])


def pick(admin: ShopAdmin, status: str, **attrs: object) -> str:
    """The newest seeded order in `status` whose attributes match (e.g. seller="reject")."""
    attrs.setdefault("picked_up", False)
    for order in admin.orders():
        if (
            order["status"] == status
            and not order["deleted"]
            and order["deposit_cents"] == 0
            and all(order[k] == v for k, v in attrs.items())
        ):
            if "<" in order["lines"][0]["title"]:
                continue  # keep the hostile-title order for the test about it
            return str(order["order_id"])
    raise LookupError(f"no seeded order in {status} with {attrs}")
