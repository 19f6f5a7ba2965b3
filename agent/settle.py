"""Has the page settled? Loaded, no request in flight and no change to its DOM for a while: then content
that has not appeared yet is not coming (a lazy part renders on a scroll, a click or an answer, and each
of those shows as activity). The finder uses it to stop waiting for a control this layout does not have,
instead of waiting out a fixed timeout.

    with Activity(page) as activity:
        scroll_or_click()
        shown = until_shown_or_settled(wait_slice, timeout_ms, activity)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request

__all__ = ["QUIET_MS", "Activity", "until_shown_or_settled"]

QUIET_MS = 750  # this long without a request or a DOM change (and loaded): the page has settled

# Milliseconds since the DOM last changed (0 while the document is still loading). The first call starts
# the watch: a MutationObserver of ours that only notes the time; the page's own code never sees it.
DOM_QUIET = """() => {
  const w = window;
  if (!w.__buyerAgentDom) {
    w.__buyerAgentDom = {last: performance.now()};
    new MutationObserver(() => { w.__buyerAgentDom.last = performance.now(); }).observe(document,
      {subtree: true, childList: true, attributes: true, characterData: true});
  }
  return document.readyState === 'complete' ? performance.now() - w.__buyerAgentDom.last : 0;
}"""


class Activity:
    """Watches one page's requests (in flight, last start or end) and its DOM, while in the block."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.in_flight: set[Request] = set()
        self.last_network = time.monotonic()

    def __enter__(self) -> Activity:
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._ended)
        self.page.on("requestfailed", self._ended)
        self.dom_quiet_ms()  # starts the DOM watch now: changes from here on count
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.page.remove_listener("request", self._started)
        self.page.remove_listener("requestfinished", self._ended)
        self.page.remove_listener("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        self.in_flight.add(request)
        self.last_network = time.monotonic()

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        self.last_network = time.monotonic()

    def dom_quiet_ms(self) -> float:
        try:
            return float(self.page.evaluate(DOM_QUIET))
        except PlaywrightError:  # the page is navigating: nothing has settled
            return 0.0

    def settled(self, quiet_ms: int = QUIET_MS) -> bool:
        """Loaded, nothing in flight, and neither the network nor the DOM moved for `quiet_ms`."""
        if self.in_flight or (time.monotonic() - self.last_network) * 1000 < quiet_ms:
            return False
        return self.dom_quiet_ms() >= quiet_ms


def until_shown_or_settled(wait: Callable[[int], bool], timeout_ms: int, activity: Activity) -> bool:
    """`wait(ms)` (an event-driven wait for what we look for: True when it showed) in slices, until it
    shows (True), the page has settled without it (False), or `timeout_ms` passed (False)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while (left := int((deadline - time.monotonic()) * 1000)) > 0:
        if wait(max(1, min(QUIET_MS, left))):
            return True
        if activity.settled():
            return False
    return False
