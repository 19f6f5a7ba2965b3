"""Replaying the site's signed API calls from a recording. A signed call never repeats its URL (`t=` and
`sign=` change every time) and the list's next pages carry a `linkage` that rotates with every answer,
so Playwright's URL matching cannot find them; this router matches them on what they ask instead:
method, API path and the payload, with what changes per call taken out (`t`, `sign`, the time zone, the
list page's linkage, hierarchy and endpoint).

Several answers to the same question are served in the order they were recorded, the last one
repeating; token answers (FAIL_SYS_TOKEN_*: no cookie can be replayed) are left out.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import BrowserContext, Route

from agent.api.protocol import Kind, classify, ret_code

__all__ = ["install_mtop_replay", "question"]

API_GLOB = "**/h5/**"
PER_CALL = ("t", "timeZone", "linkage", "hierarchy", "endpoint")
DROPPED = {"set-cookie", "content-encoding", "content-length", "transfer-encoding"}  # bodies: decoded


def _payload(method: str, url: str, post_text: str | None) -> str:
    if method == "POST":
        return (parse_qs(post_text or "").get("data") or [""])[0]
    return (parse_qs(urlsplit(url).query).get("data") or [""])[0]


def _stable(value: Any) -> Any:
    """The payload without what changes per call; JSON held in strings is opened up too."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return _stable(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in PER_CALL}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def question(method: str, url: str, post_text: str | None) -> str:
    """What a call asks, independent of when and how it was signed."""
    payload = _stable(_payload(method.upper(), url, post_text))
    return json.dumps([method.upper(), urlsplit(url).path, payload], sort_keys=True, ensure_ascii=False)


class _Answers:
    def __init__(self, har: dict[str, Any]) -> None:
        self.queue: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in har.get("log", {}).get("entries", []):
            req, res = entry["request"], entry["response"]
            if "/h5/" not in urlsplit(req["url"]).path or _is_token_answer(res):
                continue
            key = question(req["method"], req["url"], (req.get("postData") or {}).get("text"))
            self.queue[key].append(res)

    def take(self, key: str) -> dict[str, Any] | None:
        found = self.queue.get(key)
        if not found:
            return None
        return found.pop(0) if len(found) > 1 else found[0]


def _body(response: dict[str, Any]) -> bytes:
    content = response.get("content", {})
    text = str(content.get("text", ""))
    return base64.b64decode(text) if content.get("encoding") == "base64" else text.encode("utf-8")


def _is_token_answer(response: dict[str, Any]) -> bool:
    try:
        code, _ = ret_code(json.loads(_body(response)))
    except (ValueError, AttributeError):
        return False
    return classify(code) is Kind.TOKEN


def install_mtop_replay(context: BrowserContext, har_path: Path) -> None:
    """Answer the context's signed API calls from the HAR (aborting a question it never recorded).
    Install after `route_from_har`: the last route registered is asked first."""
    answers = _Answers(json.loads(har_path.read_text(encoding="utf-8")))

    def handle(route: Route) -> None:
        request = route.request
        found = answers.take(question(request.method, request.url, request.post_data))
        if found is None:
            route.abort()
            return
        kept = [h for h in found.get("headers", []) if h["name"].lower() not in DROPPED]
        headers = {h["name"]: h["value"] for h in kept}
        route.fulfill(status=int(found.get("status", 200)), headers=headers, body=_body(found))

    context.route(API_GLOB, handle)
