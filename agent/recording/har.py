"""A recorded HAR, scrubbed: two passes over the JSON (learn ids, secrets and PII; then replace), base64
bodies decoded, scrubbed and re-encoded, secret headers/cookies/query tokens/password fields redacted,
and what a recording must never hold dropped (the shop's admin API, aborted requests, duplicates)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlsplit

from agent.api.protocol import is_read_post
from agent.recording.scrub import PASSWORD_FIELDS, REDACTED, SECRET_HEADERS, TOKEN_PARAMS, Scrubber

Entry = dict[str, Any]
ADMIN_PREFIX = "/__shop/"
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def entries(har: dict[str, Any]) -> list[Entry]:
    return list(har.get("log", {}).get("entries", []))


def write_methods(har: dict[str, Any]) -> list[str]:
    """Requests that could have changed something on the site (a recording must have none); the API's
    reads sent by POST (the list's next pages, the refunds list) are reads."""
    return [
        f"{e['request']['method']} {e['request']['url']}"
        for e in entries(har)
        if e["request"]["method"].upper() not in READ_METHODS and not is_read_post(e["request"]["url"])
    ]


def keep(entry: Entry) -> bool:
    """Drop the admin API (never part of a recording) and requests that got no answer (blocked)."""
    path = urlsplit(entry["request"]["url"]).path
    return not path.startswith(ADMIN_PREFIX) and int(entry["response"].get("status", 0)) > 0


def dedupe(items: list[Entry]) -> list[Entry]:
    """The same request answered the same way is stored once (replay picks the first match anyway)."""
    seen: set[str] = set()
    out = []
    for e in items:
        req, content = e["request"], e["response"].get("content", {})
        sig = json.dumps(
            [req["method"], req["url"], req.get("postData"), e["response"]["status"], content.get("text")],
            sort_keys=True,
        )
        if sig not in seen:
            seen.add(sig)
            out.append(e)
    return out


# -- pass 1: learn ---------------------------------------------------------------------------------
def learn(har: dict[str, Any], scrubber: Scrubber) -> None:
    for e in entries(har):
        req, res = e["request"], e["response"]
        scrubber.learn_text(req["url"])
        for item in req.get("cookies", []) + res.get("cookies", []):
            scrubber.learn_secret(str(item.get("value", "")))
        for header in req.get("headers", []) + res.get("headers", []):
            if SECRET_HEADERS.match(header["name"]):
                for part in _header_secrets(header["value"]):
                    scrubber.learn_secret(part)
        for param in (req.get("postData") or {}).get("params", []) or []:
            if PASSWORD_FIELDS.match(param.get("name", "")):
                scrubber.learn_secret(str(param.get("value", "")))
        body = decoded_text(res.get("content", {}))
        if body is not None:
            scrubber.learn_text(body)


def _header_secrets(value: str) -> list[str]:
    """Cookie values (`a=b; c=d`), bearer tokens, set-cookie values."""
    parts = []
    for chunk in value.replace("\n", ";").split(";"):
        name, _, val = chunk.strip().partition("=")
        parts.append(val.strip() if val else name.split(" ")[-1])
    return [p for p in parts if len(p) >= 8]


# -- pass 2: replace -------------------------------------------------------------------------------
def scrub_har(har: dict[str, Any], scrubber: Scrubber) -> dict[str, Any]:
    """A scrubbed copy of `har` (call `learn` first)."""
    log = har["log"]
    kept = dedupe([e for e in log.get("entries", []) if keep(e)])
    out = {
        "version": log.get("version", "1.2"),
        "creator": {"name": "buyer-agent", "version": "recording"},
        "pages": [scrub_page(p, scrubber) for p in log.get("pages", [])],
        "entries": [scrub_entry(e, scrubber) for e in kept],
    }
    return {"log": out}


def scrub_page(page: dict[str, Any], scrubber: Scrubber) -> dict[str, Any]:
    return {**page, "title": scrubber.text(str(page.get("title", "")))}


def scrub_entry(entry: Entry, scrubber: Scrubber) -> Entry:
    req, res = entry["request"], entry["response"]
    request = {
        **req,
        "url": scrub_url(req["url"], scrubber),
        "headers": scrub_headers(req.get("headers", []), scrubber),
        "cookies": [],
        "queryString": [
            {"name": q["name"], "value": _param(q["name"], q["value"], scrubber)}
            for q in req.get("queryString", [])
        ],
    }
    if req.get("postData"):
        request["postData"] = scrub_post(req["postData"], scrubber)
    response = {
        **res,
        "headers": [
            h
            for h in scrub_headers(res.get("headers", []), scrubber)
            if h["name"].lower() != "content-length"
        ],
        "cookies": [],
        "content": scrub_content(res.get("content", {}), scrubber),
        "redirectURL": scrubber.text(str(res.get("redirectURL", ""))),
    }
    clean = {
        k: v for k, v in entry.items() if k not in ("request", "response", "serverIPAddress", "_frameref")
    }
    return {**clean, "request": request, "response": response}


def scrub_url(url: str, scrubber: Scrubber) -> str:
    parts = urlsplit(url)
    if parts.query:
        query = "&".join(_query_pair(pair, scrubber) for pair in parts.query.split("&"))
        url = url.replace(parts.query, query, 1)
    return scrubber.text(url)


def _query_pair(pair: str, scrubber: Scrubber) -> str:
    name, sep, value = pair.partition("=")
    return f"{name}{sep}{REDACTED}" if sep and TOKEN_PARAMS.match(name) else pair


def _param(name: str, value: str, scrubber: Scrubber) -> str:
    return REDACTED if TOKEN_PARAMS.match(name) else scrubber.text(value)


def scrub_headers(headers: list[dict[str, str]], scrubber: Scrubber) -> list[dict[str, str]]:
    return [
        {
            "name": h["name"],
            "value": REDACTED if SECRET_HEADERS.match(h["name"]) else scrubber.text(h["value"]),
        }
        for h in headers
    ]


def scrub_post(post: dict[str, Any], scrubber: Scrubber) -> dict[str, Any]:
    params = [
        {
            **p,
            "value": REDACTED
            if PASSWORD_FIELDS.match(p.get("name", ""))
            else scrubber.text(str(p.get("value", ""))),
        }
        for p in post.get("params", []) or []
    ]
    text = str(post.get("text", ""))
    for p in post.get("params", []) or []:
        if PASSWORD_FIELDS.match(p.get("name", "")) and p.get("value"):
            text = text.replace(f"{p['name']}={p['value']}", f"{p['name']}={REDACTED}")
    return {**post, "text": scrubber.body(text), "params": params}


def decoded_text(content: dict[str, Any]) -> str | None:
    """The body as text (base64 decoded); None for binary bodies."""
    text = content.get("text")
    if text is None:
        return None
    if content.get("encoding") != "base64":
        return str(text)
    try:
        return base64.b64decode(text).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def scrub_content(content: dict[str, Any], scrubber: Scrubber) -> dict[str, Any]:
    text = decoded_text(content)
    if text is None:
        return {k: v for k, v in content.items() if k != "text"} | {"text": "", "size": 0}
    clean = scrubber.body(text)
    if content.get("encoding") == "base64":
        return {**content, "text": base64.b64encode(clean.encode()).decode(), "size": len(clean.encode())}
    return {**content, "text": clean, "size": len(clean.encode())}
