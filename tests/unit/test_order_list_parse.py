"""The order list API's Ultron answer → Orders, in display order (the hierarchy's, not key order)."""

from __future__ import annotations

import warnings

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # Starlette asks for httpx2; the installed httpx works the same here
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from agent.locate import load_pack
from agent.pages.order_list_api import parse_order_list
from agent.shop.seed import SHOP_EMAIL
from agent.shop.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")


def _first_page(scenario: str) -> dict:
    app = create_app(scenario)
    with TestClient(app) as client:
        cookies = client.post("/__shop/sessions", json={"email": SHOP_EMAIL}).json()["cookies"]
        for name, value in cookies.items():
            client.cookies.set(name, value)
        body = client.get("/h5/mtop.aliexpress.trade.buyer.order.list/1.0/",
                          params={"data": '{"statusTab": "all", "pageIndex": 1}'}).json()  # fmt: skip
    return body


def test_display_order_and_fields():
    body = _first_page("default")
    orders, more = parse_order_list(body, load_pack("aliexpress"), "en")
    structure = body["data"]["hierarchy"]["structure"]
    (body_key,) = [k for k in structure if k.startswith("pc_om_list_body_")]
    assert [o.order_id for o in orders] == [k.removeprefix("pc_om_list_order_") for k in structure[body_key]]
    keyed = [
        k.removeprefix("pc_om_list_order_") for k in body["data"]["data"] if k.startswith("pc_om_list_order_")
    ]
    assert keyed != [o.order_id for o in orders]  # the shop shuffles keys, like the captures
    assert more and len(orders) == 10
    assert all(o.status.value != "unknown" and o.total is not None and o.placed_at for o in orders)


def test_pt_br_statuses_and_comma_money():
    orders, _ = parse_order_list(_first_page("pt_BR"), load_pack("aliexpress"), "pt-BR")
    assert all(o.status.value != "unknown" for o in orders)
    assert all(o.total is not None and o.total.currency == "BRL" for o in orders)
