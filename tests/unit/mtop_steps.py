"""Talking MTOP to the fixture shop in-process (Starlette's TestClient, no browser): a hand-written
signer for the shop's own tests (hashlib, independent of agent.api), and a Transport so that
agent.api's client can be driven against the real shop app."""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Mapping
from typing import Any

with warnings.catch_warnings():  # Starlette asks for httpx2; the installed httpx works the same here
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

APP_KEY = "12574478"
LIST = "mtop.aliexpress.trade.buyer.order.list"
DETAIL = "mtop.aliexpress.trade.buyer.order.detail"
COUNT = "mtop.aliexpress.trade.buyer.order.count"
OPERATION = "mtop.aliexpress.trade.buyer.order.operation"
REVERSE = "mtop.aliexpress.buyer.reverse.queryreverseorderpagelistforbuyer"


def path(api: str) -> str:
    return f"/h5/{api}/1.0/"


def sign_query(c: TestClient, api: str, text: str, token: str | None = None) -> dict[str, str]:
    token = token if token is not None else (c.cookies.get("_m_h5_tk") or "").split("_")[0]
    t = str(int(time.time() * 1000))
    sign = hashlib.md5(f"{token}&{t}&{APP_KEY}&{text}".encode()).hexdigest()
    return {"jsv": "2.5.1", "appKey": APP_KEY, "t": t, "sign": sign, "api": api, "v": "1.0",
            "type": "originaljson", "dataType": "json"}  # fmt: skip


def raw_call(c: TestClient, api: str, data: Mapping[str, Any] | str, method: str = "GET") -> dict[str, Any]:
    """One signed call, no retry: the envelope as answered."""
    text = data if isinstance(data, str) else json.dumps(data)
    query = sign_query(c, api, text)
    if method == "POST":
        response = c.post(path(api), params=query, data={"data": text})
    else:
        response = c.get(path(api), params=query | {"data": text})
    body: dict[str, Any] = response.json()
    return body


def call(c: TestClient, api: str, data: Mapping[str, Any] | str, method: str = "GET") -> dict[str, Any]:
    """A signed call that absorbs token rotation (a few rounds), like the pages' callApi."""
    for _ in range(3):
        body = raw_call(c, api, data, method)
        if not str(body["ret"][0]).startswith(("FAIL_SYS_TOKEN_", "FAIL_SYS_ILLEGAL_ACCESS")):
            return body
    return body


class ShopTransport:
    """agent.api's Transport over a TestClient (its cookie jar plays the browser's)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.sent: list[tuple[str, str]] = []

    def send(self, method: str, url: str, query: Mapping[str, str], form: Mapping[str, str] | None,
             headers: Mapping[str, str], timeout_ms: int) -> tuple[int, str]:  # fmt: skip
        self.sent.append((method, url))
        response = self.client.request(method, url, params=dict(query), data=dict(form or {}) or None,
                                       headers=dict(headers))  # fmt: skip
        return response.status_code, response.text

    def cookie(self, name: str, url: str) -> str | None:
        return self.client.cookies.get(name)


def next_page(data: Mapping[str, Any]) -> dict[str, str]:
    """The POST payload of the page after `data` (the previous answer), written from the reference."""
    comps = data["data"]
    body_key = next(k for k, v in comps.items() if v["tag"] == "pc_om_list_body")
    head_key = next(k for k, v in comps.items() if v["tag"] == "pc_om_list_header_action")
    body = json.loads(json.dumps(comps[body_key]))
    body["fields"]["pageIndex"] += 1
    params = {
        "data": json.dumps({body_key: body, head_key: comps[head_key]}),
        "linkage": json.dumps(data["linkage"]),
        "hierarchy": json.dumps(data["hierarchy"]),
        "endpoint": json.dumps(data["endpoint"]),
        "operator": body_key,
    }
    return {"params": json.dumps(params)}


def list_pages(c: TestClient, **filters: Any) -> list[dict[str, Any]]:
    """Every page's `data` for the filters: the first by GET, the others by POST with the linkage."""
    body = call(c, LIST, {"statusTab": "all", "renderType": "init", "clientPlatform": "pc", **filters})
    assert body["ret"][0].startswith("SUCCESS"), body["ret"]
    pages = [body["data"]]
    while paging(pages[-1])["hasMore"]:
        body = call(c, LIST, next_page(pages[-1]), "POST")
        assert body["ret"][0].startswith("SUCCESS") and body["data"], body["ret"]
        pages.append(body["data"])
    return pages


def paging(data: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = next(v for v in data["data"].values() if v["tag"] == "pc_om_list_body")["fields"]
    return fields


def shown_ids(data: Mapping[str, Any]) -> list[str]:
    """Order ids of one page in display order (the body's structure), as strings."""
    body_key = next(k for k, v in data["data"].items() if v["tag"] == "pc_om_list_body")
    return [str(data["data"][k]["fields"]["orderId"]) for k in data["hierarchy"]["structure"][body_key]]
