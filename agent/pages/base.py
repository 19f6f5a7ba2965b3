"""What every page object shares: the `Site` context and the `PageObject` base class.

Page objects hold the Page and the pack (through `Site`), build every locator through the pack, wait with
Playwright's auto-waiting, and turn what is on screen into pydantic models. They never decide policy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.api.protocol import Kind, classify, ret_code
from agent.errors import DoubleCheckFailed, OrderNotFound, SessionExpired, SiteError
from agent.locate import Finder, HitCallback
from agent.models import normalise_order_id
from agent.overlays import click_through_overlays
from agent.packs import Pack
from agent.parsing import fold, order_id_from_url

SLICE_MS = 250  # polling slice while waiting for one of several outcomes (each slice is a real wait)
PAGE_TOKEN_ROUNDS = 3  # calls a page makes with a rotated token before it shows an error
# The login is gone (aliexpress-api.md's "session" row); a token code only means "re-sign and call again".
SESSION_FAILURES = ("FAIL_SYS_SESSION_EXPIRED", "NEED_LOGIN", "FAIL_SYS_SID_INVALID")


def is_login_url(url: str, login_url: str) -> bool:
    """True when `url` is a login page: same host and path prefix as `login_url`, or a login./passport.
    host (the real site uses both). Query strings (return_url=…) are ignored."""
    here, login = urlsplit(url), urlsplit(login_url)
    host = (here.hostname or "").lower()
    if host.startswith(("login.", "passport.")):
        return True
    same_host = host == (login.hostname or "").lower() and here.port == login.port
    login_path = login.path.rstrip("/") or "/"
    return same_host and (here.path.rstrip("/") or "/").startswith(login_path) and login_path != "/"


@dataclass(eq=False)
class Permit:
    """Permission for one irreversible click on `order_id` with `reason`: built by a flow after its
    double-check (never in a dry run), checked by the page object against the screen, spent once."""

    order_id: str
    reason: str
    _spent: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            self.order_id = normalise_order_id(self.order_id)
        except ValueError as exc:
            raise DoubleCheckFailed(f"permit has a bad order id: {exc}") from exc
        if not self.reason.strip():
            raise DoubleCheckFailed("permit has no reason")

    @property
    def spent(self) -> bool:
        return self._spent

    def spend(self) -> None:
        if self._spent:
            raise DoubleCheckFailed(f"the permit for order {self.order_id} was already used: nothing clicked")
        self._spent = True


@dataclass
class Site:
    """Everything a page object needs: the Page, the pack, where the site lives, the locale, the Finder.

    Build it with `Site.create(page, pack, base_url, locale, on_hit=..., login_url=...)`."""

    page: Page
    pack: Pack
    base_url: str
    locale: str
    finder: Finder
    login_url: str
    timeout_ms: int = 10_000
    api_base_url: str = ""  # where the site's JSON API lives (empty: base_url; real site: acs.aliexpress.com)

    @classmethod
    def create(
        cls,
        page: Page,
        pack: Pack,
        base_url: str,
        locale: str | None = None,
        on_hit: HitCallback | None = None,
        login_url: str | None = None,
        timeout_ms: int = 10_000,
        api_base_url: str | None = None,
    ) -> Site:
        loc = locale or pack.meta.default_locale
        base = base_url.rstrip("/")
        finder = Finder(page, pack, loc, on_hit=on_hit)
        login = login_url or base + pack.path("login")
        return cls(page, pack, base, loc, finder, login, timeout_ms, (api_base_url or base).rstrip("/"))

    def api_url(self, path_key: str) -> str:
        return self.api_base_url + self.pack.path(path_key)

    def url(self, path_key: str, **params: str) -> str:
        return self.base_url + self.pack.path(path_key, **params)


class PageObject:
    """Base of every page object. `KEYS` lists every pack key the class asks for (checked by tests)."""

    KEYS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, site: Site) -> None:
        self.site = site

    @property
    def page(self) -> Page:
        return self.site.page

    @property
    def pack(self) -> Pack:
        return self.site.pack

    @property
    def finder(self) -> Finder:
        return self.site.finder

    # locators, always through the pack ---------------------------------------------------------
    def loc(self, key: str, scope: Locator | None = None, **params: str) -> Locator:
        """A locator for reading (rows, fields): the first candidate of `key` that matches anything."""
        return self.finder.locator(key, scope, params or None)

    def counted(self, key: str, scope: Locator | None = None, **params: str) -> tuple[Locator, int]:
        """`loc()` and its number of matches, in one round trip."""
        return self.finder.counted(key, scope, params or None)

    def find(
        self, key: str, scope: Locator | None = None, timeout_ms: int | None = None, **params: str
    ) -> Locator:
        """The one visible control `key` (see Finder.find); ControlNotFound otherwise."""
        return self.finder.find(key, scope, timeout_ms, params or None)

    def click(self, locator: Locator, irreversible: bool = False) -> None:
        click_through_overlays(locator, self.page, self.pack, self.site.locale, irreversible=irreversible)

    def text(self, key: str, scope: Locator | None = None) -> str:
        """Whitespace-normalised text content of the first match of `key` ("" when absent)."""
        found = self.finder.texts(key, scope)
        return _norm(found[0]) if found else ""

    def texts(self, key: str, scope: Locator | None = None, visible_only: bool = False) -> list[str]:
        if visible_only:
            found = self.loc(key, scope).filter(visible=True).all_text_contents()
        else:
            found = self.finder.texts(key, scope)
        return [t for t in (_norm(x) for x in found) if t]

    def columns(self, rows: Locator, count: int, *keys: str) -> list[tuple[str, ...]] | None:
        """For each of `count` rows, the text of each key in it: one read per key over all the rows
        instead of one per row and key. None unless every key matches exactly once in every row (then
        the caller reads row by row)."""
        columns = []
        for key in keys:
            found = self.finder.texts(key, rows)
            if len(found) != count:
                return None
            columns.append([_norm(t) for t in found])
        return list(zip(*columns, strict=True))

    def attribute(self, key: str, name: str, scope: Locator | None = None) -> str | None:
        """Attribute `name` (a pack attribute key, e.g. "order_id") of the first match of `key`."""
        found = self.finder.attributes(key, self.pack.attribute(name), scope)
        return found[0] if found else None

    def words(self, key: str) -> list[str]:
        return self.pack.words(key, self.site.locale)

    def matches_wording(self, text: str, key: str) -> bool:
        """True when `text` starts with (labels) or contains one of the wordings of `key`."""
        folded = fold(text)
        return any(fold(w) in folded for w in self.words(key))

    # navigation and readiness ------------------------------------------------------------------
    def goto(self, url: str) -> None:
        try:
            response = self.page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            if not is_navigation_error(exc):
                raise
            self.page.wait_for_load_state("domcontentloaded")  # the page was already navigating: go again
            response = self.page.goto(url, wait_until="domcontentloaded")
        self.check_session()
        if response is not None and response.status >= 500:
            raise SiteError(f"{url} answered HTTP {response.status}")

    def _raise_site_error(self, shown: str) -> None:
        """An error block: "no such order" is an answer (never retried); anything else may pass."""
        if self.matches_wording(shown, "order_not_found"):
            raise OrderNotFound(order_id_from_url(self.page.url) or "?")
        raise SiteError(f"the site shows an error: {shown}")

    def check_session(self) -> None:
        if is_login_url(self.page.url, self.site.login_url):
            raise SessionExpired(f"the site sent us to its login page ({_without_query(self.page.url)})")

    def wait_ready(self, key: str, timeout_ms: int | None = None, check_session: bool = True) -> None:
        """Wait until `key` is visible, failing fast on the login page (SessionExpired) or an error page."""
        total = self.site.timeout_ms if timeout_ms is None else timeout_ms
        waited = 0
        while True:
            if check_session:
                self.check_session()
            if self.finder.is_visible("site.error"):
                self._raise_site_error(" ".join(self.texts("site.error", visible_only=True)))
            if self.finder.wait_for(key, timeout_ms=min(SLICE_MS, max(total - waited, 1))):
                return
            waited += SLICE_MS
            if waited >= total:
                raise SiteError(f"{key} did not appear within {total} ms on {_without_query(self.page.url)}")

    def check_api(self, response: Response) -> dict[str, Any]:
        """The JSON of a site API response; SessionExpired / SiteError on a failure envelope."""
        try:
            response.finished()
            text = response.text()
        except PlaywrightError as exc:  # the page navigated away before the body was read (to login?)
            self.page.wait_for_load_state("domcontentloaded")
            self.check_session()
            raise SiteError(f"{_without_query(response.url)}: answer unreadable ({exc.message})") from exc
        return api_body(text, response.status, _without_query(response.url))

    def is_api(self, path_key: str, response: Response) -> bool:
        return urlsplit(response.url).path.endswith(self.pack.path(path_key))

    def final_answer(self, path_key: str, method: str | None = None) -> Callable[[Response], bool]:
        """An `expect_response` predicate for the answer a page acts on: a token answer (the token was
        rotated; the page re-signs and calls again) is skipped, up to the pages' own rounds."""
        skipped = [0]

        def final(response: Response) -> bool:
            if not self.is_api(path_key, response) or (method and response.request.method != method):
                return False
            if skipped[0] >= PAGE_TOKEN_ROUNDS - 1:
                return True
            try:
                code, _ = ret_code(json.loads(response.text()))
            except (PlaywrightError, ValueError, AttributeError):
                return True  # unreadable: the caller reports it
            if classify(code) is Kind.TOKEN:
                skipped[0] += 1
                return False
            return True

        return final


NAVIGATION_ERRORS = (
    "Execution context was destroyed",
    "interrupted by another navigation",
    "frame was detached",
)


def is_navigation_error(exc: PlaywrightError) -> bool:
    """True for the errors Playwright raises when the page navigated under a call (reload after submit)."""
    return any(marker in exc.message for marker in NAVIGATION_ERRORS)


def api_body(text: str, status: int, where: str) -> dict[str, Any]:
    """An API answer's JSON when its envelope says SUCCESS; SessionExpired / SiteError otherwise."""
    try:
        body: dict[str, Any] = json.loads(text)
    except ValueError as exc:
        raise SiteError(f"{where} answered non-JSON (HTTP {status})") from exc
    ret = " ".join(str(r) for r in body.get("ret", []))
    if any(code in ret for code in SESSION_FAILURES):
        raise SessionExpired(f"the site API says: {ret}")
    if not ret.startswith("SUCCESS"):
        raise SiteError(f"{where} failed: {ret or 'no ret'} (HTTP {status})")
    return body


def parsed_or_none(parser: Callable[[str, str | None], Any], text: str, locale: str) -> Any:
    """`parser(text, locale)`, or None for an empty or unparsable text (a page shows what it shows)."""
    if not text:
        return None
    try:
        return parser(text, locale)
    except ValueError:
        return None


def _norm(text: str) -> str:
    return " ".join(text.split())


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def digits_in(text: str, minimum: int = 6) -> str | None:
    """The first run of at least `minimum` ASCII digits (an order id in "Order ID: 8212…Copy")."""
    match = re.search(r"[0-9]{" + str(minimum) + ",}", text)
    return match.group() if match else None


def first_attribute(loc: Locator, name: str) -> str | None:
    """Attribute `name` of the first match of `loc` (None: no match, or no such attribute): one round trip."""
    first = "(els, n) => els.slice(0, 1).map(e => e.getAttribute(n))"
    found: list[str | None] = loc.evaluate_all(first, name)
    return found[0] if found else None


def json_path(body: Mapping[str, Any], *keys: str) -> Any:
    node: Any = body
    for key in keys:
        node = node.get(key, {}) if isinstance(node, Mapping) else {}
    return node


__all__ = ["PageObject", "PlaywrightTimeoutError", "Site", "digits_in", "first_attribute", "is_login_url"]
