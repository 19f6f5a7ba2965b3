"""Selector packs → locators: the control finder (the candidates: agent.candidates; the overlay guard:
agent.overlays; the drift check: agent.pack_check).

`Finder.find(key)` tries a key's candidates in the pack's order and accepts a candidate only when it resolves
to exactly one visible element (0 → next candidate, >1 → ambiguous, next candidate: never pick
arbitrarily). Then it looks inside iframes, then opens the key's menus ("More", icon-only "More actions",
kebab) and looks inside, then brings lazy content in (scrolls to the bottom) and waits, condition-driven,
for any candidate to appear — or for the page to settle without one (agent.settle: loaded, no request in
flight, no DOM change for a while), which ends the wait early — before a last round. The winner is
reported through `on_hit(key, candidate, strategy)` so drift toward later candidates is visible; failure
raises ControlNotFound listing every attempt.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from playwright.sync_api import ElementHandle, FrameLocator, Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.candidates import Attempt, Root, candidate_attempts, visible_count
from agent.errors import ControlNotFound
from agent.overlays import click_through_overlays
from agent.packs import Pack, load_pack
from agent.settle import Activity, until_shown_or_settled

__all__ = ["Attempt", "Finder", "HitCallback", "load_pack"]

logger = logging.getLogger(__name__)

HitCallback = Callable[[str, str, str], None]
T = TypeVar("T")
DEFAULT_TIMEOUT_MS = 5000
MENU_TIMEOUT_MS = 2000
IFRAME = "iframe"  # the finder's own structural query: every iframe is searched when the page has no match
MAX_AMBIGUOUS = 20


# -- the finder ------------------------------------------------------------------------------------
class Finder:
    """Finds a pack's controls on one page. See the module docstring for the search order."""

    def __init__(
        self,
        page: Page,
        pack: Pack,
        locale: str,
        on_hit: HitCallback | None = None,
        default_timeout_ms: int = DEFAULT_TIMEOUT_MS,
    ) -> None:
        self.page, self.pack, self.locale = page, pack, locale
        self.on_hit = on_hit
        self.default_timeout_ms = default_timeout_ms
        self._sticky: dict[str, int] = {}
        self._absent: set[str] = set()  # keys whose last read found nothing (read next time union first)

    def attempts(
        self, key: str, root: Root | None = None, params: Mapping[str, str] | None = None
    ) -> list[Attempt]:
        return candidate_attempts(
            root if root is not None else self.page, self.pack, key, self.locale, params
        )

    # structural reads ------------------------------------------------------------------------------
    def _ordered(
        self, key: str, scope: Root | None, params: Mapping[str, str] | None
    ) -> list[tuple[int, Attempt]]:
        """Attempts with the candidate that matched last time for this key first (fewer round trips)."""
        attempts = list(enumerate(self.attempts(key, scope, params)))
        first = self._sticky.get(key, 0)
        return attempts[first : first + 1] + attempts[:first] + attempts[first + 1 :]

    def _first_hit(
        self, key: str, scope: Root | None, params: Mapping[str, str] | None, read: Callable[[Locator], T]
    ) -> tuple[Locator, T] | None:
        """`read` of the first candidate whose `read` finds something (the sticky one tried first). When
        the sticky one finds nothing, one round trip asks whether any other candidate of this frame
        matches at all: a key absent from the page costs two round trips, not one per candidate — and
        one, when it was absent the last time too (then all its candidates are asked at once first)."""
        ordered = self._ordered(key, scope, params)
        if key in self._absent:  # absent last time: one round trip tells whether it still is
            here = [a for _, a in ordered if not a.framed]
            if len(here) == len(ordered) and _union(here).count() == 0:
                return None
        if not ordered:
            return None
        (first, attempt), *rest = ordered
        found = read(attempt.locator)
        if found:
            self._sticky[key] = first
            self._absent.discard(key)
            return attempt.locator, found
        here = [a for _, a in rest if not a.framed]
        if here and _union(here).count() == 0:
            rest = [(i, a) for i, a in rest if a.framed]
        for index, attempt in rest:
            found = read(attempt.locator)
            if found:
                self._sticky[key] = index
                self._absent.discard(key)
                return attempt.locator, found
        self._absent.add(key)
        return None

    def locator(
        self, key: str, scope: Locator | None = None, params: Mapping[str, str] | None = None
    ) -> Locator:
        """For reading: the first candidate with at least one match (visible or not), else the first one."""
        hit = self._first_hit(key, scope, params, lambda loc: loc.count() > 0)
        return hit[0] if hit else self.attempts(key, scope, params)[0].locator

    def counted(
        self, key: str, scope: Locator | None = None, params: Mapping[str, str] | None = None
    ) -> tuple[Locator, int]:
        """`locator()` and how many elements it matches, from the same round trip."""
        hit = self._first_hit(key, scope, params, lambda loc: loc.count())
        return hit if hit else (self.attempts(key, scope, params)[0].locator, 0)

    def texts(
        self, key: str, scope: Locator | None = None, params: Mapping[str, str] | None = None
    ) -> list[str]:
        """Text contents of every match of the first candidate that matches (one round trip when it hits)."""
        hit = self._first_hit(key, scope, params, lambda loc: loc.all_text_contents())
        return hit[1] if hit else []

    def evaluate_all(self, key: str, script: str, scope: Locator | None = None) -> list[Any]:
        """`script` (a function of the elements, returning a list) on every match of the first candidate
        that matches: one round trip when the usual candidate hits."""

        def read(loc: Locator) -> list[Any]:
            found: list[Any] = loc.evaluate_all(script)
            return found

        hit = self._first_hit(key, scope, None, read)
        return hit[1] if hit else []

    def attributes(
        self, key: str, name: str, scope: Locator | None = None, params: Mapping[str, str] | None = None
    ) -> list[str | None]:
        """Attribute `name` of every match of the first candidate that matches."""

        def read(loc: Locator) -> list[str | None]:
            found: list[str | None] = loc.evaluate_all("(els, n) => els.map(e => e.getAttribute(n))", name)
            return found

        hit = self._first_hit(key, scope, params, read)
        return hit[1] if hit else []

    def is_visible(
        self, key: str, scope: Locator | None = None, params: Mapping[str, str] | None = None
    ) -> bool:
        """True when some candidate of `key` has a visible match right now (no waiting): one round trip
        for the candidates of this frame together, one per candidate inside an iframe."""
        attempts = self.attempts(key, scope, params)
        here = [a for a in attempts if not a.framed]
        if here and visible_count(_union(here)) > 0:
            return True
        return any(visible_count(a.locator) > 0 for a in attempts if a.framed)

    def visible_elements(self, key: str, scope: Locator | None = None) -> list[ElementHandle]:
        """Every visible element some candidate of `key` matches, each once: the candidates of this frame
        in one round trip (as one union), a candidate inside an iframe on its own."""
        attempts = self.attempts(key, scope)
        here = [a for a in attempts if not a.framed]
        found = _union(here).filter(visible=True).element_handles() if here else []
        for attempt in attempts:
            if attempt.framed:
                found += attempt.locator.filter(visible=True).element_handles()
        return found

    def wait_for(
        self,
        key: str,
        scope: Locator | None = None,
        timeout_ms: int | None = None,
        params: Mapping[str, str] | None = None,
    ) -> bool:
        """Wait until some candidate of `key` is visible; False on timeout (the caller decides)."""
        attempts = [a for a in self.attempts(key, scope, params) if not a.framed]
        timeout = self.default_timeout_ms if timeout_ms is None else timeout_ms
        return _wait_any(attempts, timeout)

    # the control finder ----------------------------------------------------------------------------
    def find(
        self,
        key: str,
        scope: Locator | None = None,
        timeout_ms: int | None = None,
        params: Mapping[str, str] | None = None,
        until_settled: bool = False,
    ) -> Locator:
        """The one visible element for control `key`; ControlNotFound (listing every attempt) otherwise.
        `until_settled`: the late wait also ends when a loaded page settles without the control (for a
        control a layout may simply not have, with another way to it: the cancel control of a detail
        page, whose order row has one too). Otherwise it waits the whole timeout: content a page's timer
        renders later, with no request or DOM change before it, is still found."""
        control = self.pack.control(key)
        root: Root = scope if scope is not None else self.page
        tried: list[str] = []
        hit = self._scan(key, root, tried, params, "")
        timeout = self.default_timeout_ms if timeout_ms is None else timeout_ms
        if hit is None and timeout > 0:
            waitable = [a for a in self.attempts(key, root, params) if not a.framed]
            for menu in control.menus:
                waitable += self.attempts(menu, root)
            if self._late(waitable, timeout, until_settled, tried):
                hit = self._scan(key, root, tried, params, "late:")
        if hit is None:
            raise ControlNotFound(key, tried, evidence=[f"url={self.page.url}"])
        return hit

    def _late(self, waitable: list[Attempt], timeout: int, until_settled: bool, tried: list[str]) -> bool:
        """Bring lazy content in, then wait for any of `waitable` (see find's `until_settled`)."""
        if not until_settled:
            self._bring_in_lazy_content()
            if _wait_any(waitable, timeout):
                return True
            tried.append(f"late: scrolled to the bottom and waited {timeout} ms: nothing appeared")
            return False
        started = time.monotonic()
        with Activity(self.page) as activity:  # from before the scroll: what it sets off counts
            self._bring_in_lazy_content()
            if until_shown_or_settled(lambda ms: _wait_any(waitable, ms), timeout, activity):
                return True
        waited = int((time.monotonic() - started) * 1000)
        tried.append(f"late: scrolled to the bottom; the page settled after {waited} ms (of {timeout} ms "
                     "allowed): nothing appeared")  # fmt: skip
        return False

    def _scan(
        self, key: str, root: Root, tried: list[str], params: Mapping[str, str] | None, tag: str
    ) -> Locator | None:
        hit = self._first_unique(key, self.attempts(key, root, params), tried, tag)
        if hit is None:
            hit = self._in_frames(key, root, tried, params, tag)
        if hit is None:
            hit = self._in_menus(key, root, tried, params, tag)
        return hit

    def _first_unique(
        self, key: str, attempts: Iterable[Attempt], tried: list[str], tag: str
    ) -> Locator | None:
        for attempt in attempts:
            visible = attempt.locator.filter(visible=True)
            n = visible.count()
            label = f"{tag}{attempt.strategy}: {attempt.description}"
            if n == 1:
                self._record(key, attempt.description, f"{tag}{attempt.strategy}")
                return visible
            tried.append(f"{label} → {n} visible" + (" (ambiguous, skipped)" if n > 1 else ""))
        return None

    def _in_frames(
        self, key: str, root: Root, tried: list[str], params: Mapping[str, str] | None, tag: str
    ) -> Locator | None:
        if isinstance(root, FrameLocator):
            return None
        frames = root.locator(IFRAME).filter(visible=True)
        for i in range(min(frames.count(), MAX_AMBIGUOUS)):
            inner = frames.nth(i).content_frame
            attempts = [a for a in self.attempts(key, inner, params) if not a.framed]
            hit = self._first_unique(key, attempts, tried, f"{tag}iframe[{i}]:")
            if hit is not None:
                return hit
        return None

    def _in_menus(
        self, key: str, root: Root, tried: list[str], params: Mapping[str, str] | None, tag: str
    ) -> Locator | None:
        for menu in self.pack.control(key).menus:
            for opener in self.attempts(menu, root):
                if visible_count(opener.locator) != 1:
                    tried.append(f"{tag}menu {menu}: {opener.description} → not exactly one visible")
                    continue
                click_through_overlays(opener.locator.filter(visible=True), self.page, self.pack, self.locale)
                inside = self.attempts(key, self.page, params)
                _wait_any([a for a in inside if not a.framed], MENU_TIMEOUT_MS)
                hit = self._first_unique(key, inside, tried, f"{tag}menu({opener.description}):")
                if hit is not None:
                    return hit
                self.page.keyboard.press("Escape")
                break  # this menu opened and did not hold the control: try the next menu
        return None

    def _bring_in_lazy_content(self) -> None:
        """Scroll the page (and the scrollable area under the pointer) to the bottom so lazy parts render."""
        size = self.page.viewport_size or {"width": 1280, "height": 720}
        self.page.mouse.move(size["width"] / 2, size["height"] / 2)
        self.page.mouse.wheel(0, 100_000)
        self.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")

    def _record(self, key: str, description: str, strategy: str) -> None:
        logger.debug("found %s via %s (%s)", key, description, strategy)
        if self.on_hit is not None:
            self.on_hit(key, description, strategy)


def _union(attempts: list[Attempt]) -> Locator:
    """Every attempt's matches as one locator (attempts of one frame), to count or wait on them at once."""
    return functools.reduce(lambda a, b: a.or_(b), (a.locator for a in attempts))


def _wait_any(attempts: list[Attempt], timeout_ms: int) -> bool:
    """Condition-driven wait until any attempt has a visible match. The union is used ONLY to wait: the
    ordered scan that follows decides which candidate wins (so the hit stays attributable)."""
    if not attempts:
        return False
    try:
        _union(attempts).filter(visible=True).first.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


