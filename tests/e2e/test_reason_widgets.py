"""The page objects read and choose reasons in every widget the shop has (radio, select, custom, portal,
searchable, virtual) × (en, pt-BR), on the dialog and on the separate cancel page, and with the redesigned
widgets: the dialog is opened by hand (a click), then only the page objects touch the form. What the widget
shows and what the shop received (its operation log) are asserted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from shop_steps import open_cancel_dialog, pick

from agent.packs import Pack
from agent.pages import CancelDialog, OrderDetailPage, Site
from agent.shop import i18n
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread

pytestmark = pytest.mark.e2e
WIDGETS = ["radio", "select", "custom", "portal", "searchable", "virtual"]
KIND = {"radio": "radio", "select": "select", "searchable": "searchable"}  # the rest: "custom"
CONFIRM = {"en": "Confirm", "pt-BR": "Confirmar"}
CANCEL = {"en": "Cancel order", "pt-BR": "Cancelar pedido"}


def _site(page: Page, pack: Pack, shop: ShopThread, locale: str, hits: list | None = None) -> Site:
    on_hit = (lambda key, cand, strategy: hits.append((key, cand, strategy))) if hits is not None else None
    return Site.create(page, pack, shop.base_url, locale, on_hit=on_hit, timeout_ms=10_000)


def _sent(admin: ShopAdmin, order_id: str) -> dict:
    [entry] = admin.wait_for_log("cancel", order_id=order_id, timeout_s=10)
    return entry


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
@pytest.mark.parametrize("widget", WIDGETS)
def test_read_and_choose_through_the_page_object(
    logged_in: Page, shop: ShopThread, shop_admin: ShopAdmin, pack: Pack, widget: str, locale: str
) -> None:
    shop_admin.set_scenario(reasons=widget, locale=locale)
    order_id = pick(shop_admin, "awaiting_payment")
    open_cancel_dialog(logged_in, "default", order_id, locale=locale)  # by hand
    dialog = CancelDialog(_site(logged_in, pack, shop, locale)).wait_open()
    reasons = i18n.REASONS[locale]

    assert dialog.reason_kind() == KIND.get(widget, "custom")
    assert dialog.offered_reasons() == reasons  # all nine, in order (a virtual list: scrolled to its end)
    expect(logged_in.get_by_role("listbox")).to_have_count(0)  # a dropdown is closed again after reading
    assert dialog.selected_reason() is None

    dialog.choose_reason(reasons[-1])
    assert dialog.selected_reason() == reasons[-1]
    dialog.choose_reason(reasons[0])  # a change of mind (a virtual list scrolls back up)
    assert dialog.selected_reason() == reasons[0]
    expect(logged_in.get_by_role("listbox")).to_have_count(0)

    logged_in.get_by_role("button", name=CONFIRM[locale], exact=True).click()  # by hand
    entry = _sent(shop_admin, order_id)
    assert (entry["detail"]["reasonId"], entry["detail"]["reasonText"]) == ("R01", reasons[0])


@pytest.mark.parametrize("widget", WIDGETS)
def test_redesigned_widgets_through_the_page_objects(
    logged_in: Page, shop: ShopThread, shop_admin: ShopAdmin, pack: Pack, widget: str
) -> None:
    """Hashed class names, no data-pl: the detail page's control, the dialog, its order id, the reasons,
    Keep order and Confirm are all found by role, label or text."""
    shop_admin.set_scenario("redesigned", reasons=widget, layout="more_menu")
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    hits: list[tuple[str, str, str]] = []
    detail = OrderDetailPage(_site(logged_in, pack, shop, "en", hits)).open(order_id)
    dialog = detail.open_cancel_dialog()
    assert dialog.order_id() == order_id
    offered = dialog.offered_reasons()
    assert offered == i18n.REASONS["en"]
    dialog.close()  # "Keep order"
    assert not dialog.is_open()

    dialog = detail.open_cancel_dialog()
    dialog.choose_reason(offered[7])
    assert dialog.selected_reason() == "Shipping takes too long"
    assert not dialog.has_comment() and dialog.comment() == ""
    # the confirming click itself is the flow's (CancelDialog.confirm with its permit and network guard);
    # here the pack's key finds the button and a plain click sends
    dialog.site.finder.find("cancel_dialog.confirm", dialog.root).click()
    entry = _sent(shop_admin, order_id)
    assert (entry["detail"]["reasonId"], entry["detail"]["reasonText"]) == ("R08", offered[7])
    found = {key for key, _, _ in hits}
    assert {
        "order_detail.cancel",
        "cancel_dialog.root",
        "cancel_dialog.keep",
        "cancel_dialog.confirm",
    } <= found
    assert [h for h in hits if "css" in h[2]] == []  # every control was found by role, label or text


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_the_separate_cancel_page_through_the_page_object(
    logged_in: Page, shop: ShopThread, shop_admin: ShopAdmin, pack: Pack, locale: str
) -> None:
    shop_admin.set_scenario("cancel_page", locale=locale)
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    with logged_in.context.expect_page() as opened:
        logged_in.locator(".order-status").get_by_role("button", name=CANCEL[locale]).click()  # by hand
    tab = opened.value
    form = CancelDialog(_site(tab, pack, shop, locale)).wait_open()
    assert form.root.evaluate("el => el.tagName") == "FORM"
    assert form.order_id() == order_id  # its "Order ID" line
    assert form.reason_kind() == "custom"
    reasons = i18n.REASONS[locale]
    assert form.offered_reasons() == reasons
    assert form.has_comment() and form.comment() == ""
    note = "Comprei duas vezes" if locale == "pt-BR" else "Bought it twice"
    form.choose_reason(reasons[2])
    form.fill_comment(note)
    assert form.selected_reason() == reasons[2] and form.comment() == note

    form.root.get_by_role("button", name={"en": "Submit", "pt-BR": "Enviar"}[locale]).click()  # by hand
    tab.get_by_role("dialog").get_by_role("button", name=CONFIRM[locale], exact=True).click()
    entry = _sent(shop_admin, order_id)
    assert (entry["detail"]["reasonId"], entry["detail"]["reasonText"]) == ("R03", reasons[2])
    assert entry["detail"]["comment"] == note
