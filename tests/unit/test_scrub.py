"""Scrubbing a recording: no secret or PII survives (headers, cookies, URLs, JSON, HTML, base64 bodies),
order ids are remapped consistently and deterministically, money amounts stay."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from agent.recording import har as harlib
from agent.recording.record import find_leaks
from agent.recording.scrub import SHOP_ORIGIN, Scrubber, canonical_origin, variants

ORIGIN = "http://127.0.0.1:41234"
ORDER, OTHER = "8212345678901234", "8199999999999999"
PASSWORD = "correct-horse-battery"
EMAIL = "jane.buyer@example.com"
SESSION = "sess-4f9a8b7c6d5e4f3a2b1c"
TOKEN = "tk_0123456789abcdef"
PII = [
    "Jane Q. Buyer",
    "742 Evergreen Terrace",
    "Springfield",
    "+55 11 91234-5678",
    "LP00123456789012",
    "RB123456789CN",
    EMAIL,
]


def detail_json() -> dict[str, Any]:
    return {
        "ret": ["SUCCESS::ok"],
        "data": {
            "data": {
                f"detail_order_status_block_{ORDER}": {
                    "fields": {"orderId": int(ORDER), "title": "Awaiting shipment"}
                },
                "detail_address_block_1": {
                    "fields": {
                        "receiverName": "Jane Q. Buyer",
                        "detailAddress": "742 Evergreen Terrace",
                        "city": "Springfield",
                        "mobileNo": "+55 11 91234-5678",
                        "email": EMAIL,
                    }
                },
                "detail_logistics_1": {
                    "fields": {"trackingNumber": "LP00123456789012", "note": "RB123456789CN shipped"}
                },
                "detail_price_1": {"fields": {"totalPrice": "US $12.34", "tradeOrderId": ORDER}},
            }
        },
    }


def entry(
    method: str, url: str, body: str, *, b64: bool = False, post: dict[str, Any] | None = None
) -> dict[str, Any]:
    text = base64.b64encode(body.encode()).decode() if b64 else body
    content = {"mimeType": "application/json", "text": text, "size": len(body)} | (
        {"encoding": "base64"} if b64 else {}
    )
    req: dict[str, Any] = {
        "method": method,
        "url": url,
        "headers": [
            {"name": "Cookie", "value": f"xman_us_t={SESSION}; other=1"},
            {"name": "Authorization", "value": f"Bearer {TOKEN}"},
            {"name": "Referer", "value": f"{ORIGIN}/p/order/detail.html?orderId={ORDER}"},
        ],
        "cookies": [{"name": "xman_us_t", "value": SESSION}],
        "queryString": [{"name": "token", "value": TOKEN}],
    }
    if post is not None:
        req["postData"] = post
    res = {
        "status": 200,
        "headers": [
            {"name": "Set-Cookie", "value": f"xman_us_t={SESSION}; HttpOnly"},
            {"name": "Content-Length", "value": "123"},
        ],
        "cookies": [{"name": "xman_us_t", "value": SESSION}],
        "content": content,
        "redirectURL": "",
    }
    return {"request": req, "response": res}


def sample_har() -> dict[str, Any]:
    html = (
        f'<div class="order-detail-wrap" data-order-id="{ORDER}"><span>Jane Q. Buyer</span>'
        f'<a href="/p/order/detail.html?orderId={OTHER}">other</a><b>US $12.34</b> {EMAIL}</div>'
    )
    login_body = f"email={EMAIL.replace('@', '%40')}&password={PASSWORD}"
    return {
        "log": {
            "version": "1.2",
            "pages": [{"id": "p1", "title": f"Orders of {EMAIL}"}],
            "entries": [
                entry("GET", f"{ORIGIN}/p/order/detail.html?orderId={ORDER}&token={TOKEN}", html),
                entry(
                    "GET",
                    f"{ORIGIN}/h5/x/1.0/?data=%7B%22tradeOrderId%22%3A%22{ORDER}%22%7D",
                    json.dumps(detail_json()),
                ),
                entry("GET", f"{ORIGIN}/h5/y/1.0/?data=%7B%7D", json.dumps(detail_json()), b64=True),
                entry(
                    "POST",
                    f"{ORIGIN}/login/",
                    "{}",
                    post={
                        "mimeType": "application/x-www-form-urlencoded",
                        "text": login_body,
                        "params": [{"name": "password", "value": PASSWORD}],
                    },
                ),
                entry("GET", f"{ORIGIN}/__shop/state", "{}"),
            ],
        }
    }


def scrub(har: dict[str, Any], key: bytes = b"k1") -> tuple[dict[str, Any], Scrubber]:
    scrubber = Scrubber(key, secrets=[PASSWORD, EMAIL], origin=ORIGIN)
    harlib.learn(har, scrubber)
    return harlib.scrub_har(har, scrubber), scrubber


def everything(har: dict[str, Any]) -> str:
    """The HAR as text plus every base64 body decoded."""
    decoded = [harlib.decoded_text(e["response"]["content"]) or "" for e in harlib.entries(har)]
    return json.dumps(har, ensure_ascii=False) + "\n".join(decoded)


def test_no_secret_or_pii_survives_anywhere() -> None:
    clean, _ = scrub(sample_har())
    text = everything(clean)
    for secret in [PASSWORD, SESSION, TOKEN, *PII]:
        for form in variants(secret):
            assert form not in text, (secret, form)
    assert "127.0.0.1" not in text and "/__shop/" not in text


def test_password_in_base64_anywhere_is_caught() -> None:
    for prefix in ("", "a", "ab"):
        blob = base64.b64encode(f"{prefix}user={PASSWORD}&x=1".encode()).decode()
        assert any(form in blob for form in variants(PASSWORD))


def test_order_ids_are_remapped_consistently_and_money_stays() -> None:
    clean, scrubber = scrub(sample_har())
    mapped, other = scrubber.ids[ORDER], scrubber.ids[OTHER]
    assert len(mapped) == len(ORDER) and mapped != ORDER and mapped[0] != "0"
    page, api, api64 = (
        harlib.decoded_text(e["response"]["content"]) or "" for e in clean["log"]["entries"][:3]
    )
    assert f'data-order-id="{mapped}"' in page and f"orderId={other}" in page
    assert clean["log"]["entries"][0]["request"]["url"].startswith(
        f"{SHOP_ORIGIN}/p/order/detail.html?orderId={mapped}"
    )
    assert f"%22{mapped}%22" in clean["log"]["entries"][1]["request"]["url"]
    for body in (api, api64):
        data = json.loads(body)["data"]["data"]
        assert data[f"detail_order_status_block_{mapped}"]["fields"]["orderId"] == int(mapped)
        assert data["detail_price_1"]["fields"] == {"totalPrice": "US $12.34", "tradeOrderId": mapped}
    assert "US $12.34" in page


def test_headers_cookies_query_tokens_and_password_fields_are_redacted() -> None:
    clean, _ = scrub(sample_har())
    first = clean["log"]["entries"][0]
    headers = {h["name"]: h["value"] for h in first["request"]["headers"] + first["response"]["headers"]}
    assert headers["Cookie"] == headers["Authorization"] == headers["Set-Cookie"] == "REDACTED"
    assert "Content-Length" not in headers
    assert first["request"]["cookies"] == first["response"]["cookies"] == []
    assert "token=REDACTED" in first["request"]["url"]
    login = clean["log"]["entries"][3]["request"]["postData"]
    assert "password=REDACTED" in login["text"] and login["params"][0]["value"] == "REDACTED"


def test_the_mapping_is_deterministic_and_keyed() -> None:
    a, _ = scrub(sample_har(), b"k1")
    b, _ = scrub(sample_har(), b"k1")
    c, _ = scrub(sample_har(), b"k2")
    assert a == b
    assert re.findall(r"orderId=(\d+)", json.dumps(a)) != re.findall(r"orderId=(\d+)", json.dumps(c))


def test_admin_api_and_write_requests_are_visible() -> None:
    har = sample_har()
    assert harlib.write_methods(har) == [f"POST {ORIGIN}/login/"]
    assert not any("/__shop/" in e["request"]["url"] for e in scrub(har)[0]["log"]["entries"])


def test_canonical_origin() -> None:
    assert canonical_origin("http://127.0.0.1:8765/") == SHOP_ORIGIN
    assert canonical_origin("http://localhost:1") == SHOP_ORIGIN
    assert canonical_origin("https://www.aliexpress.com/") == "https://www.aliexpress.com"


def test_find_leaks_reports_what_survived(tmp_path: Path) -> None:
    scrubber = Scrubber(b"k", secrets=[PASSWORD], origin=ORIGIN)
    scrubber.map_id(ORDER)
    (tmp_path / "a.html").write_text(f"<p>{ORDER}</p>")
    (tmp_path / "b.txt").write_text(base64.b64encode(f"x{PASSWORD}".encode()).decode())
    (tmp_path / "c.txt").write_text("clean")
    assert sorted(find_leaks(tmp_path, scrubber)) == ["a.html: order id", "b.txt: secret"]
