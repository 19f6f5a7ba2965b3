"""The fixture shop without a browser: API shapes (envelope, tags, hierarchy, id types, paging),
clock-driven state transitions, scenarios and the admin API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from mtop_steps import COUNT, DETAIL, OPERATION, TestClient, call, list_pages, paging, shown_ids

from agent.shop import api
from agent.shop.orders import STATUSES
from agent.shop.seed import SHOP_EMAIL, SHOP_PASSWORD, build_seed
from agent.shop.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
LIST = "/h5/mtop.aliexpress.trade.buyer.order.list/1.0/"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(load_delay_ms=0), follow_redirects=False) as c:
        c.cookies.update(c.post("/__shop/sessions", json={}).json()["cookies"])
        yield c


def get_list(c: TestClient, **query: Any) -> dict[str, Any]:
    """The first page (GET), signed."""
    return call(c, "mtop.aliexpress.trade.buyer.order.list", {"renderType": "init", **query})


def orders_of(state: dict[str, Any], status: str, **attrs: Any) -> list[dict[str, Any]]:
    return [
        o
        for o in state["orders"]
        if o["status"] == status and not o["deleted"] and all(o[k] == v for k, v in attrs.items())
    ]


def cancel(
    c: TestClient, order_id: str, reason_id: str = "R01", text: str = "I don't want it anymore"
) -> dict:
    data = {"tradeOrderId": order_id, "operation": "cancel", "reasonId": reason_id, "reasonText": text}
    return call(c, OPERATION, data, "POST")


def test_seed_is_deterministic_and_covers_every_status() -> None:
    now = dt.datetime(2026, 7, 15, tzinfo=dt.UTC)
    first, second = build_seed(now), build_seed(now)
    assert [o.order_id for o in first] == [o.order_id for o in second]
    assert len(first) >= 40 and {o.status for o in first} == set(STATUSES)
    assert all(o.order_id.isdigit() and 16 <= len(o.order_id) <= 19 for o in first)
    assert {o.payment for o in first} >= {"card", "paypal", "wallet", "boleto", "pix"}
    assert any(o.deposit_cents for o in first) and any(o.picked_up for o in first)
    assert any(len(o.lines) > 1 for o in first) and {o.seller for o in first} == {
        "accept",
        "reject",
        "silent",
    }
    assert max(now - o.placed_at for o in first) > dt.timedelta(days=730)


def test_list_envelope_hierarchy_and_paging(client: TestClient) -> None:
    body = get_list(client, statusTab="all")
    assert body["api"] == api.API_LIST and body["v"] == "1.0" and body["ret"] == ["SUCCESS::调用成功"]
    data = body["data"]
    bodies = [k for k, v in data["data"].items() if v["tag"] == "pc_om_list_body"]
    [body_key] = bodies
    shown = data["hierarchy"]["structure"][body_key]
    assert len(shown) == 10 and all(data["data"][k]["tag"] == "pc_om_list_order" for k in shown)
    key_order = [k for k in data["data"] if k.startswith("pc_om_list_order_")]
    assert key_order != shown and sorted(key_order) == sorted(shown)  # display order is the hierarchy's
    fields = data["data"][shown[0]]["fields"]
    assert isinstance(fields["orderId"], str) and shown[0] == f"pc_om_list_order_{fields['orderId']}"
    assert set(fields) >= {
        "orderDetailUrl",
        "storeName",
        "storePageUrl",
        "orderDateText",
        "statusText",
        "totalPriceText",
        "formatPriceInfo",
        "buttons",
        "orderLines",
    }
    assert set(fields["orderLines"][0]) == {
        "orderLineId",
        "productId",
        "skuId",
        "itemTitle",
        "itemPriceText",
        "quantity",
        "skuAttrs",
        "itemTags",
    }
    assert data["data"][body_key]["fields"] == {"hasMore": True, "pageIndex": 1, "pageSize": 10}
    action = next(v for v in data["data"].values() if v["tag"] == "pc_om_list_header_action")["fields"]
    assert action == {"statusTab": "all", "timeOption": "all", "searchInput": "", "searchOption": "order"}
    assert data["linkage"]["signature"] and data["endpoint"]["protocolVersion"]
    numbers = [data["data"][k]["fields"]["orderId"] for k in shown]
    assert {type(n) for n in numbers} == {str, int}  # ids are strings in one place, numbers in another
    header = next(v for v in data["data"].values() if v["tag"] == "pc_om_list_header")["fields"]
    assert [t["statusTab"] for t in header["statusTabList"]] == [
        "all",
        "unpaid",
        "processing",
        "shipped",
        "completed",
    ]
    assert header["tailStatusTab"] == {"statusTab": "recycle", "text": "Deleted orders"}
    page = next(v for v in data["data"].values() if v["tag"] == "pc_om_list_page")["fields"]
    assert page["i18n"]["view_orders"] == "View orders" and len(page["i18n"]["reasons"]) == 9


def test_paging_to_the_end_has_every_order_once(client: TestClient) -> None:
    state = client.get("/__shop/state").json()
    pages = list_pages(client)
    seen = [oid for page in pages for oid in shown_ids(page)]
    assert seen == [o["order_id"] for o in state["orders"] if not o["deleted"]]
    assert [paging(p)["pageIndex"] for p in pages] == list(range(1, len(pages) + 1))


def test_filters(client: TestClient) -> None:
    def count(**q: Any) -> int:
        return sum(len(shown_ids(page)) for page in list_pages(client, **q))

    assert count(statusTab="unpaid") == 4
    assert count(statusTab="recycle") == 2
    assert count(timeOption="6m") < count(timeOption="1y") < count(timeOption="2y")
    assert count(searchInput="UGREEN") >= 1
    counts = call(client, COUNT, {"clientPlatform": "pc"})["data"]["module"]
    assert counts["all"] == count() and counts["recycle"] == 2
    assert get_list(client, statusTab="nope")["ret"][0].startswith("FAIL_SYS_ILLEGAL_ARGUMENT")


def test_detail_shape_and_number_ids(client: TestClient) -> None:
    order = orders_of(client.get("/__shop/state").json(), "completed")[0]
    body = call(client, DETAIL, {"tradeOrderId": order["order_id"]})
    data = body["data"]
    root = data["hierarchy"]["root"]
    tags = [data["data"][k]["tag"] for k in data["hierarchy"]["structure"][root]]
    assert tags == [
        "detail_order_status_block",
        "detail_simple_order_info_component",
        "detail_product_block",
        "detail_order_price_block",
    ]
    status = next(v for v in data["data"].values() if v["tag"] == "detail_order_status_block")["fields"]
    info = next(v for v in data["data"].values() if v["tag"] == "detail_simple_order_info_component")[
        "fields"
    ]
    assert status["orderId"] == int(order["order_id"]) and info["tradeOrderId"] == int(order["order_id"])
    assert status["title"] == "Completed" and data["global"]["orderStatus"] == 9
    assert set(info) == {
        "tradeOrderId",
        "orderCreatTime",
        "payTime",
        "orderShipTime",
        "orderEndTime",
        "paymentMethod",
    }
    price = next(v for v in data["data"].values() if v["tag"] == "detail_order_price_block")["fields"]
    assert price["priceDetails"][-1]["value"] == price["totalPrice"]


def test_logged_out_api_and_pages(client: TestClient) -> None:
    client.cookies.clear()
    assert get_list(client)["ret"] == [api.SESSION_EXPIRED]
    response = client.get("/p/order/detail.html?orderId=123")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login/?return_url=http%3A%2F%2Ftestserver%2Fp%2Forder")


def test_login_flow_over_http() -> None:
    with TestClient(create_app("otp"), follow_redirects=False) as c:
        c.get("/login/?return_url=%2Fp%2Forder%2Findex.html")
        assert "fm-login-password" in c.post("/login/", data={"email": SHOP_EMAIL}).text
        assert "fm-login-code" in c.post("/login/", data={"password": SHOP_PASSWORD}).text
        code = c.get("/__shop/state").json()["otp_code"]
        done = c.post("/login/", data={"code": code})
        assert done.status_code == 303 and done.headers["location"] == "/p/order/index.html"
        assert "xman_us_t" in done.cookies


def test_instant_cancel_and_rejections(client: TestClient) -> None:
    state = client.get("/__shop/state").json()
    unpaid = orders_of(state, "awaiting_payment")[0]["order_id"]
    result = cancel(client, unpaid, "R03", "I placed a duplicate order")
    assert result["ret"][0].startswith("SUCCESS") and result["data"]["statusText"] == "Canceled"
    again = cancel(client, unpaid)
    assert again["ret"][0].startswith("FAIL_BIZ_ORDER_STATUS_CHANGED")
    picked = orders_of(state, "awaiting_shipment", picked_up=True)[0]["order_id"]
    assert cancel(client, picked)["ret"] == [
        "FAIL_BIZ_ORDER_CANNOT_CANCEL::Your order has been picked up by the courier company and can't be "
        "canceled at this time"
    ]
    log = client.get("/__shop/log").json()
    assert [(e["kind"], e["order_id"]) for e in log if e["kind"].startswith("cancel")] == [
        ("cancel", unpaid),
        ("cancel_rejected", unpaid),
        ("cancel_rejected", picked),
    ]
    assert (
        log[[e["kind"] for e in log].index("cancel")]["detail"]["reasonText"] == "I placed a duplicate order"
    )


@pytest.mark.parametrize(
    ("seller", "strict", "hours", "expected"),
    [
        ("accept", False, 47, "closed"),
        ("reject", False, 30, "awaiting_shipment"),
        ("silent", False, 47, "cancellation_requested"),
        ("silent", False, 49, "closed"),
        ("silent", True, 24 * 30, "cancellation_requested"),
    ],
)
def test_seller_behaviour_by_clock(
    client: TestClient, seller: str, strict: bool, hours: float, expected: str
) -> None:
    client.post("/__shop/scenario", json={"strict_seller": strict})
    order = orders_of(
        client.get("/__shop/state").json(), "awaiting_shipment", seller=seller, picked_up=False
    )[0]
    client.post("/__shop/orders", json={})  # unrelated write: must not disturb anything
    cancel(client, order["order_id"])
    client.post("/__shop/clock/advance", json={"hours": hours})
    after = next(
        o for o in client.get("/__shop/state").json()["orders"] if o["order_id"] == order["order_id"]
    )
    assert after["status"] == expected


def test_reject_ships_a_day_later_and_refund_lands(client: TestClient) -> None:
    state = client.get("/__shop/state").json()
    rejecting = orders_of(state, "awaiting_shipment", seller="reject", picked_up=False)[0]
    accepting = orders_of(state, "awaiting_shipment", seller="accept", picked_up=False)[0]
    cancel(client, rejecting["order_id"])
    cancel(client, accepting["order_id"])
    client.post("/__shop/clock/advance", json={"hours": rejecting["seller_delay_h"] + 24})
    client.post("/__shop/clock/advance", json={"hours": 24 * 10})
    orders = {o["order_id"]: o for o in client.get("/__shop/state").json()["orders"]}
    assert orders[rejecting["order_id"]]["status"] == "awaiting_delivery"
    assert (orders[accepting["order_id"]]["status"], orders[accepting["order_id"]]["refund"]) == (
        "closed",
        "refunded",
    )


def test_admin_scenarios_faults_and_orders(client: TestClient) -> None:
    assert (
        client.post("/__shop/scenario", json={"name": "pt_BR", "layout": "iframe"}).json()["layout"]
        == "iframe"
    )
    assert get_list(client)["data"]["global"]["locale"] == "pt-BR"
    assert client.post("/__shop/scenario", json={"layout": "sideways"}).status_code == 400
    assert client.post("/__shop/scenario", json={"name": "nope"}).status_code == 400
    client.post("/__shop/faults", json={"path": "order.list", "kind": "error", "count": 1})
    assert client.get(LIST).status_code == 500 and client.get(LIST).status_code == 200
    ids = client.post("/__shop/orders", json={"count": 1000, "status": "completed", "hours_ago": 5000}).json()
    assert len(set(ids["order_ids"])) == 1000
    assert len(client.get("/__shop/state").json()["orders"]) > 1040
    client.post("/__shop/reset", json={"scenario": "otp"})
    state = client.get("/__shop/state").json()
    assert state["scenario"]["otp"] and len(state["orders"]) < 100 and state["sessions"] == []


@pytest.mark.parametrize("raw", ["８２１２３４５６７８９０１２３４", "٨٢١٢٣٤٥٦٧٨٩٠١٢٣٤", "²³⁴"])
@pytest.mark.parametrize(
    "path", ["/p/order/detail.html", "/p/order/actions.html", "/p/reverse-pages/start.html",
             "/p/reverse-pages/detail.html"],
)  # fmt: skip
def test_the_shop_takes_only_ascii_digits_as_an_order_id(client: TestClient, path: str, raw: str) -> None:
    assert client.get(path, params={"orderId": raw}).status_code == 200
    client.get(path, params={"orderId": "8212345678901234"})
    log = client.get("/__shop/log", params={"kind": "page"}).json()
    pages = [e for e in log if e["detail"]["path"] == path]
    assert [e["order_id"] for e in pages] == [None, "8212345678901234"]
