"""The cancel form's shop switches without a browser: validation, presets (old ones unchanged), the boot
data the pages draw from, the decoy order of the hostile page, the cancel page's route and the log's
`comment` field."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from mtop_steps import TestClient, call

from agent.packs import load_pack
from agent.shop import orders as lifecycle
from agent.shop.cancel_forms import PATH, cancel_boot
from agent.shop.scenarios import PRESETS, Switches, build
from agent.shop.server import create_app
from agent.shop.state import ShopState

pytestmark = pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
OPERATION = "mtop.aliexpress.trade.buyer.order.operation"
NEW = {"dialog_order_id", "confirm_sends_other_order", "confirm_steps", "cancel_form", "redesigned"}
OLD_PRESETS = {
    "default", "classic_login", "otp", "captcha", "session_expiry", "list_row_only", "more_menu",
    "icon_menu", "reminder_link", "late_render", "iframe", "reasons_select", "reasons_custom", "pt_BR",
    "popups", "old_tabs", "strict_seller", "price_chars", "slow", "flaky", "hostile",
}  # fmt: skip


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(load_delay_ms=0), follow_redirects=False) as c:
        c.cookies.update(c.post("/__shop/sessions", json={}).json()["cookies"])
        yield c


def test_defaults_are_the_dialog_nothing_public_contradicts() -> None:
    sw = Switches()
    assert sw.dialog_order_id is False and sw.confirm_sends_other_order is False and sw.redesigned is False
    assert (sw.confirm_steps, sw.cancel_form) == (1, "dialog")


def test_old_presets_leave_the_new_switches_at_their_defaults() -> None:
    assert set(PRESETS) >= OLD_PRESETS
    for name in OLD_PRESETS:
        assert not NEW & set(PRESETS[name]), name
        built, default = build(name).to_json(), Switches().to_json()
        assert {k: built[k] for k in NEW} == {k: default[k] for k in NEW}, name


@pytest.mark.parametrize(
    ("preset", "switch", "value"),
    [("id_less", "dialog_order_id", False), ("dialog_with_id", "dialog_order_id", True),
     ("two_step", "confirm_steps", 2),
     ("cancel_page", "cancel_form", "page_tab"), ("other_order", "confirm_sends_other_order", True),
     ("redesigned", "redesigned", True), ("reasons_portal", "reasons", "portal"),
     ("reasons_searchable", "reasons", "searchable"), ("reasons_virtual", "reasons", "virtual")],
)  # fmt: skip
def test_new_presets(preset: str, switch: str, value: object) -> None:
    assert getattr(build(preset), switch) == value


@pytest.mark.parametrize(
    ("switch", "value"),
    [("confirm_steps", 3), ("confirm_steps", True), ("cancel_form", "popup"), ("reasons", "slider")],
)
def test_bad_values_are_refused(switch: str, value: object) -> None:
    with pytest.raises(ValueError, match=switch):
        build(None, **{switch: value})


def test_boot_tells_the_page_what_to_draw() -> None:
    state = ShopState("two_step", locale="pt-BR", dialog_order_id=False)
    boot = cancel_boot(state, "123")
    assert (boot["orderIdShown"], boot["steps"], boot["form"], boot["formUrl"]) == (False, 2, "dialog", PATH)
    assert boot["decoys"] == [] and boot["t"]["yes_cancel"] == "Sim, cancelar"


def test_the_hostile_page_names_other_cancellable_orders() -> None:
    state = ShopState("other_order")
    shown = next(o for o in state.settled() if o.status == "awaiting_shipment" and not o.picked_up)
    decoys = cancel_boot(state, shown.order_id)["decoys"]
    assert len(decoys) == 2 and shown.order_id not in decoys
    for order_id in decoys:
        order = state.order(order_id)
        assert order is not None and not order.deleted and lifecycle.cancel_error(order) is None


def test_the_pack_knows_the_cancel_page() -> None:
    assert load_pack("aliexpress").path("cancel_form", order_id="8212") == f"{PATH}?orderId=8212"


def test_the_cancel_page_route(client: TestClient) -> None:
    order_id = next(o["order_id"] for o in client.get("/__shop/state").json()["orders"] if not o["deleted"])
    page = client.get(PATH, params={"orderId": order_id})
    assert page.status_code == 200 and "/static/cancel_page.js" in page.text
    boot = json.loads(page.text.split('id="shop-boot">', 1)[1].split("</script>", 1)[0])
    assert (boot["orderId"], boot["found"], boot["page"]) == (order_id, True, "cancel")
    assert client.get(PATH, params={"orderId": "99"}).status_code == 200  # drawn as "Order not found"
    client.cookies.clear()
    assert client.get(PATH, params={"orderId": order_id}).status_code == 302  # logged out: to the login


def test_redesigned_pages_load_the_renamer(client: TestClient) -> None:
    assert "/static/redesign.js" not in client.get("/p/order/index.html").text
    client.post("/__shop/scenario", json={"name": "redesigned"})
    assert "/static/redesign.js" in client.get("/p/order/index.html").text
    assert "/static/redesign.js" in client.get("/login/").text


def test_a_comment_is_logged_only_when_sent(client: TestClient) -> None:
    unpaid = [o["order_id"] for o in client.get("/__shop/state").json()["orders"]
              if o["status"] == "awaiting_payment" and not o["deleted"]][:2]  # fmt: skip
    for order_id, extra in zip(unpaid, [{}, {"comment": "bought twice"}], strict=True):
        data = {
            "tradeOrderId": order_id,
            "operation": "cancel",
            "reasonId": "R03",
            "reasonText": "x",
            **extra,
        }
        assert call(client, OPERATION, data, "POST")["ret"][0].startswith("SUCCESS")
    first, second = [e for e in client.get("/__shop/log").json() if e["kind"] == "cancel"]
    assert set(first["detail"]) == {"reasonId", "reasonText", "status_before", "status"}
    assert second["detail"]["comment"] == "bought twice"
    assert set(second["detail"]) == {"reasonId", "reasonText", "status_before", "status", "comment"}
