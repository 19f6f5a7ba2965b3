"""Tying Chromium's view of a request (a DevTools event) to Playwright's: method, URL without its fragment,
and the exact body bytes (agent.devtools)."""

from __future__ import annotations

import base64

from agent.devtools import _key, _post_data

FORM = b"data=%7B%22tradeOrderId%22%3A%228186265969390079%22%7D"


def test_the_body_is_read_from_post_data_entries_when_chromium_gives_them() -> None:
    parts = [{"bytes": base64.b64encode(part).decode()} for part in (FORM[:10], FORM[10:])]
    event = {"postData": "ignored", "postDataEntries": parts}
    assert _post_data(event) == FORM


def test_the_plain_post_data_is_used_otherwise_and_no_body_is_empty() -> None:
    assert _post_data({"postData": FORM.decode()}) == FORM
    assert _post_data({}) == b""


def test_keys_match_across_case_fragment_and_a_missing_body() -> None:
    url = "https://acs.aliexpress.com/h5/mtop.x/1.0/?t=1&sign=ab"
    assert _key("post", url + "#top", FORM) == _key("POST", url, FORM)
    assert _key("POST", url, None) == _key("POST", url, b"")


def test_a_different_body_or_url_is_another_request() -> None:
    url = "https://acs.aliexpress.com/h5/mtop.x/1.0/?t=1&sign=ab"
    assert _key("POST", url, FORM) != _key("POST", url, FORM + b"x")
    assert _key("POST", url, FORM) != _key("POST", url.replace("sign=ab", "sign=cd"), FORM)
