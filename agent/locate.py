"""Selector packs → locators: the control finder, the overlay guard and the drift check.

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
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from playwright.sync_api import ElementHandle, FrameLocator, Locator, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlBlocked, ControlNotFound
from agent.packs import Candidate, Pack, load_pack
from agent.settle import Activity, until_shown_or_settled

__all__ = [
    "Attempt",
    "Finder",
    "HitCallback",
    "Resolution",
    "candidate_attempts",
    "check_pack",
    "click_through_overlays",
    "dismiss_overlays",
    "load_pack",
]

logger = logging.getLogger(__name__)

HitCallback = Callable[[str, str, str], None]
T = TypeVar("T")
Root = Page | Locator | FrameLocator
DEFAULT_TIMEOUT_MS = 5000
MENU_TIMEOUT_MS = 2000
CLICK_TIMEOUT_MS = 3000  # per attempt; only an intercepted click waits it out (loaded machines are slow)
IFRAME = "iframe"  # the finder's own structural query: every iframe is searched when the page has no match
INTERCEPTED = "intercepts pointer events"
CLICK_DONE = "click action done"  # Playwright's call log once the click was delivered
MAX_AMBIGUOUS = 20


@dataclass(frozen=True)
class Attempt:
    """One concrete way to look: a candidate with its wording and parameters filled in."""

    locator: Locator
    description: str
    strategy: str
    position: int  # index of the candidate in the pack (0 = first choice)


class Resolution(NamedTuple):
    """What check_pack found for a key: the matching candidate (or None), its strategy, its position."""

    candidate: str | None
    strategy: str
    position: int | None = None

    @property
    def late(self) -> bool:
        """True when a fallback (not the first candidate) matched: the site is drifting."""
        return bool(self.position)


# -- candidates → locators --------------------------------------------------------------------------
def _fill(text: str, params: Mapping[str, str] | None) -> str:
    for name, value in (params or {}).items():
        text = text.replace("{" + name + "}", value)
    return text


def _texts(pack: Pack, text: str, locale: str, params: Mapping[str, str] | None) -> list[str]:
    text = _fill(text, params)
    return pack.words(text[1:], locale) if text.startswith("@") else [text]


def _has_text(
    pack: Pack, cand: Candidate, locale: str, params: Mapping[str, str] | None
) -> re.Pattern[str] | None:
    if cand.has_text is None:
        return None
    words = _texts(pack, cand.has_text, locale, params)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _build(root: Root, cand: Candidate, text: str) -> Locator:
    if cand.role is not None:
        if cand.name is None:
            return root.get_by_role(cand.role)  # type: ignore[arg-type]
        return root.get_by_role(cand.role, name=text, exact=cand.exact)  # type: ignore[arg-type]
    builders: dict[str, Callable[[], Locator]] = {
        "label": lambda: root.get_by_label(text, exact=cand.exact),
        "placeholder": lambda: root.get_by_placeholder(text, exact=cand.exact),
        "title": lambda: root.get_by_title(text, exact=cand.exact),
        "text": lambda: root.get_by_text(text, exact=cand.exact),
        "css": lambda: root.locator(text),
        "xpath": lambda: root.locator(f"xpath={text}"),
    }
    return builders[cand.strategy]()


def _describe(cand: Candidate, text: str, pattern: re.Pattern[str] | None) -> str:
    if cand.role is not None:
        desc = f"role={cand.role}" + (f'[name="{text}"]' if cand.name is not None else "")
    else:
        desc = f'{cand.strategy}="{text}"'
    if pattern is not None:
        desc += f" has_text=/{pattern.pattern}/"
    if cand.frame:
        desc = f"frame({cand.frame}) >> {desc}"
    return desc


def candidate_attempts(
    root: Root, pack: Pack, key: str, locale: str, params: Mapping[str, str] | None = None
) -> list[Attempt]:
    """Every concrete attempt of `key`, in priority order (wordings: the locale's, then English)."""
    out: list[Attempt] = []
    for position, cand in enumerate(pack.control(key).candidates):
        base: Root = root.frame_locator(cand.frame) if cand.frame else root
        pattern = _has_text(pack, cand, locale, params)
        source = cand.name if cand.role is not None else cand.value
        texts = _texts(pack, source, locale, params) if source is not None else [""]
        for text in texts:
            loc = _build(base, cand, text)
            if pattern is not None:
                loc = loc.filter(has_text=pattern)
            strategy = f"frame:{cand.strategy}" if cand.frame else cand.strategy
            out.append(Attempt(loc, _describe(cand, text, pattern), strategy, position))
    return out


def _visible_count(loc: Locator) -> int:
    return loc.filter(visible=True).count()


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
            here = [a for _, a in ordered if not a.strategy.startswith("frame")]
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
        here = [a for _, a in rest if not a.strategy.startswith("frame")]
        if here and _union(here).count() == 0:
            rest = [(i, a) for i, a in rest if a.strategy.startswith("frame")]
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
        here = [a for a in attempts if not a.strategy.startswith("frame")]
        if here and _visible_count(_union(here)) > 0:
            return True
        return any(_visible_count(a.locator) > 0 for a in attempts if a.strategy.startswith("frame"))

    def visible_elements(self, key: str, scope: Locator | None = None) -> list[ElementHandle]:
        """Every visible element some candidate of `key` matches, each once: the candidates of this frame
        in one round trip (as one union), a candidate inside an iframe on its own."""
        attempts = self.attempts(key, scope)
        here = [a for a in attempts if not a.strategy.startswith("frame")]
        found = _union(here).filter(visible=True).element_handles() if here else []
        for attempt in attempts:
            if attempt.strategy.startswith("frame"):
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
        attempts = [a for a in self.attempts(key, scope, params) if not a.strategy.startswith("frame")]
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
            waitable = [a for a in self.attempts(key, root, params) if not a.strategy.startswith("frame")]
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
            attempts = [a for a in self.attempts(key, inner, params) if not a.strategy.startswith("frame")]
            hit = self._first_unique(key, attempts, tried, f"{tag}iframe[{i}]:")
            if hit is not None:
                return hit
        return None

    def _in_menus(
        self, key: str, root: Root, tried: list[str], params: Mapping[str, str] | None, tag: str
    ) -> Locator | None:
        for menu in self.pack.control(key).menus:
            for opener in self.attempts(menu, root):
                if _visible_count(opener.locator) != 1:
                    tried.append(f"{tag}menu {menu}: {opener.description} → not exactly one visible")
                    continue
                click_through_overlays(opener.locator.filter(visible=True), self.page, self.pack, self.locale)
                inside = self.attempts(key, self.page, params)
                _wait_any([a for a in inside if not a.strategy.startswith("frame")], MENU_TIMEOUT_MS)
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


# -- overlay guard ---------------------------------------------------------------------------------
def overlay_keys(pack: Pack) -> list[str]:
    return [k for k in pack.controls if k.startswith("overlays.")]


def dismiss_overlays(page: Page, pack: Pack, locale: str | None = None) -> list[str]:
    """Close every known overlay that is visible now (chat, coupon, foreign modals, cookie banners).
    Returns what was closed. Our own dialogs are excluded by the pack's selectors."""
    closed: list[str] = []
    for key in overlay_keys(pack):
        for attempt in candidate_attempts(page, pack, key, locale or pack.meta.default_locale):
            visible = attempt.locator.filter(visible=True)
            for _ in range(5):  # several popups of one kind; each click removes one
                if visible.count() == 0:
                    break
                try:
                    visible.first.click(timeout=CLICK_TIMEOUT_MS)
                except PlaywrightError as exc:
                    logger.debug("overlay %s did not close: %s", attempt.description, exc.message)
                    break
                closed.append(f"{key}: {attempt.description}")
    if closed:
        logger.info("closed overlays: %s", "; ".join(closed))
    return closed


def click_through_overlays(
    locator: Locator,
    page: Page,
    pack: Pack,
    locale: str | None = None,
    attempts: int = 3,
    irreversible: bool = False,
    timeout_ms: int = CLICK_TIMEOUT_MS,
) -> list[str]:
    """Click `locator`; when something intercepts the click, close known overlays and try again.

    An irreversible click first checks actionability with a short trial click (nothing is sent), so an
    intercepted or disabled control fails fast without side effects; any other click goes straight out (an
    intercepted click is not delivered, so trying it is the check). A real click whose log says it was done
    counts as sent even if waiting for the navigation it started timed out. With `irreversible=True` the
    real click is issued at most once: if it is not sent after a passing trial, ControlBlocked is raised."""
    dismissed: list[str] = []
    last = ""
    for _ in range(max(1, attempts)):
        try:
            if irreversible:
                locator.click(trial=True, timeout=timeout_ms)
        except PlaywrightTimeoutError as exc:
            last = exc.message
            now = dismiss_overlays(page, pack, locale)
            dismissed += now
            if INTERCEPTED not in last and not now:
                raise ControlBlocked(str(locator), _first_line(last)) from exc
            continue
        try:
            locator.click(timeout=timeout_ms)
            return dismissed
        except PlaywrightTimeoutError as exc:
            last = exc.message
            if CLICK_DONE in last:  # delivered; only the wait for a navigation it started ran out
                return dismissed
            if irreversible:
                raise ControlBlocked(str(locator), "not sent: " + _first_line(last)) from exc
            if INTERCEPTED not in last:
                raise ControlBlocked(str(locator), _first_line(last)) from exc
            dismissed += dismiss_overlays(page, pack, locale)
    raise ControlBlocked(str(locator), f"still intercepted after {attempts} attempts: {_first_line(last)}")


def _first_line(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    intercept = [ln for ln in lines if INTERCEPTED in ln]
    return (intercept or lines or ["unknown"])[-1][:300]


# -- drift check -----------------------------------------------------------------------------------
def check_pack(
    page: Page, pack: Pack, locale: str | None = None, prefixes: Iterable[str] | None = None
) -> dict[str, Resolution]:
    """Resolve every control key on the current page without clicking or waiting.

    A control resolves when a candidate has exactly one visible match (structural `many` keys: at least
    one). Keys with parameters are reported as "parametrised"; two+ matches and no other: "ambiguous"."""
    wanted = tuple(prefixes or ())
    result: dict[str, Resolution] = {}
    for key, control in pack.controls.items():
        if wanted and not key.startswith(wanted):
            continue
        if any("{" in (c.name or c.value) or "{" in (c.has_text or "") for c in control.candidates):
            result[key] = Resolution(None, "parametrised")
            continue
        result[key] = _resolve(page, pack, key, locale or pack.meta.default_locale, control.many)
    return result


def _resolve(page: Page, pack: Pack, key: str, locale: str, many: bool) -> Resolution:
    ambiguous = False
    for attempt in candidate_attempts(page, pack, key, locale):
        n = _visible_count(attempt.locator)
        if n == 1 or (many and n > 1):
            return Resolution(attempt.description, attempt.strategy, attempt.position)
        ambiguous = ambiguous or n > 1
    return Resolution(None, "ambiguous" if ambiguous else "none")
