# ruff: noqa: E501  (inline HTML fixtures read better unwrapped)
"""Page objects against static HTML that follows the fixture shop's DOM contract (agent/shop/README.md),
loaded with page.set_content in real Chromium: row/detail parsing, the cancel dialog's three reason
widgets, the permit checks around the irreversible click, and the login page's outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, Request, Route

from agent.errors import DoubleCheckFailed, LoginFailed, NeedsHuman
from agent.models import OrderStatus
from agent.packs import Pack
from agent.pages import (
    CancelDialog,
    ConfirmPermit,
    LoginPage,
    OrderDetailPage,
    OrdersPage,
    Site,
    is_login_url,
)

pytestmark = pytest.mark.e2e
NOW = dt.datetime(2026, 4, 28, 12, 0, tzinfo=dt.UTC)
OPERATION = "https://shop.test/h5/mtop.aliexpress.trade.buyer.order.operation/1.0/"


@pytest.fixture
def sc_page(browser: Browser) -> Iterator[Page]:
    """A blank page; the cancel operation API answers like the site (SUCCESS, or the refusal it is sent)."""

    def operation(route: Route) -> None:
        refusal = route.request.post_data or ""
        ret = f"FAIL_BIZ_ORDER_CANNOT_CANCEL::{refusal}" if refusal else "SUCCESS::ok"
        route.fulfill(json={"ret": [ret]}, headers={"Access-Control-Allow-Origin": "*"})

    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    ctx.set_default_timeout(5_000)
    ctx.route(OPERATION, operation)
    yield ctx.new_page()
    ctx.close()


def is_operation(request: Request) -> bool:
    """The network guard's part in these page-only tests: the operation POST is the submission."""
    return request.method == "POST" and "order.operation" in request.url


def site(page: Page, pack: Pack, locale: str = "en", login_url: str | None = None) -> Site:
    return Site.create(page, pack, "https://shop.test", locale, login_url=login_url, timeout_ms=3_000)


# -- My Orders rows --------------------------------------------------------------------------------
def row_html(
    order_id: str,
    status: str,
    date: str,
    total: str,
    items: list[tuple[str, str, str, int]],
    buttons: list[str],
    chars: bool = False,
    label: tuple[str, str] = ("Order date", "Order ID"),
) -> str:
    total_html = "".join(f'<span class="es--char--k2">{c}</span>' for c in total) if chars else total
    bodies = "".join(
        f'<div class="order-item-content-body"><div class="order-item-content-info-name"><a href="#"><span title="{t}">'
        f'{t}</span></a></div><div class="order-item-content-info-sku">{sku}</div>'
        f'<div class="order-item-content-info-number"><div>{price}</div>'
        f'<span class="order-item-content-info-number-quantity">x{qty}</span></div></div>'
        for t, sku, price, qty in items
    )
    btns = "".join(f'<button class="comet-btn">{b}</button>' for b in buttons)
    return f"""
<div class="order-item"><div class="order-item-header">
  <div class="order-item-header-status"><span class="order-item-header-status-text">{status}</span></div>
  <div class="order-item-header-right">
    <div class="order-item-header-right-info" data-pl="order_item_header_info">
      <div>{label[0]}: {date}</div><div>{label[1]}: {order_id}<span>Copy</span></div></div>
    <a data-pl="order_item_header_detail" href="/p/order/detail.html?orderId={order_id}&spm=a2g0o.order_list.0">
      Order details</a></div></div>
  <div class="order-item-store"><span class="order-item-store-name" data-pl="order_item_store_name">
    <a href="/store/1101">Gadget Store</a></span></div>
  <div class="order-item-content">
    <div class="order-item-content-bodies">{bodies}</div>
    <div class="order-item-content-opt">
      <span class="order-item-content-opt-price-total" data-pl="order_item_content_price_total">Total: <span
        class="es--wrap--x9">{total_html}</span></span>
      <div class="order-item-btns-wrap"><div class="order-item-btns">{btns}</div></div></div></div></div>"""


def orders_html(rows: str) -> str:
    return f"""<div class="comet-tabs-nav" role="tablist">
  <div class="comet-tabs-nav-item comet-tabs-nav-item-active" role="tab" aria-selected="true" data-tab="all">View all</div>
  <div class="comet-tabs-nav-item" role="tab" aria-selected="false" data-tab="unpaid">To pay</div></div>
  <div class="comet-checkbox-group">{rows}</div>"""


def test_orders_rows_are_parsed(sc_page: Page, pack: Pack) -> None:
    rows = row_html(
        "8212345678901234",
        "Awaiting shipment",
        "Apr 27, 2026",
        "US $12.34",
        [("USB cable", "Color: Red", "US $6.17", 2)],
        ["Cancel order", "Track order"],
        chars=True,
    )
    rows += row_html(
        "8212345678905555",
        "Awaiting Cancellation",
        "Mar 1, 2026",
        "US $1,003.00",
        [("Lamp <b>x</b>", "", "US $1,003.00", 1), ("Bulb", "E27", "US $0.00", 3)],
        [],
    )
    sc_page.set_content(orders_html(rows))
    page = OrdersPage(site(sc_page, pack))
    first, second = page.orders()
    assert first.order_id == "8212345678901234"
    assert first.status is OrderStatus.AWAITING_SHIPMENT and first.status_text == "Awaiting shipment"
    assert first.placed_at == dt.date(2026, 4, 27)
    assert first.store_name == "Gadget Store"
    assert (
        first.total is not None and first.total.amount == Decimal("12.34") and first.total.currency == "USD"
    )
    assert [(i.title, i.sku, i.quantity) for i in first.items] == [("USB cable", "Color: Red", 2)]
    assert first.items[0].price is not None and first.items[0].price.amount == Decimal("6.17")
    assert first.actions == ["Cancel order", "Track order"]
    assert second.status is OrderStatus.CANCELLATION_REQUESTED
    assert second.total is not None and second.total.amount == Decimal("1003.00")
    assert [i.title for i in second.items] == ["Lamp <b>x</b>", "Bulb"] and second.items[1].quantity == 3
    assert page.row("8212345678905555").count() == 1
    assert page.row("821234567890123").count() == 0  # a prefix of another id is not that order
    assert page.order("8212345678901234") == first


def test_orders_rows_pt_br(sc_page: Page, pack: Pack) -> None:
    rows = row_html(
        "3001234567890",
        "Aguardando envio",
        "27 de abr. de 2026",
        "R$ 1.132,74",
        [("Cabo", "Cor: Azul", "R$ 566,37", 2)],
        ["Cancelar pedido"],
        chars=True,
        label=("Data do pedido", "ID do pedido"),
    )
    sc_page.set_content(orders_html(rows))
    (order,) = OrdersPage(site(sc_page, pack, "pt-BR")).orders()
    assert order.status is OrderStatus.AWAITING_SHIPMENT
    assert order.placed_at == dt.date(2026, 4, 27)
    assert (
        order.total is not None and order.total.amount == Decimal("1132.74") and order.total.currency == "BRL"
    )


def test_row_cancel_control_is_scoped_to_its_row(sc_page: Page, pack: Pack) -> None:
    rows = "".join(
        row_html(
            i,
            "Awaiting payment",
            "Apr 27, 2026",
            "US $1.00",
            [("A", "", "US $1.00", 1)],
            ["Pay now", "Cancel order"],
        )
        for i in ("1111111111", "2222222222")
    )
    sc_page.set_content(orders_html(rows))
    page = OrdersPage(site(sc_page, pack))
    control = page.find("orders.row_cancel", scope=page.row("2222222222"), timeout_ms=0)
    assert control.evaluate("el => el.closest('.order-item').querySelector('a').href").endswith(
        "orderId=2222222222&spm=a2g0o.order_list.0"
    )


# -- order detail ----------------------------------------------------------------------------------
def detail_html(
    status: str,
    reminder: str,
    prices: list[tuple[str, str]],
    tag: str = "",
    buttons: str = '<button class="comet-btn">Cancel order</button>',
) -> str:
    price_rows = "".join(
        f'<div class="order-price-item"><span class="left-col">{a}</span>'
        f'<span class="right-col">{b}</span></div>'
        for a, b in prices
    )
    return f"""<div class="order-detail-wrap" data-order-id="8212345678901234">
  <div class="order-status"><h2 class="order-block-title">{status}</h2>
    {f'<span class="order-status-tag">{tag}</span>' if tag else ""}
    <div class="order-status-reminder">{reminder}</div>
    <div class="order-status-btns">{buttons}</div></div>
  <div class="order-detail-info">
    <div class="info-row"><span class="info-row-label">Order ID</span><span class="info-row-value">8212345678901234</span></div>
    <div class="info-row"><span class="info-row-label">Order placed on</span><span class="info-row-value">Apr 27, 2026 10:00</span></div>
    <div class="info-row"><span class="info-row-label">Payment method</span><span class="info-row-value">PayPal</span></div></div>
  <div class="order-detail-items"><div class="order-detail-item"><div class="order-detail-item-info">
    <div class="order-detail-item-store"><a href="/store/1">Gadget Store</a></div>
    <div class="order-detail-item-title">USB cable</div><div class="order-detail-item-sku">Color: Red</div>
    <div class="order-detail-item-price">US $6.17</div><div class="order-detail-item-quantity">x2</div></div></div></div>
  <div class="order-price">{price_rows}</div></div>"""


def test_detail_is_parsed(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        detail_html(
            "Awaiting Cancellation",
            "Your order will be cancelled if the seller agrees. The seller has 2 days to respond.",
            [("Subtotal", "US $12.34"), ("Shipping", "US $0.00"), ("Total", "US $12.34")],
        )
    )
    page = OrderDetailPage(site(sc_page, pack))
    d = page.detail(now=NOW)
    assert d.order_id == "8212345678901234" and page.order_id() == "8212345678901234"
    assert d.status is OrderStatus.CANCELLATION_REQUESTED
    assert d.seller_deadline == NOW + dt.timedelta(days=2) and d.ship_by is None
    assert d.placed_at == dt.date(2026, 4, 27) and d.payment_method == "PayPal"
    assert d.total is not None and d.total.amount == Decimal("12.34")
    assert d.items[0].title == "USB cable" and d.items[0].quantity == 2 and d.store_name == "Gadget Store"
    assert d.is_deposit is False and d.actions == ["Cancel order"]


def _item(title: str, sku: str | None, price: str, qty: int) -> str:
    sku_div = f'<div class="order-detail-item-sku">{sku}</div>' if sku is not None else ""
    return (f'<div class="order-detail-item"><div class="order-detail-item-info"><div class="order-detail-item-title">'
            f'{title}</div>{sku_div}<div class="order-detail-item-price">{price}</div>'
            f'<div class="order-detail-item-quantity">x{qty}</div></div></div>')  # fmt: skip


@pytest.mark.parametrize("second_sku", ["Size: L", None], ids=["columns", "row-by-row"])
def test_detail_rows_are_paired_right_whether_read_by_column_or_by_row(
    sc_page: Page, pack: Pack, second_sku: str | None
) -> None:
    html = detail_html("Awaiting shipment", "", [("Total", "US $9.00")])
    html = html.replace(  # a row with a label and no value: the labels and values no longer line up
        '<div class="info-row"><span class="info-row-label">Order placed on</span>',
        '<div class="info-row"><span class="info-row-label">Paid on</span></div>'
        '<div class="info-row"><span class="info-row-label">Order placed on</span>',
    )
    items = _item("USB cable", "Color: Red", "US $6.17", 2) + _item("Charger", second_sku, "US $2.83", 1)
    start = html.index('<div class="order-detail-items">') + len('<div class="order-detail-items">')
    end = html.index('<div class="order-price">')
    sc_page.set_content(html[:start] + items + "</div>" + html[end:])
    d = OrderDetailPage(site(sc_page, pack)).detail(now=NOW)
    assert d.payment_method == "PayPal" and d.placed_at == dt.date(2026, 4, 27)
    assert [(i.title, i.sku, i.quantity) for i in d.items] == [
        ("USB cable", "Color: Red", 2), ("Charger", second_sku or "", 1)
    ]
    assert [i.price.amount for i in d.items if i.price] == [Decimal("6.17"), Decimal("2.83")]


def test_detail_ship_by_and_deposit(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        detail_html(
            "Aguardando envio",
            "O vendedor enviará seu pedido até 30 de abr. de 2026.",
            [("Sinal", "R$ 10,00"), ("Pagamento final", "R$ 50,00"), ("Total", "R$ 60,00")],
            tag="Parcelado",
        )
    )
    d = OrderDetailPage(site(sc_page, pack, "pt-BR")).detail(now=NOW)
    assert d.status is OrderStatus.AWAITING_SHIPMENT
    assert d.ship_by is not None and d.ship_by.date() == dt.date(2026, 4, 30)
    assert d.is_deposit is True
    assert d.total is not None and d.total.amount == Decimal("60.00") and d.total.currency == "BRL"


def test_unknown_status_is_recorded_not_guessed(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(detail_html("Teleported", "", [("Total", "US $1.00")]))
    d = OrderDetailPage(site(sc_page, pack)).detail(now=NOW)
    assert d.status is OrderStatus.UNKNOWN and d.status_text == "Teleported"


# -- the cancel dialog -----------------------------------------------------------------------------
REASONS = [
    "I don't want it anymore",
    "I ordered the wrong product(s)",
    "Shipping takes too long",
    "Other reasons",
]


def reasons_widget(kind: str) -> str:
    if kind == "radio":
        return (
            '<div class="cancel-reason-list" role="radiogroup" aria-label="Cancellation reason">'
            + "".join(
                f'<label class="comet-radio"><input type="radio" name="cancel-reason" value="R0{i}"><span>{r}</span></label>'
                for i, r in enumerate(REASONS)
            )
            + "</div>"
        )
    if kind == "select":
        return (
            '<select class="cancel-reason-select" name="cancel-reason" aria-label="Cancellation reason">'
            '<option value="">Select a reason</option>'
            + "".join(f'<option value="R0{i}">{r}</option>' for i, r in enumerate(REASONS))
            + "</select>"
        )
    return (
        '<div class="comet-select cancel-reason-dropdown" role="combobox" tabindex="0" aria-label="Cancellation reason"'
        ' aria-expanded="false" aria-controls="cancel-reason-options"><span class="comet-select-selection-item">'
        'Select a reason</span></div><ul id="cancel-reason-options" class="comet-select-dropdown" role="listbox" hidden>'
        + "".join(
            f'<li role="option" class="comet-select-item-option" data-value="R0{i}" aria-selected="false">{r}</li>'
            for i, r in enumerate(REASONS)
        )
        + "</ul>"
    )


DIALOG_JS = """<script>
  window.confirmed = 0;
  const modal = document.querySelector('.cancel-order-modal'), confirm = modal.querySelector('.cancel-order-confirm');
  const enable = () => { confirm.disabled = false; };
  modal.querySelectorAll('input[type=radio]').forEach(r => r.addEventListener('change', enable));
  const sel = modal.querySelector('select'); if (sel) sel.addEventListener('change', () => { confirm.disabled = !sel.value; });
  const box = modal.querySelector('[role=combobox]'), list = modal.querySelector('[role=listbox]');
  if (box) {
    box.addEventListener('click', () => { list.hidden = !list.hidden; });
    list.querySelectorAll('li').forEach(li => li.addEventListener('click', () => {
      list.querySelectorAll('li').forEach(o => o.setAttribute('aria-selected', 'false'));
      li.setAttribute('aria-selected', 'true');
      box.querySelector('.comet-select-selection-item').textContent = li.textContent; list.hidden = true; enable(); }));
  }
  confirm.addEventListener('click', () => {
    window.confirmed++;  // like the site: the dialog POSTs the operation and acts on the envelope
    fetch('https://shop.test/h5/mtop.aliexpress.trade.buyer.order.operation/1.0/', {method: 'POST', body: window.failWith || ''}).then(r => r.json()).then(body => {
      const ret = body.ret[0];
      if (ret.startsWith('SUCCESS')) { document.querySelector('.comet-modal-wrap').remove(); return; }
      const a = modal.querySelector('.comet-alert-error'); a.textContent = ret.split('::')[1]; a.hidden = false;
    });
  });
  modal.querySelector('.keep').addEventListener('click', () => document.querySelector('.comet-modal-wrap').remove());
</script>"""


def dialog_html(kind: str, order_id: str = "8212345678901234", with_attr: bool = True) -> str:
    attr = f'data-order-id="{order_id}"' if with_attr else ""
    return (
        f"""<div class="comet-modal-wrap"><div class="comet-modal cancel-order-modal" role="dialog" aria-modal="true"
     aria-labelledby="cancel-order-title" {attr}>
  <div class="comet-modal-header"><div class="comet-modal-title" id="cancel-order-title">Cancel order</div>
    <button class="comet-modal-close" aria-label="Close">×</button></div>
  <div class="comet-modal-body"><div class="cancel-order-id">Order ID: {order_id}</div>{reasons_widget(kind)}
    <div class="comet-alert-error" hidden></div></div>
  <div class="comet-modal-footer"><button class="comet-btn keep">Keep order</button>
    <button class="comet-btn comet-btn-primary cancel-order-confirm" disabled>Confirm</button></div></div></div>"""
        + DIALOG_JS
    )


@pytest.mark.parametrize("kind", ["radio", "select", "custom"])
def test_dialog_reasons_choose_and_confirm(sc_page: Page, pack: Pack, kind: str) -> None:
    sc_page.set_content(dialog_html(kind))
    dialog = CancelDialog(site(sc_page, pack)).wait_open()
    assert dialog.reason_kind() == kind
    assert dialog.order_id() == "8212345678901234"
    assert dialog.offered_reasons() == REASONS
    assert dialog.selected_reason() is None
    dialog.choose_reason("Shipping takes too long")
    assert dialog.selected_reason() == "Shipping takes too long"
    result = dialog.confirm(ConfirmPermit("8212345678901234", "Shipping takes too long"), is_operation)
    assert result.accepted and result.error == ""
    assert sc_page.evaluate("window.confirmed") == 1


def test_order_id_from_text_when_no_attribute(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(dialog_html("radio", "7001234567890", with_attr=False))
    assert CancelDialog(site(sc_page, pack)).wait_open().order_id() == "7001234567890"


def test_confirm_refuses_a_permit_for_another_order_or_reason(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(dialog_html("radio"))
    dialog = CancelDialog(site(sc_page, pack)).wait_open()
    dialog.choose_reason("I don't want it anymore")
    with pytest.raises(DoubleCheckFailed, match="for order"):
        dialog.confirm(ConfirmPermit("8212345678909999", "I don't want it anymore"), is_operation)
    with pytest.raises(DoubleCheckFailed, match="reason"):
        dialog.confirm(ConfirmPermit("8212345678901234", "Other reasons"), is_operation)
    assert sc_page.evaluate("window.confirmed") == 0


def test_confirm_without_a_reason_clicks_nothing(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(dialog_html("select"))
    dialog = CancelDialog(site(sc_page, pack)).wait_open()
    with pytest.raises(DoubleCheckFailed):
        dialog.confirm(ConfirmPermit("8212345678901234", "Other reasons"), is_operation)
    assert sc_page.evaluate("window.confirmed") == 0


def test_a_permit_is_spent_once_and_site_errors_are_reported(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(dialog_html("radio"))
    sc_page.evaluate(
        'window.failWith = "Your order has been picked up by the courier company and can\'t be canceled"'
    )
    dialog = CancelDialog(site(sc_page, pack)).wait_open()
    dialog.choose_reason("Other reasons")
    permit = ConfirmPermit("8212345678901234", "Other reasons")
    result = dialog.confirm(permit, is_operation)
    assert result.answer == "refused" and "picked up by the courier" in result.error == dialog.error_text()
    assert permit.spent
    with pytest.raises(DoubleCheckFailed, match="already used"):
        dialog.confirm(permit, is_operation)
    assert sc_page.evaluate("window.confirmed") == 1


def test_permit_validates_its_fields() -> None:
    with pytest.raises(DoubleCheckFailed):
        ConfirmPermit("12ab", "Other reasons")
    with pytest.raises(DoubleCheckFailed):
        ConfirmPermit("123456", "  ")


def test_close_keeps_the_order(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(dialog_html("custom"))
    dialog = CancelDialog(site(sc_page, pack)).wait_open()
    dialog.close()
    assert not dialog.is_open() and sc_page.evaluate("window.confirmed") == 0


def test_detail_opens_the_dialog(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        detail_html(
            "Awaiting payment",
            "",
            [("Total", "US $1.00")],
            buttons='<button class="comet-btn" onclick="document.body.insertAdjacentHTML('
            "'beforeend', window.DIALOG)\">Cancel order</button>",
        )
    )
    sc_page.evaluate("html => { window.DIALOG = html; }", dialog_html("radio").split("<script>")[0])
    dialog = OrderDetailPage(site(sc_page, pack)).open_cancel_dialog(timeout_ms=0)
    assert dialog.order_id() == "8212345678901234" and dialog.offered_reasons() == REASONS


# -- login -----------------------------------------------------------------------------------------
LOGIN_JS = """<script>
  const form = document.querySelector('form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    const pw = document.querySelector('#fm-login-password'), code = document.querySelector('#fm-login-code');
    if (!document.querySelector('.otp').hidden) {
      if (code.value === '123456') location.href = '/p/order/index.html';
      else document.querySelector('.comet-alert-error').hidden = false;
    } else if (pw.value === 'right') { document.querySelector('.otp').hidden = false; }
    else { document.querySelector('.comet-alert-error').hidden = false; }
  });
</script>"""
LOGIN_HTML = (
    """<form class="login-box login-classic"><h1>Sign in</h1>
  <div class="comet-alert comet-alert-error" role="alert" hidden>Your account name or password is incorrect.</div>
  <label for="fm-login-id">Email or phone number</label><input id="fm-login-id" type="text">
  <label for="fm-login-password">Password</label><input id="fm-login-password" type="password">
  <button type="submit" class="comet-btn comet-btn-primary">Sign in</button>
  <div class="otp" hidden><label for="fm-login-code">Verification code</label><input id="fm-login-code">
    <button type="submit" class="login-verify">Verify</button></div></form>"""
    + LOGIN_JS
)


def login_page(page: Page, pack: Pack, html: str = LOGIN_HTML) -> LoginPage:
    """Static pages served at https://shop.test by the browser itself (no network): /login/ and the rest."""

    def serve(route: Route) -> None:
        body = html if "/login/" in route.request.url else "<p>My orders</p>"
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route("https://shop.test/**", serve)
    login = LoginPage(site(page, pack))
    return login.open(return_url="https://shop.test/p/order/index.html")


def test_login_with_one_time_code(sc_page: Page, pack: Pack) -> None:
    asked: list[bool] = []
    page = login_page(sc_page, pack)
    page.log_in("me@example.com", "right", otp=lambda: asked.append(True) or "123456")
    assert asked == [True] and not page.is_logged_out()


def test_wrong_password_is_login_failed_without_the_password(sc_page: Page, pack: Pack) -> None:
    page = login_page(sc_page, pack)
    with pytest.raises(LoginFailed, match="incorrect") as err:
        page.log_in("me@example.com", "s3cret-wrong")
    assert "s3cret-wrong" not in str(err.value)


def test_code_asked_without_provider_needs_a_human(sc_page: Page, pack: Pack) -> None:
    with pytest.raises(NeedsHuman, match="one-time code"):
        login_page(sc_page, pack).log_in("me@example.com", "right")


def test_slider_challenge_needs_a_human(sc_page: Page, pack: Pack) -> None:
    html = (
        '<div id="nocaptcha"><span id="nc_1_n1z" class="btn_slide" role="slider">&gt;&gt;</span></div>'
        + LOGIN_HTML
    )
    with pytest.raises(NeedsHuman, match="captcha"):
        login_page(sc_page, pack, html).log_in("me@example.com", "right")


def test_password_field_is_masked(sc_page: Page, pack: Pack) -> None:
    page = login_page(sc_page, pack)
    masks = page.mask()
    assert masks[0].get_attribute("type") == "password"
    assert sc_page.screenshot(mask=masks)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://login.aliexpress.com/?return_url=https%3A%2F%2Fwww.aliexpress.com", True),
        ("https://passport.aliexpress.com/mini_login.htm", True),
        ("http://127.0.0.1:8123/login/?return_url=x", True),
        ("http://127.0.0.1:8123/login", True),
        ("http://127.0.0.1:8123/p/order/index.html", False),
        ("http://127.0.0.1:9999/login/", False),
        ("https://www.aliexpress.com/p/order/index.html", False),
    ],
)
def test_is_login_url(url: str, expected: bool) -> None:
    assert is_login_url(url, "http://127.0.0.1:8123/login/") is expected


def test_a_further_step_the_pack_does_not_know_backs_out_with_nothing_sent(sc_page: Page, pack: Pack) -> None:
    """Confirm opens "Are you sure?" offering only a way back (or words the pack does not know): the agent
    backs out and stops; the operation request is never sent."""
    sc_page.set_content(dialog_html("radio").replace(
        "window.confirmed++;",
        "window.confirmed++; if (!window.stepped) { window.stepped = 1; document.body.insertAdjacentHTML("
        "'beforeend', '<div role=alertdialog aria-label=\\'Are you sure?\\'><p>Really?</p>"
        "<button onclick=\\'this.parentNode.remove()\\'>Go back</button>"
        "<button>Proceed anyway</button></div>'); return; }",
    ))
    sent: list[str] = []
    sc_page.context.on("request", lambda r: sent.append(r.url) if "order.operation" in r.url else None)
    dialog = CancelDialog(site(sc_page, pack)).wait_open()
    dialog.choose_reason("Other reasons")
    with pytest.raises(DoubleCheckFailed, match="backed out, nothing sent"):
        dialog.confirm(ConfirmPermit("8212345678901234", "Other reasons"), is_operation, lambda: bool(sent))
    assert sent == [] and sc_page.get_by_role("alertdialog").count() == 0  # backed out through "Go back"
