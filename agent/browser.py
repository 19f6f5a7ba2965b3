"""One browser per run: launch or connect, a context per account, saved sessions, tracing, resource blocking.

Secrets: a login is never traced (tracing starts after the first login and pauses around every later one,
because a trace records the arguments of `fill`), and screenshots take `mask` locators for the password.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from agent.browser_setup import launch_args, resolve_chromium
from agent.devtools import DevTools
from agent.errors import BrowserUnavailable

if TYPE_CHECKING:
    from agent.config import BrowserConfig

logger = logging.getLogger(__name__)


# What the agent never needs to see: images, fonts, media. Matching by URL means only these requests
# pay the cost of a route round trip.
_HEAVY = re.compile(r"\.(png|jpe?g|gif|webp|avif|ico|svg|woff2?|ttf|otf|mp4|webm|mp3)(\?|$)", re.I)
_NOTHING = re.compile(r"(?!)")  # matches no URL: keeps routing on without blocking anything


def account_slug(email: str) -> str:
    """A file-name-safe key for an account (the saved session's file name)."""
    return re.sub(r"[^a-z0-9]+", "_", email.lower()).strip("_") or "default"


class BrowserSession:
    """Owns Playwright, the browser and its contexts for one run. Use as a context manager."""

    def __init__(
        self, settings: BrowserConfig, state_dir: Path, evidence_dir: Path, browser: Browser | None = None
    ) -> None:
        """`browser`: an already running browser to use (and leave running), e.g. a test suite's."""
        self.settings = settings
        self.state_dir = Path(state_dir)
        self.evidence_dir = Path(evidence_dir)
        self._pw: Playwright | None = None
        self._browser: Browser | None = browser
        self._owned = browser is None
        self._traced: set[int] = set()
        self._parts: dict[int, list[Path]] = {}  # trace parts saved while tracing paused for a login
        self._devtools: dict[BrowserContext, DevTools] = {}

    def __enter__(self) -> BrowserSession:
        if not self._owned:
            return self
        self._pw = sync_playwright().start()
        try:
            self._browser = self._connect_or_launch(self._pw)
        except Exception:
            self._pw.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._browser is not None and self._owned:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()

    @property
    def browser(self) -> Browser:
        assert self._browser is not None, "use BrowserSession as a context manager"
        return self._browser

    def _connect_or_launch(self, pw: Playwright) -> Browser:
        s = self.settings
        try:
            if s.remote_endpoint:
                if s.remote_protocol == "playwright":
                    return pw.chromium.connect(s.remote_endpoint, slow_mo=s.slow_mo_ms)
                return pw.chromium.connect_over_cdp(s.remote_endpoint, slow_mo=s.slow_mo_ms)
            exe = resolve_chromium(s.executable_path or None, playwright_path=pw.chromium.executable_path)
            return pw.chromium.launch(
                executable_path=exe, args=launch_args(exe), headless=s.headless, slow_mo=s.slow_mo_ms,
                handle_sigint=False, handle_sigterm=False, handle_sighup=False,  # agent.stopping decides
            )  # fmt: skip
        except PlaywrightError as exc:
            where = s.remote_endpoint or s.executable_path or "the local Chromium"
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BrowserUnavailable(f"cannot start or reach {where}: {first_line}") from exc

    # -- contexts and saved sessions -------------------------------------------------------------
    def state_path(self, email: str) -> Path:
        return self.state_dir / f"{account_slug(email)}.json"

    def new_context(
        self,
        email: str,
        locale: str | None = None,
        *,
        record_har: Path | None = None,
        replay_har: Path | None = None,
    ) -> BrowserContext:
        """A context for one account, starting from its saved session when there is one.

        `record_har`: record the traffic there (bodies embedded). `replay_har`: answer every request
        from that HAR and abort the rest (no network, no saved session)."""
        saved = self.state_path(email)
        har = {"record_har_path": str(record_har), "record_har_content": "embed"} if record_har else {}
        context = self.browser.new_context(
            storage_state=str(saved) if saved.exists() and replay_har is None else None,
            locale=locale or None,
            viewport={"width": 1280, "height": 900},
            **har,  # type: ignore[arg-type]
        )
        context.set_default_timeout(self.settings.timeout_ms)
        context.set_default_navigation_timeout(self.settings.navigation_timeout_ms)
        # Routing stays on for the context's whole life, even with nothing to block: switching it on and
        # off (the network guard's route, around each submission) while a page reloads can hang Chromium
        # (Network.setCacheDisabled never answered, seen with Chromium 150).
        context.route(_HEAVY if self.settings.block_resources else _NOTHING, lambda route: route.abort())
        self._devtools[context] = DevTools(context)  # answers' bodies kept (agent.devtools)
        if replay_har is not None:
            context.route_from_har(replay_har, not_found="abort")
        return context

    def new_page(self, context: BrowserContext) -> Page:
        """A new tab of `context` (one of ours), its DevTools session set up before its first load."""
        devtools = self._devtools.get(context)
        return devtools.new_page() if devtools else context.new_page()

    def save_session(self, context: BrowserContext, email: str) -> Path:
        """Write the context's cookies/storage to the account's file, readable by the owner only."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        target = self.state_path(email)
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        context.storage_state(path=str(tmp))
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        return target

    def forget_session(self, email: str) -> None:
        self.state_path(email).unlink(missing_ok=True)

    # -- evidence ----------------------------------------------------------------------------------
    def evidence_path(self, run_id: str | int, name: str, suffix: str) -> Path:
        folder = self.evidence_dir / str(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        return folder / f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.{suffix}"

    def screenshot(
        self, page: Page, run_id: str | int, name: str, mask: list | None = None, full_page: bool = True
    ) -> str:
        path = self.evidence_path(run_id, name, "png")
        # caret="initial": hiding the text caret (Playwright's default) styles every frame first and
        # doubles the shot's time; a caret in a text box changes nothing a screenshot proves.
        page.screenshot(path=str(path), full_page=full_page, mask=mask or [], caret="initial")
        return str(path)

    def start_trace(self, context: BrowserContext) -> None:
        """Start tracing (after the first login; any later credential fill runs inside `untraced`)."""
        if self.settings.trace == "off" or id(context) in self._traced:
            return
        context.tracing.start(screenshots=True, snapshots=True)
        self._traced.add(id(context))

    @contextlib.contextmanager
    def untraced(self, context: BrowserContext, run_id: str | int) -> Iterator[None]:
        """Tracing stopped for what happens inside — a login typing the password — because a trace records
        what `fill` typed and the requests' bodies. The trace so far is saved as a part (kept with the run's
        trace, or deleted with it); a fresh trace starts afterwards (a resumed chunk would still record
        the login's POST, seen in a test)."""
        if id(context) not in self._traced:
            yield
            return
        part = self.evidence_path(run_id, f"trace-part{len(self._parts.get(id(context), [])) + 1}", "zip")
        context.tracing.stop(path=str(part))
        self._parts.setdefault(id(context), []).append(part)
        try:
            yield
        finally:
            context.tracing.start(screenshots=True, snapshots=True)

    def stop_trace(self, context: BrowserContext, run_id: str | int, failed: bool) -> list[str]:
        """Stop tracing; keep the files (the parts saved around logins, then the last one) when the run
        failed, or always, if so configured. Returns the kept paths."""
        if id(context) not in self._traced:
            return []
        self._traced.discard(id(context))
        parts = self._parts.pop(id(context), [])
        keep = self.settings.trace == "always" or (failed and self.settings.trace == "on_failure")
        if not keep:
            context.tracing.stop()
            for part in parts:
                part.unlink(missing_ok=True)
            return []
        path = self.evidence_path(run_id, "trace", "zip")
        context.tracing.stop(path=str(path))
        return [str(p) for p in [*parts, path]]

