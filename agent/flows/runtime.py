"""One run of the agent: config, store, run id, the browser, and the `Site` the page objects share.

`open_runtime()` starts a `runs` row, one browser for the whole run, a context for the account, and
closes them all — recording the run's outcome and keeping a trace/screenshot when the run failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from agent.api import ApiReader, MtopClient, make_client
from agent.api.protocol import time_zone
from agent.browser import BrowserSession
from agent.config import Config
from agent.errors import AgentError, NeedsHuman, Stopped
from agent.locate import load_pack
from agent.packs import Pack
from agent.pages import Site
from agent.store import Store

logger = logging.getLogger(__name__)

Ask = Callable[[str], str]  # prompts the person at the terminal (OTP); supplied by the CLI


@dataclass
class Runtime:
    config: Config
    store: Store
    run_id: int
    pack: Pack
    browser: BrowserSession
    context: BrowserContext
    page: Page
    site: Site
    ask: Ask | None = None
    failures: int = 0  # steps that failed without ending the run (one order of a batch): keep the trace
    trace: str | None = None  # where the run's trace was kept (space-separated parts), once it ends
    session_checked: bool = False  # ensure_logged_in() passed in this run (a later expiry shows on a page)
    _api_client: MtopClient | None = field(default=None, repr=False)

    def now(self) -> dt.datetime:
        """The run's clock: the store's (tests give both the fixture shop's clock)."""
        return self.store.clock()

    @property
    def email(self) -> str:
        return self.config.account.email

    def api(self) -> ApiReader | None:
        """Reads through the site's signed JSON API with this run's browser cookies (agent.api); None when
        `api.enabled` is false. The client (and its time zone, the browser clock's) lives for the run."""
        if not self.config.api.enabled:
            return None
        if self._api_client is None:
            try:
                offset = int(self.page.evaluate("-new Date().getTimezoneOffset()"))
            except PlaywrightError:  # the page is navigating: this machine's clock stands in
                offset = (time.localtime().tm_gmtoff or 0) // 60
            self._api_client = make_client(self.config, self.context, time_zone(offset))
        return ApiReader(self._api_client, self.pack, self.site.locale)

    def screenshot(self, name: str, mask: list | None = None, full_page: bool = True) -> str:
        return self.browser.screenshot(self.page, self.run_id, name, mask=mask, full_page=full_page)

    def event(
        self, kind: str, order_id: str | None = None, evidence: list[str] | None = None, **detail: object
    ) -> None:
        self.store.add_event(
            kind, order_id=order_id, run_id=self.run_id, detail=dict(detail), evidence=evidence
        )


def make_site(config: Config, pack: Pack, page: Page, store: Store, run_id: int) -> Site:
    """The page objects' context; every selector hit is recorded against this run."""

    def record_hit(key: str, candidate: str, strategy: str) -> None:
        store.record_selector_hit(config.site.profile, key, candidate, strategy, run_id=run_id)

    return Site.create(
        page,
        pack,
        config.site.base_url,
        locale=config.site.locale or None,
        on_hit=record_hit,
        login_url=config.site.login_url,
        timeout_ms=config.browser.timeout_ms,
        api_base_url=config.site.api_base,
    )


@contextmanager
def open_runtime(
    config: Config,
    store: Store,
    command: str,
    ask: Ask | None = None,
    browser: Browser | None = None,
    context_options: Mapping[str, Any] | None = None,
) -> Iterator[Runtime]:
    """A run with a browser: records the run, keeps evidence when it fails, always closes the browser.
    `browser`: reuse a running one (a test suite's) instead of launching. `context_options`: extra
    keyword arguments of `BrowserSession.new_context` (HAR recording or replay)."""
    run_id = store.start_run(command)
    pack = load_pack(config.site.profile)
    outcome = "failed"
    session = BrowserSession(config.browser, config.storage.state_dir, config.storage.evidence_dir, browser)
    with session as browser_session:
        context = browser_session.new_context(
            config.account.email, locale=config.site.locale or None, **(context_options or {})
        )
        page = browser_session.new_page(context)
        site = make_site(config, pack, page, store, run_id)
        rt = Runtime(config, store, run_id, pack, browser_session, context, page, site, ask)
        try:
            yield rt
            outcome = "ok"
        except NeedsHuman:
            outcome = "needs_human"
            raise
        except Stopped:
            outcome = "interrupted"  # SIGTERM/SIGINT at a safe point: nothing half-done (agent.stopping)
            raise
        except AgentError as exc:
            _keep_evidence(rt, exc)
            raise
        finally:
            failed = outcome != "ok" or rt.failures > 0
            kept = browser_session.stop_trace(context, run_id, failed=failed)
            if kept:
                rt.trace = " ".join(kept)
                rt.event("trace", path=kept[-1], parts=kept)
            context.close()
            store.end_run(run_id, outcome)


def _keep_evidence(rt: Runtime, exc: AgentError) -> None:
    """A screenshot of where the run failed, named in the error event (the login page is never shot here)."""
    from agent.pages import LoginPage

    if LoginPage(rt.site).is_logged_out():
        rt.event("error", error=str(exc))
        return
    shot = rt.screenshot("failure")
    rt.event("error", error=str(exc), evidence=[shot])
