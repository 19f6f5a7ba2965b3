"""The login page: email-first flow or classic form, an optional one-time code, challenge detection.

The password is typed into the page and never logged, printed, or put into an exception message; pass
`LoginPage.mask()` to every screenshot taken while the form is on screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import LoginFailed, NeedsHuman
from agent.pages.base import SLICE_MS, PageObject, is_login_url, is_navigation_error

__all__ = ["LoginPage", "is_login_url"]

OtpProvider = Callable[[], str]
OUTCOME_KEYS = ("login.challenge", "login.error", "login.otp")


class LoginPage(PageObject):
    KEYS = (
        "login.account",
        "login.continue",
        "login.password",
        "login.submit",
        "login.otp",
        "login.otp_submit",
        "login.error",
        "login.challenge",
    )

    def open(self, return_url: str | None = None) -> LoginPage:
        url = self.site.login_url
        if return_url:
            url += ("&" if "?" in url else "?") + "return_url=" + quote(return_url, safe="")
        try:
            self.page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            if not is_navigation_error(exc):
                raise
            # The page was already on its way (the site sends a logged-out page to its login by itself).
            self.page.wait_for_load_state("domcontentloaded")
            if not self.is_logged_out():
                self.page.goto(url, wait_until="domcontentloaded")
        self.wait_ready("login.account", check_session=False)
        return self

    def is_logged_out(self) -> bool:
        """True when the browser is on the login page (host + path, never one exact URL)."""
        return is_login_url(self.page.url, self.site.login_url)

    def mask(self) -> list[Locator]:
        """Locators to mask in screenshots: the password and one-time code fields."""
        return [self.loc("login.password"), self.loc("login.otp")]

    def log_in(
        self, email: str, password: str, otp: OtpProvider | None = None, timeout_ms: int | None = None
    ) -> None:
        """Sign in; returns once the site has left the login page.

        Raises NeedsHuman on a slider/captcha (or a code is asked and no `otp` provider was given),
        LoginFailed when the site rejects the credentials or the code."""
        self._raise_on_challenge()
        self.find("login.account").fill(email)
        if not self.finder.is_visible("login.password"):
            self.click(self.find("login.continue"))
            self._wait_for_step("login.password")
        self.find("login.password").fill(password)
        self.click(self.find("login.submit"))
        self._await_outcome(otp, self.site.timeout_ms if timeout_ms is None else timeout_ms)

    # -- steps --------------------------------------------------------------------------------------
    def _raise_on_challenge(self) -> None:
        if self.finder.is_visible("login.challenge"):
            raise NeedsHuman("the login page shows a slider/captcha challenge")

    def _raise_on_error(self) -> None:
        if self.finder.is_visible("login.error"):
            shown = " ".join(self.texts("login.error", visible_only=True))
            raise LoginFailed(f"the site rejected the login: {shown or 'no message'}")

    def _wait_for_step(self, key: str) -> None:
        deadline = time.monotonic() + self.site.timeout_ms / 1000
        while not self.finder.wait_for(key, timeout_ms=SLICE_MS):
            self._raise_on_challenge()
            self._raise_on_error()
            if time.monotonic() > deadline:
                raise LoginFailed(f"the login form did not show {key}")

    def _await_outcome(self, otp: OtpProvider | None, timeout_ms: int) -> None:
        deadline = time.monotonic() + timeout_ms / 1000
        code_sent = False
        while self.is_logged_out():
            self._raise_on_challenge()
            self._raise_on_error()
            if self.finder.is_visible("login.otp") and not code_sent:
                if otp is None:
                    raise NeedsHuman("the site asks for a one-time code and no code provider was given")
                self._enter_code(otp())
                code_sent = True
            if time.monotonic() > deadline:
                raise LoginFailed("the login did not finish: still on the login page")
            self._wait_a_slice()

    def _enter_code(self, code: str) -> None:
        self.find("login.otp").fill(code)
        self.click(self.find("login.otp_submit"))

    def _wait_a_slice(self) -> None:
        """Wait (condition-driven) for the page to leave the login URL or for any outcome marker."""
        try:
            self.page.wait_for_url(lambda url: not is_login_url(url, self.site.login_url), timeout=SLICE_MS)
        except PlaywrightTimeoutError:
            return
