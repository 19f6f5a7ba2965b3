"""One signed MTOP call, as the site's own pages make it, with the browser context's cookies.

`MtopClient.call(api, payload, method)` serialises the payload once, signs those bytes with the token of
the `_m_h5_tk` cookie, sends them through the transport (Playwright's `BrowserContext.request`: the
session's cookies go along and a rotated token comes back into the same jar, so this code never handles
a credential) and classifies the answer:

- token (EMPTY / EXOIRED / ILLEGAL_ACCESS): the rotated cookie is already in the jar; re-sign with a
  fresh `t` and send again, at most `api.token_rounds` calls, then ApiRefused;
- session: SessionExpired (the flows log in again);
- traffic: wait `api.traffic_backoff_ms`, doubling up to `traffic_backoff_max_ms`, at most
  `api.traffic_tries` tries, then ApiRefused;
- captcha: start the account's cooldown and raise CaptchaCooldown (exit 3), never retried;
- denied / any other code, HTTP errors, dropped connections, non-JSON: ApiRefused with the code.

Every send waits for the account's slot (agent.api.pacing): one call in flight, a minimum interval.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from agent.api import protocol as mtop
from agent.api.pacing import AccountGate, Cooldown
from agent.config import ApiConfig
from agent.errors import ApiRefused, CaptchaCooldown, SessionExpired

__all__ = ["MtopClient", "PlaywrightTransport", "Transport"]

logger = logging.getLogger(__name__)


class Transport(Protocol):
    """Sends one HTTP request with the session's cookies and keeps the cookies it sets."""

    def send(
        self, method: str, url: str, query: Mapping[str, str], form: Mapping[str, str] | None,
        headers: Mapping[str, str], timeout_ms: int,
    ) -> tuple[int, str]: ...  # fmt: skip

    def cookie(self, name: str, url: str) -> str | None: ...


class PlaywrightTransport:
    """The browser context's APIRequestContext: its cookie jar is the browser's (both ways)."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context

    def send(
        self, method: str, url: str, query: Mapping[str, str], form: Mapping[str, str] | None,
        headers: Mapping[str, str], timeout_ms: int,
    ) -> tuple[int, str]:  # fmt: skip
        request = self.context.request
        try:
            if method == "POST":
                response = request.post(url, params=dict(query), form=dict(form or {}), headers=dict(headers),
                                        timeout=timeout_ms)  # fmt: skip
            else:
                response = request.get(url, params=dict(query), headers=dict(headers), timeout=timeout_ms)
            return response.status, response.text()
        except PlaywrightError as exc:
            raise ApiRefused(f"no answer from {url.split('?')[0]}: {exc.message}", kind="network") from exc

    def cookie(self, name: str, url: str) -> str | None:
        for found in self.context.cookies(url):
            if found.get("name") == name:
                return str(found.get("value", ""))
        return None


@dataclass
class MtopClient:
    """Signed calls to `<api_base>/h5/<api>/1.0/` for one account."""

    transport: Transport
    settings: ApiConfig
    api_base: str  # e.g. https://acs.aliexpress.com (the shop: its own base URL)
    site_origin: str  # Referer and Origin of the calls (the pages' site)
    gate: AccountGate
    cooldown: Cooldown
    time_zone: str = "GMT+0"
    sleep: Callable[[float], None] = time.sleep
    calls: int = field(default=0, init=False)  # sends made (every round and try counts)

    def url(self, api: str) -> str:
        return f"{self.api_base.rstrip('/')}/h5/{api}/1.0/"

    def region(self) -> dict[str, str]:
        """`shipToCountry` and `_lang` from the site's region cookie, when the browser has one."""
        return mtop.regional_defaults(self.transport.cookie(mtop.REGION_COOKIE, self.site_origin))

    def call(self, api: str, payload: Mapping[str, Any], method: str = "GET") -> dict[str, Any]:
        """The answer's `data` when the envelope says SUCCESS; see the module docstring otherwise."""
        self.cooldown.check()
        data = mtop.serialise({**self.region(), **payload})  # once: every round signs these same bytes
        tokens = traffic = 0
        backoff_ms = self.settings.traffic_backoff_ms
        while True:
            body = self._send(api, method, data)
            code, message = mtop.ret_code(body)
            kind = mtop.classify(code)
            if kind is mtop.Kind.SUCCESS:
                return _data_of(body, api)
            logger.info("%s answered %s (%s)", api, code, kind.value)
            if kind is mtop.Kind.TOKEN:
                tokens += 1
                if tokens >= self.settings.token_rounds:
                    raise ApiRefused(f"{api}: token refused {tokens} times in a row", "token", code)
                continue
            if kind is mtop.Kind.TRAFFIC:
                traffic += 1
                if traffic >= self.settings.traffic_tries:
                    raise ApiRefused(f"{api}: still rate limited after {traffic} tries", "traffic", code)
                self.sleep(backoff_ms / 1000)  # a client may wait; page objects never do
                backoff_ms = min(backoff_ms * 2, self.settings.traffic_backoff_max_ms)
                continue
            self._fail(api, kind, code, message)

    def _fail(self, api: str, kind: mtop.Kind, code: str, message: str) -> None:
        if kind is mtop.Kind.SESSION:
            raise SessionExpired(f"the site API says: {code} ({api})")
        if kind is mtop.Kind.CAPTCHA:  # never retried into, never read around: a person decides
            until = self.cooldown.start(self.settings.captcha_cooldown_minutes, code)
            raise CaptchaCooldown(f"{until.astimezone():%H:%M}", code)
        raise ApiRefused(f"{api}: {message or 'no message'}", kind.value, code or "no ret")

    def _send(self, api: str, method: str, data: str) -> dict[str, Any]:
        url = self.url(api)
        with self.gate.slot():
            # Signed inside the slot: the token cannot rotate between signing and sending.
            token = mtop.token_of(self.transport.cookie(mtop.TOKEN_COOKIE, url))
            t = str(int(time.time() * 1000))
            sign = mtop.sign(token, t, self.settings.app_key, data)
            query = mtop.transport(api, self.settings.app_key, t, sign, self.settings.timeout_ms)
            headers = {"Referer": self.site_origin + "/", "Origin": self.site_origin}
            form = None
            if method == "POST":
                form = {"data": data}
            else:
                query["data"] = data
            self.calls += 1
            status, text = self.transport.send(method, url, query, form, headers, self.settings.timeout_ms)
        if status != 200:
            raise ApiRefused(f"{api} answered HTTP {status}", "http")
        try:
            body = _json(text)
        except ValueError as exc:
            raise ApiRefused(f"{api} answered non-JSON (HTTP {status})", "bad_answer") from exc
        return body


def _json(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _data_of(body: Mapping[str, Any], api: str) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise ApiRefused(f"{api} answered SUCCESS without a data object", "bad_answer")
    return data
