"""The selector pack loads and validates, holds every key the code asks for, and is complete per locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import agent
from agent.errors import SelectorPackError
from agent.models import OrderStatus
from agent.packs import Pack, load_pack, load_pack_file, pack_dirs
from agent.pages import ALL_PAGES, TAB_KEYS, required_keys
from agent.policy import REASON_KEYS  # the keys the code asks the pack for

REPO = Path(agent.__file__).parent.parent
SELECTORS = REPO / "selectors"
SHOP_README = REPO / "agent" / "shop" / "README.md"
META = "[reasons_meta]\nblames_seller = []\n"  # required in every pack


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("aliexpress")


def test_pack_loads_and_validates(pack: Pack) -> None:
    assert pack.meta.name == "aliexpress"
    assert {"en", "pt-BR"} <= set(pack.meta.locales)
    for key in (
        "login",
        "orders",
        "order_detail",
        "dispute_start",
        "dispute_detail",
        "api_order_list",
        "api_order_detail",
        "api_order_operation",
    ):
        assert key in pack.paths
    assert pack.path("order_detail", order_id="8212345678901234").endswith("orderId=8212345678901234")


def test_every_key_the_code_asks_for_exists(pack: Pack) -> None:
    missing = sorted(required_keys() - set(pack.controls))
    assert not missing, f"pack lacks keys the page objects use: {missing}"


def test_every_key_literal_in_page_objects_is_declared_in_keys() -> None:
    """Grep the page objects: any "area.name" string literal used as a key must be listed in some KEYS."""
    declared = required_keys()
    areas = {k.split(".")[0] for k in load_pack("aliexpress").controls}
    pattern = re.compile(r'"((?:' + "|".join(sorted(areas)) + r')\.[a-z_]+)"')
    used: set[str] = set()
    for source in (REPO / "agent" / "pages").glob("*.py"):
        used.update(pattern.findall(source.read_text(encoding="utf-8")))
    assert used, "the grep found nothing: the pattern is wrong"
    assert not sorted(used - declared), f"keys used but not in any KEYS: {sorted(used - declared)}"


def test_menu_openers_and_overlays_exist(pack: Pack) -> None:
    for key in ("order_detail.cancel", "orders.row_cancel"):
        assert pack.control(key).menus, key
    assert {k for k in pack.controls if k.startswith("overlays.")} >= {
        "overlays.chat",
        "overlays.coupon",
        "overlays.modal",
        "overlays.cookie",
        "overlays.login_popup",
    }


def test_candidates_put_what_a_person_sees_first(pack: Pack) -> None:
    """In a control a person acts on (it has a role candidate), no role/label/text candidate comes after
    a CSS/XPath one: CSS is the last resort. Reading keys (fields, rows) are CSS by nature."""
    order = {"role": 0, "label": 1, "placeholder": 1, "title": 1, "text": 2, "css": 3, "xpath": 3}
    for key, control in pack.controls.items():
        if control.many or not any(c.role for c in control.candidates):
            continue
        ranks = [order[c.strategy] for c in control.candidates if not c.frame]
        assert ranks == sorted(ranks), key


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
def test_every_wording_key_exists_in_every_complete_locale(pack: Pack, locale: str) -> None:
    assert locale in pack.meta.locales
    missing = set(pack.wordings["en"]) - set(pack.wordings[locale])
    assert not missing, f"{locale} lacks wordings {sorted(missing)}"


def test_partial_locales_have_the_cancel_wordings(pack: Pack) -> None:
    for locale in pack.meta.partial_locales:
        assert pack.wordings[locale]["cancel_order"], locale
    assert "Annuler la commande" in pack.words("cancel_order", "fr")
    assert pack.words("cancel_order", "ru")[0] == "Отменить заказ"
    assert pack.words("cancel_order", "fr")[-1] in pack.wordings["en"]["cancel_order"]  # English fallback


def test_every_canonical_status_has_wordings_in_every_locale(pack: Pack) -> None:
    for locale in pack.meta.locales:
        covered = set(pack.statuses[locale].values())
        missing = set(OrderStatus) - {OrderStatus.UNKNOWN} - covered
        assert not missing, f"{locale}: no wording for {sorted(missing)}"


def test_every_reason_key_has_synonyms_in_every_locale(pack: Pack) -> None:
    for locale in pack.meta.locales:
        for key in REASON_KEYS:
            assert pack.reasons[locale].get(key), f"{locale}: no synonyms for {key}"
        assert set(pack.reasons[locale]) == set(pack.reasons["en"]), locale


def test_reasons_that_blame_the_seller_are_flagged(pack: Pack) -> None:
    # cancellation-rules.md: reasons that blame the seller count against the seller. The agent never
    # picks one of these from free text; the buyer's own reasons (and "other") stay choosable.
    flagged = {"cannot_contact_seller", "seller_refuses_to_ship", "out_of_stock", "seller_asked"}
    assert pack.blames_seller == flagged
    buyers = {"changed_mind", "wrong_item", "duplicate_order", "wrong_address", "shipping_too_long",
              "found_cheaper", "other"}  # fmt: skip
    assert not pack.blames_seller & buyers
    assert pack.blames_seller <= set(pack.reasons["en"])


def test_tabs_have_wordings(pack: Pack) -> None:
    for locale in pack.meta.locales:
        for tab in TAB_KEYS:
            assert pack.wordings[locale][f"tab_{tab}"], (locale, tab)


def test_shop_texts_are_in_the_pack(pack: Pack) -> None:
    """Every status, reason, tab and cancel wording the shop README lists is known to the pack."""
    if not SHOP_README.exists():
        pytest.skip("the fixture shop is not there")
    from agent.shop import i18n

    for locale in ("en", "pt-BR"):
        for text in i18n.STATUS[locale].values():
            assert text in pack.statuses[locale], (locale, text)
        reasons = {w for words in pack.reasons[locale].values() for w in words}
        assert set(i18n.REASONS[locale]) <= reasons, locale
        tabs = {w for tab in TAB_KEYS for w in pack.wordings[locale][f"tab_{tab}"]}
        for generation in ("new", "old"):
            assert set(i18n.TABS[(locale, generation)]) <= tabs, (locale, generation)
        assert i18n.UI[locale]["cancel_order"] in pack.wordings[locale]["cancel_order"]


def test_reference_statuses_are_mapped(pack: Pack) -> None:
    for text in (
        "Awaiting payment",
        "Payment being verified",
        "Awaiting shipment",
        "Awaiting Cancellation",
        "Awaiting delivery",
        "Awaiting feedback",
        "Completed",
        "Order completed",
        "Closed",
        "Canceled",
        "Expired",
        "Payment expired",
    ):
        assert text in pack.statuses["en"], text
    for text in (
        "Aguardando pagamento",
        "Processando",
        "Processado",
        "Aguardando a entrega",
        "Enviado",
        "Concluído",
        "Cancelado",
        "Pedido cancelado",
        "Expirado",
    ):
        assert text in pack.statuses["pt-BR"], text


def test_no_init_py_in_selectors() -> None:
    assert SELECTORS.is_dir()
    assert not (SELECTORS / "__init__.py").exists(), (
        "selectors/ must stay data only (it shadows a stdlib module)"
    )


def test_pack_dirs_prefer_the_wheel_copy() -> None:
    dirs = pack_dirs()
    assert dirs[0].name == "_packs" and dirs[1] == SELECTORS


def test_missing_pack_is_a_clear_error() -> None:
    with pytest.raises(SelectorPackError, match="not found"):
        load_pack("no-such-site")
    with pytest.raises(SelectorPackError, match="invalid"):
        load_pack("../etc/passwd")


def test_unknown_key_is_a_clear_error(pack: Pack) -> None:
    with pytest.raises(SelectorPackError, match="no control key 'order_detail.nope'"):
        pack.control("order_detail.nope")
    with pytest.raises(SelectorPackError, match="no wording"):
        pack.words("nope")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("this is not toml = = =", "unreadable"),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\ncandidates=[{css=".x", text="y"}]\n'
            "[wordings.en]\n[statuses.en]\n[reasons.en]\n" + META,
            "exactly one",
        ),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\ncandidates=[{text="@nope"}]\n'
            "[wordings.en]\n[statuses.en]\n[reasons.en]\n" + META,
            "not defined",
        ),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\ncandidates=[{css=".x"}]\nmenus=["m.x"]\n'
            "[wordings.en]\n[statuses.en]\n[reasons.en]\n" + META,
            "menu opener",
        ),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\ncandidates=[{css=".x"}]\n'
            '[wordings.en]\n[statuses.en]\n"Done"="finished"\n[reasons.en]\n' + META,
            "statuses",
        ),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\n'
            'candidates=[{css=".x", colour="red"}]\n'
            "[wordings.en]\n[statuses.en]\n[reasons.en]\n" + META,
            "colour",
        ),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\ncandidates=[{css=".x"}]\n'
            "[wordings.en]\n[statuses.en]\n[reasons.en]\nother=['Other']\n",
            "reasons_meta: Field required",
        ),
        (
            '[meta]\nname="x"\nlocales=["en"]\n[paths]\n[controls."a.b"]\ncandidates=[{css=".x"}]\n'
            "[wordings.en]\n[statuses.en]\n[reasons.en]\nother=['Other']\n"
            '[reasons_meta]\nblames_seller=["out_of_stok"]\n',
            r"\['out_of_stok'\] are not reason keys",
        ),
    ],
)
def test_malformed_packs_are_rejected(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SelectorPackError, match=problem):
        load_pack_file(path)


def test_page_classes_declare_keys() -> None:
    for page in ALL_PAGES:
        assert page.KEYS, page.__name__


# -- redesign-proof: a person's way to every control and reading -------------------------------------
PERSON = {"role", "label", "placeholder", "title", "text"}
PAGE_BLOCK = (
    "a part of a page block (order row, detail block) read inside its block: blocks keep their class names "
    "through a redesign (only action widgets are hashed) and have no role, label or fixed text"
)
ORDERS_BRANCH = (
    "My Orders' list reading, reworked on the `mtop` branch (which owns orders.*): a text candidate over "
    "@status_texts or the row's 'Order ID' would break statuses(), which reads every row in one call; "
    "the sweep reads these from the list API first"
)
OVERLAY = (
    "an overlay's close button: CSS scoped to the known overlay on purpose, a role/name candidate "
    "('Close') would also match our own dialogs' × and the guard would close them"
)
# The few keys without a person-visible candidate ahead of CSS, and why.
EXEMPT = {
    "orders.active_tab": ORDERS_BRANCH,
    "orders.row_status": ORDERS_BRANCH,
    "orders.row_for": ORDERS_BRANCH + "; the order id is taken from the detail link (reference: [seen])",
    "orders.row_info": ORDERS_BRANCH,
    "orders.row": PAGE_BLOCK,
    "orders.row_store": PAGE_BLOCK,
    "orders.row_item": PAGE_BLOCK,
    "orders.item_title": PAGE_BLOCK,
    "orders.item_sku": PAGE_BLOCK,
    "orders.item_price": PAGE_BLOCK,
    "orders.item_quantity": PAGE_BLOCK,
    "orders.row_total": PAGE_BLOCK,
    "orders.row_action": PAGE_BLOCK + " (the row's buttons, read as texts; row_cancel finds the control)",
    "order_detail.root": "a pure container (the order id comes from the URL and the 'Order ID' info row)",
    "order_detail.reminder": PAGE_BLOCK + " (free text under the status title: countdowns)",
    "order_detail.status_tag": PAGE_BLOCK,
    "order_detail.action": PAGE_BLOCK + " (the status block's buttons, read as texts)",
    "order_detail.info_row": PAGE_BLOCK + " (rows are matched to 'Order ID' & co. by their label's wording)",
    "order_detail.info_label": PAGE_BLOCK,
    "order_detail.info_value": PAGE_BLOCK,
    "order_detail.item": PAGE_BLOCK,
    "order_detail.item_title": PAGE_BLOCK,
    "order_detail.item_sku": PAGE_BLOCK,
    "order_detail.item_price": PAGE_BLOCK,
    "order_detail.item_quantity": PAGE_BLOCK,
    "order_detail.store": PAGE_BLOCK,
    "order_detail.price_row": PAGE_BLOCK,
    "order_detail.price_label": PAGE_BLOCK,
    "order_detail.price_value": PAGE_BLOCK,
    "menus.kebab": "an icon-only opener with no name at all (named ones: menus.more, menus.more_actions)",
    "reasons.popup_by_id": "the element a combobox names by id in aria-controls/aria-owns (ARIA, no styling)",
    "dispute.reason_option": "the native select's own <option> elements (the select is found by label)",
    "overlays.coupon": OVERLAY,
    "overlays.chat": OVERLAY,
    "overlays.modal": OVERLAY,
    "overlays.login_popup": OVERLAY,
    "overlays.cookie": OVERLAY,
}


def test_every_control_and_reading_has_a_person_candidate_ahead_of_css(pack: Pack) -> None:
    """Every control the login, cancel, dispute and sweep paths use, and every reading (offered and selected
    reason, order status, order id), can be found by role, label or visible text before any CSS/XPath
    candidate: a redesign (hashed class names, no data-pl) leaves them a way. Exemptions are listed above."""
    offenders = []
    for key, control in pack.controls.items():
        kinds = [c.strategy for c in control.candidates]
        person = next((i for i, k in enumerate(kinds) if k in PERSON), None)
        css = next((i for i, k in enumerate(kinds) if k in {"css", "xpath"}), len(kinds))
        if (person is None or person > css) and key not in EXEMPT:
            offenders.append(key)
    assert not offenders, f"CSS first (or only) in: {offenders}"


def test_exemptions_are_current(pack: Pack) -> None:
    """No stale exemption: each names a pack key that really has CSS first, with a reason."""
    for key, why in EXEMPT.items():
        kinds = [c.strategy for c in pack.control(key).candidates]
        assert kinds[0] in {"css", "xpath"}, f"{key} is exempt but has a person-visible first candidate"
        assert why.strip(), key


@pytest.mark.parametrize(
    "key",
    ["cancel_dialog.root", "reasons.field", "reasons.option", "reasons.radio", "cancel_dialog.comment",
     "order_detail.status_title", "cancel_dialog.order_id_text", "cancel_dialog.confirm", "login.error"],
)  # fmt: skip
def test_the_readings_named_in_the_task_are_person_first(pack: Pack, key: str) -> None:
    assert pack.control(key).candidates[0].strategy in PERSON, key
    assert key not in EXEMPT


def test_status_texts_is_every_status_wording(pack: Pack) -> None:
    words = pack.words("status_texts", "pt-BR")
    assert words[: len(pack.statuses["pt-BR"])] == list(pack.statuses["pt-BR"])
    assert set(pack.statuses["en"]) <= set(words)
