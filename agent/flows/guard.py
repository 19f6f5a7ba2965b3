"""The network guard: while a permit for an irreversible step is live, every request the page sends to the
site's or the API's hosts is inspected before it leaves the browser (Playwright routing on the context,
so new tabs are covered too).

- A request naming any order id other than the permitted one (digits in the URL, query, form or JSON
  body, at any depth) is aborted: nothing about another order ever leaves. The run then fails with the
  request it stopped on record (`request_blocked`).
- A non-GET request naming the permitted order (or naming no order at all) is journalled as
  `submission_sent` — committed BEFORE it is let through — so a run that dies or times out afterwards
  knows a submission may have reached the site (agent.journal). The one naming the permitted id is the
  submission: its answer judges the outcome (`is_submission`).

This, not anything the page prints, binds the click to the order: the real site's dialog may show no id.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from types import TracebackType
from urllib.parse import parse_qsl, unquote_plus, urlsplit

from playwright.sync_api import Request, Route

from agent import journal
from agent.api.protocol import is_read_post
from agent.flows.runtime import Runtime

__all__ = ["SubmissionGuard", "order_ids_in"]

logger = logging.getLogger(__name__)

# Order ids are 16-19 digits (aliexpress-site.md); alphanumerics around a run mean a token or a hash.
# Product, SKU and order-line ids can look the same, so a run counts as an ORDER id only where the request
# says so (under a key naming an order) or where it is an order the account is known to have.
_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])")
_ORDER_KEY = re.compile(r"order", re.I)
_NOT_ORDER_KEY = re.compile(r"line|item|product|sku|store|seller|shop", re.I)
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_DEPTH = 8  # JSON inside a form field inside JSON …: each layer may be encoded once more


def order_ids_in(
    url: str, body: bytes | None = None, content_type: str = "", known: frozenset[str] = frozenset()
) -> set[str]:
    """Every order id a request names — in its URL (path and query) and body, at any depth: values under a
    key that names an order (`orderId`, `tradeOrderId`, `order_ids` …, not `orderLineId`), and any id in
    `known` (the account's orders) wherever it appears. File parts of a multipart body are skipped."""
    parts = urlsplit(url)
    pairs: list[tuple[str, str]] = [("", parts.path)]
    pairs += [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    if body:
        pairs += _body_pairs(body, content_type)
    found: set[str] = set()
    for key, value in _flatten(pairs, 0):
        runs = set(_DIGITS.findall(value))
        found |= runs & known
        if _ORDER_KEY.search(key) and not _NOT_ORDER_KEY.search(key):
            found |= runs
    return found


def _body_pairs(body: bytes, content_type: str) -> list[tuple[str, str]]:
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type) if "multipart/" in content_type else None
    if boundary is None:
        text = body.decode("utf-8", "replace")
        form = parse_qsl(text, keep_blank_values=True) if "=" in text and "{" not in text[:1] else []
        return form or [("", text)]
    pairs = []
    for part in body.split(b"--" + boundary.group(1).encode()):
        head, _, content = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            continue  # an uploaded file is not a request about an order
        name = re.search(rb'name="([^"]*)"', head)
        pairs.append((name.group(1).decode() if name else "", content.decode("utf-8", "replace").strip()))
    return pairs


def _flatten(pairs: Sequence[tuple[str, object]], depth: int) -> list[tuple[str, str]]:
    """(key, text) leaves: JSON values are opened (strings holding JSON too), keys carried down."""
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if isinstance(value, dict):
            out += _flatten([(f"{key}.{k}", v) for k, v in value.items()], depth + 1)
        elif isinstance(value, list):
            out += _flatten([(key, v) for v in value], depth + 1)
        elif isinstance(value, str) and depth < _MAX_DEPTH and value[:1] in "{[":
            try:
                out += _flatten([(key, json.loads(value))], depth + 1)
            except ValueError:
                out.append((key, value))
        elif isinstance(value, str) and depth < _MAX_DEPTH and "%" in value:
            out += _flatten([(key, unquote_plus(value))], depth + 1)
        else:
            out.append((key, "" if value is None else str(value)))
    return out


class SubmissionGuard:
    """`with SubmissionGuard(rt, order_id, "cancel") as guard:` around the irreversible step."""

    def __init__(self, rt: Runtime, order_id: str, action: str) -> None:
        self.rt, self.order_id, self.action = rt, order_id, action
        self.hosts = {urlsplit(u).netloc for u in (rt.config.site.base_url, rt.config.site.api_base)}
        self.domains = {_site_domain(u) for u in (rt.config.site.base_url, rt.config.site.api_base)} - {""}
        self.known = frozenset(rt.store.order_ids(every_account=True)) | {order_id}  # any account's id
        self.sent: list[Request] = []
        self.blocked: list[str] = []
        self._stopped: list[Request] = []  # blocked requests: their failure ends the wait for an answer

    def __enter__(self) -> SubmissionGuard:
        self.rt.context.route(self._guarded, self._handle)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rt.context.unroute(self._guarded, self._handle)

    def is_submission(self, request: Request) -> bool:
        """A request the guard let through that names the permitted order: the submission, whose answer
        is the site's answer to the click (or one it stopped: there will be no answer to wait for)."""
        if any(request is stopped for stopped in self._stopped):
            return True
        return any(request is sent for sent in self.sent) and self.order_id in self._ids(request)

    def any_sent(self) -> bool:
        """Whether a request of the submission has left the browser."""
        return bool(self.sent)

    def _guarded(self, url: str) -> bool:
        """The site's and the API's hosts, and their sibling hosts (m., trade. … of the same site)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.netloc in self.hosts or any(host.endswith("." + d) for d in self.domains)

    def _handle(self, route: Route) -> None:
        request = route.request
        if request.method in _READ_ONLY or is_read_post(request.url):
            route.fallback()  # reads (page loads, the reload after success, list paging) go as they are
            return
        ids = self._ids(request)
        others = sorted(ids - {self.order_id})
        where = _where(request)
        if others:
            self.blocked.append(where)
            self._stopped.append(request)
            logger.warning("blocked a request naming order(s) %s, not %s: %s", others, self.order_id, where)
            self.rt.event("request_blocked", order_id=self.order_id, action=self.action, request=where,
                          other_orders=others)  # fmt: skip
            route.abort("blockedbyclient")
            return
        # Committed before the request leaves: from here on, a submission may have reached the site.
        self.rt.event(journal.SENT, order_id=self.order_id, action=self.action, request=where,
                      names_order=self.order_id in ids)  # fmt: skip
        self.sent.append(request)
        route.fallback()

    def _ids(self, request: Request) -> set[str]:
        content_type = request.headers.get("content-type", "")
        return order_ids_in(request.url, request.post_data_buffer, content_type, self.known)


def _site_domain(url: str) -> str:
    """"aliexpress.com" of https://www.aliexpress.com: the site's own domain, whose sibling hosts the refund
    flow also uses; "" for an IP address or a one-label host (the shop on 127.0.0.1)."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return ""
    return ".".join(labels[-2:])


def _where(request: Request) -> str:
    parts = urlsplit(request.url)
    return f"{request.method} {parts.scheme}://{parts.netloc}{parts.path}"
