# ruff: noqa: E501  (inline HTML fixtures read better unwrapped)
"""Reason widgets in shapes the fixture shop does not draw, loaded with page.set_content in real Chromium:
a combobox that owns a listbox elsewhere (aria-owns), a listbox owning options that live elsewhere, a popup
that appears only after opening (late, at the end of <body>, no id link), a long virtualised list, styled
radios whose inputs are hidden, a menu-style dropdown, a plain listbox. Each is read and chosen through the
page object, and the page's own record of the choice is checked (what the page would send)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from agent.errors import ControlNotFound
from agent.packs import Pack
from agent.pages import CancelDialog, Site

pytestmark = pytest.mark.e2e
EN = ["I don't want it anymore", "I ordered the wrong product(s)", "Shipping takes too long", "Other reasons"]
PT = ["Não quero mais", "Pedi o(s) produto(s) errado(s)", "O envio demora muito", "Outros motivos"]
MANY = [f"Reason number {i:02d}" for i in range(1, 31)]


@pytest.fixture
def sc_page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    ctx.set_default_timeout(5_000)
    yield ctx.new_page()
    ctx.close()


def form(page: Page, pack: Pack, locale: str = "en") -> CancelDialog:
    return CancelDialog(Site.create(page, pack, "https://shop.test", locale, timeout_ms=3_000)).wait_open()


def dialog(inner: str, title: str = "Cancel order") -> str:
    return f"""<div role="dialog" aria-modal="true" aria-labelledby="t" style="position:fixed;top:40px;left:40px;width:480px;background:#fff;padding:12px">
  <h2 id="t">{title}</h2>{inner}<button type="button">Confirm</button></div>"""


# Shared page behaviour: window.chosen holds what the page would send; outside click and Escape close.
BASE_JS = """<script>
window.chosen = null;
window.listeners = [];
function closeOn(open, close, parts) {
  document.addEventListener('mousedown', e => { if (open() && !parts().some(p => p && p.contains(e.target))) close(); }, true);
  document.addEventListener('keydown', e => { if (open() && e.key === 'Escape') close(); }, true);
}
</script>"""


def owns_listbox_html(options: list[str], placeholder: str, label: str) -> str:
    """A combobox (ARIA 1.0 pattern) that aria-owns a listbox rendered at the end of <body>, plus an
    unrelated visible listbox elsewhere on the page."""
    items = "".join(f'<li role="option" aria-selected="false">{o}</li>' for o in options)
    return (
        BASE_JS
        + '<ul role="listbox" aria-label="Language" style="margin-top:600px"><li role="option">English</li><li role="option">Português</li></ul>'
        + dialog(
            f'<div id="box" role="combobox" aria-label="{label}" aria-owns="rl" aria-expanded="false" tabindex="0" style="border:1px solid #999;padding:4px">{placeholder}</div>'
        )
        + f'<ul id="rl" role="listbox" hidden style="position:fixed;top:160px;left:60px;background:#fff;z-index:9">{items}</ul>'
        + """<script>
const box = document.getElementById('box'), list = document.getElementById('rl');
const isOpen = () => !list.hidden, close = () => { list.hidden = true; box.setAttribute('aria-expanded', 'false'); };
box.addEventListener('click', () => { if (isOpen()) close(); else { list.hidden = false; box.setAttribute('aria-expanded', 'true'); } });
list.querySelectorAll('li').forEach(li => li.addEventListener('click', () => { window.chosen = li.textContent; box.textContent = li.textContent; close(); }));
closeOn(isOpen, close, () => [box, list]);
</script>"""
    )


def owned_options_html(options: list[str]) -> str:
    """A listbox whose options live elsewhere in the document and are owned by id (aria-owns)."""
    ids = " ".join(f"o{i}" for i in range(len(options)))
    pool = "".join(f'<div role="option" id="o{i}">{o}</div>' for i, o in enumerate(options))
    return (
        BASE_JS
        + dialog(
            f'<div id="box" role="combobox" aria-label="Cancellation reason" aria-controls="rl" aria-expanded="false" tabindex="0">Select a reason</div><div id="rl" role="listbox" aria-owns="{ids}" hidden></div>'
        )
        + f'<div id="pool" hidden style="position:fixed;top:200px;left:60px;background:#fff;z-index:9">{pool}</div>'
        + """<script>
const box = document.getElementById('box'), list = document.getElementById('rl'), pool = document.getElementById('pool');
const isOpen = () => !pool.hidden, close = () => { pool.hidden = true; list.hidden = true; box.setAttribute('aria-expanded', 'false'); };
box.addEventListener('click', () => { pool.hidden = false; list.hidden = false; box.setAttribute('aria-expanded', 'true'); });
pool.querySelectorAll('[role=option]').forEach(o => o.addEventListener('click', () => { window.chosen = o.textContent; box.textContent = o.textContent; close(); }));
closeOn(isOpen, close, () => [box, pool]);
</script>"""
    )


def late_portal_html(options: list[str], menu: bool = False) -> str:
    """Nothing but a button-like combobox until it is opened; the popup is created a moment LATER at the
    end of <body>, with no id link at all (menu=True: role=menu / menuitem, comet-v2 style)."""
    role, item = ("menu", "menuitem") if menu else ("listbox", "option")
    return (
        BASE_JS
        + dialog(
            '<div id="box" class="x9f--select--a1" role="combobox" aria-haspopup="listbox" aria-expanded="false" aria-label="Cancellation reason" tabindex="0"><span>Select a reason</span></div>'
        )
        + f"""<script>
const OPTS = {json.dumps(options)};
const box = document.getElementById('box'); let pop = null;
const isOpen = () => !!pop && !pop.hidden;
const close = () => {{ if (pop) pop.hidden = true; box.setAttribute('aria-expanded', 'false'); }};
box.addEventListener('click', () => {{
  if (isOpen()) {{ close(); return; }}
  box.setAttribute('aria-expanded', 'true');
  setTimeout(() => {{
    if (!pop) {{
      pop = document.createElement('div');
      pop.style.cssText = 'position:fixed;top:170px;left:60px;background:#fff;z-index:9';
      pop.innerHTML = '<ul role="{role}">' + OPTS.map(t => '<li role="{item}" class="x9f--menuItem--b2"><span>' + t + '</span></li>').join('') + '</ul>';
      pop.querySelectorAll('li').forEach(li => li.addEventListener('click', () => {{ window.chosen = li.textContent; box.firstChild.textContent = li.textContent; close(); }}));
      document.body.appendChild(pop);
    }}
    pop.hidden = false;
  }}, 150);
}});
closeOn(isOpen, close, () => [box, pop]);
</script>"""
    )


def virtual_html(options: list[str], rows: int = 5, height: int = 28) -> str:
    """A listbox that renders only `rows`+2 options of a long list; scrolling renders the others."""
    return (
        BASE_JS
        + dialog(
            f'<div id="box" role="combobox" aria-label="Cancellation reason" aria-controls="vl" aria-expanded="false" tabindex="0">Select a reason</div><div id="vl" role="listbox" hidden style="position:relative;overflow-y:auto;height:{rows * height}px"><div id="holder" style="position:relative;height:{len(options) * height}px"></div></div>'
        )
        + f"""<script>
const OPTS = {json.dumps(options)}, H = {height}, N = {rows} + 2;
const box = document.getElementById('box'), list = document.getElementById('vl'), holder = document.getElementById('holder');
function render() {{
  const first = Math.floor(list.scrollTop / H); holder.innerHTML = '';
  OPTS.slice(first, first + N).forEach((t, i) => {{
    const o = document.createElement('div'); o.setAttribute('role', 'option'); o.textContent = t;
    o.style.cssText = 'position:absolute;left:0;right:0;height:' + H + 'px;top:' + ((first + i) * H) + 'px';
    o.addEventListener('click', () => {{ window.chosen = t; box.textContent = t; close(); }});
    holder.appendChild(o);
  }});
  window.rendered = Math.max(window.rendered || 0, holder.children.length);
}}
const isOpen = () => !list.hidden, close = () => {{ list.hidden = true; box.setAttribute('aria-expanded', 'false'); }};
box.addEventListener('click', () => {{ list.hidden = false; box.setAttribute('aria-expanded', 'true'); render(); }});
list.addEventListener('scroll', render);
closeOn(isOpen, close, () => [box, list]);
</script>"""
    )


def styled_radios_html(options: list[str]) -> str:
    """Radios whose inputs are hidden (a styled look): a person clicks the label."""
    items = "".join(
        f'<label class="r--item--z1"><input type="radio" name="why" value="{i}" style="display:none"><i class="r--dot--z2"></i><span>{o}</span></label>'
        for i, o in enumerate(options)
    )
    return (
        BASE_JS
        + dialog(f'<div class="r--group--z0">{items}</div>')
        + "<script>document.querySelectorAll('input[name=why]').forEach(r => r.addEventListener('change', () => { window.chosen = r.parentElement.textContent; }));</script>"
    )


def plain_listbox_html(options: list[str]) -> str:
    """An always-open listbox named 'Cancellation reason' (no combobox): options are clicked directly."""
    items = "".join(f'<li role="option" aria-selected="false">{o}</li>' for o in options)
    return (
        BASE_JS
        + dialog(f'<ul role="listbox" aria-label="Cancellation reason">{items}</ul>')
        + "<script>document.querySelectorAll('[role=option]').forEach(o => o.addEventListener('click', () => { document.querySelectorAll('[role=option]').forEach(x => x.setAttribute('aria-selected', 'false')); o.setAttribute('aria-selected', 'true'); window.chosen = o.textContent; }));</script>"
    )


@pytest.mark.parametrize(("locale", "reasons"), [("en", EN), ("pt-BR", PT)])
def test_a_combobox_that_owns_a_listbox_elsewhere(
    sc_page: Page, pack: Pack, locale: str, reasons: list[str]
) -> None:
    label, placeholder = {
        "en": ("Cancellation reason", "Select a reason"),
        "pt-BR": ("Motivo do cancelamento", "Selecione um motivo"),
    }[locale]
    sc_page.set_content(owns_listbox_html(reasons, placeholder, label))
    page = form(sc_page, pack, locale)
    assert page.reason_kind() == "custom"
    assert page.offered_reasons() == reasons  # not the page's other listbox ("Language")
    assert sc_page.locator("#rl").is_hidden()  # closed again after reading
    assert page.selected_reason() is None  # the placeholder is not a choice
    page.choose_reason(reasons[2])
    assert page.selected_reason() == reasons[2] and sc_page.evaluate("window.chosen") == reasons[2]


def test_a_listbox_owning_options_that_live_elsewhere(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(owned_options_html(EN))
    page = form(sc_page, pack)
    assert page.offered_reasons() == EN
    page.choose_reason(EN[3])
    assert page.selected_reason() == EN[3] and sc_page.evaluate("window.chosen") == EN[3]


@pytest.mark.parametrize("menu", [False, True], ids=["listbox", "menu"])
def test_a_popup_that_appears_only_after_opening(sc_page: Page, pack: Pack, menu: bool) -> None:
    sc_page.set_content(late_portal_html(EN, menu=menu))
    assert sc_page.get_by_role("menuitem" if menu else "option").count() == 0
    page = form(sc_page, pack)
    assert page.offered_reasons() == EN
    assert not sc_page.get_by_role("menu" if menu else "listbox").is_visible()
    page.choose_reason(EN[1])
    assert page.selected_reason() == EN[1] and sc_page.evaluate("window.chosen") == EN[1]


def test_a_long_virtualised_list_is_read_to_its_end(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(virtual_html(MANY))
    page = form(sc_page, pack)
    assert page.offered_reasons() == MANY  # 30 options, never more than 7 in the DOM at once
    assert sc_page.evaluate("window.rendered") <= 7
    page.choose_reason(MANY[-1])
    assert page.selected_reason() == MANY[-1]
    page.choose_reason(MANY[0])  # back up to the top
    assert page.selected_reason() == MANY[0] and sc_page.evaluate("window.chosen") == MANY[0]


def test_styled_radios_with_hidden_inputs(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(styled_radios_html(PT))
    page = form(sc_page, pack, "pt-BR")
    assert page.reason_kind() == "radio"
    assert page.offered_reasons() == PT
    page.choose_reason(PT[3])
    assert page.selected_reason() == PT[3] and sc_page.evaluate("window.chosen") == PT[3]


def test_an_always_open_listbox(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(plain_listbox_html(EN))
    page = form(sc_page, pack)
    assert page.reason_kind() == "custom" and page.offered_reasons() == EN
    page.choose_reason(EN[0])
    assert sc_page.evaluate("window.chosen") == EN[0]


def test_an_option_that_is_not_offered_is_not_chosen(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(late_portal_html(EN))
    page = form(sc_page, pack)
    with pytest.raises(ControlNotFound):
        page.choose_reason("Found it cheaper")
    assert sc_page.evaluate("window.chosen") is None


def test_a_form_with_a_required_comment(sc_page: Page, pack: Pack) -> None:
    sc_page.set_content(
        """<h1 id="h">Cancelar pedido</h1><form aria-labelledby="h"><p>ID do pedido: 8212345678901234</p>
        <label for="c">Comentário</label><textarea id="c" class="commet--textarea--Sg0xapL"></textarea>
        <select aria-label="Motivo do cancelamento"><option value="">Selecione um motivo</option><option value="1">Não quero mais</option></select></form>"""
    )
    page = form(sc_page, pack, "pt-BR")
    assert page.order_id() == "8212345678901234"
    assert page.reason_kind() == "select" and page.offered_reasons() == ["Não quero mais"]
    assert page.has_comment() and page.comment() == ""
    page.fill_comment("Comprei duas vezes")
    assert page.comment() == "Comprei duas vezes"
    assert sc_page.locator("textarea").input_value() == "Comprei duas vezes"


def test_radios_of_another_group_are_not_reasons(sc_page: Page, pack: Pack) -> None:
    refund = '<div role="radiogroup" aria-label="Refund to"><label><input type="radio" name="to">Card</label><label><input type="radio" name="to">Wallet</label></div>'
    reasons = "".join(f'<label><input type="radio" name="why">{o}</label>' for o in EN)
    sc_page.set_content(
        dialog(refund + f'<div role="radiogroup" aria-label="Cancellation reason">{reasons}</div>')
    )
    page = form(sc_page, pack)
    assert page.reason_kind() == "radio" and page.offered_reasons() == EN
    page.choose_reason(EN[2])
    assert page.selected_reason() == EN[2]
    assert sc_page.get_by_role("radio", name="Card").is_checked() is False
