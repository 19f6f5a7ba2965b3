"""The shop's MTOP gateway without a browser: token issue and rotation, the signature over the exact data
string, transport parameters, the list's linkage paging (and its trap), detail by tradeOrderId (and the
orderId skeleton), counts when logged out, the reverse-orders list, and the admin's faults per code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from mtop_steps import (
    COUNT,
    DETAIL,
    LIST,
    REVERSE,
    TestClient,
    call,
    list_pages,
    next_page,
    path,
    raw_call,
    shown_ids,
    sign_query,
)

from agent.shop.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
FIRST = {"statusTab": "all", "renderType": "init", "clientPlatform": "pc"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(load_delay_ms=0), follow_redirects=False) as c:
        c.cookies.update(c.post("/__shop/sessions", json={}).json()["cookies"])
        yield c


def codes(c: TestClient, kind: str = "mtop_fail") -> list[str]:
    return [e["detail"]["code"] for e in c.get("/__shop/log", params={"kind": kind}).json()]


def test_no_token_then_a_rotated_one_then_expiry_on_the_shop_clock(client: TestClient) -> None:
    first = raw_call(client, LIST, FIRST)
    assert first["ret"] == ["FAIL_SYS_TOKEN_EMPTY::令牌为空"] and first["data"] == {}
    token, expiry = client.cookies["_m_h5_tk"].split("_")
    assert len(token) == 32 and expiry.isdigit() and client.cookies["_m_h5_tk_enc"]
    assert raw_call(client, LIST, FIRST)["ret"][0].startswith("SUCCESS")
    client.post("/__shop/clock/advance", json={"hours": 1})  # tokens live 30 min of shop time
    assert raw_call(client, LIST, FIRST)["ret"] == ["FAIL_SYS_TOKEN_EXOIRED::令牌过期"]
    assert client.cookies["_m_h5_tk"].split("_")[0] != token
    assert raw_call(client, LIST, FIRST)["ret"][0].startswith("SUCCESS")
    client.cookies.delete("_m_h5_tk")
    client.cookies.set("_m_h5_tk", "0123456789abcdef0123456789abcdef_1")  # a token the shop never issued
    assert raw_call(client, LIST, FIRST)["ret"][0].startswith("FAIL_SYS_TOKEN_EMPTY")
    assert codes(client) == ["FAIL_SYS_TOKEN_EMPTY", "FAIL_SYS_TOKEN_EXOIRED", "FAIL_SYS_TOKEN_EMPTY"]


def test_the_signature_covers_the_exact_data_string(client: TestClient) -> None:
    call(client, COUNT, {})  # get a token
    text = json.dumps({"clientPlatform": "pc", "a": 1})
    query = sign_query(client, COUNT, text)
    assert client.get(path(COUNT), params=query | {"data": text}).json()["ret"][0].startswith("SUCCESS")
    reordered = json.dumps({"a": 1, "clientPlatform": "pc"})  # same object, other bytes
    assert client.get(path(COUNT), params=query | {"data": reordered}).json()["ret"] == [
        "FAIL_SYS_ILLEGAL_ACCESS::非法请求"
    ]
    wrong_key = sign_query(client, COUNT, text) | {"appKey": "12345"}
    assert (
        client.get(path(COUNT), params=wrong_key | {"data": text})
        .json()["ret"][0]
        .startswith("FAIL_SYS_ILLEGAL_ACCESS")
    )
    for missing in ("jsv", "t", "sign", "api", "v", "type", "dataType"):
        partial = {k: v for k, v in sign_query(client, COUNT, text).items() if k != missing}
        ret = client.get(path(COUNT), params=partial | {"data": text}).json()["ret"][0]
        assert ret.startswith("FAIL_SYS_ILLEGAL_ACCESS"), missing
    other_api = sign_query(client, DETAIL, text)
    assert (
        client.get(path(COUNT), params=other_api | {"data": text})
        .json()["ret"][0]
        .startswith("FAIL_SYS_API_NOT_FOUNDED")
    )


def test_pages_after_the_first_need_the_previous_linkage(client: TestClient) -> None:
    pages = list_pages(client, timeOption="2y")
    assert len(pages) >= 3
    assert [p["linkage"]["signature"] for p in pages] == list(
        dict.fromkeys(p["linkage"]["signature"] for p in pages)
    )  # rotates with every answer
    posts = [e["detail"] for e in client.get("/__shop/log", params={"kind": "api_list"}).json()]
    assert [(e["method"], e["pageIndex"], e["timeOption"]) for e in posts] == [("GET", 1, "2y")] + [
        ("POST", n, "2y") for n in range(2, len(pages) + 1)
    ]
    reused = call(client, LIST, next_page(pages[0]), "POST")  # a used (stale) linkage
    assert reused["ret"][0].startswith("SUCCESS") and reused["data"] == {}  # reads like "no more orders"
    params = json.loads(next_page(pages[-2])["params"])
    del params["linkage"]
    missing = call(client, LIST, {"params": json.dumps(params)}, "POST")
    assert missing["ret"][0].startswith("SUCCESS") and missing["data"] == {}
    assert len(client.get("/__shop/log", params={"kind": "api_list_stale"}).json()) == 2


def test_a_page_that_does_not_bump_page_index_repeats_itself(client: TestClient) -> None:
    first = call(client, LIST, FIRST)["data"]
    payload = json.loads(next_page(first)["params"])
    data = json.loads(payload["data"])
    for comp in data.values():
        if comp["tag"] == "pc_om_list_body":
            comp["fields"]["pageIndex"] = 1
    payload["data"] = json.dumps(data)
    again = call(client, LIST, {"params": json.dumps(payload)}, "POST")["data"]
    assert shown_ids(again) == shown_ids(first)
    assert "pc_om_list_header_5470002" not in again["data"]  # next pages carry only what changes


def test_detail_by_trade_order_id_and_the_order_id_skeleton(client: TestClient) -> None:
    order_id = client.get("/__shop/state").json()["orders"][0]["order_id"]
    real = call(client, DETAIL, {"tradeOrderId": order_id, "clientPlatform": "pc", "channel": "tracking"})
    tags = {c["tag"] for c in real["data"]["data"].values()}
    assert {"detail_simple_order_info_component", "detail_product_block"} <= tags
    wrong = call(client, DETAIL, {"orderId": order_id})
    assert wrong["ret"][0].startswith("SUCCESS")
    assert {c["tag"] for c in wrong["data"]["data"].values()} == {"detail_root_container"}


def test_counts_answer_zeros_when_logged_out(client: TestClient) -> None:
    logged_in = call(client, COUNT, {"clientPlatform": "pc"})["data"]["module"]
    assert logged_in["all"] == 44
    client.cookies.delete("xman_us_t")
    logged_out = call(client, COUNT, {"clientPlatform": "pc"})
    assert logged_out["ret"][0].startswith("SUCCESS")
    assert set(logged_out["data"]["module"].values()) == {0}
    assert call(client, LIST, FIRST)["ret"] == ["FAIL_SYS_SESSION_EXPIRED::Session expired"]


def _reverse(c: TestClient, status: Any, **extra: Any) -> dict[str, Any]:
    payload = {"pageNo": 1, "size": 10, "sortOrder": "DESC", "shipTo": "US", "reverseStatus": status,
               "shopName": "", "tradeOrderId": ""} | extra  # fmt: skip
    return call(c, REVERSE, payload, "POST")


def test_reverse_orders_follow_the_order_lifecycle(client: TestClient) -> None:
    state = client.get("/__shop/state").json()
    refunded = {o["order_id"] for o in state["orders"] if o["refund"] == "refunded"}
    running = {o["order_id"] for o in state["orders"] if o["refund"] == "in_progress" or o["dispute"]}
    history = _reverse(client, 1)["data"]["module"]
    lines = [x for item in history["items"] for x in item["reverseOrderLines"]]
    assert history["pages"] == 0 and history["total"] == len(lines) > 0  # pages 0 with results
    assert {x["tradeOrderId"] for x in lines} == refunded | running
    done = _reverse(client, 4)["data"]["module"]
    assert {x["tradeOrderId"] for i in done["items"] for x in i["reverseOrderLines"]} >= refunded
    line = lines[0]
    assert set(line) >= {"tradeOrderLineId", "reverseOrderId", "reverseStatus", "gmtCreate", "aeItemDTO"}
    assert isinstance(line["aeItemDTO"]["itemUnitPrice"]["cent"], int) and line["gmtCreate"].isdigit()
    for bad in (0, 5, "1", None):
        assert _reverse(client, bad)["ret"][0].startswith("UNKNOWN_FAIL_CODE"), bad
    one = next(iter(refunded))
    only = _reverse(client, 1, tradeOrderId=one)["data"]["module"]
    assert {x["tradeOrderId"] for i in only["items"] for x in i["reverseOrderLines"]} == {one}


def test_an_accepted_request_shows_a_refund_in_progress_then_done(client: TestClient) -> None:
    state = client.get("/__shop/state").json()
    order = next(o for o in state["orders"] if o["status"] == "awaiting_shipment" and o["seller"] == "accept"
                 and not o["picked_up"] and o["payment"] == "card")  # fmt: skip
    body = {"tradeOrderId": order["order_id"], "operation": "cancel", "reasonId": "R01", "reasonText": "x"}
    assert call(client, "mtop.aliexpress.trade.buyer.order.operation", body, "POST")["ret"][0].startswith(
        "SUCCESS"
    )
    assert _reverse(client, 1, tradeOrderId=order["order_id"])["data"]["module"]["total"] == 0
    client.post("/__shop/clock/advance", json={"hours": order["seller_delay_h"] + 1})
    running = _reverse(client, 2, tradeOrderId=order["order_id"])["data"]["module"]
    assert running["total"] == len(order["lines"])
    [item] = running["items"]
    assert {x["reverseStatus"] for x in item["reverseOrderLines"]} == {2}
    client.post("/__shop/clock/advance", json={"hours": 24 * 30})
    done = _reverse(client, 4, tradeOrderId=order["order_id"])["data"]["module"]
    assert {x["reverseStatus"] for i in done["items"] for x in i["reverseOrderLines"]} == {4}


@pytest.mark.parametrize(
    "code",
    ["FAIL_SYS_TRAFFIC_LIMIT", "FAIL_SYS_USER_VALIDATE", "FAIL_SYS_ACCESS_DENIED", "UNKNOWN_FAIL_CODE"],
)
def test_faults_answer_their_code_count_times(client: TestClient, code: str) -> None:
    call(client, COUNT, {})
    client.post("/__shop/mtop/faults", json={"code": code, "api": "order.list", "count": 2})
    assert call(client, COUNT, {})["ret"][0].startswith("SUCCESS")  # another API: untouched
    assert [raw_call(client, LIST, FIRST)["ret"][0].split("::")[0] for _ in range(3)] == [
        code,
        code,
        "SUCCESS",
    ]
    assert codes(client) == ["FAIL_SYS_TOKEN_EMPTY", code, code]  # the first call had no token yet


def test_token_rotation_on_every_call_and_session_expiry(client: TestClient) -> None:
    call(client, COUNT, {})
    client.post("/__shop/mtop/faults", json={"code": "FAIL_SYS_TOKEN_EXOIRED", "count": 0})
    tokens = set()
    for _ in range(3):
        assert raw_call(client, LIST, FIRST)["ret"][0].startswith("FAIL_SYS_TOKEN_EXOIRED")
        tokens.add(client.cookies["_m_h5_tk"])
    assert len(tokens) == 3  # a new token each time
    client.post("/__shop/mtop/faults", json={"clear": True, "code": "FAIL_SYS_SESSION_EXPIRED"})
    assert raw_call(client, LIST, FIRST)["ret"] == ["FAIL_SYS_SESSION_EXPIRED::Session expired"]
    assert raw_call(client, LIST, FIRST)["ret"][0].startswith("FAIL_SYS_SESSION_EXPIRED")  # really gone
    assert client.get("/p/order/index.html").status_code == 302  # the pages go to the login page


def test_faults_by_source_and_reset(client: TestClient) -> None:
    call(client, COUNT, {})
    client.post("/__shop/mtop/faults", json={"code": "FAIL_SYS_ACCESS_DENIED", "source": "page", "count": 0})
    assert raw_call(client, LIST, FIRST)["ret"][0].startswith("SUCCESS")  # no Sec-Fetch-Mode: not a page
    query = sign_query(client, LIST, json.dumps(FIRST))
    page = client.get(
        path(LIST), params=query | {"data": json.dumps(FIRST)}, headers={"Sec-Fetch-Mode": "cors"}
    )
    assert page.json()["ret"][0].startswith("FAIL_SYS_ACCESS_DENIED")
    assert client.get("/__shop/state").json()["mtop_faults"][0]["source"] == "page"
    assert client.post("/__shop/mtop/faults", json={"code": "X", "source": "robot"}).status_code == 400
    client.post("/__shop/reset", json={})
    assert client.get("/__shop/state").json()["mtop_faults"] == []
