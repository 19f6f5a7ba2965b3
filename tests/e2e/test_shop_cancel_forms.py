"""The cancel form's shop variants, driven by hand with Playwright: a dialog without an order id, a page
whose Confirm names another order, a second "Are you sure?" step, the form on its own page in a new tab,
the portal / searchable / virtualised reason widgets, and the redesigned widgets. What the shop received is
asserted from its operation log (and from the page's own requests, where "nothing was sent" matters)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Request, expect
from shop_steps import open_cancel_dialog, order_row, pick, pick_option

from agent.shop.admin import ShopAdmin

pytestmark = pytest.mark.e2e
OPERATION = "order.operation"
REASON = {"en": "Shipping takes too long", "pt-BR": "O envio demora muito"}
TEXT = {
    "en": {"confirm": "Confirm", "keep": "Keep order", "step2": "Cancel this order?", "yes": "Yes, cancel",
           "cancel": "Cancel order", "submit": "Submit", "comment": "Comment"},
    "pt-BR": {"confirm": "Confirmar", "keep": "Manter pedido", "step2": "Cancelar este pedido?",
              "yes": "Sim, cancelar", "cancel": "Cancelar pedido", "submit": "Enviar",
              "comment": "Comentário"},
}  # fmt: skip
LAYOUT = {"default": "detail_button", "list_row_only": "list_row_only"}


def _cancels(admin: ShopAdmin, order_id: str | None = None) -> list[dict]:
    return [
        e
        for e in admin.log()
        if e["kind"] in {"cancel", "cancel_rejected"} and order_id in (None, e["order_id"])
    ]


def _operations(page: Page) -> list[Request]:
    """Every operation request the page (or its context) sends from now on."""
    sent: list[Request] = []
    page.context.on("request", lambda r: sent.append(r) if OPERATION in r.url else None)
    return sent


def _sent_one(admin: ShopAdmin, order_id: str) -> dict:
    admin.wait_for_log("cancel", order_id=order_id, timeout_s=10)
    [entry] = _cancels(admin)
    return entry


# -- the dialog's order id -------------------------------------------------------------------------
def test_the_dialog_prints_the_order_id_when_switched_on(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("dialog_with_id")
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id)
    expect(dialog).to_have_attribute("data-order-id", order_id)
    expect(dialog).to_contain_text(f"Order ID: {order_id}")


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_an_id_less_dialog_shows_no_order_id_anywhere(
    logged_in: Page, shop_admin: ShopAdmin, locale: str
) -> None:
    shop_admin.set_scenario("id_less", locale=locale)
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    dialog = open_cancel_dialog(logged_in, "default", order_id, locale=locale)
    assert order_id not in dialog.evaluate("el => el.outerHTML")
    expect(dialog).not_to_contain_text({"en": "Order ID", "pt-BR": "ID do pedido"}[locale])
    dialog.get_by_role("radio", name=REASON[locale]).check()
    dialog.get_by_role("button", name=TEXT[locale]["confirm"], exact=True).click()
    entry = _sent_one(shop_admin, order_id)
    assert (entry["kind"], entry["detail"]["reasonId"], entry["detail"]["reasonText"]) == (
        "cancel", "R08", REASON[locale],
    )  # fmt: skip
    assert "comment" not in entry["detail"]  # the log entry of a dialog submission is as before


# -- a hostile page ----------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["default", "list_row_only"])
def test_confirm_sends_another_orders_id(logged_in: Page, shop_admin: ShopAdmin, layout: str) -> None:
    shop_admin.set_scenario("other_order", layout=LAYOUT[layout], dialog_order_id=True)
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    sent = _operations(logged_in)
    dialog = open_cancel_dialog(logged_in, layout, order_id)
    expect(dialog).to_have_attribute("data-order-id", order_id)  # the dialog shows the right order...
    dialog.get_by_role("radio", name=REASON["en"]).check()
    dialog.get_by_role("button", name="Confirm", exact=True).click()
    shop_admin.wait_for_log("cancel", timeout_s=10)
    [entry] = _cancels(shop_admin)
    other = next(o for o in shop_admin.orders() if o["order_id"] == entry["order_id"])
    assert entry["order_id"] != order_id and entry["kind"] == "cancel"  # ...and cancels another one
    assert entry["detail"]["status_before"] in {"awaiting_payment", "payment_verifying", "awaiting_shipment"}
    assert other["status"] in {"canceled", "cancellation_requested"}
    [request] = sent
    assert json.loads(parse_qs(request.post_data or "")["data"][0]) == {
        "tradeOrderId": entry["order_id"], "operation": "cancel", "reasonId": "R08",
        "reasonText": REASON["en"],
    }  # fmt: skip
    assert _cancels(shop_admin, order_id) == []


# -- a second step --------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_two_steps_only_yes_cancel_sends(logged_in: Page, shop_admin: ShopAdmin, locale: str) -> None:
    shop_admin.set_scenario("two_step", locale=locale)
    order_id = pick(shop_admin, "awaiting_payment")
    t = TEXT[locale]
    sent = _operations(logged_in)
    dialog = open_cancel_dialog(logged_in, "default", order_id, locale=locale)
    dialog.get_by_role("radio", name=REASON[locale]).check()
    dialog.get_by_role("button", name=t["confirm"], exact=True).click()
    step2 = logged_in.get_by_role("alertdialog", name=t["step2"])
    expect(step2).to_be_visible()
    step2.get_by_role("button", name=t["keep"], exact=True).click()
    expect(step2).to_be_hidden()
    expect(dialog).to_be_visible()  # back on the form; nothing went out
    assert sent == [] and _cancels(shop_admin) == []
    dialog.get_by_role("button", name=t["confirm"], exact=True).click()
    step2.get_by_role("button", name=t["yes"], exact=True).click()
    entry = _sent_one(shop_admin, order_id)
    assert (entry["kind"], entry["detail"]["reasonText"]) == ("cancel", REASON[locale]) and len(sent) == 1
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text(
        {"en": "Canceled", "pt-BR": "Cancelado"}[locale]
    )


def test_two_steps_close_box_sends_nothing(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("two_step")
    order_id = pick(shop_admin, "awaiting_payment")
    sent = _operations(logged_in)
    dialog = open_cancel_dialog(logged_in, "default", order_id)
    dialog.get_by_role("radio", name=REASON["en"]).check()
    dialog.get_by_role("button", name="Confirm", exact=True).click()
    step2 = logged_in.get_by_role("alertdialog", name="Cancel this order?")
    step2.get_by_role("button", name="Close").click()
    expect(step2).to_be_hidden()
    dialog.get_by_role("button", name="Keep order", exact=True).click()
    expect(dialog).to_be_hidden()
    assert sent == [] and _cancels(shop_admin) == []


# -- the form on its own page, in a new tab -----------------------------------------------------------
def _open_page_tab(page: Page, layout: str, order_id: str, locale: str = "en") -> Page:
    context: BrowserContext = page.context
    with context.expect_page() as tab:
        if layout == "list_row_only":
            page.goto("/p/order/index.html")
            order_row(page, order_id).get_by_role("button", name=TEXT[locale]["cancel"]).click()
        else:
            page.goto(f"/p/order/detail.html?orderId={order_id}")
            page.locator(".order-status").get_by_role("button", name=TEXT[locale]["cancel"]).click()
    form_page = tab.value
    form_page.wait_for_load_state("domcontentloaded")
    return form_page


@pytest.mark.parametrize(
    ("layout", "locale"), [("default", "en"), ("list_row_only", "en"), ("default", "pt-BR")]
)
def test_cancel_page_in_a_new_tab(logged_in: Page, shop_admin: ShopAdmin, layout: str, locale: str) -> None:
    shop_admin.set_scenario("cancel_page", layout=LAYOUT[layout], locale=locale)
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    t = TEXT[locale]
    sent = _operations(logged_in)
    tab = _open_page_tab(logged_in, layout, order_id, locale)
    assert re.search(rf"/p/reverse-pages/cancel\.html\?orderId={order_id}$", tab.url)
    form = tab.get_by_role("form", name=t["cancel"])
    expect(form).to_contain_text(order_id)
    expect(tab.get_by_role("option")).to_have_count(0)  # options render only once the dropdown opens
    submit = form.get_by_role("button", name=t["submit"], exact=True)
    expect(submit).to_have_attribute("data-pl", "buyersubmit_btn_submit")
    submit.click()  # nothing chosen, nothing written: two inline errors, nothing sent
    expect(form.get_by_role("alert")).to_have_count(2)
    pick_option(form, "portal", REASON[locale])
    popup_list = tab.get_by_role("listbox")
    expect(popup_list).to_be_hidden()
    submit.click()  # a reason but no comment: one inline error
    expect(form.get_by_role("alert")).to_have_text(
        {"en": "Please enter a comment.", "pt-BR": "Escreva um comentário."}[locale]
    )
    comment = form.get_by_label(t["comment"])
    expect(comment).to_have_attribute("class", "commet--textarea--Sg0xapL")
    comment.fill("Ordered twice by mistake")
    submit.click()
    popup = tab.get_by_role("dialog", name=TEXT[locale]["step2"])
    popup.get_by_role("button", name=t["keep"], exact=True).click()  # backing out sends nothing
    expect(popup).to_be_hidden()
    assert sent == [] and _cancels(shop_admin) == []
    submit.click()
    expect(popup.locator(".comet-v2-modal-footer")).to_be_visible()
    popup.locator(".comet-v2-modal-footer").get_by_role("button", name=t["confirm"], exact=True).click()
    expect(tab.get_by_role("status")).to_contain_text(
        {"en": "Your cancellation request has been submitted.",
         "pt-BR": "Sua solicitação de cancelamento foi enviada."}[locale]
    )  # fmt: skip
    entry = _sent_one(shop_admin, order_id)
    assert entry["kind"] == "cancel" and entry["detail"]["reasonText"] == REASON[locale]
    assert entry["detail"]["comment"] == "Ordered twice by mistake" and entry["detail"]["reasonId"] == "R08"
    assert len(sent) == 1
    back = tab.get_by_role(
        "link", name={"en": "View order details", "pt-BR": "Ver detalhes do pedido"}[locale]
    )
    back.click()
    expect(tab.locator(".order-status .order-block-title")).to_have_text(
        {"en": "Awaiting Cancellation", "pt-BR": "Aguardando cancelamento"}[locale]
    )


def test_cancel_page_shows_the_sites_refusal(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("cancel_page")
    order_id = pick(shop_admin, "awaiting_shipment", picked_up=True)
    tab = _open_page_tab(logged_in, "default", order_id)
    form = tab.get_by_role("form", name="Cancel order")
    pick_option(form, "portal", "Other reasons")
    form.get_by_label("Comment").fill("no longer needed")
    form.get_by_role("button", name="Submit").click()
    tab.get_by_role("dialog", name="Cancel this order?").get_by_role("button", name="Confirm").click()
    expect(form.get_by_role("alert")).to_contain_text("can't be canceled at this time")
    entry = shop_admin.wait_for_log("cancel_rejected", order_id=order_id, timeout_s=10)[0]
    assert entry["detail"]["error"] == "picked_up" and entry["detail"]["comment"] == "no longer needed"


# -- reason widgets ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_portal_options_render_outside_the_dialog_once_opened(
    logged_in: Page, shop_admin: ShopAdmin, locale: str
) -> None:
    shop_admin.set_scenario("reasons_portal", locale=locale)
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id, locale=locale)
    box = dialog.get_by_role("combobox")
    expect(logged_in.get_by_role("option")).to_have_count(0)
    expect(box).not_to_have_attribute("aria-controls", re.compile("."))
    box.click()
    listbox = logged_in.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(9)
    expect(box).to_have_attribute("aria-controls", listbox.get_attribute("id") or "?")
    assert listbox.evaluate("el => el.parentElement.parentElement === document.body")
    expect(dialog.get_by_role("listbox")).to_have_count(0)  # not inside the dialog
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.click()
    dialog.get_by_text(TEXT[locale]["cancel"], exact=True).click()  # the dialog's title: outside the list
    expect(listbox).to_be_hidden()  # a click outside closes it
    _choose_and_confirm(logged_in, shop_admin, dialog, "portal", order_id, locale)


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_searchable_select_filters_as_you_type(logged_in: Page, shop_admin: ShopAdmin, locale: str) -> None:
    shop_admin.set_scenario("reasons_searchable", locale=locale)
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id, locale=locale)
    box = dialog.get_by_role("combobox")
    assert box.evaluate("el => el.tagName") == "INPUT"
    box.click()
    expect(dialog.get_by_role("option")).to_have_count(9)
    box.press_sequentially({"en": "shipping", "pt-BR": "envio"}[locale])
    expect(dialog.get_by_role("option")).to_have_count({"en": 2, "pt-BR": 1}[locale])
    box.press("Escape")
    expect(dialog.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_value("")  # nothing chosen: the typed text is not a selection
    _choose_and_confirm(logged_in, shop_admin, dialog, "searchable", order_id, locale)


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_virtual_list_renders_a_window_of_options(
    logged_in: Page, shop_admin: ShopAdmin, locale: str
) -> None:
    shop_admin.set_scenario("reasons_virtual", locale=locale)
    order_id = pick(shop_admin, "awaiting_payment")
    dialog = open_cancel_dialog(logged_in, "default", order_id, locale=locale)
    dialog.get_by_role("combobox").click()
    options = dialog.get_by_role("option")
    expect(options).to_have_count(5)  # 4 in view + 1: not all 9
    last = {"en": "Other reasons", "pt-BR": "Outros motivos"}[locale]
    expect(dialog.get_by_role("option", name=last)).to_have_count(0)
    dialog.get_by_role("combobox").press("Escape")
    _choose_and_confirm(logged_in, shop_admin, dialog, "virtual", order_id, locale, reason=last)


def _choose_and_confirm(
    page: Page, admin: ShopAdmin, dialog: Locator, widget: str, order_id: str, locale: str, reason: str = ""
) -> None:
    reason = reason or REASON[locale]
    confirm = dialog.get_by_role("button", name=TEXT[locale]["confirm"], exact=True)
    expect(confirm).to_be_disabled()
    pick_option(dialog, widget, reason)
    expect(confirm).to_be_enabled()
    shown = dialog.get_by_role("combobox")
    if widget == "searchable":
        expect(shown).to_have_value(reason)
    else:
        expect(shown).to_have_text(reason)
    confirm.click()
    entry = _sent_one(admin, order_id)
    assert (entry["kind"], entry["detail"]["reasonText"]) == ("cancel", reason)


# -- redesigned ---------------------------------------------------------------------------------------
def test_redesigned_widgets_have_hashed_classes_and_no_data_pl(
    logged_in: Page, shop_admin: ShopAdmin
) -> None:
    shop_admin.set_scenario("redesigned", reasons="portal", layout="more_menu")
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept")
    logged_in.goto(f"/p/order/detail.html?orderId={order_id}")
    # page blocks keep their names
    expect(logged_in.locator(".order-status .order-block-title")).to_have_text("Awaiting shipment")
    more = logged_in.get_by_role("button", name="More", exact=True)
    expect(more).to_have_class(re.compile(r"^Btn--root--\w{6} Order--moreActions--\w{6}$"))
    more.click()
    logged_in.get_by_role("menuitem", name="Cancel order").click()
    dialog = logged_in.get_by_role("dialog", name="Cancel order")
    dialog.get_by_role("combobox").click()
    widgets = logged_in.locator(
        "[role=dialog], [role=dialog] *, [role=listbox], [role=listbox] *, button, [role=menu], [role=menu] *"
    )
    classes = " ".join(
        c for c in widgets.evaluate_all("els => els.map(e => e.className)") if isinstance(c, str)
    )
    assert re.search(r"\b(comet|cancel)-", classes) is None, classes
    assert re.search(r"--\w+--[0-9a-z]{6}\b", classes)
    assert logged_in.locator("button[data-pl], [role=dialog] [data-pl]").count() == 0
    logged_in.get_by_role("option", name="I placed a duplicate order").click()
    dialog.get_by_role("button", name="Confirm", exact=True).click()
    entry = _sent_one(shop_admin, order_id)
    assert (entry["kind"], entry["detail"]["reasonId"]) == ("cancel", "R03")


def test_redesigned_list_rows_keep_their_names(logged_in: Page, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario("redesigned")
    order_id = pick(shop_admin, "awaiting_payment")
    logged_in.goto("/p/order/index.html")
    row = order_row(logged_in, order_id)  # div.comet-checkbox-group > div.order-item, a[data-pl=…]
    expect(row.locator(".order-item-header-status-text")).to_have_text("Awaiting payment")
    button = row.get_by_role("button", name="Cancel order")
    expect(button).not_to_have_class(re.compile(r"comet-btn"))
    assert button.get_attribute("data-pl") is None
