"""The overlay guard: chat bubbles, coupons, foreign modals and cookie banners that sit over a control. A
click they intercept closes every known overlay (pack keys `overlays.*`) and tries again; an irreversible
click is checked with a trial click first and issued at most once."""

from __future__ import annotations

import logging

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.candidates import candidate_attempts
from agent.errors import ControlBlocked
from agent.packs import Pack

__all__ = ["CLICK_TIMEOUT_MS", "click_through_overlays", "dismiss_overlays", "overlay_keys"]

logger = logging.getLogger(__name__)

CLICK_TIMEOUT_MS = 3000  # per attempt; only an intercepted click waits it out (loaded machines are slow)
INTERCEPTED = "intercepts pointer events"
CLICK_DONE = "click action done"  # Playwright's call log once the click was delivered


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
