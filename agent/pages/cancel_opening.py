"""Clicking "Cancel order" and finding the cancel form wherever it opens: a dialog on this page, this page
navigating to a form, or a new tab (the real refund flow opens `/p/reverse-pages/…` in one). The form
found is bound to its page: a form in another tab gets a `Site` of its own (same pack, locale, hits)."""

from __future__ import annotations

import dataclasses
import time

from playwright.sync_api import Locator, Page

from agent.errors import ControlNotFound
from agent.locate import Finder
from agent.pages.base import SLICE_MS, PageObject, Site
from agent.pages.cancel_dialog import CancelDialog

__all__ = ["open_cancel_form", "site_for"]


def open_cancel_form(opener: PageObject, control: Locator) -> CancelDialog:
    """Click `control` and return the cancel form, on this page or in the tab the click opened."""
    context = opener.page.context
    before = list(context.pages)
    opener.click(control)
    deadline = time.monotonic() + opener.site.timeout_ms / 1000
    while time.monotonic() < deadline:
        opened = [p for p in context.pages if not any(p is b for b in before)]
        if opened:
            page = opened[-1]
            page.wait_for_load_state("domcontentloaded")
            return CancelDialog(site_for(opener.site, page)).wait_open()
        if opener.finder.wait_for("cancel_dialog.root", timeout_ms=SLICE_MS):
            return CancelDialog(opener.site).wait_open()
    raise ControlNotFound("cancel_dialog.root", ["no dialog, form page or new tab after the click"],
                          evidence=[f"url={opener.page.url}"])  # fmt: skip


def site_for(site: Site, page: Page) -> Site:
    """The same site context bound to another tab."""
    finder = Finder(page, site.pack, site.locale, on_hit=site.finder.on_hit)
    return dataclasses.replace(site, page=page, finder=finder)
