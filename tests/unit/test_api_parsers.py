"""The API parsers (one per source: list, detail, reverse orders) on answers written from the reference,
traps included: ids as numbers, components missing from the hierarchy, empty data after a missing
linkage, hasMore with no new ids, pages 0 with results, the detail skeleton."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from api_answers import detail, list_order, list_page, reverse_line, reverse_page, skeleton

from agent.api import protocol as mtop
from agent.api.order_detail import parse_detail
from agent.api.order_list import next_page_payload, parse_list
from agent.api.reverse import parse_reverse
from agent.api.ultron import Graph
from agent.errors import ApiRefused
from agent.locate import load_pack
from agent.models import Money, OrderStatus

PACK = load_pack("aliexpress")
NOW = dt.datetime(2026, 7, 20, 12, tzinfo=dt.UTC)
A, B, C = "8212313961591322", "8212313961591323", "3012345678901234567"


def test_list_display_order_ids_as_numbers_and_fields() -> None:
    orders = [list_order(int(B), "Awaiting delivery"), list_order(C), list_order(A)]  # key order ≠ display
    page = parse_list(list_page(orders, shown=[A, B, C], has_more=True), PACK, "en")
    assert [o.order_id for o in page.orders] == [A, B, C]  # the hierarchy's order, ids as strings
    first = page.orders[0]
    assert first.status is OrderStatus.COMPLETED and first.status_text == "Completed"
    assert first.placed_at == dt.date(2026, 7, 15) and first.store_name == "Loja Oficial"
    assert first.total == Money(amount=Decimal("132.74"), currency="BRL")
    assert first.items[0].title == "Cabo USB-C" and first.items[0].quantity == 2
    assert first.items[0].sku == "Cor: Preto, 1 m" and first.actions == ["Buy this again", "Delete"]
    assert page.orders[1].status is OrderStatus.AWAITING_DELIVERY
    assert page.has_more and page.page_index == 1


def test_a_component_missing_from_the_hierarchy_still_counts_after_the_others() -> None:
    orders = [list_order(C), list_order(A), list_order(B)]
    page = parse_list(list_page(orders, shown=[B, A], has_more=False), PACK, "en")
    assert [o.order_id for o in page.orders] == [B, A, C]


def test_components_are_selected_by_tag_never_by_key() -> None:
    data = list_page([list_order(A)], shown=[A], has_more=False)
    data["data"]["weird_key_1"] = data["data"].pop(f"pc_om_list_order_{A}")
    data["hierarchy"]["structure"]["pc_om_list_body_5470003"] = ["weird_key_1"]
    assert [o.order_id for o in parse_list(data, PACK, "en").orders] == [A]
    assert Graph(data).display_keys()[:2] == ["pc_om_list_header_action_5470004", "pc_om_list_body_5470003"]


def test_an_order_id_from_the_link_or_the_component_when_the_field_is_odd() -> None:
    odd = list_order(A)
    odd["fields"]["orderId"] = 8.212313961591322e15  # a float lost digits: never trusted
    data = list_page([odd], shown=[A], has_more=False)
    data["data"] = {
        f"pc_om_list_order_{A}": odd,
        **{k: v for k, v in data["data"].items() if "order_" not in k},
    }
    assert [o.order_id for o in parse_list(data, PACK, "en").orders] == [A]  # from orderDetailUrl
    odd["fields"].pop("orderDetailUrl")
    odd["id"] = None
    with pytest.raises(ApiRefused, match="no order id"):
        parse_list(data, PACK, "en")


@pytest.mark.parametrize("data", [{}, {"data": {}, "hierarchy": {}}, {"linkage": {}}])
def test_empty_data_after_a_missing_linkage_is_an_error_not_the_end(data: dict) -> None:
    with pytest.raises(ApiRefused, match="no components") as caught:
        parse_list(data, PACK, "en")
    assert caught.value.kind == "bad_answer"


def test_an_answer_without_the_list_body_is_an_error() -> None:
    data = list_page([list_order(A)], shown=[A], has_more=False)
    del data["data"]["pc_om_list_body_5470003"]
    with pytest.raises(ApiRefused, match="pc_om_list_body"):
        parse_list(data, PACK, "en")


def test_the_next_page_payload_is_built_from_the_previous_answer() -> None:
    answer = list_page([list_order(A)], shown=[A], has_more=True, page_index=3, linkage="sig-7")
    payload = next_page_payload(parse_list(answer, PACK, "en"))
    assert list(payload) == ["params"]
    params = json.loads(payload["params"])
    assert params["operator"] == "pc_om_list_body_5470003"
    components = json.loads(params["data"])
    assert components["pc_om_list_body_5470003"]["fields"]["pageIndex"] == 4
    assert components["pc_om_list_header_action_5470004"]["fields"]["timeOption"] == "6m"
    assert json.loads(params["linkage"])["signature"] == "sig-7"
    assert json.loads(params["hierarchy"]) == answer["hierarchy"]
    assert json.loads(params["endpoint"]) == answer["endpoint"]
    assert answer["data"]["pc_om_list_body_5470003"]["fields"]["pageIndex"] == 3  # the answer is untouched


def test_no_linkage_no_next_page() -> None:
    answer = list_page([list_order(A)], shown=[A], has_more=True)
    del answer["linkage"]
    with pytest.raises(ApiRefused, match="linkage"):
        next_page_payload(parse_list(answer, PACK, "en"))


def test_detail_fields_number_ids_and_seen_status_code() -> None:
    found = parse_detail(detail(), PACK, "en", NOW)
    assert found.order_id == A  # tradeOrderId came as a number
    assert found.status is OrderStatus.COMPLETED and found.payment_method == "Pix"
    assert found.placed_at == dt.date(2026, 7, 15) and found.store_name == "Loja Oficial"
    assert found.total == Money(amount=Decimal("132.74"), currency="BRL")
    assert found.actions == ["Buy this again", "Returns/refunds"] and not found.is_deposit
    unknown_text = parse_detail(detail(title="Pedido finalizado (novo texto)"), PACK, "en", NOW)
    assert unknown_text.status is OrderStatus.COMPLETED  # 9 is seen in real captures
    code_eight = parse_detail(detail(title="Some new wording", order_status=8), PACK, "en", NOW)
    assert code_eight.status is OrderStatus.UNKNOWN  # 8 is read both ways: never mapped


def test_detail_deadline_deposit_and_reminder() -> None:
    end = int(dt.datetime(2026, 7, 22, 12, tzinfo=dt.UTC).timestamp() * 1000)
    pending = detail(
        title="Awaiting Cancellation",
        order_status=4,
        countDownEndTime=end,
        statusTag="Installment",
        reminder="Your order will be cancelled if the seller agrees. The seller has 2 days to respond.",
    )
    found = parse_detail(pending, PACK, "en", NOW)
    assert found.status is OrderStatus.CANCELLATION_REQUESTED and found.is_deposit
    assert found.seller_deadline == dt.datetime(2026, 7, 22, 12, tzinfo=dt.UTC)
    without = detail(
        title="Awaiting Cancellation",
        order_status=4,
        reminder="Your order will be cancelled if the seller agrees. The seller has 2 days to respond.",
    )
    assert parse_detail(without, PACK, "en", NOW).seller_deadline == NOW + dt.timedelta(days=2)


def test_the_detail_skeleton_is_an_error_never_a_deleted_order() -> None:
    with pytest.raises(ApiRefused, match="skeleton") as caught:
        parse_detail(skeleton(), PACK, "en", NOW)
    assert caught.value.kind == "bad_answer"


def test_reverse_lines_pages_zero_and_amounts() -> None:
    data = reverse_page(
        [[reverse_line(A, 4, 2399, 2), reverse_line(int(B), 2, line_id=2)], [reverse_line(C, 3)]],
        total=3,
        pages=0,
    )
    page = parse_reverse(data)
    assert page.total == 3 and len(page.lines) == 3  # pages said 0: the lines are counted against total
    done, running, awaiting = page.lines
    assert (done.order_id, done.state, done.status_code) == (A, "completed", 4)
    assert done.amount == Money(amount=Decimal("47.98"), currency="BRL")  # 2399 cents × 2
    assert done.created_at == dt.datetime(2022, 3, 23, 21, 19, 58, tzinfo=dt.UTC)
    assert (running.order_id, running.state, running.order_line_id) == (B, "in_progress", "2")
    assert awaiting.state == "awaiting_return"


def test_reverse_lines_without_an_order_are_skipped_and_a_missing_module_is_an_error() -> None:
    odd = reverse_line(A)
    del odd["tradeOrderId"]
    partial = reverse_line(B, status=9)
    del partial["aeItemDTO"]
    page = parse_reverse(reverse_page([[odd, partial]], total=2))
    assert [(x.order_id, x.state, x.amount) for x in page.lines] == [(B, "unknown", None)]
    with pytest.raises(ApiRefused, match="module"):
        parse_reverse({"data": {}})


def test_protocol_sign_token_and_codes() -> None:
    assert mtop.token_of("abc123_1700000000000") == "abc123" and mtop.token_of(None) == ""
    assert mtop.sign("tok", "1", "12574478", '{"a":1}') == "28c6dd7dc059af3fbc62d0d145b9c230"
    utf8 = hashlib.md5('tok&1&12574478&{"a":"ç"}'.encode()).hexdigest()
    assert mtop.sign("tok", "1", "12574478", '{"a":"ç"}') == utf8
    assert mtop.ret_code({"ret": ["FAIL_SYS_TOKEN_EXOIRED::令牌过期"]}) == (
        "FAIL_SYS_TOKEN_EXOIRED",
        "令牌过期",
    )
    kinds = {
        c: mtop.classify(c).value
        for c in [
            "SUCCESS",
            "FAIL_SYS_TOKEN_EMPTY",
            "FAIL_SYS_ILLEGAL_ACCESS",
            "NEED_LOGIN",
            "FAIL_SYS_SID_INVALID",
            "FAIL_SYS_TRAFFIC_LIMIT",
            "FAIL_SYS_USER_VALIDATE",
            "FAIL_SYS_ACCESS_DENIED",
            "UNKNOWN_FAIL_CODE",
            "",
        ]
    }
    assert kinds == {
        "SUCCESS": "success",
        "FAIL_SYS_TOKEN_EMPTY": "token",
        "FAIL_SYS_ILLEGAL_ACCESS": "token",
        "NEED_LOGIN": "session",
        "FAIL_SYS_SID_INVALID": "session",
        "FAIL_SYS_TRAFFIC_LIMIT": "traffic",
        "FAIL_SYS_USER_VALIDATE": "captcha",
        "FAIL_SYS_ACCESS_DENIED": "denied",
        "UNKNOWN_FAIL_CODE": "other",
        "": "other",
    }
    assert [mtop.time_zone(m) for m in (-180, 330, 0, -570)] == ["GMT-3", "GMT+5:30", "GMT+0", "GMT-9:30"]
    assert mtop.regional_defaults("region=BR&site=bra&b_locale=pt_BR&c_tp=BRL") == {
        "shipToCountry": "BR",
        "_lang": "pt_BR",
    }
    assert mtop.serialise({"a": "ç", "b": [1]}) == '{"a":"ç","b":[1]}'
    assert [mtop.digits(v) for v in ("0123", 8212313961591322, " 42 ", 1.5, True, None, "12a")] == [
        "0123",
        "8212313961591322",
        "42",
        None,
        None,
        None,
        None,
    ]
