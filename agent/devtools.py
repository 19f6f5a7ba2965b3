"""The bodies of the answers to a tab's non-GET requests, kept by Chromium itself so that they can be read
after the page has moved on. The real order page reloads as soon as it gets the answer to Confirm, and a
body read through the page is then gone ("No resource with given identifier"). One DevTools (CDP)
session per tab asks Chromium to keep bodies in the browser process (`Network.configureDurableMessages`)
and notes the ids of the tab's non-GET requests. Nothing is paused or routed, and nothing is re-sent
from Python: the request left the browser as the page sent it.

Tabs the agent opens are set up before their first load (`DevTools.new_page`); a tab the site opens (a
form in a tab of its own) as soon as Playwright reports it, long before a person could submit in it.
Where CDP is not offered nothing is kept, and answers are read through the page as before.
"""

from __future__ import annotations

import base64
import logging
import weakref
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page, Request
from playwright.sync_api import Error as PlaywrightError

__all__ = ["DevTools", "answer_body"]

logger = logging.getLogger(__name__)

_KEPT_BYTES = {"maxTotalBufferSize": 8_000_000, "maxResourceBufferSize": 1_000_000}
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
_REMEMBERED = 64  # non-GET requests remembered per tab (a submission is read within seconds)
Key = tuple[str, str, bytes]  # method, URL, body: what ties Chromium's request to Playwright's Request

_TABS: weakref.WeakKeyDictionary[Page, _Tab] = weakref.WeakKeyDictionary()


class DevTools:
    """The DevTools sessions of one context's tabs: `DevTools(context).new_page()`."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self._opening = False  # new_page() is opening a tab: the "page" event is for that one
        context.on("page", self._on_page)

    def new_page(self) -> Page:
        """A new tab of the context, set up before anything loads in it."""
        self._opening = True
        try:
            page = self.context.new_page()
        finally:
            self._opening = False
        self.attach(page)
        return page

    def attach(self, page: Page) -> None:
        if page in _TABS or page.is_closed():
            return
        try:
            _TABS[page] = _Tab(self.context.new_cdp_session(page))
        except PlaywrightError as exc:
            logger.info("no DevTools session (%s): answers are read through the page", _first(exc))

    def _on_page(self, page: Page) -> None:
        """A tab the site opened (attach() lets no error escape: Playwright would raise it later)."""
        if not self._opening:
            self.attach(page)


def answer_body(page: Page, request: Request) -> str | None:
    """The body of the answer to `request` (a non-GET one of `page`) as Chromium kept it, even after the
    page moved on; None when it was not kept (no DevTools session, or it is gone too)."""
    tab = _TABS.get(page)
    return tab.body(request) if tab is not None else None


class _Tab:
    """One tab's session: kept bodies, and the ids of its recent non-GET requests."""

    def __init__(self, session: CDPSession) -> None:
        self.session = session
        self.ids: dict[Key, list[str]] = {}
        session.on("Network.requestWillBeSent", self._sent)
        session.send("Network.enable")
        session.send("Network.configureDurableMessages", _KEPT_BYTES)

    def _sent(self, event: dict[str, Any]) -> None:
        request = event["request"]
        if request["method"] in _READ_ONLY:
            return
        key = _key(request["method"], request["url"], _post_data(request))
        self.ids.setdefault(key, []).append(event["requestId"])
        while len(self.ids) > _REMEMBERED:
            self.ids.pop(next(iter(self.ids)))

    def body(self, request: Request) -> str | None:
        ids = self.ids.get(_key(request.method, request.url, request.post_data_buffer))
        if not ids:
            return None
        request_id = ids.pop(0)  # the same request sent twice: answers in the order they were sent
        try:
            kept = self.session.send("Network.getResponseBody", {"requestId": request_id})
        except PlaywrightError as exc:
            logger.info("an answer's body was not kept: %s", _first(exc))
            return None
        body: str = kept["body"]
        return base64.b64decode(body).decode("utf-8", "replace") if kept.get("base64Encoded") else body


def _post_data(request: dict[str, Any]) -> bytes:
    entries = request.get("postDataEntries")
    if entries:
        return b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
    return str(request.get("postData", "")).encode("utf-8")


def _key(method: str, url: str, body: bytes | None) -> Key:
    return method.upper(), url.split("#", 1)[0], body or b""


def _first(exc: PlaywrightError) -> str:
    return (exc.message.splitlines() or ["?"])[0]
