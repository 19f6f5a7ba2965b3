"""Replaying signed calls: a question is what a call asks, whatever its `t`, `sign`, time zone or the list
page's rotating linkage; a different page or filter is a different question."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from agent.recording.mtop_replay import question

LIST = "http://shop.invalid/h5/mtop.aliexpress.trade.buyer.order.list/1.0/"


def get(t: str, sign: str, **data: object) -> str:
    return LIST + "?" + urlencode({"jsv": "2.5.1", "t": t, "sign": sign, "data": json.dumps(data)})


def post(page: int, linkage: str, tab: str = "all") -> str:
    comps = {"body": {"tag": "pc_om_list_body", "fields": {"pageIndex": page}},
             "head": {"tag": "pc_om_list_header_action", "fields": {"statusTab": tab}}}  # fmt: skip
    params = {"data": json.dumps(comps), "linkage": json.dumps({"signature": linkage}),
              "hierarchy": json.dumps({"root": linkage}), "endpoint": "{}", "operator": "body"}  # fmt: skip
    return urlencode({"data": json.dumps({"params": json.dumps(params)})})


def test_a_get_is_asked_the_same_whenever_it_is_signed() -> None:
    a = question("GET", get("1", "aa", statusTab="all", timeZone="GMT-3"), None)
    b = question("get", get("2", "bb", statusTab="all", timeZone="GMT+5:30"), None)
    assert a == b
    assert a != question("GET", get("1", "aa", statusTab="unpaid", timeZone="GMT-3"), None)


def test_a_list_page_is_asked_by_its_page_and_filters_not_its_linkage() -> None:
    assert question("POST", LIST + "?t=1&sign=x", post(2, "sig-a")) == question(
        "POST", LIST + "?t=9", post(2, "sig-b")
    )
    assert question("POST", LIST, post(2, "sig-a")) != question("POST", LIST, post(3, "sig-a"))
    assert question("POST", LIST, post(2, "sig-a")) != question("POST", LIST, post(2, "sig-a", tab="unpaid"))
    assert question("POST", LIST, post(2, "s")) != question("GET", LIST + "?" + post(2, "s"), None)
