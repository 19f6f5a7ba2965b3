"""What the network guard reads in a request (agent.flows.guard): which order ids it names, at any depth,
and which hosts are the site's. Pure functions: the guard itself runs in the agent's e2e tests."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from agent.flows.guard import _site_domain, order_ids_in

OURS, OTHER = "8212345678901234", "8212345678909999"
PRODUCT, LINE = "1005006123456789", "8212345678901299"
FORM = "application/x-www-form-urlencoded"


def form(data: object) -> bytes:
    return urlencode({"data": json.dumps(data)}).encode()


def test_the_order_in_an_mtop_form_body_and_in_a_page_url() -> None:
    body = form({"tradeOrderId": OURS, "operation": "cancel", "reasonId": "R01"})
    assert order_ids_in("https://acs.example.com/h5/mtop.x/1.0/?t=1764567890123", body, FORM) == {OURS}
    assert order_ids_in(f"https://www.example.com/p/order/detail.html?orderId={OURS}&spm=a.b.0") == {OURS}


def test_another_order_is_seen_at_any_depth_even_as_a_number_in_json_in_a_string() -> None:
    params = json.dumps({"data": json.dumps({"body": {"fields": {"orderId": int(OTHER)}}})})
    assert order_ids_in("https://acs.example.com/h5/x/1.0/", form({"params": params}), FORM) == {OTHER}
    assert order_ids_in("https://x/", json.dumps({"orders": [{"order_id": OTHER}]}).encode(),
                        "application/json") == {OTHER}  # fmt: skip


def test_product_sku_and_line_ids_are_not_orders_unless_the_account_has_such_an_order() -> None:
    body = form({"tradeOrderId": OURS, "productId": PRODUCT, "orderLineIds": [LINE], "skuId": PRODUCT})
    assert order_ids_in("https://x/", body, FORM) == {OURS}
    assert order_ids_in("https://x/", body, FORM, known=frozenset({LINE})) == {OURS, LINE}


@pytest.mark.parametrize("token", ["a1b2c3d4e5f60718293a4b5c6d7e8f90", "1234567890123456789abcdef0123456"])
def test_a_hash_or_a_timestamp_is_no_order_id(token: str) -> None:
    assert order_ids_in(f"https://x/h5/api/1.0/?t=1764567890123&sign={token}") == set()


def test_file_parts_of_a_multipart_body_are_not_read() -> None:
    body = (f'--b\r\nContent-Disposition: form-data; name="orderId"\r\n\r\n{OURS}\r\n'
            f'--b\r\nContent-Disposition: form-data; name="evidence"; filename="a.png"\r\n\r\n{OTHER}\r\n'
            "--b--").encode()  # fmt: skip
    assert order_ids_in("https://x/", body, "multipart/form-data; boundary=b", frozenset({OTHER})) == {OURS}


def test_the_sites_domain_covers_its_sibling_hosts_but_not_an_ip() -> None:
    assert _site_domain("https://www.aliexpress.com") == _site_domain("https://acs.aliexpress.com")
    assert _site_domain("https://www.aliexpress.com") == "aliexpress.com"
    assert _site_domain("http://127.0.0.1:8000") == _site_domain("http://localhost:8000") == ""
