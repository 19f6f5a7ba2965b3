# ruff: noqa: E501  (inline HTML fixtures read better unwrapped)
"""The control finder and the overlay guard against static pages (page.set_content), in real Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from agent.errors import ControlBlocked, ControlNotFound
from agent.locate import Finder
from agent.overlays import click_through_overlays, dismiss_overlays
from agent.pack_check import check_pack
from agent.packs import Pack

pytestmark = pytest.mark.e2e


@pytest.fixture
def sc_page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    ctx.set_default_timeout(5_000)
    yield ctx.new_page()
    ctx.close()


class Hits(list[tuple[str, str, str]]):
    def __call__(self, key: str, candidate: str, strategy: str) -> None:
        self.append((key, candidate, strategy))


def finder(page: Page, pack: Pack, locale: str = "en") -> tuple[Finder, Hits]:
    hits = Hits()
    return Finder(page, pack, locale, on_hit=hits, default_timeout_ms=5_000), hits


CLICKS = "<script>window.clicks = 0; document.addEventListener('click', e => { if (e.target.closest('.target')) window.clicks++; });</script>"


# -- where the control sits -------------------------------------------------------------------------
def test_button_in_the_status_bar(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="order-status"><div class="order-status-btns"><button class="comet-btn">Pay now'
        '</button><button class="comet-btn">Cancel order</button></div></div>'
    )
    f, hits = finder(sc_page, pack)
    found = f.find("order_detail.cancel")
    assert found.text_content() == "Cancel order"
    assert hits == [("order_detail.cancel", 'role=button[name="Cancel order"]', "role")]


def test_text_link_in_the_reminder(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="order-status-reminder">If you no longer want this order, you can '
        '<a href="#" class="order-status-reminder-link">request order cancellation</a>.</div>'
    )
    f, hits = finder(sc_page, pack)
    assert f.find("order_detail.cancel").text_content() == "request order cancellation"
    assert hits[0][2] == "role" and "link" in hits[0][1]


MENU = """
<div class="order-status-btns"><button class="comet-btn">Track order</button>
  <div class="order-more-wrap">{opener}
    <ul role="menu" class="comet-dropdown-menu" hidden>
      <li role="menuitem" tabindex="-1">{item}</li><li role="menuitem" tabindex="-1">Download receipt</li></ul></div></div>
<script>
  const opener = document.querySelector('[aria-haspopup=menu]'), list = document.querySelector('[role=menu]');
  opener.addEventListener('click', () => { list.hidden = !list.hidden; });
</script>"""


def menu(opener: str, item: str) -> str:
    return MENU.replace("{opener}", opener).replace("{item}", item)


def test_entry_under_a_more_menu(sc_page: Page, pack: Pack) -> None:
    opener = '<button class="comet-btn order-more-actions" aria-haspopup="menu">More</button>'
    sc_page.set_content(menu(opener, "Cancel order"))
    f, hits = finder(sc_page, pack)
    found = f.find("order_detail.cancel")
    assert found.text_content() == "Cancel order"
    assert hits[0][2].startswith("menu(") and hits[0][2].endswith(":role")
    assert hits[0][1] == 'role=menuitem[name="Cancel order"]'


def test_icon_only_menu_named_by_aria_label(sc_page: Page, pack: Pack) -> None:
    opener = (
        '<button class="comet-icon-btn" aria-label="More actions" aria-haspopup="menu"><svg width="16" height="16"'
        ' aria-hidden="true"><circle cx="5" cy="8" r="2"/></svg></button>'
    )
    sc_page.set_content(menu(opener, "Cancel order"))
    f, hits = finder(sc_page, pack)
    f.find("order_detail.cancel").click()
    assert "More actions" in hits[0][2]


def test_icon_only_menu_named_by_title(sc_page: Page, pack: Pack) -> None:
    opener = '<span class="ico" title="More actions" aria-haspopup="menu" tabindex="0">&#8942;</span>'
    sc_page.set_content(menu(opener, "Cancel order"))
    f, hits = finder(sc_page, pack)
    assert f.find("order_detail.cancel").text_content() == "Cancel order"
    assert 'title="More actions"' in hits[0][2]


def test_list_row_scope_narrows_two_matches(sc_page: Page, pack: Pack) -> None:
    rows = "".join(
        f'<div class="order-item" id="r{i}"><a data-pl="order_item_header_detail" href="/p/order/detail.html?orderId={i}">'
        f'Order details</a><div class="order-item-btns"><button class="comet-btn">Cancel order</button></div></div>'
        for i in (111111111, 222222222)
    )
    sc_page.set_content(f'<div class="comet-checkbox-group">{rows}</div>')
    f, _ = finder(sc_page, pack)
    with pytest.raises(ControlNotFound) as err:
        f.find("orders.row_cancel", timeout_ms=0)
    assert any("2 visible (ambiguous, skipped)" in t for t in err.value.tried)
    row = sc_page.locator("#r222222222")
    found = f.find("orders.row_cancel", scope=row, timeout_ms=0)
    assert found.evaluate("el => el.closest('.order-item').id") == "r222222222"


def test_hidden_duplicate_is_ignored(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<button style="display:none">Cancel order</button><button id="v">Cancel order</button>'
    )
    f, _ = finder(sc_page, pack)
    assert f.find("order_detail.cancel").get_attribute("id") == "v"


def test_late_rendered_after_scrolling(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content("""
      <div class="order-status"><h2 class="order-block-title">Awaiting shipment</h2><div id="slot"></div></div>
      <div style="height: 4000px">More to love</div>
      <script>
        function check() {
          if (scrollY + innerHeight < document.documentElement.scrollHeight - 300) return;
          removeEventListener('scroll', check);
          document.getElementById('slot').innerHTML = '<button class="comet-btn">Cancel order</button>';
        }
        addEventListener('scroll', check, {passive: true});
      </script>""")
    f, hits = finder(sc_page, pack)
    assert f.find("order_detail.cancel", timeout_ms=3_000).text_content() == "Cancel order"
    assert hits[0][2] == "late:role"


def test_rendered_a_moment_later_without_scrolling(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        "<div id=slot></div><script>setTimeout(() => { slot.innerHTML ="
        " '<button>Cancel order</button>'; }, 2000);</script>"
    )  # 2 s: well after the first pass over every candidate, even on a loaded machine
    f, hits = finder(sc_page, pack)
    assert f.find("order_detail.cancel", timeout_ms=6_000).is_visible()
    assert hits[0][2] == "late:role"


def test_reads_of_a_key_absent_last_time_still_see_it_come(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content('<div class="order-status"><h2 class="order-block-title">Awaiting shipment</h2></div>')
    f, _ = finder(sc_page, pack)
    assert f.texts("order_detail.status_tag") == [] and f.counted("order_detail.status_tag")[1] == 0
    sc_page.evaluate("document.querySelector('.order-status').insertAdjacentHTML('beforeend',"
                     " '<span class=\"order-status-tag\">Installments</span>')")  # fmt: skip
    assert f.texts("order_detail.status_tag") == ["Installments"]
    assert f.counted("order_detail.status_tag")[1] == 1


def test_until_settled_a_page_without_the_control_is_given_up_early(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="order-status"><h2 class="order-block-title">Awaiting shipment</h2>'
        '<div class="order-status-btns"><button class="comet-btn">Track order</button></div></div>'
        '<div style="height: 3000px">More to love</div>'
    )  # the list-row-only layout: no cancel control on this page, none coming
    f, _ = finder(sc_page, pack)
    start = time.monotonic()
    with pytest.raises(ControlNotFound) as caught:
        f.find("order_detail.cancel", timeout_ms=20_000, until_settled=True)
    assert time.monotonic() - start < 10  # far below the timeout: the settled page ended the wait
    assert any("the page settled after" in line for line in caught.value.tried)


def test_until_settled_waits_while_the_page_keeps_changing(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        "<div id=slot></div><script>let n = 0; const t = setInterval(() => { slot.textContent = 'loading '"
        " + (++n); if (n === 10) { clearInterval(t); slot.innerHTML = '<button>Cancel order</button>'; } },"
        " 200);</script>"
    )  # 2 s of DOM changes (no pause as long as the settle window) before the control shows
    f, hits = finder(sc_page, pack)
    assert f.find("order_detail.cancel", timeout_ms=10_000, until_settled=True).is_visible()
    assert hits[0][2] == "late:role"


@pytest.mark.parametrize(
    ("css_class", "strategy"), [("order-actions-frame", "frame:role"), ("some-other-frame", "iframe[0]:role")]
)
def test_inside_an_iframe(sc_page: Page, pack: Pack, css_class: str, strategy: str) -> None:
    sc_page.set_content(
        f'<div class="order-status"><iframe class="{css_class}" title="Actions" srcdoc="'
        "<div class='order-status-btns'><button class='comet-btn'>Track order</button>"
        "<button class='comet-btn'>Cancel order</button></div>\"></iframe></div>"
    )
    f, hits = finder(sc_page, pack)
    found = f.find("order_detail.cancel")
    assert found.text_content() == "Cancel order"
    assert hits[0][2] == strategy  # the pack's own frame candidate first, then any iframe on the page


def test_pt_br_wording(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="order-status-btns"><button class="comet-btn">Cancelar pedido</button></div>'
    )
    f, hits = finder(sc_page, pack, "pt-BR")
    assert f.find("order_detail.cancel").text_content() == "Cancelar pedido"
    assert hits[0][1] == 'role=button[name="Cancelar pedido"]'


def test_pt_br_menu_and_english_fallback(sc_page: Page, pack: Pack) -> None:
    opener = '<button class="comet-btn" aria-haspopup="menu">Mais</button>'
    sc_page.set_content(menu(opener, "Cancel order"))
    f, hits = finder(sc_page, pack, "pt-BR")
    assert f.find("order_detail.cancel").text_content() == "Cancel order"
    assert 'name="Mais"' in hits[0][2]


@pytest.mark.parametrize(
    ("locale", "text"), [("fr", "Annuler la commande"), ("es", "Cancelar pedido"), ("ru", "Отменить заказ")]
)
def test_partial_locales(sc_page: Page, pack: Pack, locale: str, text: str) -> None:
    sc_page.set_content(f"<button>{text}</button>")
    f, _ = finder(sc_page, pack, locale)
    assert f.find("order_detail.cancel", timeout_ms=0).text_content() == text


def test_zero_matches_lists_every_strategy_tried(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="order-status"><button class="comet-btn">Track order</button>'
        '<iframe srcdoc="<button>Pay now</button>"></iframe></div>'
    )
    f, hits = finder(sc_page, pack)
    with pytest.raises(ControlNotFound) as err:
        f.find("order_detail.cancel", timeout_ms=300)
    tried = "\n".join(err.value.tried)
    for expected in (
        'role: role=button[name="Cancel order"]',
        'role: role=link[name="Request order cancellation"]',
        "role: role=menuitem",
        'text: text="Cancel order"',
        "css: css=",
        "frame:role: frame(",
        "iframe[0]:role",
        "menu menus.more:",
        "menu menus.more_actions:",
        "menu menus.kebab:",
        "late:",
    ):
        assert expected in tried, expected
    assert err.value.key == "order_detail.cancel" and err.value.evidence[0].startswith("url=")
    assert hits == []


def test_unknown_key_is_a_pack_error(sc_page: Page, pack: Pack) -> None:
    from agent.errors import SelectorPackError

    f, _ = finder(sc_page, pack)
    with pytest.raises(SelectorPackError):
        f.find("order_detail.nope")


# -- overlays --------------------------------------------------------------------------------------
COUPON = (
    '<div class="coupon-layer" style="position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:10">'
    '<img class="close-btn" alt="Close" role="button" style="width:20px;height:20px;background:#fff"'
    ' onclick="this.parentElement.remove()"></div>'
)


def test_click_through_a_coupon_overlay(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(CLICKS + '<button class="target">Cancel order</button>' + COUPON)
    f, _ = finder(sc_page, pack)
    target = f.find("order_detail.cancel")
    closed = click_through_overlays(target, sc_page, pack)
    assert closed and closed[0].startswith("overlays.coupon")
    assert sc_page.evaluate("window.clicks") == 1


def test_irreversible_click_is_sent_at_most_once_and_never_through_an_unclosable_overlay(
    sc_page: Page, pack: Pack
) -> None:
    sc_page.set_content(
        CLICKS + '<button class="target">Confirm</button><div class="blocker" style="position:fixed;'
        'inset:0;z-index:10"></div>'
    )
    target = sc_page.get_by_role("button", name="Confirm")
    with pytest.raises(ControlBlocked, match="intercepts pointer events"):
        click_through_overlays(target, sc_page, pack, irreversible=True, attempts=2, timeout_ms=2_000)
    assert sc_page.evaluate("window.clicks") == 0


def test_dismiss_overlays_spares_our_own_dialog(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="comet-modal cancel-order-modal" role="dialog" aria-labelledby="t"><div id="t">Cancel order</div>'
        '<button class="comet-modal-close" aria-label="Close" onclick="this.closest(\'.comet-modal\').remove()">x</button></div>'
        '<div class="comet-modal promo"><button class="comet-modal-close" onclick="this.closest(\'.comet-modal\').remove()">x'
        '</button></div><div id="J_xiaomi_dialog"><button class="close-layer" aria-label="Close"'
        ' onclick="this.parentElement.remove()">x</button></div>'
        '<div class="cookie-banner"><span>We use cookies.</span><button onclick="this.parentElement.remove()">Accept</button></div>'
    )
    closed = dismiss_overlays(sc_page, pack)
    assert sc_page.locator(".cancel-order-modal").is_visible()
    assert sc_page.locator(".promo").count() == 0
    assert sc_page.locator("#J_xiaomi_dialog").count() == 0
    assert sc_page.locator(".cookie-banner").count() == 0
    assert len(closed) == 3


def test_menu_opener_covered_by_chat_widget(sc_page: Page, pack: Pack) -> None:
    opener = '<button class="comet-btn order-more-actions" aria-haspopup="menu">More</button>'
    chat = (
        '<div id="J_xiaomi_dialog" style="position:fixed;left:0;top:0;width:600px;height:200px;background:#eee;'
        'z-index:5"><button class="close-layer" aria-label="Close" onclick="this.parentElement.remove()">x</button>'
        "</div>"
    )
    sc_page.set_content(menu(opener, "Cancel order") + chat)
    f, _ = finder(sc_page, pack)
    assert f.find("order_detail.cancel").text_content() == "Cancel order"
    assert sc_page.locator("#J_xiaomi_dialog").count() == 0


# -- drift check -----------------------------------------------------------------------------------
def test_check_pack_reports_winners_and_fallbacks(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        '<div class="order-status"><h2 class="order-block-title">Awaiting shipment</h2>'
        '<div class="order-status-reminder">The seller will ship soon.</div>'
        '<div class="order-status-btns"><button class="comet-btn">Cancel order</button></div></div>'
        '<div class="order-status-btns"><a class="comet-btn" href="#" onclick="return false">'
        'Xyz</a></div><input id="fm-login-password" type="password">'
    )
    clicks_before = sc_page.evaluate("document.querySelectorAll('.clicked').length")
    report = check_pack(sc_page, pack, "en", prefixes=["order_detail.", "orders.tab", "login.password"])
    assert report["order_detail.cancel"].candidate == 'role=button[name="Cancel order"]'
    assert report["order_detail.cancel"].late is False
    # the heading that is a known status wording (@status_texts) wins over the CSS of the status block
    assert report["order_detail.status_title"].candidate == 'role=heading[name="Awaiting shipment"]'
    assert report["order_detail.status_title"].late is False
    assert report["order_detail.reminder"].strategy == "css"
    assert report["orders.tab"].strategy == "parametrised"
    assert report["order_detail.item"].candidate is None and report["order_detail.item"].strategy == "none"
    assert report["login.password"].late is True  # no label: the CSS fallback matched (drift!)
    assert sc_page.evaluate("document.querySelectorAll('.clicked').length") == clicks_before
