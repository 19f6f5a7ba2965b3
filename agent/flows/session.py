"""Being logged in: reuse the saved session, renew it when the site sends us to its login page, get a
one-time code from `account.otp_command` or the person, and stop for a human on a challenge."""

from __future__ import annotations

import logging
import shlex
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent import stopping
from agent.errors import AgentError, LoginFailed, NeedsHuman, SessionExpired, SiteError
from agent.flows.runtime import Runtime
from agent.pages import LoginPage, OrdersPage, is_login_url

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_WAIT_INITIAL_S = 0.5  # then 1, 2, … (doubling) up to RETRY_WAIT_MAX_S
RETRY_WAIT_MAX_S = 8.0


def otp_provider(rt: Runtime) -> Callable[[], str] | None:
    """Where a one-time code comes from: the configured command, else the person at the terminal."""
    command = rt.config.account.otp_command
    if command:
        return lambda: _run_otp_command(command)
    if rt.ask is not None:
        ask = rt.ask
        return lambda: ask("One-time code sent by the site")
    return None


def _run_otp_command(command: str) -> str:
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LoginFailed(f"account.otp_command could not run: {exc}") from exc
    code = done.stdout.strip()
    if done.returncode != 0 or not code:
        raise LoginFailed(f"account.otp_command exited {done.returncode} without printing a code")
    return code


def log_in(rt: Runtime, return_url: str | None = None) -> None:
    """Sign in on the login page (opening it if needed) and save the session for the next run."""
    login = LoginPage(rt.site)
    if not login.is_logged_out():
        login.open(return_url)
    try:
        with rt.browser.untraced(rt.context, rt.run_id):  # a trace would record the typed password
            login.log_in(rt.email, rt.config.password(), otp=otp_provider(rt))
    except NeedsHuman as exc:
        shot = rt.screenshot("needs-human", mask=login.mask())
        rt.event("needs_human", what=exc.what, evidence=[shot])
        raise NeedsHuman(exc.what, shot) from exc
    rt.browser.save_session(rt.context, rt.email)
    rt.event("login", account=rt.email)
    rt.browser.start_trace(rt.context)  # only now: a trace of the login would hold the typed password


def ensure_logged_in(rt: Runtime) -> OrdersPage:
    """Open My Orders with the saved session; log in first when the site asks for it."""
    orders = OrdersPage(rt.site)
    try:
        orders.open()
    except SessionExpired:
        log_in(rt, return_url=rt.site.url("orders"))
        orders.open()
    rt.browser.start_trace(rt.context)
    if not rt.config.site.locale:
        use_page_locale(rt)
    rt.session_checked = True
    return orders


def use_page_locale(rt: Runtime) -> None:
    """`site.locale` unset: take the page's `<html lang>` when the pack knows that locale (or its
    language); otherwise keep the pack's default."""
    lang = str(rt.page.evaluate("document.documentElement.lang") or "")
    known = rt.pack.meta.locales
    exact = {loc.lower(): loc for loc in known}
    by_language = {loc.split("-")[0].lower(): loc for loc in reversed(known)}
    found = exact.get(lang.lower()) or by_language.get(lang.split("-")[0].lower())
    if found and found != rt.site.locale:
        logger.info("page language %r: using the pack's %s wordings", lang, found)
        rt.site.locale = rt.site.finder.locale = found
        rt.event("locale_detected", lang=lang, locale=found)


def with_session(rt: Runtime, step: Callable[[], T]) -> T:
    """Run a read-only step; if the session expired mid-flow, log in again and run it once more."""
    try:
        return step()
    except SessionExpired:
        logger.info("session expired mid-flow; logging in again")
        rt.event("session_expired")
        log_in(rt)
        return step()


def retrying(rt: Runtime, step: Callable[[], T], what: str, renew_session: bool = True) -> T:
    """Retry a READ-ONLY step on site errors with exponential backoff (never the confirming click):
    `policy.max_retries` attempts, the waits by stamina (between whole read attempts; page objects never
    sleep), a `retry` event per failed attempt but the last. `renew_session=False`: a logged-out answer
    propagates (SessionExpired) instead of a login on the current page — for a read that must not disturb
    what that page shows."""
    from agent.retry import retry_context

    attempts = max(1, rt.config.policy.max_retries)
    for attempt in retry_context(
        SiteError, attempts, RETRY_WAIT_INITIAL_S, RETRY_WAIT_MAX_S, wait_jitter=0.0
    ):
        with attempt:
            try:
                return with_session(rt, step) if renew_session else step()
            except SiteError as exc:
                if attempt.num < attempts:
                    logger.warning("%s failed (%s); retry %d/%d", what, exc, attempt.num, attempts - 1)
                    rt.event("retry", what=what, error=str(exc), attempt=attempt.num)
                raise
    raise AgentError(f"{what}: no attempt made")  # unreachable: the loop returns or raises


def log_in_with_human(rt: Runtime, timeout_s: float) -> None:
    """`buyer-agent login --headed`: log in, and when the site shows a challenge, let the person solve
    it in the window; we wait (on the URL, not a timer) until the site lets us in, then save the session."""
    try:
        ensure_logged_in(rt)
        return
    except NeedsHuman as exc:
        logger.warning("%s — solve it in the browser window; waiting up to %.0f s", exc.what, timeout_s)
        rt.event("waiting_for_human", what=exc.what)
    _wait_let_in(rt, timeout_s)
    rt.browser.save_session(rt.context, rt.email)
    rt.event("login", account=rt.email, by="human")


def _wait_let_in(rt: Runtime, timeout_s: float) -> None:
    """Until the site leaves its login page (the person solved the challenge), in one-second waits on the URL
    with a safe point between them: Ctrl-C or SIGTERM ends a long wait for a person at once."""
    deadline = time.monotonic() + timeout_s
    while True:
        stopping.check()
        left_ms = (deadline - time.monotonic()) * 1000
        try:
            rt.page.wait_for_url(lambda url: not is_login_url(url, rt.site.login_url),
                                 timeout=max(1.0, min(1000.0, left_ms)))  # fmt: skip
            return
        except PlaywrightTimeoutError:
            if left_ms <= 1000:
                raise
