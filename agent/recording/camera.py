"""HTML snapshots of each screen the page objects read while a flow is recorded.

`CameraFinder` stands in for the run's `Finder`: every time a page object asks for a pack key, the screen
that key belongs to (OrdersPage, OrderDetailPage, CancelDialog) is snapshotted if its DOM changed since the
last shot (a MutationObserver counter makes that check one cheap round trip). The last state of each
screen wins: the rendered rows, the open dialog with its reason chosen. Scripts are removed: a snapshot is
a frozen DOM, loaded later with the recording's HAR for its styles and frames.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, FrameLocator, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from agent.locate import Attempt, Finder
from agent.packs import Pack
from agent.pages import ALL_PAGES, LoginPage

logger = logging.getLogger(__name__)

COUNTER_SCRIPT = """(() => {
  let n = 0;
  new MutationObserver((records) => { n += records.length; }).observe(document,
    {subtree: true, childList: true, attributes: true, characterData: true});
  Object.defineProperty(window, '__buyerAgentMutations', {get: () => n});
})();"""
STATE = (
    "() => [location.href, `${performance.timeOrigin}:${window.__buyerAgentMutations || 0}`]"  # per document
)
SCREEN_PATHS = {"OrdersPage": "orders", "OrderDetailPage": "order_detail"}  # page object → pack path key
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.S | re.I)


def key_owners() -> dict[str, str]:
    """Pack key → the page object that reads it (login and site-wide keys are never snapshotted)."""
    owners: dict[str, str] = {}
    for page in ALL_PAGES:
        if page is LoginPage:
            continue
        for key in page.KEYS:
            if not key.startswith(("site.", "overlays.")):
                owners.setdefault(key, page.__name__)
    return owners


def page_keys(page_object: str) -> tuple[str, ...]:
    for page in ALL_PAGES:
        if page.__name__ == page_object:
            return tuple(k for k in page.KEYS if not k.startswith(("site.", "overlays.")))
    return ()


def static_html(html: str) -> str:
    return SCRIPT.sub("", html)


@dataclass
class Shot:
    page_object: str
    url: str
    html: str
    version: str


class Camera:
    """Keeps, per (page object, URL), the richest state it saw (the longest DOM; the newest on a tie): the
    rendered list rather than the one caught before its rows arrived."""

    def __init__(self, page: Page, pack: Pack) -> None:
        self.page = page
        self.owners = key_owners()
        self.paths = {
            owner: urlsplit(pack.paths[key]).path for owner, key in SCREEN_PATHS.items() if key in pack.paths
        }
        self.shots: dict[tuple[str, str], Shot] = {}
        self.seen: dict[tuple[str, str], str] = {}  # the DOM version last looked at

    def install(self, context: BrowserContext) -> None:
        context.add_init_script(COUNTER_SCRIPT)

    def shoot(self, key: str) -> None:
        owner = self.owners.get(key)
        if owner is None:
            return
        try:
            url, version = self.page.evaluate(STATE)
            if owner in self.paths and urlsplit(url).path != self.paths[owner]:
                return  # a detail key read behind a dialog on My Orders is not the detail screen
            if self.seen.get((owner, url)) == version:
                return
            self.seen[(owner, url)] = version
            html = static_html(self.page.content())
        except PlaywrightError as exc:  # mid-navigation: the next read shoots again
            logger.debug("no snapshot of %s now: %s", owner, exc.message)
            return
        last = self.shots.get((owner, url))
        if last is None or len(html) >= len(last.html):
            self.shots[(owner, url)] = Shot(owner, url, html, str(version))


class CameraFinder(Finder):
    """The run's Finder, snapshotting the screen of every key a page object asks for."""

    def __init__(self, finder: Finder, camera: Camera) -> None:
        super().__init__(finder.page, finder.pack, finder.locale, finder.on_hit, finder.default_timeout_ms)
        self.camera = camera

    def attempts(
        self,
        key: str,
        root: Locator | FrameLocator | Page | None = None,
        params: Mapping[str, str] | None = None,
    ) -> list[Attempt]:
        self.camera.shoot(key)
        return super().attempts(key, root, params)
